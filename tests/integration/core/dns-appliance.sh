#!/usr/bin/env bash
# dns-appliance.sh - the README's main job, run as a user runs it:
# tools/dns-appliance.sh must pick the best target this machine has (hvt
# with root and /dev/kvm, tap with root, unix otherwise) and say which,
# print the command to query it - that exact command must get the bundled
# zone's answers - and stop on SIGTERM (Ctrl-C) with exit 0, a clean log
# and no network namespace left behind.
# timeout: 240
. "$(dirname "$0")/../lib.sh"
need_cmd dig
out=$(mktemp)
trap 'cleanup_bg; rm -f "$out"' EXIT

want=unix
if [ "$(id -u)" = 0 ]; then
	want=tap
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then want=hvt; fi
fi
start_bg tools/dns-appliance.sh > "$out" 2>&1
pid=${BG_PIDS[-1]}
for _ in $(seq 1 1200); do # the build comes first
	grep -q "query it with" "$out" && break
	child_running "$pid" || break
	sleep 0.1
done
cat "$out"
target=$(sed -n 's/^dns-appliance: target //p' "$out")
[ "$target" = "$want" ] || fail "it chose target '$target'; the best here is $want"
cmd=$(sed -n 's/.*query it with: *//p' "$out" | head -1)
[ -n "$cmd" ] || fail "it printed no command to query it"

# ask NAME: the printed command with its name replaced by NAME.
ask() { ${cmd% *} "$1" +short +tries=1 +time=2; }
ans=""
for _ in $(seq 1 30); do # the guest may still be booting
	ans=$(ask example.com) && [ -n "$ans" ] && break
	child_running "$pid" || fail "the appliance ended before answering"
	sleep 1
done
echo "$cmd -> $ans"
[ "$ans" = 192.0.2.1 ] || fail "example.com A: got '$ans', want 192.0.2.1"
ans=$(ask www.example.com | sort | tr '\n' ' ')
[ "$ans" = "192.0.2.80 192.0.2.81 web.example.com. " ] || fail "www.example.com A: got '$ans'"
ns=$(sed -n 's/.*query it with: *ip netns exec \(mica-[0-9]*\) .*/\1/p' "$out" | head -1)

stop_app "$pid" "$out" # SIGTERM: exit 0, no crash in the log
if [ -n "$ns" ] && ip netns list | grep -q "^$ns\b"; then
	ip netns del "$ns"
	fail "namespace $ns left behind"
fi
echo "target $target answered; stopped with exit 0${ns:+, namespace $ns removed}"
