/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed virtqueue: the driver half against the device half over the same memory. A spread of
 * queue sizes (odd ones too) wrapping many times, chains, indirect tables, in-order batches, event
 * index in both directions, and a device that writes what it should not.
 */
#include <errno.h>
#include <stdbool.h>

#include "virtq_packed_dev.h"

#define TVQ_LAYOUT packed
#include "test_run_suite.h"
#include "test_virtq_common.h"

/* The descriptor ring, then the driver and device event structures: no alignment to choose. */
static int
tvq_layout_init(struct tvq_queue *q, uint64_t features)
{
	q->mem = tvq_alloc(virtq_packed_mem_size(q->size));
	if (virtq_packed_drv_init_mem(&q->drv, q->size, q->mem, q->state, features) != 0)
		return -1;
	return virtq_packed_dev_init_mem(&q->dev, q->size, q->mem, features);
}

/* The device steps over as many ring slots as the buffer took. */
static void
tvq_dev_push(struct tvq_queue *q, uint16_t id, uint32_t len, uint16_t ndescs)
{
	virtq_packed_dev_push(&q->dev, id, len, ndescs);
}

/* One used descriptor for the batch; the device steps over every slot the batch took. */
static void
tvq_dev_push_batch(struct tvq_queue *q, uint16_t last_id, uint32_t last_len, uint16_t nbufs,
                   uint16_t ndescs)
{
	(void)nbufs;
	virtq_packed_dev_push_batch_last(&q->dev, last_id, last_len, ndescs);
}

static void
test_packed_sizes_wrap(void)
{
	static const uint16_t sizes[] = {1,    2,    3,    5,    7,     8,     13,
	                                 31,   64,   100,  127,  255,   256,   257,
	                                 1000, 1023, 4096, 5000, 12345, 32767, 32768};

	tvq_pingpong_sizes(sizes, sizeof(sizes) / sizeof(sizes[0]));
}

static void
test_packed_sizes_and_layout(void)
{
	struct virtq_packed_drv vq;
	char state[64];
	char mem[64];

	CU_ASSERT_EQUAL(virtq_packed_drv_init(&vq, 0, mem, mem, mem, state, 0), -EINVAL);
	CU_ASSERT_EQUAL(virtq_packed_drv_init(&vq, 2, NULL, mem, mem, state, 0), -EINVAL);
	CU_ASSERT_EQUAL(virtq_packed_drv_init(&vq, 3, mem, mem + 48, mem + 52, state, 0), 0);
	CU_ASSERT_FALSE(virtq_packed_size_valid(32769));
	CU_ASSERT_EQUAL(virtq_packed_driver_event_offset(3), 48);
	CU_ASSERT_EQUAL(virtq_packed_device_event_offset(3), 52);
	CU_ASSERT_EQUAL(virtq_packed_mem_size(3), 56);
	CU_ASSERT_EQUAL(virtq_packed_mem_size(32768), 32768 * 16 + 8);
	CU_ASSERT_EQUAL(sizeof(struct virtq_packed_desc), 16);
	CU_ASSERT_EQUAL(sizeof(struct virtq_packed_event), 4);
}

/* In-order: one used entry for a batch; skipped buffers come back with their posted length. */
static void
test_packed_in_order_batch(void)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[1];
	uint16_t last = 0;
	void *cookie;
	uint32_t len, i;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, tvq_addr_of(i), 100 + i,
		                                         VIRTQ_DESC_F_WRITE, tvq_cookie_of(i)),
		                0);
	virtq_packed_drv_publish(&q.drv);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 1), 0);
		last = b.id;
	}
	virtq_packed_dev_push_batch_last(&q.dev, last, 7, 5);
	virtq_packed_dev_publish(&q.dev);
	CU_ASSERT_TRUE(virtq_packed_drv_has_used(&q.drv));
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
		CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(i));
		CU_ASSERT_EQUAL(len, i < 4 ? 100 + i : 7);
	}
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EAGAIN);
	CU_ASSERT_EQUAL(virtq_packed_drv_free_count(&q.drv), 8);
	tvq_close(&q);
}

/* The twins of split's Tx reclaim and used count: used descriptors counted without harvesting
 * them; reclaim_in_order() hands back the batch's buffers without lengths. */
static void
test_packed_in_order_reclaim(void)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[2];
	struct virtq_sg chain[2] = {{.addr = 0x1000, .len = 12}, {.addr = 0x2000, .len = 60}};
	void *cookies[8];
	uint16_t last = 0, descs = 0;
	uint32_t i;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	/* buffers 0..2 single, 3 a two-descriptor chain, 4 single: 6 descriptors */
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(
		        virtq_packed_drv_add_buf(&q.drv, tvq_addr_of(i), 64, 0, tvq_cookie_of(i)),
		        0);
	CU_ASSERT_EQUAL(virtq_packed_drv_add_chain(&q.drv, chain, 2, 0, tvq_cookie_of(3)), 0);
	CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, tvq_addr_of(4), 64, 0, tvq_cookie_of(4)),
	                0);
	virtq_packed_drv_publish(&q.drv);
	CU_ASSERT_EQUAL(virtq_packed_drv_free_count(&q.drv), 2);
	CU_ASSERT_EQUAL(virtq_packed_drv_used_count(&q.drv), 0);
	CU_ASSERT_EQUAL(virtq_packed_drv_reclaim_in_order(&q.drv, cookies, 8), 0);
	/* the device finishes four buffers (five descriptors) with one used descriptor */
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 2), 0);
		last = b.id;
		descs = (uint16_t)(descs + b.ndescs);
	}
	virtq_packed_dev_push_batch_last(&q.dev, last, 0, descs);
	virtq_packed_dev_publish(&q.dev);
	CU_ASSERT_EQUAL(virtq_packed_drv_used_count(&q.drv), 1);
	CU_ASSERT_EQUAL(virtq_packed_drv_reclaim_in_order(&q.drv, cookies, 3), 3);
	for (i = 0; i < 3; i++)
		CU_ASSERT_PTR_EQUAL(cookies[i], tvq_cookie_of(i));
	CU_ASSERT_EQUAL(virtq_packed_drv_reclaim_in_order(&q.drv, cookies, 8), 1);
	CU_ASSERT_PTR_EQUAL(cookies[0], tvq_cookie_of(3));
	CU_ASSERT_EQUAL(virtq_packed_drv_used_count(&q.drv), 0);
	CU_ASSERT_EQUAL(virtq_packed_drv_free_count(&q.drv), 7); /* the chain's two came back */
	CU_ASSERT_TRUE(tvq_err_stats_zero(&q.drv.err));
	CU_ASSERT_PTR_EQUAL(virtq_packed_drv_detach_unused(&q.drv), tvq_cookie_of(4));
	tvq_close(&q);
}

/* Available buffer notifications: the device event structure in ENABLE, DESC and DISABLE modes. */
static void
test_packed_notify_event_idx(void)
{
	void *cookie;
	uint32_t len, i, round;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, F_EVENT), 0);
	tvq_post_publish(&q, 0);
	CU_ASSERT_TRUE(virtq_packed_drv_needs_notify(&q.drv));  /* ENABLE at start */
	CU_ASSERT_FALSE(virtq_packed_drv_needs_notify(&q.drv)); /* nothing new published */
	/* device asks for a kick when the descriptor 3 past its position (offset 2) is made
	 * available */
	CU_ASSERT_TRUE(virtq_packed_dev_enable_avail_notify_after(&q.dev, 3)); /* one is pending */
	tvq_post_publish(&q, 1);
	CU_ASSERT_FALSE(virtq_packed_drv_needs_notify(&q.drv));
	tvq_post_publish(&q, 2);
	CU_ASSERT_TRUE(virtq_packed_drv_needs_notify(&q.drv));
	tvq_post_publish(&q, 3);
	CU_ASSERT_FALSE(virtq_packed_drv_needs_notify(&q.drv));
	virtq_packed_dev_disable_avail_notify(&q.dev);
	tvq_post_publish(&q, 4);
	CU_ASSERT_FALSE(virtq_packed_drv_needs_notify(&q.drv));
	/* drain, then lap the ring with the event at the device's position every time */
	for (i = 0; i < 5; i++)
		tvq_pop_push_publish(&q);
	while (virtq_packed_drv_get_used(&q.drv, &cookie, &len) == 0)
		;
	for (round = 0; round < 50; round++) {
		CU_ASSERT_FALSE(virtq_packed_dev_enable_avail_notify_after(&q.dev, 1));
		tvq_post_publish(&q, 5 + round);
		CU_ASSERT_TRUE(virtq_packed_drv_needs_notify(&q.drv));
		tvq_pop_push_publish(&q);
		CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	}
	/* device at offset 14 of its lap asks for the next one; the driver publishes 4 at once,
	 * across the wrap: the event of the previous lap is crossed */
	while (q.dev.next_avail != 14) {
		tvq_post_publish(&q, 100);
		tvq_pop_push_publish(&q);
		CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	}
	CU_ASSERT_FALSE(virtq_packed_dev_enable_avail_notify_after(&q.dev, 1));
	virtq_packed_drv_needs_notify(&q.drv);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(200 + i)),
		                0);
	virtq_packed_drv_publish(&q.drv);
	CU_ASSERT_TRUE(virtq_packed_drv_needs_notify(&q.drv));
	/* and an event two descriptors further, into the next lap: 3 more are not enough */
	for (i = 0; i < 4; i++)
		tvq_pop_push_publish(&q);
	CU_ASSERT_FALSE(
	        virtq_packed_dev_enable_avail_notify_after(&q.dev, 5)); /* offset 2 + 4 = 6 */
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(300 + i)),
		                0);
	virtq_packed_drv_publish(&q.drv);
	CU_ASSERT_FALSE(virtq_packed_drv_needs_notify(&q.drv)); /* slots 2..5 */
	tvq_post_publish(&q, 400);
	CU_ASSERT_TRUE(virtq_packed_drv_needs_notify(&q.drv)); /* slot 6 */
	tvq_close(&q);
}

/* A caller that publishes 65536 descriptors without asking still gets the kick for an event it
 * passed. */
static void
test_packed_notify_after_long_silence(void)
{
	void *cookie;
	uint32_t len, i;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, F_EVENT), 0);
	CU_ASSERT_FALSE(virtq_packed_dev_enable_avail_notify_after(&q.dev, 5));
	for (i = 0; i < 65536; i++) {
		tvq_post_publish(&q, i);
		tvq_pop_push_publish(&q);
		CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	}
	CU_ASSERT_TRUE(virtq_packed_drv_needs_notify(&q.drv));
	tvq_close(&q);
}

/* ---- a device that writes what it should not ---- */

static void
pq_used_write(struct tvq_queue *q, uint16_t slot, uint16_t id, uint32_t len, uint16_t flags)
{
	struct virtq_packed_desc *d = &q->drv.desc[slot];

	d->id = virtq_cpu_to_le16(id);
	d->len = virtq_cpu_to_le32(len);
	d->flags = virtq_cpu_to_le16(flags);
}

#define USED_LAP1 (VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED)

static void
test_packed_bad_id(void)
{
	void *cookie = NULL;
	uint32_t len, n = 0;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	pq_used_write(&q, 0, 8, 0, USED_LAP1); /* id == size */
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.bad_id, 1);
	/* the ring position of the next used descriptor is unknown now: broken */
	CU_ASSERT_TRUE(virtq_packed_drv_is_broken(&q.drv));
	CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(2)), -EIO);
	while (virtq_packed_drv_detach_unused(&q.drv) != NULL)
		n++;
	CU_ASSERT_EQUAL(n, 2);
	tvq_close(&q);
}

static void
test_packed_not_outstanding_and_double_return(void)
{
	void *cookie = NULL;
	uint32_t len;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	pq_used_write(&q, 0, 3, 0, USED_LAP1); /* ID 3 was never posted */
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.not_outstanding, 1);
	tvq_close(&q);

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	pq_used_write(&q, 0, 0, 5, USED_LAP1);
	pq_used_write(&q, 1, 0, 5, USED_LAP1); /* the same ID again */
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(0));
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.not_outstanding, 1);
	CU_ASSERT_PTR_EQUAL(virtq_packed_drv_detach_unused(&q.drv), tvq_cookie_of(1));
	CU_ASSERT_PTR_NULL(virtq_packed_drv_detach_unused(&q.drv));
	tvq_close(&q);
}

static void
test_packed_len_too_big(void)
{
	void *cookie = NULL;
	uint32_t len = 1;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0); /* 64 writable bytes */
	pq_used_write(&q, 0, 0, 65, USED_LAP1 | VIRTQ_DESC_F_WRITE);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EMSGSIZE);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(0));
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(q.drv.err.len_too_big, 1);
	CU_ASSERT_FALSE(q.drv.broken);
	CU_ASSERT_EQUAL(virtq_packed_drv_outstanding(&q.drv), 0);
	/* a caller that takes no length (Tx reclaim) gets the buffer, nothing is counted */
	CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, 0x1000, 64, 0, tvq_cookie_of(1)), 0);
	virtq_packed_drv_publish(&q.drv);
	pq_used_write(&q, 1, virtq_le16_to_cpu(q.drv.desc[1].id), 64,
	              USED_LAP1 | VIRTQ_DESC_F_WRITE);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used_bulk(&q.drv, &cookie, NULL, 1), 1);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(1));
	CU_ASSERT_EQUAL(q.drv.err.len_too_big, 1);
	tvq_close(&q);
}

/* QEMU marks used Rx descriptors without WRITE yet writes their length: a buffer posted writable
 * keeps the length; a read-only one (Tx) has none, whatever the descriptor says. */
static void
test_packed_used_len_without_write_flag(void)
{
	void *cookie = NULL;
	uint32_t len = 0;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0); /* 64 writable bytes */
	pq_used_write(&q, 0, 0, 60, USED_LAP1);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(0));
	CU_ASSERT_EQUAL(len, 60);
	/* still bounded by what was posted */
	tvq_post_publish(&q, 1);
	pq_used_write(&q, 1, 0, 65, USED_LAP1);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EMSGSIZE);
	CU_ASSERT_EQUAL(q.drv.err.len_too_big, 1);
	/* read-only buffer: no length */
	CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, 0x1000, 64, 0, tvq_cookie_of(2)), 0);
	virtq_packed_drv_publish(&q.drv);
	pq_used_write(&q, 2, virtq_le16_to_cpu(q.drv.desc[2].id), 64, USED_LAP1);
	len = 1;
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(2));
	CU_ASSERT_EQUAL(len, 0);
	tvq_close(&q);

	/* in-order: the batch's last buffer takes the written length without WRITE too */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	pq_used_write(&q, 0, virtq_le16_to_cpu(q.drv.desc[1].id), 40, USED_LAP1);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	CU_ASSERT_EQUAL(len, 64); /* skipped: used completely */
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), 0);
	CU_ASSERT_EQUAL(len, 40);
	tvq_close(&q);
}

static void
test_packed_flags_contradict_wrap(void)
{
	void *cookie = NULL;
	uint32_t len;
	struct tvq_queue q;

	/* AVAIL == USED == 0 in lap 1: a used descriptor of the wrong lap */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	pq_used_write(&q, 0, 0, 0, 0);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.bad_wrap, 1);
	CU_ASSERT_TRUE(q.drv.broken);
	tvq_close(&q);

	/* AVAIL 0, USED 1 in lap 1: neither available nor used */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	pq_used_write(&q, 0, 0, 0, VIRTQ_DESC_F_USED);
	CU_ASSERT_FALSE(virtq_packed_drv_has_used(&q.drv));
	CU_ASSERT_EQUAL(q.drv.err.bad_wrap, 1);
	tvq_close(&q);

	/* our own available flags: not used yet, no error */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	tvq_post_publish(&q, 0);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EAGAIN);
	/* a used descriptor over a slot not yet published is not looked at */
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EAGAIN);
	CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(1)), 0);
	pq_used_write(&q, 1, 1, 0, USED_LAP1);
	pq_used_write(&q, 0, 1, 0, 0); /* would be a contradiction, were it read */
	q.drv.desc[0].flags = virtq_cpu_to_le16(VIRTQ_DESC_F_AVAIL);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EAGAIN);
	CU_ASSERT_TRUE(tvq_err_stats_zero(&q.drv.err));
	tvq_close(&q);
}

static void
test_packed_in_order_bad_entries(void)
{
	void *cookie = NULL;
	uint32_t len;
	struct tvq_queue q;

	/* a batch reaching into descriptors not yet published */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	tvq_post_publish(&q, 0);
	tvq_post_publish(&q, 1);
	CU_ASSERT_EQUAL(virtq_packed_drv_add_buf(&q.drv, 1, 1, 0, tvq_cookie_of(2)), 0);
	pq_used_write(&q, 0, 2, 0, USED_LAP1);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.bad_batch, 1);
	CU_ASSERT_TRUE(q.drv.broken);
	tvq_close(&q);

	/* an ID not outstanding */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	tvq_post_publish(&q, 0);
	pq_used_write(&q, 0, 5, 0, USED_LAP1);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.not_outstanding, 1);
	CU_ASSERT_PTR_EQUAL(virtq_packed_drv_detach_unused(&q.drv), tvq_cookie_of(0));
	tvq_close(&q);

	/* an ID out of range */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	tvq_post_publish(&q, 0);
	pq_used_write(&q, 0, 0xffff, 0, USED_LAP1);
	CU_ASSERT_EQUAL(virtq_packed_drv_get_used(&q.drv, &cookie, &len), -EIO);
	CU_ASSERT_EQUAL(q.drv.err.bad_id, 1);
	tvq_close(&q);
}

static void
test_packed_detach_unused(void)
{
	tvq_detach_unused(30);
}

/* ---- groups of buffers whose descriptors the caller writes (vector Tx) ---- */

/* What a vector path stores for the group post_group() booked: every field, the head's flags
 * left to publish(). */
static void
pq_write_group(struct tvq_queue *q, uint16_t slot, const uint16_t *ids, const uint64_t *addrs,
               const uint32_t *lens, uint16_t n, uint16_t avail_bits, bool head)
{
	for (uint16_t i = 0; i < n; i++) {
		struct virtq_packed_desc *d = &q->drv.desc[slot + i];

		if (i == 0 && head) {
			d->addr = virtq_cpu_to_le64(addrs[i]);
			d->len = virtq_cpu_to_le32(lens[i]);
			d->id = virtq_cpu_to_le16(ids[i]);
		} else {
			virtq_packed_fill_desc(d, addrs[i], lens[i], ids[i], avail_bits);
		}
	}
}

static bool
pq_same_state(const struct tvq_queue *a, const struct tvq_queue *b)
{
	const struct virtq_packed_drv *x = &a->drv, *y = &b->drv;

	return memcmp(x->desc, y->desc, virtq_packed_desc_size(a->size)) == 0 &&
	       x->num_free == y->num_free && x->free_id == y->free_id &&
	       x->next_avail == y->next_avail && x->avail_wrap == y->avail_wrap &&
	       x->last_used == y->last_used && x->used_wrap == y->used_wrap &&
	       x->outstanding == y->outstanding && x->pending_descs == y->pending_descs &&
	       x->in_order_oldest == y->in_order_oldest && x->kick_added == y->kick_added &&
	       x->published_next == y->published_next && x->published_wrap == y->published_wrap &&
	       tvq_err_stats_zero(&x->err) && tvq_err_stats_zero(&y->err);
}

/* post_group() and the caller's stores leave the ring as add_bulk() does, group by group across
 * many wraps of odd sizes, IDs reused out of order; group_fits() refuses a group across the ring's
 * end and more than is free. */
