build/unit-san/obj/platform/unix/poll.o: platform/unix/poll.c \
 include/mica/platform.h include/mica/buf.h include/mica/view.h \
 include/mica/err.h include/mica/loop.h include/mica/log.h \
 include/mica/err.h platform/unix/unix.h
include/mica/platform.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
include/mica/loop.h:
include/mica/log.h:
include/mica/err.h:
platform/unix/unix.h:
