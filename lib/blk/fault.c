/* fault.c - the fault-injecting block layer of the crash tests (blk.h).
 *
 * Every request passed down travels in a shadow request of its own, so
 * the injector knows what is still in flight (a test must wait for that
 * before it throws the layer above away) and can cut a torn write short.
 * Writes and flushes are counted; when the count passes `after`:
 *   STOP  nothing reaches the device any more and nothing completes, as
 *         if the machine had lost power at that instant - except,
 *         optionally, the first sectors of the write at the crash point;
 *   FAIL  each later write and flush completes (on a later loop turn)
 *         with MICA_EIO; reads still work. */
#include <mica/blk.h>
#include <mica/err.h>
#include <mica/libc.h>

struct shadow {
	struct mica_blk_req r;
	struct mica_blk_req *orig; /* NULL: a torn write nobody waits for */
	struct mica_blk_fault *f;
};

static void shadow_done(struct mica_blk_req *r)
{
	struct shadow *s = r->arg;
	struct mica_blk_fault *f = s->f;
	struct mica_blk_req *orig = s->orig;
	f->inflight--;
	if (orig)
		orig->result = r->result;
	free(s);
	if (orig)
		orig->done(orig);
}

/* Send r (or its first `sectors` sectors, when torn) to the lower device. */
static int pass_down(struct mica_blk_fault *f, struct mica_blk_req *r, uint32_t sectors, bool torn)
{
	struct shadow *s = malloc(sizeof(*s));
	if (!s)
		return MICA_ENOMEM;
	s->r = *r;
	s->r.nsectors = sectors;
	s->r.done = shadow_done;
	s->r.arg = s;
	s->orig = torn ? NULL : r;
	s->f = f;
	int rc = mica_blk_submit(f->lower, &s->r);
	if (rc < 0) {
		free(s);
		return rc;
	}
	f->inflight++;
	return MICA_OK;
}

static void fail_pending(void *arg)
{
	struct mica_blk_fault *f = arg;
	struct mica_blk_req *r = f->fail_head;
	f->fail_head = f->fail_tail = NULL;
	while (r) {
		struct mica_blk_req *next = r->next;
		r->next = NULL;
		r->result = MICA_EIO;
		r->done(r);
		r = next;
	}
}

static void fail_later(struct mica_blk_fault *f, struct mica_blk_req *r)
{
	r->next = NULL;
	if (f->fail_tail)
		f->fail_tail->next = r;
	else
		f->fail_head = r;
	f->fail_tail = r;
	f->failed++;
	mica_loop_defer(f->loop, &f->fail_task);
}

static int fault_submit(struct mica_blk *b, struct mica_blk_req *r)
{
	struct mica_blk_fault *f = (struct mica_blk_fault *)b;
	bool write = r->op != MICA_BLK_READ;
	if (f->mode == MICA_BLK_FAULT_STOP && f->tripped) {
		f->swallowed++;
		return MICA_OK;
	}
	if (!write || f->mode == MICA_BLK_FAULT_NONE || f->writes < f->after) {
		f->writes += write;
		return pass_down(f, r, r->nsectors, false);
	}
	f->writes++;
	f->tripped = true;
	if (f->mode == MICA_BLK_FAULT_FAIL) {
		fail_later(f, r);
		return MICA_OK;
	}
	f->swallowed++;
	if (r->op == MICA_BLK_WRITE && f->torn_sectors && r->nsectors > f->torn_sectors)
		return pass_down(f, r, f->torn_sectors, true);
	return MICA_OK;
}

void mica_blk_fault_init(struct mica_blk_fault *f, struct mica_blk *lower, struct mica_loop *loop)
{
	*f = (struct mica_blk_fault){.lower = lower, .loop = loop};
	f->blk.submit = fault_submit;
	f->blk.info = lower->info;
	mica_task_init(&f->fail_task, fail_pending, f);
}

void mica_blk_fault_arm(struct mica_blk_fault *f, enum mica_blk_fault_mode mode, uint64_t after,
                        uint32_t torn_sectors)
{
	f->mode = mode;
	f->after = after;
	f->torn_sectors = torn_sectors;
	f->writes = 0;
	f->tripped = false;
}
