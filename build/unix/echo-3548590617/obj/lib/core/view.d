build/unix/echo-3548590617/obj/lib/core/view.o: lib/core/view.c \
 include/mica/view.h include/mica/err.h include/mica/libc.h
include/mica/view.h:
include/mica/err.h:
include/mica/libc.h:
