build/unix/echo/obj/apps/echo/echo.o: apps/echo/echo.c include/mica/app.h \
 include/mica/args.h include/mica/err.h include/mica/loop.h \
 include/mica/log.h include/mica/net.h include/mica/view.h \
 include/mica/buf.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
include/mica/log.h:
include/mica/net.h:
include/mica/view.h:
include/mica/buf.h:
