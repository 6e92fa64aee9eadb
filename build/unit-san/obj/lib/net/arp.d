build/unit-san/obj/lib/net/arp.o: lib/net/arp.c lib/net/stack.h \
 include/mica/buf.h include/mica/view.h include/mica/err.h \
 include/mica/loop.h include/mica/net.h include/mica/buf.h \
 include/mica/loop.h include/mica/platform.h lib/net/wire.h \
 include/mica/view.h include/mica/libc.h
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
