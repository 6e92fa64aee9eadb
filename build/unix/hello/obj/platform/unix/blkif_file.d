build/unix/hello/obj/platform/unix/blkif_file.o: \
 platform/unix/blkif_file.c include/mica/app.h include/mica/args.h \
 include/mica/err.h include/mica/loop.h include/mica/args.h \
 include/mica/log.h include/mica/platform.h include/mica/buf.h \
 include/mica/view.h include/mica/err.h platform/unix/unix.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
include/mica/args.h:
include/mica/log.h:
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
platform/unix/unix.h:
