# tools/sitec/module.mk - the site compiler (a host program) for apps/www.
# It links lib/http's date and text helpers, zlib and Debian's libbrotli.
SITEC := build/tools/sitec
SITEC_SRCS := $(wildcard tools/sitec/*.c) lib/http/date.c lib/http/util.c lib/http/media.c lib/core/civil.c
SITEC_OBJS := $(patsubst %.c,build/tools/sitec-obj/%.o,$(SITEC_SRCS))
ALL += $(SITEC)
TEST_DEPS += $(SITEC)

build/tools/sitec-obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(SITEC): $(SITEC_OBJS)
	$(HOST_CC) -o $@ $^ -lz -lbrotlienc

-include $(SITEC_OBJS:.o=.d)
