build/unit/obj/lib/core/loop.o: lib/core/loop.c include/mica/loop.h \
 include/mica/platform.h include/mica/buf.h include/mica/view.h \
 include/mica/err.h include/mica/err.h include/mica/libc.h
include/mica/loop.h:
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
include/mica/err.h:
include/mica/libc.h:
