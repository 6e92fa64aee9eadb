#!/bin/sh
# run-hvt.sh - run an hvt image under mica-hvt; exit with the guest's code.
# Usage: tools/run-hvt.sh IMAGE [BOOT-ARGS...]
# Monitor options come from the environment, so `./mica run -t hvt` can
# pass them through:
#   MICA_HVT_OPTS   e.g. "--mem=8 --stats --block:disk=/tmp/disk.img"
#                   (word-split; device paths must not contain spaces)
# Builds the monitor first if it is missing. Networking (a tap in a
# namespace) is set up by the caller, which passes --net:NAME=TAP here.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 IMAGE [BOOT-ARGS...]" >&2; exit 2; }
image=$1; shift
mon=$root/build/monitor/mica-hvt
if [ ! -x "$mon" ]; then
	make -s -C "$root" build/monitor/mica-hvt >&2
fi
# shellcheck disable=SC2086
exec "$mon" ${MICA_HVT_OPTS:-} "$image" "$@"
