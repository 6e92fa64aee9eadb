#!/usr/bin/env bash
# bench/size.sh - stripped image sizes per app and target, with and
# without LTO (not a test). Also finds the smallest --mem (MiB) at which
# apps/hello still boots and exits cleanly on hvt.
#
#   bench/size.sh [APP...]          default: every apps/* directory
set -uo pipefail
cd "$(dirname "$0")/.."
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(apps/*/)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-14s %-7s %12s %12s\n' app target stripped stripped+LTO
for app in "${apps[@]}"; do
	app=${app%/}
	for target in unix hvt; do
		row=()
		for lto in "" LTO=1; do
			img=$(./mica build "$app" -t $target $lto 2>/dev/null | tail -1)
			if [ -z "$img" ] || [ ! -f "$img" ]; then row+=("-"); continue; fi
			strip -o "$tmp/img" "$img" 2>/dev/null || cp "$img" "$tmp/img"
			row+=("$(stat -c %s "$tmp/img")")
		done
		printf '%-14s %-7s %12s %12s\n' "$(basename "$app")" $target "${row[0]}" "${row[1]}"
	done
done
if [ -w /dev/kvm ]; then
	make -s build/monitor/mica-hvt
	img=$(./mica build apps/hello -t hvt | tail -1)
	for mib in 2 3 4 8 16; do
		if build/monitor/mica-hvt --mem=$mib "$img" --exit=0 > /dev/null 2>&1; then
			echo "smallest --mem for hello.hvt: $mib MiB (the monitor's minimum is 2)"
			break
		fi
	done
fi
