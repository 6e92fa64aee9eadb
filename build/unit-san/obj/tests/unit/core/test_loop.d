build/unit-san/obj/tests/unit/core/test_loop.o: \
 tests/unit/core/test_loop.c tests/unit/check.h include/mica/loop.h
tests/unit/check.h:
include/mica/loop.h:
