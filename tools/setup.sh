#!/usr/bin/env bash
# setup.sh - install the Debian packages Mica's build and tests need
# (listed in .ci/packages.txt). Idempotent and quiet; needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t pkgs < <(sed 's/#.*//; /^[[:space:]]*$/d' .ci/packages.txt)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	echo "setup: installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts these daemons on install; tests run their own instances.
for svc in nsd named bind9 dnsmasq nginx; do
	if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
		systemctl stop "$svc" 2>/dev/null || true
	fi
done
echo "setup: all packages present"