static void
pq_group_equals_bulk(uint16_t size, uint64_t features)
{
	struct tvq_queue a, b;
	uint64_t rng = 0x1234567u + size;
	unsigned int grouped = 0, refused_end = 0;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&a, size, features), 0);
	CU_ASSERT_EQUAL_FATAL(tvq_open(&b, size, features), 0);
	for (uint32_t round = 0; round < 40u * size + 200; round++) {
		uint16_t n = (uint16_t)(1 + tvq_rand(&rng) % 4), ids[4];
		uint64_t addrs[4];
		uint32_t lens[4];
		void *cookies[4];
		void *got_a[8], *got_b[8];
		struct virtq_dev_buf buf[8];
		struct virtq_sg sg[2];
		uint16_t popped = 0;

		for (uint16_t i = 0; i < n; i++) {
			addrs[i] = tvq_addr_of(round * 4 + i);
			lens[i] = 60 + i + round % 7;
			cookies[i] = tvq_cookie_of(round * 4 + i);
		}
		if (virtq_packed_drv_group_fits(&b.drv, n)) {
			uint16_t bits = virtq_packed_avail_bits(b.drv.avail_wrap), slot;
			bool head;

			CU_ASSERT_EQUAL(virtq_packed_drv_add_bulk(&a.drv, addrs, lens, 0, cookies, n), n);
			slot = virtq_packed_drv_post_group(&b.drv, cookies, ids, n, &head);
			pq_write_group(&b, slot, ids, addrs, lens, n, bits, head);
			grouped++;
		} else {
			if (b.drv.num_free >= n) {
				CU_ASSERT(b.drv.next_avail + n > size);
				refused_end++;
			}
			CU_ASSERT_EQUAL(virtq_packed_drv_add_bulk(&a.drv, addrs, lens, 0, cookies, n),
			                virtq_packed_drv_add_bulk(&b.drv, addrs, lens, 0, cookies, n));
		}
		/* publish sometimes only every other group: a group that is no batch head */
		if (tvq_rand(&rng) % 2 == 0) {
			virtq_packed_drv_publish(&a.drv);
			virtq_packed_drv_publish(&b.drv);
		}
		CU_ASSERT_FATAL(pq_same_state(&a, &b));
		/* the device takes some and returns them reversed (in order: as one batch) */
		while (popped < 8 && tvq_rand(&rng) % 3 != 0 &&
		       virtq_packed_dev_pop(&a.dev, &buf[popped], sg, 2) == 0) {
			struct virtq_dev_buf other;

			CU_ASSERT_EQUAL(virtq_packed_dev_pop(&b.dev, &other, sg, 2), 0);
			CU_ASSERT_EQUAL(other.id, buf[popped].id);
			popped++;
		}
		if (popped != 0 && a.in_order) {
			virtq_packed_dev_push_batch_last(&a.dev, buf[popped - 1].id, 0, popped);
			virtq_packed_dev_push_batch_last(&b.dev, buf[popped - 1].id, 0, popped);
		}
		for (uint16_t i = popped; i > 0 && !a.in_order; i--) {
			virtq_packed_dev_push(&a.dev, buf[i - 1].id, 0, 1);
			virtq_packed_dev_push(&b.dev, buf[i - 1].id, 0, 1);
		}
		virtq_packed_dev_publish(&a.dev);
		virtq_packed_dev_publish(&b.dev);
		n = virtq_packed_drv_get_used_bulk(&a.drv, got_a, NULL, 8);
		CU_ASSERT_EQUAL(virtq_packed_drv_get_used_bulk(&b.drv, got_b, NULL, 8), n);
		CU_ASSERT(memcmp(got_a, got_b, n * sizeof(got_a[0])) == 0);
	}
	CU_ASSERT(pq_same_state(&a, &b));
	CU_ASSERT(grouped > 20u * size);
	CU_ASSERT(size % 4 == 0 || refused_end != 0);
	tvq_close(&a);
	tvq_close(&b);
}

static void
test_packed_post_group(void)
{
	static const uint16_t sizes[] = {4, 5, 7, 13, 64, 255};

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pq_group_equals_bulk(sizes[i], 0);
		pq_group_equals_bulk(sizes[i], F_IN_ORDER);
		pq_group_equals_bulk(sizes[i], F_EVENT);
	}
}

/* ---- the device half distrusts the driver ---- */

/* A descriptor made available in lap 1 (wrap counter 1), bypassing the driver half. */
static void
pq_raw_desc(struct tvq_queue *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags)
{
	struct virtq_packed_desc *d = &q->drv.desc[i];

	d->addr = virtq_cpu_to_le64(addr);
	d->len = virtq_cpu_to_le32(len);
	d->id = virtq_cpu_to_le16(i);
	d->flags = virtq_cpu_to_le16(flags | VIRTQ_DESC_F_AVAIL);
}

static void
test_packed_device_rejects_bad_driver(void)
{
	struct virtq_packed_desc table[4];
	struct virtq_sg sg[8];
	struct virtq_dev_buf b;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 4, F_INDIRECT), 0);
	/* a chain running around the whole ring */
	pq_raw_desc(&q, 0, 0x1000, 1, VIRTQ_DESC_F_NEXT);
	pq_raw_desc(&q, 1, 0x1000, 1, VIRTQ_DESC_F_NEXT);
	pq_raw_desc(&q, 2, 0x1000, 1, VIRTQ_DESC_F_NEXT);
	pq_raw_desc(&q, 3, 0x1000, 1, VIRTQ_DESC_F_NEXT);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 2), -ENOBUFS); /* kept */
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EIO);
	tvq_close(&q);

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_INDIRECT), 0);
	/* a chain whose second descriptor is not available */
	pq_raw_desc(&q, 0, 0x1000, 1, VIRTQ_DESC_F_NEXT);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* readable after writable */
	pq_raw_desc(&q, 1, 0x1000, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT);
	pq_raw_desc(&q, 2, 0x1000, 1, 0);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* INDIRECT with NEXT, and INDIRECT after a plain descriptor */
	pq_raw_desc(&q, 3, (uintptr_t)table, sizeof(table),
	            VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT);
	pq_raw_desc(&q, 4, 0x1000, 1, 0);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EIO);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), 0); /* desc 4 alone is fine */
	pq_raw_desc(&q, 5, 0x1000, 1, VIRTQ_DESC_F_NEXT);
	pq_raw_desc(&q, 6, (uintptr_t)table, sizeof(table), VIRTQ_DESC_F_INDIRECT);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EIO);
	/* a table of a length no multiple of 16; a nested table */
	pq_raw_desc(&q, 7, (uintptr_t)table, 20, VIRTQ_DESC_F_INDIRECT);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EIO);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EAGAIN); /* lap 2 not written */
	tvq_close(&q);

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_INDIRECT), 0);
	table[0].addr = virtq_cpu_to_le64((uintptr_t)table);
	table[0].len = virtq_cpu_to_le32(16);
	table[0].flags = virtq_cpu_to_le16(VIRTQ_DESC_F_INDIRECT);
	pq_raw_desc(&q, 0, (uintptr_t)table, 16, VIRTQ_DESC_F_INDIRECT);
	CU_ASSERT_EQUAL(virtq_packed_dev_pop(&q.dev, &b, sg, 8), -EIO);
	tvq_close(&q);
}

/*
 * The group helpers of the vector Rx paths against the scalar ring steps: twin rings of the same
 * size (odd ones too), one refilled through post_writable_ids() with the descriptors written as its
 * contract says and harvested in groups through take_used_group() (then get_used_bulk() for the
 * rest), the other through add_bulk() and get_used_bulk(). The device returns the same buffers to
 * both, out of order unless in order, with lengths too big, repeated ids and ids out of range among
 * them. Same descriptor rings, cookies, lengths, counters and ring state at every round.
 */
static void
pq_post_writable(struct tvq_queue *q, void *const *cookies, uint16_t n, const uint64_t *addrs)
{
	struct virtq_packed_post_at at;
	uint16_t ids[64];
	uint16_t added = virtq_packed_drv_post_writable_ids(&q->drv, cookies, TVQ_POSTED_LEN, ids, n,
	                                                    &at);
	uint16_t pos = at.pos;
	bool wrap = at.wrap;

	for (uint16_t i = 0; i < added; i++) {
		struct virtq_packed_desc *d = &q->drv.desc[pos];

		d->addr = virtq_cpu_to_le64(addrs[i]);
		d->len = virtq_cpu_to_le32(TVQ_POSTED_LEN);
		d->id = virtq_cpu_to_le16(ids[i]);
		if (i != 0 || !at.head_held)
			d->flags = virtq_cpu_to_le16(
			        (uint16_t)(VIRTQ_DESC_F_WRITE | virtq_packed_avail_bits(wrap)));
		virtq_packed_advance(&pos, &wrap, 1, q->size);
	}
	CU_ASSERT_EQUAL(added, n);
}

static bool
pq_state_equal(const struct virtq_packed_drv *a, const struct virtq_packed_drv *b)
{
	return a->num_free == b->num_free && a->free_id == b->free_id &&
	       a->next_avail == b->next_avail && a->avail_wrap == b->avail_wrap &&
	       a->used_wrap == b->used_wrap && a->last_used == b->last_used &&
	       a->outstanding == b->outstanding && a->pending_descs == b->pending_descs &&
	       a->in_order_oldest == b->in_order_oldest && a->batch_left == b->batch_left &&
	       a->broken == b->broken && memcmp(&a->err, &b->err, sizeof(a->err)) == 0 &&
	       memcmp(a->desc, b->desc, virtq_packed_desc_size(a->size)) == 0 &&
	       memcmp(a->state, b->state, virtq_packed_drv_state_size(a->size)) == 0;
}

/* The group harvest as the vector paths do it: flags of the whole group used, then a copy taken. */
static uint32_t pq_group_taken; /* descriptors take_used_group() took */

static uint16_t
pq_group_harvest(struct tvq_queue *q, void **cookies, uint32_t *lens, uint16_t max, uint16_t g)
{
	struct virtq_packed_drv *vq = &q->drv;
	uint16_t ready = virtq_packed_drv_group_ready(vq, max), taken = 0;

	while ((uint16_t)(ready - taken) >= g && vq->last_used + g <= vq->size) {
		struct virtq_packed_desc copy[8];
		uint16_t k, i;

		for (i = 0; i < g; i++)
			if ((virtq_load16(&vq->desc[vq->last_used + i].flags) &
			     (VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED)) !=
			    virtq_packed_used_bits(vq->used_wrap))
				break;
		if (i < g)
			break;
		memcpy(copy, &vq->desc[vq->last_used], g * sizeof(copy[0]));
		k = virtq_packed_drv_take_used_group(vq, copy, &cookies[taken], g);
		for (i = 0; i < k; i++)
			lens[taken + i] = virtq_le32_to_cpu(copy[i].len);
		taken += k;
		pq_group_taken += k;
		if (k < g)
			break;
	}
	if (taken < max && (taken == 0 || virtq_packed_drv_used_waiting(vq)))
		taken += virtq_packed_drv_get_used_bulk(vq, &cookies[taken], &lens[taken],
		                                        (uint16_t)(max - taken));
	return taken;
}

