/* platform.h - what a platform (target) provides to the libraries above it.
 *
 * This is the only door from lib/ and apps/ down to the machine. Each target
 * implements it: platform/unix (Linux process), platform/tap (Linux process
 * with a tap device), platform/hvt (KVM guest under mica-hvt), and later
 * platform/virtio. Libraries never call anything below this header.
 *
 * Start-up: the platform's entry point sets up the machine, then calls
 * mica_boot(argc, argv) (see app.h), which never returns. */
#ifndef MICA_PLATFORM_H
#define MICA_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "buf.h"

#define MICA_PAGE_SIZE 4096u

/* ---- Clock ---- */
/* Monotonic nanoseconds since an arbitrary start (boot on guests). */
uint64_t mica_plat_monotonic_ns(void);
/* Wall-clock nanoseconds since the Unix epoch (UTC). */
uint64_t mica_plat_wall_ns(void);

/* ---- Console ---- */
/* Write bytes to the console (stdout on Linux targets, the monitor's
 * console on guests). Never fails visibly. */
void mica_plat_console_write(const char *s, size_t len);

/* ---- Poll ---- */
/* Sleep until a device is ready or the monotonic clock reaches `deadline`
 * (MICA_FOREVER: no deadline). Before returning, calls the ready callback of
 * every device that has become ready. Returns the number of ready devices, or
 * MICA_ESTOP when the machine was asked to stop (SIGINT/SIGTERM on Linux). */
int mica_plat_poll(uint64_t deadline);

/* ---- Exit ---- */
/* End the program/guest with `code` (0..255). */
_Noreturn void mica_plat_exit(int code);

/* ---- Memory ---- */
/* npages zeroed, page-aligned pages, never freed; NULL when none are left.
 * Used for I/O buffer pools. (General allocation is malloc, see libc.h.) */
void *mica_plat_alloc_pages(size_t npages);
/* Bytes of memory the program has for its heap and pages in all: a
 * guest's free memory at boot, a Linux process's physical memory. For
 * sizing budgets (e.g. TCP's buffers and connection cap, lib/net/tcp_mem.c). */
size_t mica_plat_mem_size(void);

/* ---- Entropy ---- */
/* Fill buf with len unpredictable bytes, fit for keys, TCP initial sequence
 * numbers, SYN-cookie secrets, DHCP xids and ephemeral ports. unix/tap:
 * getrandom(2). hvt: a ChaCha20 generator (csprng.h) seeded from the
 * monitor's getrandom (passed in the boot info) and RDRAND where the CPU
 * has it. Returns MICA_OK, or MICA_EIO (buf then holds no usable bytes)
 * when the target has no entropy source; never blocks after boot. Costs
 * about a thousand guest instructions per 32 bytes on hvt: draw secrets
 * once and derive the rest (e.g. SipHash under a random key). */
int mica_plat_random(void *buf, size_t len);

/* ---- Seal ---- */
/* Called once after the app has initialised. On hvt, the monitor makes code,
 * read-only data and page tables read-only for good. Returns MICA_ENOTSUP on
 * targets without sealing. */
int mica_plat_seal(void);

/* ---- Network interfaces ---- */
struct mica_netif;

struct mica_netif_info {
	uint8_t mac[6];
	uint16_t mtu; /* IP MTU: largest frame is mtu + 14 */
	bool link_up;
	/* > 0: the device takes and gives TCP/IPv4 super-frames of IP length up
	 * to this (segmentation and checksum offload): a frame sent with
	 * gso_size set is cut into segments by the device, one received may be
	 * larger than the MTU, and buffers carry MICA_CSUM_* flags. Receive
	 * buffers must then hold tso_max + 14 bytes. 0: plain frames only. */
	uint32_t tso_max;
	/* The device sends frames whose bytes go on at buf->ext (see buf.h):
	 * it gathers them itself (e.g. writev), so nothing is copied first. */
	bool tx_ext;
	/* Frames the device itself lost so far: ones it could not read (short,
	 * malformed) or write (refused by the host). The stack prints them with
	 * its counters as dev_rx_errors and dev_tx_errors; zero where a target
	 * does not count them. */
	uint64_t rx_errors, tx_errors;
};

typedef void (*mica_netif_ready_fn)(struct mica_netif *nif, void *arg);

/* Open the device the app declared under `name` at build time. MICA_ENOENT
 * when no such device is attached; MICA_ENOTSUP on targets without netifs. */
int mica_netif_open(const char *name, struct mica_netif **out);
int mica_netif_info(struct mica_netif *nif, struct mica_netif_info *info);
/* Called from mica_plat_poll when frames may be waiting, and when the
 * device's link went up or down (mica_netif_info's link_up tells which;
 * tap and hvt watch it, other targets report a link that is always up). */
void mica_netif_set_ready(struct mica_netif *nif, mica_netif_ready_fn fn, void *arg);
/* Receive up to `max` frames into buffers taken from `pool` with `headroom`
 * bytes in front; returns how many were received (0: none waiting) or a
 * negative error. The caller owns the returned buffers. */
int mica_netif_rx(struct mica_netif *nif, struct mica_buf_pool *pool, size_t headroom, struct mica_buf **bufs,
                  int max);
/* Send up to n frames; returns how many were taken (the platform drops its
 * reference to each after sending) or a negative error. Frames not taken
 * still belong to the caller. */
int mica_netif_tx(struct mica_netif *nif, struct mica_buf **bufs, int n);
/* Turn the device's segmentation and checksum offload off (on = false) or
 * back on where the target offers it; an app that forwards frames between
 * devices wants plain frames. mica_netif_info reports the result
 * (tso_max). MICA_ENOTSUP on targets without netifs. */
int mica_netif_set_offload(struct mica_netif *nif, bool on);

/* ---- Block devices ---- */
struct mica_blkif;

struct mica_blkif_info {
	uint32_t sector_size; /* bytes, usually 512 */
	uint64_t sectors;     /* device size in sectors */
	bool read_only;
	/* Added with the asynchronous layer (zero from older platforms). */
	bool fua;             /* MICA_BLK_FUA is done by the device itself (else
	                      * the platform emulates it with a flush) */
	uint32_t queue_depth; /* requests the device works on at once */
	uint32_t buf_align;   /* buffers aligned to this many bytes avoid a
	                       * copy (O_DIRECT on unix); 0: any alignment */
	uint32_t max_sectors; /* largest request the device takes in one piece
	                       * (bigger ones are split by the platform) */
};

int mica_blkif_open(const char *name, struct mica_blkif **out);
int mica_blkif_info(struct mica_blkif *blk, struct mica_blkif_info *info);
/* Read/write whole sectors; MICA_ERANGE past the end, MICA_EIO on a device
 * error. Synchronous: the data is transferred when the call returns. */
int mica_blkif_read(struct mica_blkif *blk, uint64_t sector, void *buf, size_t nsectors);
int mica_blkif_write(struct mica_blkif *blk, uint64_t sector, const void *buf, size_t nsectors);
/* Make written data durable. */
int mica_blkif_flush(struct mica_blkif *blk);

/* ---- Asynchronous block requests ----
 * A request is owned by the caller (no allocation per request) and queued
 * with mica_blkif_submit; several may be in flight, and the platform keeps
 * a software queue behind the device's own, so submit never says "full".
 * Requests complete in any order: done() is called exactly once, from
 * mica_plat_poll (never from inside submit), with `result` set.
 *   READ / WRITE  whole sectors at `sector` from/to `buf`; short transfers
 *                 are retried by the platform, a device error is MICA_EIO.
 *   FLUSH         every WRITE that completed before the FLUSH was submitted
 *                 is durable when the FLUSH completes (sector/buf unused).
 *   MICA_BLK_FUA  on a WRITE: durable when it completes (forced unit
 *                 access; a flush of that write where the device lacks it).
 * Until done() is called the request and its buffer belong to the
 * platform. submit returns MICA_OK, or at once (and without calling done):
 * MICA_EINVAL (bad op, zero sectors, or a buffer the target cannot
 * address), MICA_ERANGE (past the end), MICA_EPERM (write on a read-only
 * device). */
enum mica_blk_op { MICA_BLK_READ = 0, MICA_BLK_WRITE = 1, MICA_BLK_FLUSH = 2 };
#define MICA_BLK_FUA 1u

struct mica_blk_req;
typedef void (*mica_blk_done_fn)(struct mica_blk_req *req);

struct mica_blk_req {
	/* the caller's */
	uint8_t op;    /* enum mica_blk_op */
	uint8_t flags; /* MICA_BLK_FUA */
	uint32_t nsectors;
	uint64_t sector;
	void *buf;
	mica_blk_done_fn done;
	void *arg;
	/* the result, set before done() */
	int result; /* MICA_OK or a negative MICA_E* code */
	/* the platform's while the request is queued */
	struct mica_blk_req *next;
	uint32_t plat_parts; /* pieces still in flight */
	uint32_t plat_done;  /* sectors transferred so far */
	uint64_t plat_word;
};

int mica_blkif_submit(struct mica_blkif *blk, struct mica_blk_req *req);
/* For platforms: MICA_OK when req may go to a device described by info,
 * else the error mica_blkif_submit returns (EINVAL, ERANGE, EPERM). */
int mica_blk_req_check(const struct mica_blkif_info *info, const struct mica_blk_req *req);

#endif
