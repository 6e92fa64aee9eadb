# apps/www/module.mk - build the web appliance for unix with `make`.
APPS_UNIX += apps/www
