/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ring tests whose steps and expectations are the same for the split and the packed layout,
 * through the harness (test_virtq_harness.h, the layout chosen by TVQ_LAYOUT): chains and
 * indirect tables as the device sees them, notification and interrupt suppression by flags, the
 * interrupt after a used_event, and detach_unused. Each layout's program registers them beside
 * the tests of its own ring format.
 */
#ifndef TEST_VIRTQ_COMMON_H
#define TEST_VIRTQ_COMMON_H

#include "test_virtq_harness.h"

/* Random chains of 1..4 elements, readable then writable; checks what the device sees. */
static void
tvq_chains(uint64_t features)
{
	uint64_t rng = 12345;
	struct tvq_queue q;
	uint32_t round;
	uint16_t in_flight = 0;
	uint32_t wlen_of[64];

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, features), 0);
	for (round = 0; round < 20000; round++) {
		struct virtq_sg sg[4];
		uint16_t out = tvq_rand(&rng) % 3, in = tvq_rand(&rng) % 3, i;
		uint32_t wlen = 0;
		bool fits;
		struct virtq_dev_buf b;
		struct virtq_sg got[8];
		void *cookie;
		uint32_t len;
		int rc;

		if (out + in == 0)
			in = 1;
		for (i = 0; i < out + in; i++) {
			sg[i].addr = tvq_addr_of(round * 4 + i);
			sg[i].len = 10 + i;
			if (i >= out)
				wlen += sg[i].len;
		}
		fits = out + in <= TVQ_FN(drv_free_count)(&q.drv);
		rc = TVQ_FN(drv_add_chain)(&q.drv, sg, out, in, tvq_cookie_of(round));
		CU_ASSERT_EQUAL(rc, fits ? 0 : -ENOSPC);
		if (rc == 0) {
			wlen_of[round % 64] = wlen;
			in_flight++;
		}
		TVQ_FN(drv_publish)(&q.drv);
		if ((tvq_rand(&rng) % 3 == 0 || rc != 0) && in_flight > 0) {
			CU_ASSERT_EQUAL_FATAL(TVQ_FN(dev_pop)(&q.dev, &b, got, 8), 0);
			CU_ASSERT_EQUAL(b.nsegs, b.ndescs);
			CU_ASSERT_TRUE(b.nreadable <= b.nsegs);
			tvq_dev_push(&q, b.id, b.writable_len, b.ndescs);
			TVQ_FN(dev_publish)(&q.dev);
			CU_ASSERT_EQUAL(TVQ_FN(drv_get_used)(&q.drv, &cookie, &len), 0);
			CU_ASSERT_EQUAL(len, b.writable_len);
			CU_ASSERT_EQUAL(wlen_of[tvq_seq_of_cookie(cookie) % 64], len);
			in_flight--;
		}
	}
	CU_ASSERT_TRUE(tvq_err_stats_zero(&q.drv.err));
	tvq_close(&q);
}

static void
test_chains(void)
{
	tvq_chains(0);
	tvq_chains(F_IN_ORDER);
}

/* One chain, checked element by element. */
static void
test_chain_elements(void)
{
	struct virtq_sg sg[3] = {{0x1000, 12}, {0x2000, 100}, {0x3000, 1500}};
	struct virtq_sg got[3];
	struct virtq_dev_buf b;
	struct tvq_queue q;
	void *cookie;
	uint32_t len;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 4, 0), 0);
	CU_ASSERT_EQUAL(TVQ_FN(drv_add_chain)(&q.drv, sg, 2, 1, tvq_cookie_of(7)), 0);
	CU_ASSERT_EQUAL(TVQ_FN(drv_free_count)(&q.drv), 1);
	CU_ASSERT_EQUAL(TVQ_FN(drv_add_chain)(&q.drv, sg, 2, 1, tvq_cookie_of(8)), -ENOSPC);
	CU_ASSERT_EQUAL(TVQ_FN(drv_add_chain)(&q.drv, sg, 0, 0, tvq_cookie_of(8)), -EINVAL);
	CU_ASSERT_EQUAL(TVQ_FN(drv_add_buf)(&q.drv, 1, 1, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(TVQ_FN(dev_pop)(&q.dev, &b, got, 3), -EAGAIN); /* not published yet */
	TVQ_FN(drv_publish)(&q.drv);
	CU_ASSERT_EQUAL(TVQ_FN(dev_pop)(&q.dev, &b, got, 2),
	                -ENOBUFS); /* too small: not consumed */
	CU_ASSERT_EQUAL_FATAL(TVQ_FN(dev_pop)(&q.dev, &b, got, 3), 0);
	CU_ASSERT_EQUAL(b.nsegs, 3);
	CU_ASSERT_EQUAL(b.nreadable, 2);
	CU_ASSERT_EQUAL(b.readable_len, 112);
	CU_ASSERT_EQUAL(b.writable_len, 1500);
	CU_ASSERT_EQUAL(got[0].addr, 0x1000);
	CU_ASSERT_EQUAL(got[2].addr, 0x3000);
	CU_ASSERT_EQUAL(got[2].len, 1500);
	tvq_dev_push(&q, b.id, 1500, b.ndescs);
	TVQ_FN(dev_publish)(&q.dev);
	CU_ASSERT_EQUAL(TVQ_FN(drv_get_used)(&q.drv, &cookie, &len), 0);
	CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(7));
	CU_ASSERT_EQUAL(len, 1500);
	CU_ASSERT_EQUAL(TVQ_FN(drv_free_count)(&q.drv), 4);
	CU_ASSERT_EQUAL(TVQ_FN(drv_get_used)(&q.drv, &cookie, &len), -EAGAIN);
	tvq_close(&q);
}

static void
tvq_indirect(uint64_t features)
{
	struct TVQ_FN(desc) table[5];
	struct virtq_sg sg[5], got[8];
	struct virtq_dev_buf b;
	uint32_t round, i;
	struct tvq_queue q;
	void *cookie;
	uint32_t len;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 2, features | F_INDIRECT), 0);
	for (i = 0; i < 5; i++) {
		sg[i].addr = 0x10000 * (i + 1);
		sg[i].len = 100 * (i + 1);
	}
	for (round = 0; round < 100000; round++) {
		CU_ASSERT_EQUAL(TVQ_FN(drv_add_indirect)(&q.drv, sg, 2, 3, table, (uintptr_t)table,
		                                         tvq_cookie_of(round)),
		                0);
		TVQ_FN(drv_publish)(&q.drv);
		CU_ASSERT_EQUAL_FATAL(TVQ_FN(dev_pop)(&q.dev, &b, got, 8), 0);
		CU_ASSERT_EQUAL(b.ndescs, 1);
		CU_ASSERT_EQUAL(b.nsegs, 5);
		CU_ASSERT_EQUAL(b.nreadable, 2);
		CU_ASSERT_EQUAL(b.readable_len, 300);
		CU_ASSERT_EQUAL(b.writable_len, 1200);
		CU_ASSERT_EQUAL(got[4].addr, 0x50000);
		tvq_dev_push(&q, b.id, 1200, b.ndescs);
		TVQ_FN(dev_publish)(&q.dev);
		CU_ASSERT_EQUAL(TVQ_FN(drv_get_used)(&q.drv, &cookie, &len), 0);
		CU_ASSERT_PTR_EQUAL(cookie, tvq_cookie_of(round));
		CU_ASSERT_EQUAL(len, 1200);
	}
	CU_ASSERT_EQUAL(TVQ_FN(drv_free_count)(&q.drv), 2);
	tvq_close(&q);
}

static void
test_indirect(void)
{
	struct TVQ_FN(desc) table[1];
	struct virtq_sg sg = {0x1000, 64};
	struct tvq_queue q;

	tvq_indirect(0);
	tvq_indirect(F_IN_ORDER);
	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 2, 0), 0);
	CU_ASSERT_EQUAL(TVQ_FN(drv_add_indirect)(&q.drv, &sg, 1, 0, table, 0x1, tvq_cookie_of(0)),
	                -ENOTSUP);
	tvq_close(&q);
}

static void
test_notify_flags(void)
{
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, 0), 0);
	tvq_post_publish(&q, 0);
	CU_ASSERT_TRUE(TVQ_FN(drv_needs_notify)(&q.drv));
	TVQ_FN(dev_disable_avail_notify)(&q.dev);
	tvq_post_publish(&q, 1);
	CU_ASSERT_FALSE(TVQ_FN(drv_needs_notify)(&q.drv));
	CU_ASSERT_TRUE(TVQ_FN(dev_enable_avail_notify)(&q.dev)); /* buffers already there */
	tvq_post_publish(&q, 2);
	CU_ASSERT_TRUE(TVQ_FN(drv_needs_notify)(&q.drv));
	tvq_close(&q);
}

/* Used buffer notifications: the driver's used_event / NO_INTERRUPT, the device's decision. */
static void
test_interrupt_event_idx(void)
{
	uint32_t i;
	void *cookie;
	uint32_t len;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, F_EVENT), 0);
	for (i = 0; i < 8; i++)
		tvq_post_publish(&q, i);
	CU_ASSERT_FALSE(TVQ_FN(drv_enable_used_notify_after)(&q.drv, 3)); /* nothing used yet */
	tvq_pop_push_publish(&q);
	CU_ASSERT_FALSE(TVQ_FN(dev_needs_interrupt)(&q.dev));
	tvq_pop_push_publish(&q);
	CU_ASSERT_FALSE(TVQ_FN(dev_needs_interrupt)(&q.dev));
	tvq_pop_push_publish(&q);
	CU_ASSERT_TRUE(TVQ_FN(dev_needs_interrupt)(&q.dev)); /* the third one */
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(TVQ_FN(drv_get_used)(&q.drv, &cookie, &len), 0);
	TVQ_FN(drv_disable_used_notify)(&q.drv);
	tvq_pop_push_publish(&q);
	CU_ASSERT_FALSE(TVQ_FN(dev_needs_interrupt)(&q.dev));
	/* enable with a used buffer pending: the caller is told to poll again */
	CU_ASSERT_TRUE(TVQ_FN(drv_enable_used_notify)(&q.drv));
	CU_ASSERT_EQUAL(TVQ_FN(drv_get_used)(&q.drv, &cookie, &len), 0);
	CU_ASSERT_FALSE(TVQ_FN(drv_enable_used_notify)(&q.drv));
	tvq_pop_push_publish(&q);
	CU_ASSERT_TRUE(TVQ_FN(dev_needs_interrupt)(&q.dev));
	tvq_close(&q);
}

static void
test_interrupt_flags(void)
{
	struct tvq_queue q;
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, 16, 0), 0);
	for (i = 0; i < 4; i++)
		tvq_post_publish(&q, i);
	tvq_pop_push_publish(&q);
	CU_ASSERT_TRUE(TVQ_FN(dev_needs_interrupt)(&q.dev));
	TVQ_FN(drv_disable_used_notify)(&q.drv);
	tvq_pop_push_publish(&q);
	CU_ASSERT_FALSE(TVQ_FN(dev_needs_interrupt)(&q.dev));
	CU_ASSERT_TRUE(TVQ_FN(drv_enable_used_notify)(&q.drv));
	tvq_pop_push_publish(&q);
	CU_ASSERT_TRUE(TVQ_FN(dev_needs_interrupt)(&q.dev));
	tvq_close(&q);
}

/* detach_unused hands back every outstanding cookie once: posted, popped, used-not-harvested
 * (a queue of `size`, 21 to 32 entries). */
static void
tvq_detach_unused(uint16_t size)
{
	uint8_t seen[32] = {0};
	struct tvq_queue q;
	void *cookie;
	uint32_t i, n = 0, len;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, size, 0), 0);
	for (i = 0; i < 20; i++)
		tvq_post_publish(&q, i);
	for (i = 0; i < 5; i++)
		tvq_pop_push_publish(&q);
	CU_ASSERT_EQUAL(TVQ_FN(drv_get_used)(&q.drv, &cookie, &len), 0);
	seen[tvq_seq_of_cookie(cookie)]++;
	CU_ASSERT_EQUAL(TVQ_FN(drv_add_buf)(&q.drv, 1, 1, 0, tvq_cookie_of(20)),
	                0); /* unpublished */
	while ((cookie = TVQ_FN(drv_detach_unused)(&q.drv)) != NULL) {
		seen[tvq_seq_of_cookie(cookie)]++;
		n++;
	}
	CU_ASSERT_EQUAL(n, 20);
	for (i = 0; i <= 20; i++)
		CU_ASSERT_EQUAL(seen[i], 1);
	CU_ASSERT_EQUAL(TVQ_FN(drv_free_count)(&q.drv), size);
	tvq_close(&q);
}

#endif /* TEST_VIRTQ_COMMON_H */
