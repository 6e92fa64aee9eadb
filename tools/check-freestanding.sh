#!/usr/bin/env bash
# check-freestanding.sh - prove that every library in lib/ builds freestanding.
# Each lib/*/*.c is compiled with only the compiler's own headers visible
# (-ffreestanding -nostdinc), and the objects may only need, from outside
# lib/, the C subset of include/mica/libc.h and the platform interface
# (mica_plat_*, mica_netif_*, mica_blkif_*) plus the app's own symbols.
# Usage (from make): FREESTANDING_CFLAGS="..." tools/check-freestanding.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FREESTANDING_CFLAGS:?run through make check-freestanding}"
out=build/freestanding
rm -rf "$out"; mkdir -p "$out"
allowed='^(memcpy|memmove|memset|memcmp|memchr|strlen|strcmp|strncmp|strchr|malloc|calloc|realloc|free|snprintf|vsnprintf|mica_plat_.*|mica_netif_.*|mica_blkif_.*|mica_app|mica_manifest|mica_platform_args|mica_net_args)$'
objs=()
for src in lib/*/*.c; do
	obj=$out/$(echo "${src%.c}" | tr / _).o
	${CC:-cc} $FREESTANDING_CFLAGS -fno-stack-protector -fno-pic -c "$src" -o "$obj" || { echo "check-freestanding: $src does not build freestanding" >&2; exit 1; }
	objs+=("$obj")
done
ld -r -o "$out/all.o" "${objs[@]}"
bad=$(nm -u "$out/all.o" | awk '{print $2}' | grep -Ev "$allowed" || true)
if [ -n "$bad" ]; then
	echo "check-freestanding: lib/ needs symbols a guest does not have:" >&2
	echo "$bad" | sed 's/^/  /' >&2
	exit 1
fi
echo "check-freestanding: ${#objs[@]} library files build freestanding"
