# apps/ofswitch/module.mk - build the OpenFlow switch with `make` (unix
# builds it only to keep it compiling: it needs raw devices, tap or hvt).
APPS_UNIX += apps/ofswitch
