#!/usr/bin/env bash
# run-hvt.sh - run an hvt image under mica-hvt; exit with the guest's code.
# Usage: tools/run-hvt.sh IMAGE [BOOT-ARGS...]
# Monitor options come from the environment, so `./mica run -t hvt` can
# pass them through:
#   MICA_HVT_OPTS   e.g. "--mem=8 --stats --block:disk=/tmp/disk.img"
#                   (word-split; device paths must not contain spaces)
# If the image declares a network device and MICA_HVT_OPTS attaches none,
# the device is put on a tap in a fresh network namespace
# (tools/netns-run.sh), which prints how to reach the guest and is removed
# when the guest stops. Builds the monitor first if it is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 IMAGE [BOOT-ARGS...]" >&2; exit 2; }
image=$1; shift
mon=$root/build/monitor/mica-hvt
if [ ! -x "$mon" ]; then
	make -s -C "$root" build/monitor/mica-hvt >&2
fi
case " ${MICA_HVT_OPTS:-} " in
*" --net:"*) ;;
*)
	. "$root/tools/netns-run.sh"
	if [ -n "$(mica_image_netifs "$image")" ]; then
		# shellcheck disable=SC2086
		exec "$root/tools/netns-run.sh" --image "$image" -- \
			"$mon" ${MICA_HVT_OPTS:-} --net:@NETIF@=@TAP@ "$image" "$@"
	fi
	;;
esac
# shellcheck disable=SC2086
exec "$mon" ${MICA_HVT_OPTS:-} "$image" "$@"
