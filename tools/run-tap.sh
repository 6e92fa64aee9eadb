#!/usr/bin/env bash
# run-tap.sh - run an image of the `tap` target (called by ./mica run).
#
#   tools/run-tap.sh IMAGE [BOOT-ARGS...]
#
# If BOOT-ARGS attach the network device themselves (--net:NAME=TAPIF), the
# image runs as it is. Otherwise the device the app declared is put on a tap
# in a fresh network namespace (tools/netns-run.sh) with --ipv4=10.77.0.2/24
# unless --ipv4 is given, and the namespace is removed when the image stops.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 IMAGE [BOOT-ARGS...]" >&2; exit 2; }
image=$1; shift
for a in "$@"; do
	case $a in --net:*) exec "$image" "$@";; esac
done
. "$root/tools/netns-run.sh"
netifs=$(mica_image_netifs "$image")
if [ -z "$netifs" ]; then
	exec "$image" "$@" # the app has no network device
fi
[ "$(echo "$netifs" | wc -l)" -eq 1 ] || echo "run-tap: only the first device ($(echo "$netifs" | head -1)) gets a tap" >&2
exec "$root/tools/netns-run.sh" --image "$image" -- "$image" --net:@NETIF@=@TAP@ "$@"
