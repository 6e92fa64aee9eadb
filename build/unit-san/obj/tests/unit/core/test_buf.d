build/unit-san/obj/tests/unit/core/test_buf.o: tests/unit/core/test_buf.c \
 tests/unit/check.h include/mica/buf.h include/mica/view.h \
 include/mica/err.h include/mica/view.h
tests/unit/check.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
include/mica/view.h:
