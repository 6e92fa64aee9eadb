#!/usr/bin/env bash
# A bad zone file fails `./mica build apps/dns` with "file:line: reason";
# zonec --check accepts the test zones; a good zone builds and answers.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
cat > "$tmp/bad.example.zone" <<'Z'
$TTL 300
@	IN SOA	ns hostmaster 1 2 3 4 5
www	IN A	192.0.2.300
alias	IN CNAME	www
alias	IN TXT	"beside a CNAME"
Z
set +e
out=$(./mica build apps/dns -t unix ZONE="$tmp/bad.example.zone" 2>&1); rc=$?
set -e
echo "$out"
[ $rc -ne 0 ] || fail "a bad zone built"
grep -q "bad.example.zone:3: bad IPv4 address '192.0.2.300'" <<<"$out" || fail "no file:line for the bad address"
printf '$TTL 1\nwww A 192.0.2.1\n' > "$tmp/nosoa.zone"
set +e
out=$(build/tools/zonec --check "$tmp/nosoa.zone" 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && grep -q "nosoa.zone:2: missing SOA record" <<<"$out" || fail "missing SOA: $out"
build/tools/zonec --check tests/integration/dns/zones/*.zone && build/tools/zonec --check apps/dns/zones/*.zone || fail "test zones do not check"
# the same file, fixed, builds and serves
sed -i 's/192.0.2.300/192.0.2.30/; /beside a CNAME/d' "$tmp/bad.example.zone"
img=$(./mica build apps/dns -t unix ZONE="$tmp/bad.example.zone" | tail -1)
. tests/integration/dns/nsd.sh
port=$(free_port)
start_bg "$img" --listen=:"$port" > "$tmp/log" 2>&1 # ":PORT": loopback on unix
wait_dns "$port"
ans=$(dig +short @127.0.0.1 -p "$port" alias.bad.example A)
grep -q "192.0.2.30" <<<"$ans" || fail "fixed zone answers '$ans'"
stop_app "${BG_PIDS[-1]}" "$tmp/log"
grep -q "serving on 127.0.0.1:$port " "$tmp/log" || fail "--listen=:$port did not serve on loopback"
echo "ok: $ans"
# an error in an included file names that file and its line
mkdir -p "$tmp/inc"
printf '$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n$INCLUDE inc/part.inc\n' > "$tmp/withinc.zone"
printf 'ns A 192.0.2.1\nbad A 192.0.2.256\n' > "$tmp/inc/part.inc"
set +e
out=$(build/tools/zonec --check "$tmp/withinc.zone" 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && grep -q "inc/part.inc:2: bad IPv4 address '192.0.2.256'" <<<"$out" || fail "include error: $out"
echo "ok: $out" | head -1
