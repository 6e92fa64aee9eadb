# common.sh - sourced by the block layer tests (not a test itself): builds
# the asynchronous request checker (blkasync) for a target and compares a
# device file with what it wrote, using the unix build as the reader.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$TMP"' EXIT

# build_blkasync TARGET: prints the image path.
build_blkasync() {
	./mica build tests/integration/blk/blkasync -t "$1" 2>"$TMP/build.err" | tail -1 ||
		{ cat "$TMP/build.err"; fail "build of blkasync for $1"; }
}

# expect_out FILE REGEX: FILE holds a line matching REGEX.
expect_out() {
	grep -Eq -- "$2" "$1" || { sed 's/^/    | /' "$1"; fail "output does not match /$2/"; }
}

# unix_reads DISK SECTOR KIB SEED: the unix build finds every tag.
unix_reads() {
	local img
	img=$(build_blkasync unix)
	"$img" --block:disk="$1" --do=read --sector="$2" --kib="$3" --seed="$4" > "$TMP/check.out" 2>&1 ||
		{ sed 's/^/    | /' "$TMP/check.out"; fail "read back on unix: tags differ"; }
}
