/* virtq.c - split virtqueues (virtio 1.x, section 2.7), shared by every
 * driver and both transports.
 *
 * Layout: descriptor table, available ring (+ used_event), and at the next
 * page the used ring (+ avail_event): the one layout legacy virtio-mmio
 * requires, and fine for modern devices, which take three addresses.
 * Requests are chains of descriptors taken from a free list; a request's
 * cookie (the driver's buffer or request) is kept by its head descriptor.
 * With VIRTIO_F_EVENT_IDX both sides say when they want to hear from the
 * other, so a burst of requests costs one notification and a burst of
 * completions one interrupt, and none while the other side is busy. */
#include <mica/err.h>
#include <mica/libc.h>
#include "virtio.h"

#define PAGE 4096u
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

/* avail: [0] flags, [1] idx, [2 + i] ring, [2 + size] used_event */
#define AVAIL_FLAGS(q) ((q)->avail[0])
#define AVAIL_IDX(q) ((q)->avail[1])
#define AVAIL_RING(q, i) ((q)->avail[2 + (i)])
#define USED_EVENT(q) ((q)->avail[2 + (q)->size])
/* used: [0] flags, [1] idx, then elements; avail_event after them */
#define USED_FLAGS(q) ((q)->used[0])
#define USED_IDX(q) ((q)->used[1])
#define AVAIL_EVENT(q) (*(volatile uint16_t *)((q)->used_ring + (q)->size))

int virtq_alloc(struct virtq *q, struct virtio_dev *d, uint16_t index, uint16_t size)
{
	if (size == 0 || (size & (size - 1)))
		return MICA_EINVAL;
	size_t avail_end = 16u * size + 6u + 2u * size;
	size_t used_off = (avail_end + PAGE - 1) & ~(size_t)(PAGE - 1);
	size_t total = used_off + 6u + 8u * size;
	uint8_t *mem = mica_plat_alloc_pages((total + PAGE - 1) / PAGE);
	void **cookie = mica_plat_alloc_pages((size * sizeof(void *) + PAGE - 1) / PAGE);
	if (!mem || !cookie)
		return MICA_ENOMEM;
	*q = (struct virtq){.dev = d, .index = index, .size = size, .cookie = cookie};
	q->desc = (struct virtq_desc *)mem;
	q->avail = (volatile uint16_t *)(mem + 16u * size);
	q->used = (volatile uint16_t *)(mem + used_off);
	q->used_ring = (volatile struct virtq_used_elem *)(mem + used_off + 4);
	q->desc_pa = (uintptr_t)q->desc;
	q->avail_pa = (uintptr_t)q->avail;
	q->used_pa = (uintptr_t)q->used;
	for (uint16_t i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->nfree = size;
	q->event_idx = (d->features & VIRTIO_F_EVENT_IDX) != 0;
	return MICA_OK;
}

int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, void *cookie)
{
	if (n == 0 || n > q->nfree)
		return MICA_EAGAIN;
	uint16_t head = q->free_head, i = head;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &q->desc[i];
		d->addr = segs[k].addr;
		d->len = segs[k].len;
		d->flags = (uint16_t)((segs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
		                      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		i = d->next;
	}
	q->free_head = i;
	q->nfree = (uint16_t)(q->nfree - n);
	q->cookie[head] = cookie;
	AVAIL_RING(q, q->avail_idx & (q->size - 1)) = head;
	q->avail_idx++;
	return MICA_OK;
}

/* Did the index move past `event` going from old to new? (virtio 2.7.10) */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

void virtq_kick(struct virtq *q)
{
	if (q->avail_idx == q->kicked_idx)
		return;
	__asm__ volatile("" : : : "memory"); /* ring entries before the index */
	AVAIL_IDX(q) = q->avail_idx;
	virtio_mb(); /* the index before reading what the device asked for */
	bool notify = q->event_idx ? need_event(AVAIL_EVENT(q), q->avail_idx, q->kicked_idx)
	                           : !(USED_FLAGS(q) & VRING_USED_F_NO_NOTIFY);
	q->kicked_idx = q->avail_idx;
	if (notify) {
		q->kicks++;
		vdev_notify(q);
	}
}

bool virtq_pending(const struct virtq *q)
{
	return USED_IDX(q) != q->last_used;
}

void *virtq_take(struct virtq *q, uint32_t *len)
{
	if (!virtq_pending(q))
		return NULL;
	__asm__ volatile("" : : : "memory"); /* the index before the entry */
	volatile struct virtq_used_elem *e = &q->used_ring[q->last_used & (q->size - 1)];
	uint16_t head = (uint16_t)e->id, tail = head, n = 1;
	*len = e->len;
	q->last_used++;
	if (head >= q->size)
		return NULL; /* a device bug; the entry is skipped */
	while ((q->desc[tail].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
		tail = q->desc[tail].next;
		n++;
	}
	q->desc[tail].next = q->free_head;
	q->free_head = head;
	q->nfree = (uint16_t)(q->nfree + n);
	return q->cookie[head];
}

bool virtq_arm(struct virtq *q)
{
	if (q->event_idx)
		USED_EVENT(q) = q->last_used;
	else
		AVAIL_FLAGS(q) = 0;
	virtio_mb();
	return !virtq_pending(q);
}

void virtq_quiet(struct virtq *q)
{
	if (q->event_idx)
		USED_EVENT(q) = (uint16_t)(q->last_used - 1); /* crossed only after 65536 more */
	else
		AVAIL_FLAGS(q) = VRING_AVAIL_F_NO_INTERRUPT;
}
