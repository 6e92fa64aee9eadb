# apps/ofctl/module.mk - build the OpenFlow controller for unix with `make`.
APPS_UNIX += apps/ofctl
