#!/usr/bin/env bash
# bench/csum.sh [MB] - the Internet checksum's speed: lib/net/csum.c
# (64-bit words with end-around carry, two chains) against the plain
# 16-bit loop the unit test checks it with (tests/unit/net/csum_ref.h)
# and, where git has it, the 32-bit loop it replaced (ce662a3^), over 20,
# 64, 576, 1460, 9000 and 65536 bytes at an aligned and an odd address;
# MB (default 100) checksummed per run, best of 5 runs taken in turn. Twice: at the
# tap and unix targets' flags, and at the hvt guests' (-Os
# -mgeneral-regs-only: no vector registers). Run under flock
# /work/bench.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-100}
work=$(mktemp -d /tmp/mica-csum-XXXXXX)
trap 'rm -rf "$work"' EXIT
prev=()
if git show ce662a3^:lib/net/csum.c > "$work/csum_prev.c" 2> /dev/null; then
	prev=(-DWITH_PREV "$work/csum_prev.o")
else
	echo "(no git history: the 32-bit loop before ce662a3 is left out)"
fi
build() { # build NAME CFLAGS...: the program, csum.c and the old loop with these flags
	local name=$1
	shift
	if [ ${#prev[@]} -gt 0 ]; then
		cc "$@" -Iinclude -Ilib/net -Dnet_csum_add=prev_csum_add -Dnet_csum_fold=prev_csum_fold \
			-Dnet_csum_pseudo=prev_csum_pseudo -c "$work/csum_prev.c" -o "$work/csum_prev.o"
	fi
	cc "$@" -Iinclude "${prev[@]}" -o "$work/$name" bench/csum_perf.c lib/net/csum.c
}
flags="-std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -fno-strict-aliasing"
echo "== tap, unix targets (-O2), $(cc --version | head -1)"
build host $flags -O2
"$work/host" "$mb"
echo "== hvt guests (-Os -mgeneral-regs-only)"
build guest $flags -Os -mgeneral-regs-only
"$work/guest" "$mb"
