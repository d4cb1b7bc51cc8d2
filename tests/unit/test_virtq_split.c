/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue: the driver half against the device half over the same memory. Every queue size,
 * 16-bit index wrap, chains, indirect tables, in-order batches, event index in both directions,
 * and a device that writes what it should not.
 */
#include <errno.h>
#include <stdbool.h>

#include "virtq_split_dev.h"

#define TVQ_LAYOUT split
#include "test_run_suite.h"
#include "test_virtq_common.h"

/* The legacy alignment (2.7.2): the used ring starts on its own page. */
static int
tvq_layout_init(struct tvq_queue *q, uint64_t features)
{
	q->mem = tvq_alloc(virtq_split_mem_size(q->size, 4096));
	if (virtq_split_drv_init_mem(&q->drv, q->size, q->mem, 4096, q->state, features) != 0)
		return -1;
	return virtq_split_dev_init_mem(&q->dev, q->size, q->mem, 4096, features);
}

/* A used ring entry names the head only: the driver knows the chain's length. */
static void
tvq_dev_push(struct tvq_queue *q, uint16_t id, uint32_t len, uint16_t ndescs)
{
	(void)ndescs;
	virtq_split_dev_push(&q->dev, id, len);
}

/* used.idx moves by the number of buffers the batch holds. */
static void
tvq_dev_push_batch(struct tvq_queue *q, uint16_t last_id, uint32_t last_len, uint16_t nbufs,
                   uint16_t ndescs)
{
	(void)ndescs;
	virtq_split_dev_push_batch_last(&q->dev, last_id, last_len, nbufs);
}

static void
test_split_every_size_wraps(void)
{
	static const uint16_t sizes[] = {1,   2,   4,    8,    16,   32,   64,    128,
	                                 256, 512, 1024, 2048, 4096, 8192, 16384, 32768};

	tvq_pingpong_sizes(sizes, sizeof(sizes) / sizeof(sizes[0]));
}

static void
test_split_sizes_and_layout(void)
{
	struct virtq_split_drv vq;
	char state[64];
	char mem[64];

	CU_ASSERT_EQUAL(virtq_split_drv_init(&vq, 0, mem, mem, mem, state, 0), -EINVAL);
	CU_ASSERT_EQUAL(virtq_split_drv_init(&vq, 3, mem, mem, mem, state, 0), -EINVAL);
	CU_ASSERT_EQUAL(virtq_split_drv_init(&vq, 48, mem, mem, mem, state, 0), -EINVAL);
	CU_ASSERT_EQUAL(virtq_split_drv_init(&vq, 2, NULL, mem, mem, state, 0), -EINVAL);
	/* 2.7.2 legacy formula: 256 entries, 4096 align -> 4096 + 2048 + 4096 (avail padded) ... */
	CU_ASSERT_EQUAL(virtq_split_avail_offset(256), 4096);
	CU_ASSERT_EQUAL(virtq_split_used_offset(256, 4096), 8192);
	CU_ASSERT_EQUAL(virtq_split_mem_size(256, 4096), 8192 + 4096);
	/* modern: used ring 4-byte aligned right after avail (6 + 2 * 4 bytes -> 14, aligned 16) */
	CU_ASSERT_EQUAL(virtq_split_used_offset(4, 4), 64 + 16);
	CU_ASSERT_EQUAL(virtq_split_mem_size(4, 4), 64 + 16 + 6 + 32 + 2);
	CU_ASSERT_EQUAL(virtq_split_mem_size(32768, 4096), 32768 * 16 + 69632 + 266240);
	CU_ASSERT_EQUAL(sizeof(struct virtq_split_desc), 16);
	CU_ASSERT_EQUAL(sizeof(struct virtq_split_used_elem), 8);
}

/* In-order: one used entry for a batch; skipped buffers come back with their posted length. */
static void
test_split_in_order_batch(void)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[1];
	uint16_t last = 0;
	void *cookie;
	uint32_t len, i;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, tvq_addr_of(i), 100 + i,
		                                        VIRTQ_DESC_F_WRITE, tvq_cookie_of(i)),
		                0);
	virtq_split_drv_publish(&q.drv);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 1), 0);
		last = b.id;
	}
	virtq_split_dev_push_batch_last(&q.dev, last, 7, 5);
	virtq_split_dev_publish(&q.dev);
	CU_ASSERT_EQUAL(virtq_split_drv_used_count(&q.drv), 5);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), 0);
		CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(i));
		CU_ASSERT_EQUAL(len, i < 4 ? 100 + i : 7);
	}
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EAGAIN);
	CU_ASSERT_EQUAL(virtq_split_drv_free_count(&q.drv), 8);
	tvq_close(&q);
}

/* Transmit-side in-order reclaim: counts by used.idx, never by the (here bogus) used entries. */
static void
test_split_in_order_reclaim(void)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[2];
	struct virtq_sg chain[2] = {{.addr = 0x1000, .len = 12}, {.addr = 0x2000, .len = 60}};
	void *cookies[8];
	uint32_t i;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	/* buffers 0..2 single, 3 a two-descriptor chain, 4 single: 6 descriptors */
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, tvq_addr_of(i), 64, 0,
		                                        tvq_cookie_of(i)), 0);
	CU_ASSERT_EQUAL(virtq_split_drv_add_chain(&q.drv, chain, 2, 0, tvq_cookie_of(3)), 0);
	CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, tvq_addr_of(4), 64, 0, tvq_cookie_of(4)), 0);
	virtq_split_drv_publish(&q.drv);
	CU_ASSERT_EQUAL(virtq_split_drv_free_count(&q.drv), 2);
	CU_ASSERT_EQUAL(virtq_split_drv_reclaim_in_order(&q.drv, cookies, 8), 0);
	/* the device finishes four buffers in one batch: one used entry naming the last (2.7.9) */
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 2), 0);
	virtq_split_dev_push_batch_last(&q.dev, 3, 0, 4);
	virtq_split_dev_publish(&q.dev);
	CU_ASSERT_EQUAL(virtq_split_drv_reclaim_in_order(&q.drv, cookies, 3), 3);
	for (i = 0; i < 3; i++)
		CU_ASSERT_PTR_EQUAL(cookies[i], tvq_cookie_of(i));
	CU_ASSERT_EQUAL(virtq_split_drv_reclaim_in_order(&q.drv, cookies, 8), 1);
	CU_ASSERT_PTR_EQUAL(cookies[0], tvq_cookie_of(3));
	CU_ASSERT_EQUAL(virtq_split_drv_free_count(&q.drv), 7); /* the chain's two came back */
	CU_ASSERT_TRUE(tvq_err_stats_zero(&q.drv.err));
	/* a batch whose entry names a descriptor that heads no outstanding buffer: broken, nothing
	 * handed back (the fast reclaim used to trust used.idx alone) */
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 2), 0);
	virtq_split_dev_push_batch_last(&q.dev, 6, 0, 1);
	virtq_split_dev_publish(&q.dev);
	CU_ASSERT_EQUAL(virtq_split_drv_reclaim_in_order(&q.drv, cookies, 8), 0);
	CU_ASSERT_TRUE(virtq_split_drv_is_broken(&q.drv));
	CU_ASSERT_EQUAL(q.drv.err.not_outstanding, 1);
	CU_ASSERT_PTR_EQUAL(virtq_split_drv_detach_unused(&q.drv), tvq_cookie_of(4));
	tvq_close(&q);
}

/* Available buffer notifications: the device's avail_event / NO_NOTIFY, the driver's decision. */
static void
test_split_notify_event_idx(void)
{
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, F_EVENT), 0);
	/* avail_event 0 at start: the first buffer needs a kick */
	tvq_post_publish(&q, 0);
	CU_ASSERT_TRUE(virtq_split_drv_needs_notify(&q.drv));
	CU_ASSERT_FALSE(virtq_split_drv_needs_notify(&q.drv)); /* nothing new published */
	tvq_post_publish(&q, 1);
	CU_ASSERT_FALSE(virtq_split_drv_needs_notify(&q.drv)); /* avail_event 0 already passed */
	/* device asks for a kick when the third buffer from its position is made available */
	CU_ASSERT_TRUE(virtq_split_dev_enable_avail_notify_after(&q.dev, 3)); /* 2 are pending */
	tvq_post_publish(&q, 2);
	CU_ASSERT_TRUE(virtq_split_drv_needs_notify(&q.drv)); /* avail idx 2 -> 3 crosses event 2 */
	tvq_post_publish(&q, 3);
	CU_ASSERT_FALSE(virtq_split_drv_needs_notify(&q.drv));
	/* several buffers in one publish crossing the event: one kick */
	virtq_split_dev_enable_avail_notify_after(&q.dev, 6); /* event = 5 */
	CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(4)), 0);
	CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(5)), 0);
	CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(6)), 0);
	virtq_split_drv_publish(&q.drv);
	CU_ASSERT_TRUE(virtq_split_drv_needs_notify(&q.drv));
	virtq_split_dev_disable_avail_notify(&q.dev);
	tvq_post_publish(&q, 7);
	CU_ASSERT_FALSE(virtq_split_drv_needs_notify(&q.drv));
	tvq_close(&q);
}

/* A caller that publishes a whole 16-bit index space of buffers without asking still gets the
 * kick for an event it passed. */
static void
test_split_notify_after_long_silence(void)
{
	void *cookie;
	uint32_t len, i;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, F_EVENT), 0);
	CU_ASSERT_FALSE(virtq_split_dev_enable_avail_notify_after(&q.dev, 40001)); /* event 40000 */
	for (i = 0; i < 65536; i++) {
		tvq_post_publish(&q, i);
		tvq_pop_push_publish(&q);
		CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), 0);
	}
	CU_ASSERT_TRUE(virtq_split_drv_needs_notify(&q.drv));
	tvq_close(&q);
}

/* ---- a device that writes what it should not ---- */

static void
sq_used_write(struct tvq_queue *q, uint16_t slot, uint32_t id, uint32_t len, uint16_t idx)
{
	q->drv.used->ring[slot & q->drv.mask].id = virtq_cpu_to_le32(id);
	q->drv.used->ring[slot & q->drv.mask].len = virtq_cpu_to_le32(len);
	q->drv.used->idx = virtq_cpu_to_le16(idx);
}

static void
test_split_bad_id(void)
{
	void *cookie = NULL;
	uint32_t len;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	sq_used_write(&q, 0, 8, 0, 1); /* id == size */
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EBADMSG);
	CU_ASSERT_EQUAL(q.drv.err.bad_id, 1);
	sq_used_write(&q, 1, 0xffffffffu, 0, 2);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EBADMSG);
	CU_ASSERT_EQUAL(q.drv.err.bad_id, 2);
	CU_ASSERT_FALSE(q.drv.broken);
	/* the queue continues: a good entry afterwards is returned */
	sq_used_write(&q, 2, 1, 10, 3);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), 0);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(1));
	tvq_close(&q);
}

static void
test_split_not_outstanding_and_double_return(void)
{
	void *cookies[4];
	uint32_t lens[4];
	void *cookie = NULL;
	uint32_t len;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	sq_used_write(&q, 0, 5, 0, 1); /* descriptor 5 was never posted */
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EBADMSG);
	CU_ASSERT_EQUAL(q.drv.err.not_outstanding, 1);
	/* returned twice: the cookie comes back once */
	sq_used_write(&q, 1, 0, 3, 2);
	q.drv.used->ring[2].id = virtq_cpu_to_le32(0);
	q.drv.used->ring[2].len = 0;
	q.drv.used->idx = virtq_cpu_to_le16(3);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used_bulk(&q.drv, cookies, lens, 4), 1);
	CU_ASSERT_PTR_EQUAL(cookies[0], tvq_cookie_of(0));
	CU_ASSERT_EQUAL(q.drv.err.not_outstanding, 2);
	CU_ASSERT_FALSE(q.drv.broken);
	CU_ASSERT_PTR_EQUAL(virtq_split_drv_detach_unused(&q.drv), tvq_cookie_of(1));
	CU_ASSERT_PTR_NULL(virtq_split_drv_detach_unused(&q.drv));
	tvq_close(&q);
}

static void
test_split_len_too_big(void)
{
	void *cookie = NULL;
	uint32_t len = 1;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0); /* 64 writable bytes */
	sq_used_write(&q, 0, 0, 65, 1);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EMSGSIZE);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(0));
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(q.drv.err.len_too_big, 1);
	CU_ASSERT_EQUAL(virtq_split_drv_outstanding(&q.drv), 0);
	/* a device-readable (Tx) buffer has no writable bytes: any length is too big */
	CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, 0x1000, 64, 0, tvq_cookie_of(1)), 0);
	virtq_split_drv_publish(&q.drv);
	sq_used_write(&q, 1, virtq_le16_to_cpu(q.drv.avail->ring[1]), 1, 2);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EMSGSIZE);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(1));
	CU_ASSERT_EQUAL(q.drv.err.len_too_big, 2);
	/* a caller that takes no length (Tx reclaim) gets the buffer, nothing is counted */
	CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, 0x1000, 64, 0, tvq_cookie_of(2)), 0);
	virtq_split_drv_publish(&q.drv);
	sq_used_write(&q, 2, virtq_le16_to_cpu(q.drv.avail->ring[2]), 64, 3);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used_bulk(&q.drv, &cookie, NULL, 1), 1);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(2));
	CU_ASSERT_EQUAL(q.drv.err.len_too_big, 2);
	tvq_close(&q);
}

static void
test_split_used_idx_jump(void)
{
	void *cookie = NULL;
	uint32_t len;
	struct tvq_queue q;
	uint32_t n = 0;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	q.drv.used->idx = virtq_cpu_to_le16(9); /* more than size (and than outstanding) ahead */
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_TRUE(virtq_split_drv_is_broken(&q.drv));
	CU_ASSERT_EQUAL(q.drv.err.idx_jump, 1);
	CU_ASSERT_EQUAL(virtq_split_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(2)), -EIO);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used_bulk(&q.drv, &cookie, &len, 1), 0);
	/* the outstanding buffers are still handed back at stop */
	while (virtq_split_drv_detach_unused(&q.drv) != NULL)
		n++;
	CU_ASSERT_EQUAL(n, 2);
	tvq_close(&q);
}

static void
test_split_in_order_bad_entries(void)
{
	void *cookie = NULL;
	uint32_t len;
	struct tvq_queue q;

	/* batch naming a buffer beyond what used.idx covers */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	tvq_post_publish(&q, 2);
	sq_used_write(&q, 0, 2, 0, 1); /* last of a batch of 3, but used.idx moved by 1 */
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.bad_batch, 1);
	CU_ASSERT_TRUE(q.drv.broken);
	tvq_close(&q);

	/* an id that is not an outstanding head */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	tvq_post_publish(&q, 0);
	sq_used_write(&q, 0, 4, 0, 1);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.not_outstanding, 1);
	tvq_close(&q);

	/* an id out of range */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	tvq_post_publish(&q, 0);
	sq_used_write(&q, 0, 1000, 0, 1);
	CU_ASSERT_EQUAL(virtq_split_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.bad_id, 1);
	CU_ASSERT_PTR_EQUAL(virtq_split_drv_detach_unused(&q.drv), tvq_cookie_of(0));
	CU_ASSERT_PTR_NULL(virtq_split_drv_detach_unused(&q.drv));
	tvq_close(&q);
}

static void
test_split_detach_unused(void)
{
	tvq_detach_unused(32);
}

/* ---- the device half distrusts the driver ---- */

/* Write a descriptor and expose head `head` as the next avail entry, bypassing the driver half. */
static void
sq_raw_desc(struct tvq_queue *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
            uint16_t next)
{
	virtq_split_fill_desc(&q->drv.desc[i], addr, len, flags, next);
}

static void
sq_raw_avail(struct tvq_queue *q, uint16_t head)
{
	uint16_t idx = virtq_le16_to_cpu(q->drv.avail->idx);

	q->drv.avail->ring[idx & q->drv.mask] = virtq_cpu_to_le16(head);
	q->drv.avail->idx = virtq_cpu_to_le16((uint16_t)(idx + 1));
}

static void
test_split_device_rejects_bad_driver(void)
{
	struct virtq_split_desc table[4];
	struct virtq_sg sg[8];
	struct virtq_dev_buf b;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_INDIRECT), 0);
	/* head out of range */
	sq_raw_avail(&q, 8);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* a loop: 0 -> 1 -> 0 */
	sq_raw_desc(&q, 0, 0x1000, 1, VIRTQ_DESC_F_NEXT, 1);
	sq_raw_desc(&q, 1, 0x2000, 1, VIRTQ_DESC_F_NEXT, 0);
	sq_raw_avail(&q, 0);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 4), -ENOBUFS); /* sg full first: kept */
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8),
	                -EIO); /* the chain outran the ring */
	/* next out of range */
	sq_raw_desc(&q, 2, 0x1000, 1, VIRTQ_DESC_F_NEXT, 9);
	sq_raw_avail(&q, 2);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* readable after writable */
	sq_raw_desc(&q, 3, 0x1000, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 4);
	sq_raw_desc(&q, 4, 0x2000, 1, 0, 0);
	sq_raw_avail(&q, 3);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* INDIRECT with NEXT */
	sq_raw_desc(&q, 5, (uintptr_t)table, sizeof(table),
	            VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 6);
	sq_raw_avail(&q, 5);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* a table whose length is no multiple of 16, and a nested table */
	sq_raw_desc(&q, 6, (uintptr_t)table, 20, VIRTQ_DESC_F_INDIRECT, 0);
	sq_raw_avail(&q, 6);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	virtq_split_fill_desc(&table[0], (uintptr_t)table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	sq_raw_desc(&q, 7, (uintptr_t)table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	sq_raw_avail(&q, 7);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* a loop inside a table */
	virtq_split_fill_desc(&table[0], 0x1000, 1, VIRTQ_DESC_F_NEXT, 1);
	virtq_split_fill_desc(&table[1], 0x1000, 1, VIRTQ_DESC_F_NEXT, 0);
	sq_raw_avail(&q, 7);
	q.drv.desc[7].len = virtq_cpu_to_le32(32);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* avail.idx running more than a queue ahead */
	q.drv.avail->idx = virtq_cpu_to_le16((uint16_t)(q.dev.last_avail_idx + 9));
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EIO);
	CU_ASSERT_EQUAL(virtq_split_dev_pop(&q.dev, &b, sg, 8), -EAGAIN);
	tvq_close(&q);
}

/*
 * post_readable_ids() with the caller's descriptors (a vector Tx) leaves the ring as add_bulk()
 * of the same buffers does: state, ids, avail ring; the device gets readable buffers; they come
 * back as any others. In order and through a free list that was reordered by out-of-order returns.
 */
static void
test_split_post_readable_ids(void)
{
	for (int in_order = 0; in_order < 2; in_order++) {
		struct tvq_queue a, b;
		uint16_t ids[5];
		void *cookies[8];
		uint32_t lens[8];
		uint64_t addrs[8];
		uint32_t i, round;

		CU_ASSERT_EQUAL_FATAL(tvq_open(&a, 8, in_order ? F_IN_ORDER : 0), 0);
		CU_ASSERT_EQUAL_FATAL(tvq_open(&b, 8, in_order ? F_IN_ORDER : 0), 0);
		for (round = 0; round < 6; round++) {
			struct virtq_dev_buf buf;
			struct virtq_sg sg[2];
			uint16_t popped[5];

			for (i = 0; i < 5; i++) {
				cookies[i] = tvq_cookie_of(round * 5 + i);
				addrs[i] = tvq_addr_of(round * 5 + i);
				lens[i] = 60 + round + i;
			}
			CU_ASSERT_EQUAL(virtq_split_drv_add_bulk(&a.drv, addrs, lens, 0, cookies, 5), 5);
			CU_ASSERT_EQUAL(virtq_split_drv_post_readable_ids(&b.drv, cookies, ids, 5), 5);
			for (i = 0; i < 5; i++)
				virtq_split_fill_desc(&b.drv.desc[ids[i]], addrs[i], lens[i], 0, 0);
			CU_ASSERT_EQUAL(memcmp(a.drv.desc, b.drv.desc, virtq_split_desc_size(8)), 0);
			CU_ASSERT_EQUAL(memcmp(a.drv.avail->ring, b.drv.avail->ring, 8 * 2), 0);
			CU_ASSERT_EQUAL(memcmp(a.drv.state, b.drv.state, virtq_split_drv_state_size(8)),
			                0);
			CU_ASSERT(a.drv.free_head == b.drv.free_head && a.drv.num_free == b.drv.num_free &&
			          a.drv.outstanding == b.drv.outstanding &&
			          a.drv.avail_idx == b.drv.avail_idx);
			virtq_split_drv_publish(&b.drv);
			for (i = 0; i < 5; i++) {
				CU_ASSERT_EQUAL(virtq_split_dev_pop(&b.dev, &buf, sg, 2), 0);
				CU_ASSERT(buf.nreadable == 1 && buf.writable_len == 0 &&
				          sg[0].len == lens[i] && sg[0].addr == addrs[i]);
				popped[i] = buf.id;
			}
			/* back in reverse (in order: as one batch), so the free list turns over */
			if (in_order) {
				virtq_split_dev_push_batch_last(&b.dev, popped[4], 0, 5);
			} else {
				for (i = 5; i-- > 0;)
					virtq_split_dev_push(&b.dev, popped[i], 0);
			}
			virtq_split_dev_publish(&b.dev);
			CU_ASSERT_EQUAL(virtq_split_drv_get_used_bulk(&b.drv, cookies, NULL, 8), 5);
			/* the same returns on a */
			virtq_split_drv_publish(&a.drv);
			for (i = 0; i < 5; i++)
				CU_ASSERT_EQUAL(virtq_split_dev_pop(&a.dev, &buf, sg, 2), 0);
			if (in_order) {
				virtq_split_dev_push_batch_last(&a.dev, popped[4], 0, 5);
			} else {
				for (i = 5; i-- > 0;)
					virtq_split_dev_push(&a.dev, popped[i], 0);
			}
			virtq_split_dev_publish(&a.dev);
			CU_ASSERT_EQUAL(virtq_split_drv_get_used_bulk(&a.drv, cookies, NULL, 8), 5);
		}
		/* a broken queue posts nothing */
		b.drv.broken = true;
		CU_ASSERT_EQUAL(virtq_split_drv_post_readable_ids(&b.drv, cookies, ids, 5), 0);
		tvq_close(&a);
		tvq_close(&b);
	}
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"sizes and layout", test_split_sizes_and_layout},
	        {"every size 1..32768 wraps 16-bit indexes", test_split_every_size_wraps},
	        {"chain elements", test_chain_elements},
	        {"random chains, free list reuse", test_chains},
	        {"indirect tables", test_indirect},
	        {"in-order batch", test_split_in_order_batch},
	        {"in-order reclaim by used.idx", test_split_in_order_reclaim},
	        {"post readable ids equals add bulk", test_split_post_readable_ids},
	        {"avail notify with event idx", test_split_notify_event_idx},
	        {"avail notify with flags", test_notify_flags},
	        {"avail notify after a long silence", test_split_notify_after_long_silence},
	        {"used interrupt with event idx", test_interrupt_event_idx},
	        {"used interrupt with flags", test_interrupt_flags},
	        {"bad used id", test_split_bad_id},
	        {"not outstanding, double return", test_split_not_outstanding_and_double_return},
	        {"used len too big", test_split_len_too_big},
	        {"used idx jump", test_split_used_idx_jump},
	        {"in-order bad entries", test_split_in_order_bad_entries},
	        {"detach unused", test_split_detach_unused},
	        {"device half rejects a bad driver", test_split_device_rejects_bad_driver},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("virtq_split", tests);
}
