# common.sh - sourced by the virtio integration tests (not a test itself).
# Skips (exit 77) when /dev/kvm is missing; helpers to build images and
# boot them on QEMU with the exact command line of docs/virtio.md.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
MICA_LIB_FUNCS_ONLY=1 . "$ROOT/tests/integration/lib.sh" # need_kvm, child_running, kill_child
need_kvm
command -v qemu-system-x86_64 >/dev/null || { echo "FAIL: qemu-system-x86_64 missing (.ci/packages.txt: qemu-system-x86)"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
QBOOT=/usr/share/qemu/qboot.rom

fail() { echo "FAIL: $*"; exit 1; }

# build_image DIR: prints the virtio image path.
build_image() {
	./mica build "$1" -t virtio 2>"$TMP/build.err" | tail -1 || { cat "$TMP/build.err"; fail "build of $1"; }
}

# qemu_base MACHINE: the plain QEMU command of the interface (no -kernel).
qemu_base() {
	echo qemu-system-x86_64 -M "$1" -enable-kvm -cpu max,-arch-capabilities -m 64M -nodefaults \
		-no-user-config -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04
}

# boot MACHINE IMAGE "BOOT-ARGS" [QEMU-ARGS...]: boot it on QEMU (bounded);
# output in $TMP/out, QEMU's status in $QRC and the guest's code, mapped
# back from isa-debug-exit (code * 2 + 1), in $RC.
boot() {
	local machine=$1 image=$2 append=$3
	shift 3
	set +e
	# shellcheck disable=SC2046
	timeout 120 $(qemu_base "$machine") -kernel "$image" -append "$append" "$@" < /dev/null > "$TMP/out" 2>&1
	QRC=$?
	set -e
	RC=$(((QRC - 1) / 2))
	sed 's/^/    | /' "$TMP/out"
}

# expect RC REGEX: the last run exited with RC and printed REGEX.
expect() {
	[ "$RC" = "$1" ] || fail "expected exit code $1, got $RC (QEMU status $QRC)"
	[ -z "$2" ] || grep -Eq -- "$2" "$TMP/out" || fail "output does not match /$2/"
}

# run_mica ARGS...: ./mica run (tools/run-virtio.sh); output in $TMP/out, code in $RC.
run_mica() {
	set +e
	timeout 120 ./mica run "$@" < /dev/null > "$TMP/out" 2>&1
	RC=$?
	set -e
	sed 's/^/    | /' "$TMP/out"
}
