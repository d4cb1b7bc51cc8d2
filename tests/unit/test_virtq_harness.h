/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The queue harness of the split and packed ring tests, written once for both layouts: a driver
 * half and a device half over the same ring memory, random rounds of posting, using and harvesting
 * checked against a ledger, and the run of every feature set over a list of sizes.
 *
 * The two layouts share their API's names but for the layout word (virtq_split_drv_add_buf,
 * virtq_packed_drv_add_buf), so the harness names each call with TVQ_FN and the including file
 * picks the layout: `#define TVQ_LAYOUT split` (or packed) before the include. What differs beyond
 * the names the including file defines after the include (declared below): how the ring memory is
 * laid out and initialised, and how the device returns a buffer or an in-order batch.
 */
#ifndef TEST_VIRTQ_HARNESS_H
#define TEST_VIRTQ_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "test_virtq_ring.h"

#ifndef TVQ_LAYOUT
#error "define TVQ_LAYOUT as split or packed before including test_virtq_harness.h"
#endif

#define TVQ_CAT3_(a, b, c) a##b##c
#define TVQ_CAT3(a, b, c) TVQ_CAT3_(a, b, c)
/* TVQ_FN(drv_add_buf) is virtq_split_drv_add_buf or virtq_packed_drv_add_buf. */
#define TVQ_FN(name) TVQ_CAT3(virtq_, TVQ_LAYOUT, _##name)

#define F_EVENT VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX)
#define F_IN_ORDER VIRTQ_FEATURE(VIRTQ_F_IN_ORDER)
#define F_INDIRECT VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC)

struct tvq_queue {
	void *mem;
	void *state;
	struct TVQ_FN(drv) drv;
	struct TVQ_FN(dev) dev;
	uint16_t size;
	bool in_order;
	/* scratch for one round, sized to the queue */
	uint16_t *ids;
	uint32_t *seqs;
	uint16_t *ndescs;
	uint64_t *addrs;
	uint32_t *lens;
	void **cookies;
};

/* Defined by the including file, for its layout. */
/* Allocate q->mem for a ring of q->size and initialise both halves over it (q->state is there). */
static int tvq_layout_init(struct tvq_queue *q, uint64_t features);
/* Return one buffer of ndescs descriptors with len bytes written. */
static void tvq_dev_push(struct tvq_queue *q, uint16_t id, uint32_t len, uint16_t ndescs);
/* Return an in-order batch of nbufs buffers (ndescs descriptors) with one used entry: the last
 * buffer's, with last_len bytes written. */
static void tvq_dev_push_batch(struct tvq_queue *q, uint16_t last_id, uint32_t last_len,
                               uint16_t nbufs, uint16_t ndescs);

static int
tvq_open(struct tvq_queue *q, uint16_t size, uint64_t features)
{
	memset(q, 0, sizeof(*q));
	q->size = size;
	q->in_order = (features & F_IN_ORDER) != 0;
	q->state = tvq_alloc(TVQ_FN(drv_state_size)(size));
	q->ids = calloc(size, sizeof(*q->ids));
	q->seqs = calloc(size, sizeof(*q->seqs));
	q->ndescs = calloc(size, sizeof(*q->ndescs));
	q->addrs = calloc(size, sizeof(*q->addrs));
	q->lens = calloc(size, sizeof(*q->lens));
	q->cookies = calloc(size, sizeof(*q->cookies));
	return tvq_layout_init(q, features);
}

static void
tvq_close(struct tvq_queue *q)
{
	free(q->mem);
	free(q->state);
	free(q->ids);
	free(q->seqs);
	free(q->ndescs);
	free(q->addrs);
	free(q->lens);
	free(q->cookies);
}

/* One writable buffer of 64 bytes for seq, made available at once. */
static void
tvq_post_publish(struct tvq_queue *q, uint32_t seq)
{
	CU_ASSERT_EQUAL(TVQ_FN(drv_add_buf)(&q->drv, tvq_addr_of(seq), 64, VIRTQ_DESC_F_WRITE,
	                                    tvq_cookie_of(seq)),
	                0);
	TVQ_FN(drv_publish)(&q->drv);
}

/* The device takes the next buffer, writes one byte and returns it at once. */
static void
tvq_pop_push_publish(struct tvq_queue *q)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[1];

	CU_ASSERT_EQUAL_FATAL(TVQ_FN(dev_pop)(&q->dev, &b, sg, 1), 0);
	tvq_dev_push(q, b.id, 1, b.ndescs);
	TVQ_FN(dev_publish)(&q->dev);
}

/* Driver: post a random burst of single buffers (bulk or one by one), publish. */
static void
tvq_driver_post(struct tvq_queue *q, struct tvq_ledger *l, uint64_t *rng)
{
	uint32_t want = 1 + tvq_rand(rng) % q->size;
	uint16_t n, i;
	uint32_t mode;

	if (want > l->total - l->posted)
		want = l->total - l->posted;
	if (want > q->drv.num_free)
		want = q->drv.num_free;
	for (i = 0; i < want; i++) {
		q->addrs[i] = tvq_addr_of(l->posted + i);
		q->lens[i] = TVQ_POSTED_LEN;
		q->cookies[i] = tvq_cookie_of(l->posted + i);
	}
	mode = tvq_rand(rng) % 4;
	if (mode == 0) {
		for (n = 0; n < want; n++)
			if (TVQ_FN(drv_add_buf)(&q->drv, q->addrs[n], q->lens[n],
			                        VIRTQ_DESC_F_WRITE, q->cookies[n]) != 0)
				break;
	} else if (mode == 1 && q->drv.num_free >= 3) {
		if (want > q->drv.num_free / 3u)
			want = q->drv.num_free / 3u;
		/* chains: a readable header, then the posted length in two writable halves */
		for (n = 0; n < want; n++) {
			struct virtq_sg sg[3] = {
			        {q->addrs[n], 12},
			        {q->addrs[n] + 16, TVQ_POSTED_LEN / 2},
			        {q->addrs[n] + 16 + TVQ_POSTED_LEN / 2, TVQ_POSTED_LEN / 2}};

			if (TVQ_FN(drv_add_chain)(&q->drv, sg, 1, 2, q->cookies[n]) != 0)
				break;
		}
	} else {
		n = TVQ_FN(drv_add_bulk)(&q->drv, q->addrs, q->lens, VIRTQ_DESC_F_WRITE, q->cookies,
		                         (uint16_t)want);
	}
	CU_ASSERT_EQUAL(n, want);
	l->posted += n;
	TVQ_FN(drv_publish)(&q->drv);
}

/* Device: pop what is available; return it in reverse order, or in-order in random batches. */
static void
tvq_device_round(struct tvq_queue *q, struct tvq_ledger *l, uint64_t *rng)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[8];
	uint32_t n = 0, i;

	while (n < q->size && TVQ_FN(dev_pop)(&q->dev, &b, sg, 8) == 0) {
		q->ids[n] = b.id;
		q->ndescs[n] = b.ndescs;
		q->seqs[n] = tvq_seq_of_addr(sg[0].addr);
		n++;
	}
	if (!q->in_order) {
		for (i = n; i-- > 0;) {
			l->expect_len[q->seqs[i]] = tvq_dev_len(q->seqs[i]);
			tvq_dev_push(q, q->ids[i], tvq_dev_len(q->seqs[i]), q->ndescs[i]);
		}
	} else {
		for (i = 0; i < n;) {
			uint32_t batch = 1 + tvq_rand(rng) % 8, last, k, descs = 0;

			if (batch > n - i)
				batch = n - i;
			last = i + batch - 1;
			if (tvq_rand(rng) % 2) {
				/* one used entry: the skipped buffers count as written in full */
				for (k = i; k < last; k++)
					l->expect_len[q->seqs[k]] = TVQ_POSTED_LEN;
				for (k = i; k <= last; k++)
					descs += q->ndescs[k];
				l->expect_len[q->seqs[last]] = tvq_dev_len(q->seqs[last]);
				tvq_dev_push_batch(q, q->ids[last], tvq_dev_len(q->seqs[last]),
				                   (uint16_t)batch, (uint16_t)descs);
			} else {
				for (k = i; k <= last; k++) {
					l->expect_len[q->seqs[k]] = tvq_dev_len(q->seqs[k]);
					tvq_dev_push(q, q->ids[k], tvq_dev_len(q->seqs[k]),
					             q->ndescs[k]);
				}
			}
			i += batch;
		}
	}
	TVQ_FN(dev_publish)(&q->dev);
}

/* Driver: take back what is used, in bulk or one by one; the ledger checks each buffer. */
static void
tvq_driver_harvest(struct tvq_queue *q, struct tvq_ledger *l, uint64_t *rng)
{
	void *cookie;
	uint32_t len;

	if (tvq_rand(rng) % 2) {
		uint16_t max = (uint16_t)(1 + tvq_rand(rng) % 64), n, i;

		do {
			n = TVQ_FN(drv_get_used_bulk)(&q->drv, q->cookies, q->lens,
			                              max < q->size ? max : q->size);
			for (i = 0; i < n; i++)
				tvq_ledger_check(l, q->cookies[i], q->lens[i]);
		} while (n != 0);
	} else {
		while (TVQ_FN(drv_get_used)(&q->drv, &cookie, &len) == 0)
			tvq_ledger_check(l, cookie, len);
	}
}

/* Ping-pong `total` buffers through a queue: enough to wrap the 16-bit indexes. */
static void
tvq_pingpong(uint16_t size, uint64_t features, uint32_t total)
{
	struct tvq_ledger l;
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ size ^ features;
	uint32_t rounds = 0;
	struct tvq_queue q;

	CU_ASSERT_EQUAL_FATAL(tvq_open(&q, size, features), 0);
	tvq_ledger_open(&l, total);
	while (l.done < total && l.bad == 0 && !q.drv.broken && rounds++ < 4 * total + 100) {
		tvq_driver_post(&q, &l, &rng);
		tvq_device_round(&q, &l, &rng);
		tvq_driver_harvest(&q, &l, &rng);
	}
	CU_ASSERT_EQUAL(l.bad, 0);
	CU_ASSERT_EQUAL(l.done, total);
	CU_ASSERT_FALSE(q.drv.broken);
	CU_ASSERT_TRUE(tvq_err_stats_zero(&q.drv.err));
	CU_ASSERT_EQUAL(TVQ_FN(drv_outstanding)(&q.drv), 0);
	CU_ASSERT_EQUAL(TVQ_FN(drv_free_count)(&q.drv), size);
	CU_ASSERT_PTR_NULL(TVQ_FN(drv_detach_unused)(&q.drv));
	if (l.bad != 0 || l.done != total)
		printf("\nsize %u features %#llx: %u done, %u bad\n", size,
		       (unsigned long long)features, l.done, l.bad);
	tvq_ledger_close(&l);
	tvq_close(&q);
}

/* Every size of the list with and without event index and in-order, each wrapping its indexes. */
static void
tvq_pingpong_sizes(const uint16_t *sizes, size_t nsizes)
{
	static const uint64_t feature_sets[] = {0, F_EVENT, F_IN_ORDER, F_IN_ORDER | F_EVENT};
	size_t s, f;

	for (s = 0; s < nsizes; s++)
		for (f = 0; f < sizeof(feature_sets) / sizeof(feature_sets[0]); f++)
			tvq_pingpong(sizes[s], feature_sets[f], 70000 + 3 * (uint32_t)sizes[s]);
}

#endif /* TEST_VIRTQ_HARNESS_H */
