build/unix/echo-3548590617/obj/platform/unix/main.o: platform/unix/main.c \
 include/mica/app.h include/mica/args.h include/mica/err.h \
 include/mica/loop.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