static void
pq_group_twins(uint16_t size, uint64_t features, bool bad, uint64_t seed)
{
	struct tvq_queue a, b;
	uint64_t rng = seed;
	uint32_t seq = 0, rounds;

	pq_group_taken = 0;
	CU_ASSERT_EQUAL_FATAL(tvq_open(&a, size, features), 0);
	CU_ASSERT_EQUAL_FATAL(tvq_open(&b, size, features), 0);
	for (rounds = 0; rounds < 3000 && !a.drv.broken; rounds++) {
		void *cookies[64], *ca[64], *cb[64];
		uint64_t addrs[64];
		uint32_t lens[64], la[64], lb[64];
		uint16_t ids[64], n, na, nb, max;
		struct virtq_dev_buf buf;
		struct virtq_sg sg[2];

		/* refill */
		n = (uint16_t)(tvq_rand(&rng) % 17);
		if (n > a.drv.num_free)
			n = a.drv.num_free;
		for (uint16_t i = 0; i < n; i++) {
			cookies[i] = tvq_cookie_of(seq);
			addrs[i] = tvq_addr_of(seq++);
			lens[i] = TVQ_POSTED_LEN;
		}
		pq_post_writable(&a, cookies, n, addrs);
		CU_ASSERT_EQUAL(virtq_packed_drv_add_bulk(&b.drv, addrs, lens, VIRTQ_DESC_F_WRITE,
		                                          cookies, n),
		                n);
		if (tvq_rand(&rng) % 4 != 0) {
			virtq_packed_drv_publish(&a.drv);
			virtq_packed_drv_publish(&b.drv);
		}
		CU_ASSERT_FATAL(pq_state_equal(&a.drv, &b.drv));
		/* the device returns some */
		n = (uint16_t)(tvq_rand(&rng) % 20);
		for (na = 0; na < n; na++) {
			if (virtq_packed_dev_pop(&a.dev, &buf, sg, 2) != 0)
				break;
			CU_ASSERT_EQUAL_FATAL(virtq_packed_dev_pop(&b.dev, &buf, sg, 2), 0);
			ids[na] = buf.id;
		}
		for (uint16_t i = 0; i < na; i++) {
			uint16_t j = (features & F_IN_ORDER) ? i : (uint16_t)((i + rounds) % na);
			uint16_t id = ids[j];
			uint32_t len = 14 + tvq_rand(&rng) % 1000, pick = tvq_rand(&rng) % 4000;

			/* what breaks the ring only late: the rounds end there */
			if (bad && pick < 80)
				len = TVQ_POSTED_LEN + 1;
			else if (bad && rounds > 2000 && pick < 90)
				id = (uint16_t)(size + 1);
			else if (bad && rounds > 2000 && pick < 100 && i > 0)
				id = ids[(j + na - 1) % na];
			virtq_packed_dev_push(&a.dev, id, len, 1);
			virtq_packed_dev_push(&b.dev, id, len, 1);
		}
		virtq_packed_dev_publish(&a.dev);
		virtq_packed_dev_publish(&b.dev);
		/* harvest */
		max = (uint16_t)(1 + tvq_rand(&rng) % 40);
		na = pq_group_harvest(&a, ca, la, max, (uint16_t)(1 + tvq_rand(&rng) % 8));
		nb = virtq_packed_drv_get_used_bulk(&b.drv, cb, lb, max);
		CU_ASSERT_EQUAL_FATAL(na, nb);
		CU_ASSERT(memcmp(ca, cb, na * sizeof(ca[0])) == 0);
		CU_ASSERT(memcmp(la, lb, na * sizeof(la[0])) == 0);
		CU_ASSERT_FATAL(pq_state_equal(&a.drv, &b.drv));
	}
	/* the groups took a good share, and the ring wrapped */
	if (!(pq_group_taken > 1000 && rounds > 1000))
		printf("size %u features 0x%lx bad %d: %u rounds, %u by groups\n", size,
		       (unsigned long)features, bad, rounds, pq_group_taken);
	CU_ASSERT(pq_group_taken > 1000 && rounds > 1000);
	if (bad)
		CU_ASSERT(a.drv.err.len_too_big != 0 && a.drv.broken &&
		          a.drv.err.bad_id + a.drv.err.not_outstanding == 1);
	tvq_close(&a);
	tvq_close(&b);
}

static void
test_packed_group_helpers(void)
{
	static const uint16_t sizes[] = {7, 8, 67, 256};

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (unsigned int f = 0; f < 4; f++)
			pq_group_twins(sizes[i], (f & 1) ? F_IN_ORDER : 0, (f & 2) != 0,
			               0x1234567ull + i * 7 + f);
}

