#!/usr/bin/env bash
# dns-appliance.sh - the main job: build the DNS appliance with the bundled
# example zone and boot it on the best target this machine has:
#   hvt  (KVM guest under mica-hvt) when /dev/kvm and root are available,
#   tap  (Mica's own stack on a tap device) when root is available,
#   unix (a Linux process on kernel sockets) otherwise.
# It says which one it chose and prints the exact dig command to query it.
# Extra arguments are build keys, e.g. ZONE=my.zone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=false; [ "$(id -u)" = 0 ] && root=true
kvm=false; [ -r /dev/kvm ] && [ -w /dev/kvm ] && kvm=true
if $root && $kvm && [ -f mk/target-hvt.mk ] && [ -x tools/run-hvt.sh ]; then
	target=hvt
elif $root && [ -f mk/target-tap.mk ] && [ -x tools/run-tap.sh ] && [ -e /dev/net/tun ]; then
	target=tap
	$kvm || echo "dns-appliance: no /dev/kvm here; running on the tap target (native process, own stack)"
else
	target=unix
	echo "dns-appliance: no root or /dev/kvm here; running on the unix target (kernel sockets)"
	echo "dns-appliance: query it with:  dig @127.0.0.1 -p 5353 www.example.com"
fi
echo "dns-appliance: target $target"
exec ./mica run apps/dns -t "$target" "$@"
