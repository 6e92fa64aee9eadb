# apps/ofswitch: an OpenFlow switch. Ports are the devices port1..portN
# (raw frames), the controller is reached over Mica's IP stack on the
# device `control`. See docs/openflow.md.
#   ./mica build apps/ofswitch -t tap|hvt [PORTS=N]   (N = 1..15, default 4)
APP_KEYS := PORTS
PORTS ?= 4
ifeq ($(filter $(PORTS),1 2 3 4 5 6 7 8 9 10 11 12 13 14 15),)
$(error PORTS=$(PORTS): give a number of ports from 1 to 15)
endif
APP_SRCS := apps/ofswitch/main.c apps/ofswitch/flowtable.c apps/ofswitch/datapath.c apps/ofswitch/ctl.c
APP_LIBS := openflow
APP_USES_NET := 1
APP_NETIFS := control $(addprefix port,$(shell seq 1 $(PORTS)))
TARGET_CFLAGS += -DOFSW_PORTS=$(PORTS)
