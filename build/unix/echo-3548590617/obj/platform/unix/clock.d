build/unix/echo-3548590617/obj/platform/unix/clock.o: \
 platform/unix/clock.c include/mica/platform.h include/mica/buf.h \
 include/mica/view.h include/mica/err.h
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
