# lib/fat/module.mk - libFuzzer target for lib/fat (FAT metadata read
# from disk, then changed), tests/fuzz/fat: `make fuzz-fat`.
FUZZ_FAT := build/fuzz/fat
$(FUZZ_FAT): tests/fuzz/fat/fuzz_fat.c $(wildcard lib/fat/*.c lib/fat/*.h) include/mica/fat.h include/mica/blk.h
	@mkdir -p $(@D)
	clang -std=c11 -g -O1 -Iinclude -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Werror -Wno-unused-parameter -o $@ tests/fuzz/fat/fuzz_fat.c $(wildcard lib/fat/*.c)
fuzz-fat: $(FUZZ_FAT)
TEST_DEPS += $(FUZZ_FAT)
.PHONY: fuzz-fat
