/* devices.c - device boot arguments of the tap target: --net:NAME=TAPIF
 * attaches the netif the app declared as NAME to the Linux tap interface
 * TAPIF (see netif_tap.c), --net-mac:NAME=MAC sets its MAC address,
 * --tap-offload=no turns off its offloads, --tap-tx how frames are written;
 * --block:NAME=FILE as on unix. Replaces
 * platform/unix/devices.c for this target. */
#include <mica/args.h>
#include <mica/app.h>

static const struct mica_arg_spec tap_specs[] = {
    {"net:", MICA_ARG_STR, NULL, "attach the network device NAME to the tap interface TEXT", 0, 0},
    {"net-mac:", MICA_ARG_STR, NULL,
     "MAC address of network device NAME (default: derived from NAME and its tap, the same every run)", 0, 0},
    {"block:", MICA_ARG_STR, NULL, "attach the block device NAME to a host file (TEXT = path)", 0, 0},
    {"tap-offload", MICA_ARG_FLAG, "1",
     "segmentation and checksum offload on the taps (no: one frame per call)", 0, 0},
    {"tap-tx", MICA_ARG_STR, "uring",
     "how frames are written to the taps: uring (many per system call), sqpoll (by a kernel thread) or "
     "writev "
     "(one per system call)",
     0, 0},
};
const struct mica_arg_table mica_platform_args = {"platform (tap)", tap_specs, MICA_ARRAY_LEN(tap_specs)};
