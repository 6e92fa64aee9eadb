build/unix/hello/obj/apps/hello/hello.o: apps/hello/hello.c \
 include/mica/app.h include/mica/args.h include/mica/err.h \
 include/mica/loop.h include/mica/log.h include/mica/loop.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
include/mica/log.h:
include/mica/loop.h:
