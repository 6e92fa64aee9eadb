# tests/integration/lib.sh - helpers shared by integration test scripts.
# Source it: . "$(dirname "$0")/../lib.sh"
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_kvm() { [ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "needs /dev/kvm"; }
need_cmd() { for c in "$@"; do command -v "$c" >/dev/null || skip "needs $c (see .ci/packages.txt)"; done; }

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

# Processes started with start_bg are killed (by PID) when the script exits.
BG_PIDS=()
start_bg() { "$@" & BG_PIDS+=($!); }
cleanup_bg() { for p in "${BG_PIDS[@]+"${BG_PIDS[@]}"}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup_bg EXIT

# Wait until something listens on 127.0.0.1:PORT/tcp (max ~5 s).
wait_tcp() {
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	fail "nothing listening on 127.0.0.1:$1"
}
