# tests/hvt-guests/netecho: echo Ethernet frames (hvt net device test).
APP_SRCS := tests/hvt-guests/netecho/netecho.c
APP_NETIFS := net0
