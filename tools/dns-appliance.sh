#!/usr/bin/env bash
# dns-appliance.sh - the main job: build the DNS appliance with the bundled
# example zone and boot it on the best target this machine has:
#   hvt  (KVM guest under mica-hvt) when /dev/kvm and root are available,
#   tap  (Mica's own stack on a tap device) when root is available,
#   unix (a Linux process on kernel sockets) otherwise.
# Root is this user being root, or sudo: a user with sudo builds as
# themselves and only the run (network namespace, tap, /dev/kvm) goes
# through sudo; without either it runs on unix. It says which target it
# chose and prints the exact dig command to query it.
# Extra arguments are build keys, e.g. ZONE=my.zone.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=()
root=false
if [ "$(id -u)" = 0 ]; then
	root=true
elif command -v sudo > /dev/null && { sudo -n true 2>/dev/null || { [ -t 0 ] && sudo -v; }; }; then
	root=true SUDO=(sudo)
	echo "dns-appliance: running the appliance through sudo (network namespace, tap, /dev/kvm)"
fi
kvm=false
if [ -e /dev/kvm ] && { [ ${#SUDO[@]} -gt 0 ] || { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; }; then
	kvm=true
fi
if $root && $kvm && [ -f mk/target-hvt.mk ] && [ -x tools/run-hvt.sh ]; then
	target=hvt
	make -s build/monitor/mica-hvt
elif $root && [ -f mk/target-tap.mk ] && [ -x tools/run-tap.sh ] && [ -e /dev/net/tun ]; then
	target=tap
	$kvm || echo "dns-appliance: no /dev/kvm here; running on the tap target (native process, own stack)"
else
	target=unix SUDO=()
	echo "dns-appliance: no root or /dev/kvm here; running on the unix target (kernel sockets)"
	echo "dns-appliance: query it with:  dig @127.0.0.1 -p 5353 www.example.com"
fi
echo "dns-appliance: target $target"
image=$(./mica build apps/dns -t "$target" "$@" | tail -1)
if [ -x "tools/run-$target.sh" ]; then
	exec "${SUDO[@]}" "tools/run-$target.sh" "$image"
fi
exec "$image"
