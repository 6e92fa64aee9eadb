# apps/kv/module.mk - build the key-value appliance for unix with `make`.
APPS_UNIX += apps/kv
