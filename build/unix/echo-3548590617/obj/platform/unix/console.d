build/unix/echo-3548590617/obj/platform/unix/console.o: \
 platform/unix/console.c include/mica/platform.h include/mica/buf.h \
 include/mica/view.h include/mica/err.h
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