/* The group take stops before each descriptor the scalar harvest would not take the same way. */
static void
test_packed_group_take_stops(void)
{
	struct virtq_packed_desc copy[4];
	void *cookies[4];
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, 0), 0);
	for (uint32_t i = 0; i < 4; i++)
		tvq_post_publish(&q, i); /* 64 writable bytes each, ids 0..3 */
	CU_ASSERT_EQUAL(virtq_packed_drv_group_ready(&q.drv, 8), 4);
	CU_ASSERT_EQUAL(virtq_packed_drv_group_ready(&q.drv, 3), 3);
	CU_ASSERT_FALSE(virtq_packed_drv_used_waiting(&q.drv));
	pq_used_write(&q, 0, 2, 20, USED_LAP1);
	pq_used_write(&q, 1, 2, 20, USED_LAP1); /* repeated */
	CU_ASSERT_TRUE(virtq_packed_drv_used_waiting(&q.drv));
	memcpy(copy, q.drv.desc, sizeof(copy));
	CU_ASSERT_EQUAL(virtq_packed_drv_take_used_group(&q.drv, copy, cookies, 2), 1);
	CU_ASSERT_PTR_EQUAL(cookies[0], tvq_cookie_of(2));
	CU_ASSERT_EQUAL(q.drv.last_used, 1);
	CU_ASSERT_EQUAL(q.drv.free_id, 2);
	copy[1].id = virtq_cpu_to_le16(8); /* out of range */
	CU_ASSERT_EQUAL(virtq_packed_drv_take_used_group(&q.drv, &copy[1], cookies, 1), 0);
	copy[1].id = virtq_cpu_to_le16(1);
	copy[1].len = virtq_cpu_to_le32(65); /* too long */
	CU_ASSERT_EQUAL(virtq_packed_drv_take_used_group(&q.drv, &copy[1], cookies, 1), 0);
	copy[1].len = virtq_cpu_to_le32(64);
	CU_ASSERT_EQUAL(virtq_packed_drv_take_used_group(&q.drv, &copy[1], cookies, 1), 1);
	CU_ASSERT_PTR_EQUAL(cookies[0], tvq_cookie_of(1));
	/* nothing counted, nothing broken: the scalar step counts what the group leaves */
	CU_ASSERT_TRUE(tvq_err_stats_zero(&q.drv.err));
	CU_ASSERT_EQUAL(q.drv.outstanding, 2);
	/* flags contradicting the wrap counter: waiting (for the scalar step to count) */
	pq_used_write(&q, 2, 0, 20, 0);
	CU_ASSERT_TRUE(virtq_packed_drv_used_waiting(&q.drv));
	q.drv.broken = true;
	CU_ASSERT_EQUAL(virtq_packed_drv_group_ready(&q.drv, 8), 0);
	tvq_close(&q);

	/* in order: only the oldest outstanding buffer and those after it */
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 8, F_IN_ORDER), 0);
	for (uint32_t i = 0; i < 3; i++)
		tvq_post_publish(&q, i);
	pq_used_write(&q, 0, 0, 20, USED_LAP1);
	pq_used_write(&q, 1, 2, 20, USED_LAP1); /* a batch ending at 2 */
	memcpy(copy, q.drv.desc, 2 * sizeof(copy[0]));
	CU_ASSERT_EQUAL(virtq_packed_drv_take_used_group(&q.drv, copy, cookies, 2), 1);
	CU_ASSERT_EQUAL(q.drv.in_order_oldest, 1);
	tvq_close(&q);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"sizes and layout", test_packed_sizes_and_layout},
	        {"a spread of sizes, odd ones too, wrap", test_packed_sizes_wrap},
	        {"chain elements", test_chain_elements},
	        {"random chains, ID reuse", test_chains},
	        {"indirect tables", test_indirect},
	        {"in-order batch", test_packed_in_order_batch},
	        {"in-order reclaim, used count", test_packed_in_order_reclaim},
	        {"avail notify with event idx", test_packed_notify_event_idx},
	        {"avail notify with flags", test_notify_flags},
	        {"avail notify after a long silence", test_packed_notify_after_long_silence},
	        {"used interrupt with event idx", test_interrupt_event_idx},
	        {"used interrupt with flags", test_interrupt_flags},
	        {"bad used id", test_packed_bad_id},
	        {"not outstanding, double return", test_packed_not_outstanding_and_double_return},
	        {"used len too big", test_packed_len_too_big},
	        {"used len without the WRITE flag", test_packed_used_len_without_write_flag},
	        {"flags contradicting the wrap counter", test_packed_flags_contradict_wrap},
	        {"in-order bad entries", test_packed_in_order_bad_entries},
	        {"detach unused", test_packed_detach_unused},
	        {"device half rejects a bad driver", test_packed_device_rejects_bad_driver},
	        {"group take and refill equal the scalar steps", test_packed_group_helpers},
	        {"group take stops where the scalar step must look", test_packed_group_take_stops},
	        {"groups written by the caller equal add_bulk", test_packed_post_group},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("virtq_packed", tests);
}
