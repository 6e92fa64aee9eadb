build/unix/echo-3548590617/gen/manifest.o: \
 build/unix/echo-3548590617/gen/manifest.c include/mica/app.h \
 include/mica/args.h include/mica/err.h include/mica/loop.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
