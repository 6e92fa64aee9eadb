build/unix/echo-3548590617/obj/platform/unix/net_sockets.o: \
 platform/unix/net_sockets.c include/mica/app.h include/mica/args.h \
 include/mica/err.h include/mica/loop.h include/mica/log.h \
 include/mica/net.h include/mica/view.h include/mica/buf.h \
 platform/unix/unix.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
include/mica/log.h:
include/mica/net.h:
include/mica/view.h:
include/mica/buf.h:
platform/unix/unix.h:
