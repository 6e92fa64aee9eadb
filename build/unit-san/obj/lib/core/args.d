build/unit-san/obj/lib/core/args.o: lib/core/args.c include/mica/args.h \
 include/mica/err.h include/mica/err.h include/mica/log.h \
 include/mica/libc.h
include/mica/args.h:
include/mica/err.h:
include/mica/err.h:
include/mica/log.h:
include/mica/libc.h:
