#!/usr/bin/env bash
# damage.sh - apps/kv on unix when the device is not kind:
#   full      a 3 MiB device filled with 100 KB values: a clear
#             "device full" error, every stored value still readable (and
#             after a restart), DEL makes room again
#   error     the device file made immutable while the server runs (every
#             write fails in the kernel): "device error" replies, the store
#             goes read-only and still answers GETs; after a restart on the
#             file made writable again every acknowledged value is there
#   corrupt   one byte of a record in the middle of the log flipped while
#             the server is down: the restart logs the damaged record,
#             that key is gone, every other key is intact, writes go on
# timeout: 180
. "$(dirname "$0")/common.sh"
need_cmd chattr
img=$(kv_build unix)
port=$(free_port)
cli() { redis-cli -p "$port" "$@"; }
up() { # DEVICE [PREFIX...]
	local dev=$1
	shift
	kv_start "$TMP/kv.log" "$@" "$img" --block:data="$dev" --listen=127.0.0.1:$port
	kv_wait_serving "$TMP/kv.log"
}
down() {
	local p=$KV_PID
	KV_PID=""
	stop_app "$p" "$TMP/kv.log"
}
# big I: a value of 100 KB ("I." repeated).
big() { /usr/bin/python3 -c "import sys; sys.stdout.write(('%d.' % int(sys.argv[1])) * (100000 // (len(sys.argv[1]) + 1)))" "$1"; }
check_val() { # KEY I
	[ "$(cli get "$1")" = "$(big "$2")" ] || fail "$1 does not hold its value"
}

echo "== full"
truncate -s 3M "$TMP/full.img"
up "$TMP/full.img"
stored=0
for i in $(seq 1 40); do
	out=$(big "$i" | cli -x set "v$i")
	if [ "$out" != OK ]; then
		echo "SET v$i: $out"
		case $out in "ERR device full"*) break ;; *) fail "SET v$i: unexpected reply '$out'" ;; esac
	fi
	stored=$i
done
[ "$stored" -ge 5 ] && [ "$stored" -lt 40 ] || fail "stored $stored values of 100 KB on a 3 MiB device"
for i in $(seq 1 "$stored"); do check_val "v$i" "$i"; done
echo "ok - device full after $stored values of 100 KB, a clear error, all $stored readable"
[ "$(cli info | grep -c '^mica_device_full:[1-9]')" = 1 ] || fail "INFO does not count the device full replies"
for i in $(seq 1 "$stored"); do [ $((i % 2)) = 0 ] && cli del "v$i" > /dev/null; done
[ "$(big 99 | cli -x set v99)" = OK ] || fail "no room again after deleting half the keys"
down
up "$TMP/full.img"
for i in $(seq 1 "$stored"); do [ $((i % 2)) = 1 ] && check_val "v$i" "$i"; done
check_val v99 99
[ "$(cli exists v2)" = 0 ] || fail "a deleted key came back"
echo "ok - after DELs there is room again; a restart keeps every value"
down

echo "== error"
# A failing disk: the device file made immutable (chattr +i) while the
# server has it open; from then on Linux refuses every write (EPERM).
truncate -s 16M "$TMP/error.img"
chattr -i "$TMP/error.img" 2> /dev/null || skip "chattr +i does not work on $TMP (needs ext2/3/4, xfs or btrfs)"
trap 'chattr -i "$TMP/error.img" 2> /dev/null; kv_cleanup' EXIT
up "$TMP/error.img"
for i in $(seq 1 10); do [ "$(big "$i" | cli -x set "v$i")" = OK ] || fail "SET v$i"; done
chattr +i "$TMP/error.img"
err=$(big 11 | cli -x set v11)
echo "SET v11 on the failing disk: $err"
case $err in "ERR device error"*) ;; *) fail "no device error reply (got '$err')" ;; esac
case $(cli set x y) in "ERR device error"*) ;; *) fail "the store takes writes after a device error" ;; esac
for i in $(seq 1 10); do check_val "v$i" "$i"; done
[ "$(cli exists v11)" = 0 ] || fail "the failed write is visible"
grep -E "failed|read-only" "$TMP/kv.log" || fail "the log does not say a write failed"
down
grep -q "read-only after a device error" "$TMP/kv.log" || fail "the exit counters do not say read-only"
echo "ok - a failing disk: device error replies, read-only, the 10 values before it readable"
chattr -i "$TMP/error.img"
up "$TMP/error.img"
for i in $(seq 1 10); do check_val "v$i" "$i"; done
[ "$(cli exists v11)" = 0 ] && [ "$(cli set x y)" = OK ] || fail "after a restart on the repaired disk"
down
echo "ok - restarted on the disk repaired: the 10 values there, writes go on"

echo "== corrupt"
truncate -s 8M "$TMP/c.img"
up "$TMP/c.img"
for i in $(seq 1 40); do [ "$(cli set "key$i" "value-$i-$(printf '%0200d' "$i")")" = OK ] || fail "SET key$i"; done
down
/usr/bin/python3 - "$TMP/c.img" <<'PY' || fail "cannot find key20's record"
import sys
f = open(sys.argv[1], "r+b")
d = f.read()
at = d.find(b"value-20-")
assert at > 0 and d.find(b"value-20-", at + 1) < 0
f.seek(at + 50)
f.write(bytes([d[at + 50] ^ 0x40]))
print("flipped a bit at byte %d (key20's value)" % (at + 50))
PY
up "$TMP/c.img"
grep -E "checksum|losses" "$TMP/kv.log" || fail "the restart does not report the damaged record"
[ -z "$(cli get key20)" ] || fail "key20's damaged value was served"
for i in $(seq 1 40); do
	[ "$i" = 20 ] && continue
	[ "$(cli get "key$i")" = "value-$i-$(printf '%0200d' "$i")" ] || fail "key$i lost or changed by key20's damage"
done
[ "$(cli set key20 again)" = OK ] && [ "$(cli get key20)" = again ] || fail "writes after the damage"
down
up "$TMP/c.img"
[ "$(cli get key20)" = again ] && [ "$(cli dbsize)" = 40 ] || fail "after a second restart"
down
echo "ok - a damaged record: reported, its key gone, the other 39 intact, writes go on"
echo PASS
