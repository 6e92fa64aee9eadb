# tests/integration/lib.sh - helpers shared by integration test scripts.
# Source it: . "$(dirname "$0")/../lib.sh"
# It sets -euo pipefail, changes to the top of the tree and kills the
# processes of start_bg on exit. With MICA_LIB_FUNCS_ONLY=1 it only defines
# the functions (net/lib.sh takes stop_app and friends that way).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_kvm() { [ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "needs /dev/kvm"; }
need_cmd() { for c in "$@"; do command -v "$c" >/dev/null || skip "needs $c (see .ci/packages.txt)"; done; }

# log_clean LOG: fail when LOG shows a panic, a sanitizer report or a crash.
log_clean() {
	local bad
	bad=$(grep -m1 -E '^panic: |(Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer|runtime error:|Segmentation fault|core dumped' "$1") || return 0
	fail "$1 shows a crash or sanitizer report: $bad"
}

# child_running PID, kill_child PID [SIGNAL]: a test signals only its
# children that still run, never a PID it merely remembers.
. "$ROOT/tools/children.sh"

# stop_app PID LOG [SIGNAL] [WANT]: stop an app running in the background
# (a child of this shell) the way a user does - SIGTERM unless SIGNAL is
# given - and check how it ended: it must exit within STOP_SECONDS (default
# 10; otherwise it is killed and the test fails), with exit code WANT
# (default 0), and its LOG must hold no panic, sanitizer report or crash.
# A process that already exited is only checked. Every test that starts a
# long-running app stops it with this, so a crash after the last query
# fails the test.
stop_app() {
	local pid=$1 log=$2 sig=${3:-TERM} want=${4:-0} rc=0 i
	kill_child "$pid" "$sig"
	for ((i = 0; i < ${STOP_SECONDS:-10} * 20; i++)); do
		child_running "$pid" || break
		sleep 0.05
	done
	if child_running "$pid"; then
		kill_child "$pid" KILL
		wait "$pid" 2>/dev/null || true
		tail -20 "$log" >&2
		fail "process $pid did not stop within ${STOP_SECONDS:-10} s of SIG$sig"
	fi
	wait "$pid" 2>/dev/null || rc=$?
	if [ "$rc" != "$want" ]; then
		tail -20 "$log" >&2
		fail "process $pid exited with $rc after SIG$sig, expected $want"
	fi
	log_clean "$log"
}

# build_fuzzers TARGET...: make the libFuzzer TARGETs; skips without clang.
# With clang here, a fuzzer that does not build is a failure, not a skip
# (libclang-rt-14-dev, which libFuzzer needs, is in .ci/packages.txt).
build_fuzzers() {
	local out rc=0
	need_cmd clang
	out=$(make --no-print-directory -s "$@" 2>&1) || rc=$?
	[ "$rc" = 0 ] || { tail -n 20 <<< "$out"; fail "cannot build $* with clang"; }
}

# run_fuzzer OUTDIR BINARY SECONDS [ARG...]: run the libFuzzer BINARY for
# SECONDS (one input may take 10 s and 1 GB at most) with ARGs: more flags,
# then the corpus directory it adds to, then seed directories. Its log and
# any failing input go to OUTDIR. The test fails when the fuzzer exits
# non-zero, leaves a failing input or ends without finishing its runs; the
# reason is printed last, where a CI log's tail shows it, and a failing
# input is kept in build/test-logs/ to reproduce with (BINARY INPUT).
run_fuzzer() {
	local out=$1 bin=$2 secs=$3 name log rc=0 found
	shift 3
	name=$(basename "$bin")
	log=$out/$name.log
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$out/$name-found-" "$@" > "$log" 2>&1 || rc=$?
	found=$(compgen -G "$out/$name-found-*" || true)
	if [ "$rc" = 0 ] && [ -z "$found" ] && grep -q '^Done [0-9]* runs' "$log"; then
		echo "$name: no failure in $(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log") runs"
		return 0
	fi
	grep -m1 -A16 -E 'ERROR: |ALARM: |deadly signal|run interrupted' "$log" || tail -n 8 "$log"
	if [ -n "$found" ]; then
		mkdir -p "$ROOT/build/test-logs"
		cp "$out/$name-found-"* "$ROOT/build/test-logs/"
		fail "$name (exit $rc) found a failing input, kept as build/test-logs/$(basename "${found%%$'\n'*}")"
	fi
	fail "$name exited with $rc without finishing its runs (log above)"
}

# A free TCP+UDP port on loopback.
free_port() {
	/usr/bin/python3 - <<'PY'
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}

# Processes started with start_bg and still running are stopped (SIGTERM)
# when the script exits.
BG_PIDS=()
start_bg() { "$@" & BG_PIDS+=($!); }
cleanup_bg() { for p in "${BG_PIDS[@]+"${BG_PIDS[@]}"}"; do kill_child "$p"; done; wait 2>/dev/null || true; }

# Wait until something listens on 127.0.0.1:PORT/tcp (max ~5 s).
wait_tcp() {
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	fail "nothing listening on 127.0.0.1:$1"
}

if [ "${MICA_LIB_FUNCS_ONLY:-}" != 1 ]; then
	set -euo pipefail
	cd "$ROOT"
	trap cleanup_bg EXIT
fi
