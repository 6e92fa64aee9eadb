#!/usr/bin/env bash
# site_errors.sh - a broken site is a build error naming the file: an
# unreadable file, a special file (a FIFO), a name with a control
# character; a SITE that is not a directory is refused with a clear
# message. A good site builds. (SITE=block builds: tests/integration/fat.)
# timeout: 120
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT

# expect_error WHAT REGEX SITE: the build must fail and say REGEX.
expect_error() {
	local what=$1 re=$2 site=$3
	if ./mica build apps/www -t unix SITE="$site" > "$tmp/out" 2>&1; then
		fail "$what: the build succeeded"
	fi
	grep -qE "$re" "$tmp/out" || { cat "$tmp/out"; fail "$what: no message matching '$re'"; }
	echo "ok - $what: $(grep -E "$re" "$tmp/out" | head -1)"
}

mkdir -p "$tmp/good/sub"
echo "<p>hi</p>" > "$tmp/good/index.html"
echo "x" > "$tmp/good/sub/a.txt"
./mica build apps/www -t unix SITE="$tmp/good" > /dev/null || fail "a good site does not build"
echo "ok - a good site builds"

cp -r "$tmp/good" "$tmp/unreadable"
echo secret > "$tmp/unreadable/sub/locked.txt"
chmod 000 "$tmp/unreadable/sub/locked.txt"
if [ "$(id -u)" = 0 ]; then
	# root reads anything: make the file unreadable another way (a dangling link).
	rm -f "$tmp/unreadable/sub/locked.txt"
	ln -s /nonexistent/file "$tmp/unreadable/sub/locked.txt"
fi
expect_error "unreadable file" "sitec: .*/unreadable/sub/locked.txt: cannot read" "$tmp/unreadable"

cp -r "$tmp/good" "$tmp/fifo"
mkfifo "$tmp/fifo/pipe"
expect_error "FIFO" "sitec: .*/fifo/pipe: not a regular file or directory" "$tmp/fifo"

cp -r "$tmp/good" "$tmp/ctl"
touch "$tmp/ctl/bad$(printf '\001')name.html"
expect_error "control character in a name" "sitec: .*/ctl/bad.name.html: the name has a control character" "$tmp/ctl"

expect_error "SITE is a file" "is not a directory" "$tmp/good/index.html"
echo PASS
