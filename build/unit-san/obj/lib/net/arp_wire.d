build/unit-san/obj/lib/net/arp_wire.o: lib/net/arp_wire.c lib/net/wire.h \
 include/mica/buf.h include/mica/view.h include/mica/err.h \
 include/mica/view.h include/mica/libc.h
lib/net/wire.h:
include/mica/buf.h:
include/mica/view.h:
include/mica/err.h:
include/mica/view.h:
include/mica/libc.h:
