#!/usr/bin/env bash
# run-virtio.sh - boot a `virtio` image on QEMU; exit with the guest's code.
# (What `./mica run APP -t virtio` execs; see docs/virtio.md.)
#
#   tools/run-virtio.sh IMAGE [BOOT-ARGS...]
#
# Environment:
#   MICA_QEMU_MACHINE  microvm (default: virtio-mmio devices) or q35 (virtio-pci)
#   MICA_VIRTIO_OPTS   word-split: --mem=MiB (default 64), --net:NAME=TAPIF,
#                      --block:NAME=FILE (raw image) for the app's devices
#   MICA_QEMU_OPTS     more QEMU options, word-split, added at the end
# The app's declared devices are attached in declaration order (the order
# the guest matches them in). A network device given no tap is put on a tap
# in a fresh network namespace (tools/netns-run.sh), with --ipv4=10.77.0.2/24
# (and --listen for apps/dns) unless given; the namespace is removed when
# the guest stops. A virtio-rng device is always attached (entropy).
#
# Prints the QEMU command line to stderr before running it. Exit status:
# the guest's exit code, mapped back from QEMU's isa-debug-exit status
# (code * 2 + 1, 8 bits: codes 0..126 come back exactly, 127 and 255 - a
# CPU exception - both as 255, 128..254 as code - 128); 255 when the guest
# reset itself (a triple fault); 2 when QEMU could not start it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 IMAGE [BOOT-ARGS...]" >&2; exit 2; }
image=$1; shift
die() { echo "run-virtio: $*" >&2; exit 2; }
[ -f "$image" ] || die "no image '$image'"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is not installed (tools/setup.sh installs it)"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || die "/dev/kvm is missing or not accessible: QEMU needs KVM for virtio images"
. "$root/tools/netns-run.sh"

machine=${MICA_QEMU_MACHINE:-microvm}
case $machine in
microvm*) net_dev=virtio-net-device blk_dev=virtio-blk-device rng_dev=virtio-rng-device
	# virtio 1.x (modern) registers, as Firecracker has them; QEMU's
	# default is the legacy layout, which the guest drives too.
	machine_opts=(-global virtio-mmio.force-legacy=false);;
q35*|pc*) net_dev=virtio-net-pci blk_dev=virtio-blk-pci rng_dev=virtio-rng-pci machine_opts=();;
*) die "MICA_QEMU_MACHINE=$machine: use microvm or q35";;
esac

mem=64
declare -A taps=() files=()
# shellcheck disable=SC2086
for o in ${MICA_VIRTIO_OPTS:-}; do
	case $o in
	--mem=*) mem=${o#--mem=};;
	--net:*=*) o=${o#--net:}; taps[${o%%=*}]=${o#*=};;
	--block:*=*) o=${o#--block:}; files[${o%%=*}]=${o#*=};;
	*) die "MICA_VIRTIO_OPTS: unknown option '$o' (--mem=MiB, --net:NAME=TAPIF, --block:NAME=FILE)";;
	esac
done
[[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge 8 ] || die "--mem=$mem: give MiB, at least 8"

devs=() netns_for="" n=0
for name in $(mica_image_netifs "$image"); do
	tap=${taps[$name]:-}
	if [ -z "$tap" ]; then
		[ -z "$netns_for" ] || die "network device '$name': attach it with MICA_VIRTIO_OPTS=--net:$name=TAPIF"
		netns_for=$name tap=mtap0
	fi
	devs+=(-netdev "tap,id=n$n,ifname=$tap,script=no,downscript=no" -device "$net_dev,netdev=n$n")
	n=$((n + 1))
done
n=0
for name in $(readelf -p .mica.manifest "$image" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *block://p'); do
	file=${files[$name]:-}
	[ -n "$file" ] || die "the image needs block device '$name': attach it with MICA_VIRTIO_OPTS=--block:$name=FILE"
	[ -f "$file" ] || die "--block:$name=$file: no such file"
	devs+=(-drive "id=d$n,file=$file,format=raw,if=none" -device "$blk_dev,drive=d$n")
	n=$((n + 1))
done

args=("$@")
[ -z "$netns_for" ] || mapfile -t -O "${#args[@]}" args < <(mica_guest_defaults 10.77.0.2 "$image" "$@")
append=""
for a in "${args[@]+"${args[@]}"}"; do
	case $a in *' '*) a="\"$a\"";; esac
	append+="${append:+ }$a"
done

# shellcheck disable=SC2206
cmd=(qemu-system-x86_64 -M "$machine" -enable-kvm -cpu max,-arch-capabilities -m "${mem}M"
	-nodefaults -no-user-config -nographic -serial stdio -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${machine_opts[@]+"${machine_opts[@]}"}"
	-kernel "$image" -append "$append" "${devs[@]+"${devs[@]}"}" -device "$rng_dev" ${MICA_QEMU_OPTS:-})
shown=""
for w in "${cmd[@]}"; do
	[[ $w =~ ^[A-Za-z0-9_.,:=/@+%-]+$ ]] || w="'${w//\'/\'\\\'\'}'"
	shown+="${shown:+ }$w"
done
echo "mica: $shown" >&2

errs=$(mktemp)
trap 'rm -f "$errs"' EXIT
set +e
if [ -n "$netns_for" ]; then
	"$root/tools/netns-run.sh" --tap mtap0 -- "${cmd[@]}" 2> >(tee "$errs" >&2)
else
	"${cmd[@]}" 2> >(tee "$errs" >&2)
fi
rc=$?
set -e
wait # for tee
if [ "$rc" -eq 1 ] && grep -v 'warning:' "$errs" | grep -q '^qemu-system-x86_64:'; then
	exit 2 # QEMU's own error (it said why); a guest exit 0 is status 1 too
fi
if [ "$rc" -eq 255 ]; then
	exit 255
elif [ $((rc % 2)) -eq 1 ]; then
	exit $(((rc - 1) / 2))
elif [ "$rc" -eq 0 ]; then
	echo "run-virtio: the guest reset the machine (a triple fault?) without an exit code" >&2
	exit 255
fi
exit "$rc" # QEMU killed by a signal (128 + n) or another failure
