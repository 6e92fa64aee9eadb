# apps/dns/module.mk - build the DNS appliance for unix with `make`.
APPS_UNIX += apps/dns
