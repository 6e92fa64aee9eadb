/* test_buf.c - buffers (headroom, refcounts, pool limits) and views (bounds). */
#include "check.h"
#include <mica/buf.h>
#include <mica/view.h>

TEST(pool_rejects_bad_sizes)
{
	struct mica_buf_pool p;
	CHECK_EQ(mica_buf_pool_init(&p, 100, 10), MICA_EINVAL);
	CHECK_EQ(mica_buf_pool_init(&p, 3000, 10), MICA_EINVAL);
	CHECK_EQ(mica_buf_pool_init(&p, 2048, 0), MICA_EINVAL);
	CHECK_EQ(mica_buf_pool_init(&p, 2048, 10), 0);
	CHECK_EQ(mica_buf_pool_init(&p, 8192, 10), 0);
}

TEST(headroom_push_pull_put)
{
	struct mica_buf_pool p;
	mica_buf_pool_init(&p, 2048, 4);
	struct mica_buf *b = mica_buf_alloc(&p, 64);
	CHECK(b != NULL);
	CHECK_EQ(mica_buf_headroom(b), 64);
	CHECK_EQ(b->len, 0);
	CHECK_EQ(((uintptr_t)b->mem) % 2048, 0); /* slots are aligned in pages */
	CHECK_EQ(mica_buf_append(b, "payload", 7), 0);
	uint8_t *payload = mica_buf_data(b);
	uint8_t *hdr = mica_buf_push(b, 20);
	CHECK(hdr == payload - 20);
	CHECK_EQ(b->len, 27);
	CHECK(mica_buf_push(b, 45) == NULL); /* only 44 left */
	CHECK_EQ(b->len, 27);
	CHECK(mica_buf_push(b, 44) != NULL);
	CHECK_EQ(mica_buf_headroom(b), 0);
	CHECK(mica_buf_pull(b, 64) == payload);
	CHECK(mica_buf_pull(b, 8) == NULL);
	CHECK(mica_buf_put(b, mica_buf_tailroom(b) + 1) == NULL);
	CHECK(mica_buf_put(b, mica_buf_tailroom(b)) != NULL);
	CHECK_EQ(mica_buf_trim(b, 3), 0);
	CHECK_EQ(mica_buf_trim(b, 4), MICA_ERANGE);
	CHECK(memcmp(mica_buf_data(b), "pay", 3) == 0);
	mica_buf_unref(b);
	CHECK(mica_buf_alloc(&p, 4096) == NULL); /* headroom beyond the slot */
	mica_buf_pool_fini(&p);
}

TEST(refcount_returns_to_pool_on_last_unref)
{
	struct mica_buf_pool p;
	mica_buf_pool_init(&p, 1024, 2);
	struct mica_buf *a = mica_buf_alloc(&p, 0);
	struct mica_buf *b = mica_buf_alloc(&p, 0);
	CHECK(a && b && a != b);
	CHECK(mica_buf_alloc(&p, 0) == NULL); /* pool limit */
	CHECK_EQ(p.alloc_failures, 1);
	mica_buf_ref(a);
	mica_buf_unref(a);
	CHECK(mica_buf_alloc(&p, 0) == NULL); /* still referenced */
	mica_buf_unref(a);
	struct mica_buf *c = mica_buf_alloc(&p, 0);
	CHECK(c == a); /* reused */
	CHECK_EQ(c->refs, 1);
	mica_buf_unref(b);
	mica_buf_unref(c);
	CHECK_EQ(p.nfree, 2);
	mica_buf_pool_fini(&p);
}

TEST(view_bounds)
{
	uint8_t mem[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct mica_view v = mica_view_make(mem, sizeof(mem));
	uint16_t x16;
	uint32_t x32;
	uint64_t x64;
	uint8_t x8;
	CHECK_EQ(mica_view_get_be16(v, 6, &x16), 0);
	CHECK_EQ(x16, 0x0708);
	CHECK_EQ(mica_view_get_be16(v, 7, &x16), MICA_ERANGE);
	CHECK_EQ(mica_view_get_be32(v, 4, &x32), 0);
	CHECK_EQ(x32, 0x05060708);
	CHECK_EQ(mica_view_get_be32(v, 5, &x32), MICA_ERANGE);
	CHECK_EQ(mica_view_get_be64(v, 0, &x64), 0);
	CHECK_EQ(x64, 0x0102030405060708ull);
	CHECK_EQ(mica_view_get_be64(v, 1, &x64), MICA_ERANGE);
	CHECK_EQ(mica_view_get_u8(v, 8, &x8), MICA_ERANGE);
	CHECK_EQ(mica_view_get_u8(v, SIZE_MAX, &x8), MICA_ERANGE);
	CHECK_EQ(mica_view_put_be32(v, 5, 1), MICA_ERANGE);
	CHECK_EQ(mem[5], 6); /* nothing written */
	CHECK_EQ(mica_view_put_be16(v, 0, 0xabcd), 0);
	CHECK_EQ(mem[0], 0xab);
	CHECK_EQ(mem[1], 0xcd);
	struct mica_view sub;
	CHECK_EQ(mica_view_sub(v, 2, 7, &sub), MICA_ERANGE);
	CHECK_EQ(mica_view_sub(v, SIZE_MAX, 2, &sub), MICA_ERANGE);
	CHECK_EQ(mica_view_sub(v, 2, 6, &sub), 0);
	CHECK_EQ(sub.len, 6);
	CHECK_EQ(mica_view_get_be32(sub, 3, &x32), MICA_ERANGE);
	CHECK_EQ(mica_view_tail(v, 9, &sub), MICA_ERANGE);
}

TEST(cursor_sticky_error)
{
	uint8_t mem[5] = {0, 1, 0, 0, 2};
	struct mica_cursor c = mica_cursor_make(mica_view_make(mem, sizeof(mem)));
	CHECK_EQ(mica_cursor_be16(&c), 1);
	CHECK_EQ(mica_cursor_left(&c), 3);
	CHECK_EQ(mica_cursor_be32(&c), 0); /* only 3 bytes left */
	CHECK_EQ(c.err, MICA_ERANGE);
	CHECK_EQ(mica_cursor_u8(&c), 0); /* stays failed */
	CHECK_EQ(mica_cursor_left(&c), 0);
	struct mica_cursor w = mica_cursor_make(mica_view_make(mem, sizeof(mem)));
	mica_cursor_put_be32(&w, 0xdeadbeef);
	mica_cursor_put_be16(&w, 0x1234); /* does not fit */
	CHECK_EQ(w.err, MICA_ERANGE);
	CHECK_EQ(mem[4], 2);
}

int main(void)
{
	return RUN_TESTS();
}
