# apps/www: the web appliance - a static site compiled into the image,
# served over HTTP/1.1 (lib/http).
#   ./mica build apps/www -t TARGET [SITE=DIR|block]
# Without SITE= it serves the bundled example site apps/www/site.
# SITE=block serves the FAT volume on the block device `site` instead
# (--block:site=IMG; lib/fat), read at start and again when it changes.
APP_SRCS := apps/www/main.c apps/www/conn.c
APP_LIBS := http
APP_USES_NET := 1
APP_NETIFS := service
APP_KEYS := SITE

SITE ?= apps/www/site
ifeq ($(SITE),block)
APP_SRCS += apps/www/site_block.c apps/www/fatsite.c
APP_LIBS += fat blk
APP_BLKIFS := site
else
APP_SRCS += apps/www/site_compiled.c
WWW_SITEC := build/tools/sitec
WWW_SITE_C := $(OUT)/gen/site.c
APP_GEN_SRCS += $(WWW_SITE_C)

# sitec is a host tool of the top Makefile (tools/sitec/module.mk).
$(WWW_SITEC): $(wildcard tools/sitec/*.c tools/sitec/*.h) lib/http/date.c lib/http/util.c lib/http/media.c include/mica/http.h
	@$(MAKE) --no-print-directory -s -f Makefile $(WWW_SITEC)

# The site is rebuilt when a file under SITE changes (name, size or time).
WWW_SITE_LIST := $(OUT)/gen/site.list
$(WWW_SITE_LIST): FORCE
	@mkdir -p $(@D)
	@test -d "$(SITE)" || { echo "www: SITE=$(SITE) is not a directory" >&2; exit 1; }
	@find "$(SITE)" -printf '%P %s %T@ %m\n' | LC_ALL=C sort > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@

$(WWW_SITE_C): $(WWW_SITE_LIST) $(WWW_SITEC) apps/www/app.mk
	$(WWW_SITEC) -o $@ -b $(abspath $(OUT))/gen/site.bin "$(SITE)"

# Compile the site first, so a broken site fails the build at once.
$(OUT)/obj/apps/www/main.o: | $(WWW_SITE_C)
endif
