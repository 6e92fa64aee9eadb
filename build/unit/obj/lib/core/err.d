build/unit/obj/lib/core/err.o: lib/core/err.c include/mica/err.h
include/mica/err.h:
