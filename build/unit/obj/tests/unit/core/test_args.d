build/unit/obj/tests/unit/core/test_args.o: tests/unit/core/test_args.c \
 tests/unit/check.h include/mica/args.h include/mica/err.h \
 include/mica/log.h
tests/unit/check.h:
include/mica/args.h:
include/mica/err.h:
include/mica/log.h:
