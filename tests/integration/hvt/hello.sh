#!/usr/bin/env bash
# hello.sh - apps/hello boots on hvt, prints its line, exits with the code
# asked for (through ./mica run, i.e. tools/run-hvt.sh).
# timeout: 120
. "$(dirname "$0")/common.sh"
set -e
for code in 0 3 42; do
	set +e
	./mica run apps/hello -t hvt -- --exit=$code > "$TMP/out" 2>&1
	RC=$?
	set -e
	sed 's/^/    | /' "$TMP/out"
	expect $code '^Hello from Mica!$'
done
# A bad boot argument: the guest's own usage error (64), not a crash.
set +e
./mica run apps/hello -t hvt -- --no-such-arg > "$TMP/out" 2>&1
RC=$?
set -e
expect 64 'no-such-arg'
# Smallest memory the monitor accepts: hello still runs in 2 MiB.
img=$(build_guest apps/hello)
run_mon --mem=2 "$img" --exit=5
expect 5 '^Hello from Mica!$'
# Nothing from the host's libc: a static ELF with no undefined symbols,
# no interpreter, no dynamic section, and none of glibc's symbols.
[ -z "$(nm -u "$img")" ] || fail "image has undefined symbols: $(nm -u "$img")"
readelf -lW "$img" | grep -Eq 'INTERP|DYNAMIC' && fail "image is dynamically linked"
nm "$img" | grep -Eq ' (__libc_start_main|_IO_|__GI_|__stack_chk_fail)' && fail "host libc symbols in image"
echo PASS
