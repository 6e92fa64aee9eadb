# apps/ofctl: an OpenFlow controller running a reactive L2 learning switch
# for every switch that connects (OpenFlow 1.3, and 1.0 to 1.0-only
# switches). See docs/openflow.md.
#   ./mica build apps/ofctl -t unix|tap|hvt
APP_SRCS := apps/ofctl/main.c apps/ofctl/learn.c apps/ofctl/mactable.c
APP_LIBS := openflow
APP_USES_NET := 1
APP_NETIFS := service
