# Makefile - build everything, run every test.
#   make            host tools, the monitor, unit tests, apps for unix
#   make test       everything above, then tests/run.sh (all tests)
#   make test T=re  only tests whose name matches the regex re
#   make san        unit tests under ASan+UBSan (also part of make test)
#   make lint       clang-format check and cppcheck
# Parts of the tree add to ALL and TEST_DEPS from their own module.mk files
# (e.g. monitor/module.mk, tools/zonec/module.mk) so no one edits this file
# to add a component.
include mk/config.mk

ALL :=
TEST_DEPS :=
CLEAN :=
APPS_UNIX := apps/hello apps/echo

all: default-all

include mk/unit.mk
-include $(wildcard */module.mk */*/module.mk)

default-all: $(ALL) unit apps check-freestanding

apps:
	+@for a in $(APPS_UNIX); do ./mica build $$a -t unix > /dev/null || exit 1; done

check-freestanding:
	@FREESTANDING_CFLAGS="$(FREESTANDING_CFLAGS)" CC="$(CC)" tools/check-freestanding.sh

san: unit-san

test: default-all unit-san $(TEST_DEPS)
	@tests/run.sh $(if $(T),--match '$(T)')

lint:
	@tools/lint.sh

clean:
	rm -rf build $(CLEAN)

.PHONY: all default-all apps check-freestanding san test lint clean
