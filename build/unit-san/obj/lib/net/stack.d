build/unit-san/obj/lib/net/stack.o: lib/net/stack.c lib/net/stack.h \
 include/mica/buf.h include/mica/view.h include/mica/err.h \
 include/mica/loop.h include/mica/net.h include/mica/buf.h \
 include/mica/loop.h include/mica/platform.h lib/net/wire.h \
 include/mica/view.h include/mica/libc.h include/mica/log.h
lib/net/stack.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
include/mica/loop.h:
include/mica/net.h:
include/mica/buf.h:
include/mica/loop.h:
include/mica/platform.h:
lib/net/wire.h:
include/mica/view.h:
include/mica/libc.h:
include/mica/log.h:
