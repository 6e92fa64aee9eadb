build/unix/echo-3548590617/obj/lib/core/buf.o: lib/core/buf.c \
 include/mica/buf.h include/mica/view.h include/mica/err.h \
 include/mica/platform.h include/mica/buf.h include/mica/libc.h \
 include/mica/log.h
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
include/mica/platform.h:
include/mica/buf.h:
include/mica/libc.h:
include/mica/log.h:
