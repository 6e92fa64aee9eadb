build/unit/obj/platform/unix/console.o: platform/unix/console.c \
 include/mica/platform.h include/mica/buf.h include/mica/view.h \
 include/mica/err.h
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
