#!/usr/bin/env bash
# zonec and nsd-checkzone give the same verdict (accept or refuse) on every
# case of corpus/records.txt (each added to a small zone) and on every
# zone file of corpus/ and zones/ (with $INCLUDE, no $TTL, every RR type).
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_cmd nsd-checkzone
make --no-print-directory -s build/tools/zonec
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
C=tests/integration/dns/corpus
verdict() {  # zone-name file -> "ok" or "bad"
	if (cd "$(dirname "$2")" && nsd-checkzone "$1" "$(basename "$2")") > "$tmp/nsd.out" 2>&1; then
		echo ok
	else
		echo bad
	fi
}
mica_verdict() {
	if build/tools/zonec --check "$1" > "$tmp/zonec.out" 2>&1; then echo ok; else echo bad; fi
}
n=0 diffs=0 refused=0
while IFS= read -r line; do
	case $line in '#'*|'') continue;; esac
	n=$((n + 1))
	f=$tmp/example.com.zone
	printf '$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n%b\n' "$line" > "$f"
	a=$(verdict example.com "$f") b=$(mica_verdict "$f")
	[ "$a" = bad ] && refused=$((refused + 1))
	if [ "$a" != "$b" ]; then
		diffs=$((diffs + 1))
		echo "DIFF nsd=$a zonec=$b: $line"
		sed 's/^/    nsd: /' "$tmp/nsd.out" | head -3
		sed 's/^/    zonec: /' "$tmp/zonec.out" | head -3
	fi
done < "$C/records.txt"
for f in "$C"/*.zone tests/integration/dns/zones/*.zone; do
	n=$((n + 1))
	name=$(basename "$f" .zone)
	a=$(verdict "$name" "$f") b=$(mica_verdict "$f")
	if [ "$a" != "$b" ]; then
		diffs=$((diffs + 1))
		echo "DIFF nsd=$a zonec=$b: $f"
		head -3 "$tmp/nsd.out" "$tmp/zonec.out"
	fi
done
echo "$n cases ($refused refused by NSD), $diffs different verdicts"
[ "$diffs" -eq 0 ] || fail "zonec and nsd-checkzone disagree"
