build/unix/echo/obj/lib/core/boot.o: lib/core/boot.c include/mica/app.h \
 include/mica/args.h include/mica/err.h include/mica/loop.h \
 include/mica/args.h include/mica/log.h include/mica/loop.h \
 include/mica/platform.h include/mica/buf.h include/mica/view.h \
 include/mica/err.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
include/mica/args.h:
include/mica/log.h:
include/mica/loop.h:
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
