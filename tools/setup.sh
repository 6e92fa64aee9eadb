#!/usr/bin/env bash
# setup.sh - install the Debian packages Mica's build and tests need
# (listed in .ci/packages.txt). Idempotent and quiet. Run it as root, or
# as a user with sudo: it asks sudo only for what needs root (apt-get,
# stopping the daemons Debian starts on install).
set -euo pipefail
cd "$(dirname "$0")/.."
# as_root CMD...: run CMD as root (directly, or through sudo).
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo > /dev/null; then
		sudo "$@"
	else
		echo "setup: '$*' needs root: run setup as root, or as a user with sudo" >&2
		exit 1
	fi
}
mapfile -t pkgs < <(sed 's/#.*//; /^[[:space:]]*$/d' .ci/packages.txt)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts these daemons on install; tests run their own instances.
for svc in nsd named bind9 dnsmasq openvswitch-switch openvswitch-testcontroller nginx redis-server; do
	if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
		as_root systemctl stop "$svc" 2>/dev/null || true
	fi
done
echo "setup: all packages present"
