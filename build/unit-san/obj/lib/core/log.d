build/unit-san/obj/lib/core/log.o: lib/core/log.c include/mica/log.h \
 include/mica/err.h include/mica/err.h include/mica/platform.h \
 include/mica/buf.h include/mica/view.h include/mica/libc.h
include/mica/log.h:
include/mica/err.h:
include/mica/err.h:
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/libc.h:
