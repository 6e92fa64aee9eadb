build/unit-san/obj/platform/unix/devices.o: platform/unix/devices.c \
 include/mica/args.h include/mica/err.h include/mica/app.h \
 include/mica/args.h include/mica/loop.h include/mica/platform.h \
 include/mica/buf.h include/mica/view.h include/mica/err.h
include/mica/args.h:
include/mica/err.h:
include/mica/app.h:
include/mica/args.h:
include/mica/loop.h:
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
