build/unix/hello/gen/manifest.o: build/unix/hello/gen/manifest.c \
 include/mica/app.h include/mica/args.h include/mica/err.h \
 include/mica/loop.h
include/mica/app.h:
include/mica/args.h:
include/mica/err.h:
include/mica/loop.h:
