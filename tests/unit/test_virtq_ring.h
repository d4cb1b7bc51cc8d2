/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the virtqueue unit tests: ring memory, cookies that encode a sequence number,
 * fake buffer addresses the device decodes, and a small deterministic PRNG. */
#ifndef TEST_VIRTQ_RING_H
#define TEST_VIRTQ_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "virtq_defs.h"

/* Buffers are never dereferenced by the device half unless indirect: a fake address per seq. */
#define TVQ_ADDR_BASE UINT64_C(0x100000)
#define TVQ_POSTED_LEN 2048u

static inline uint64_t
tvq_addr_of(uint32_t seq)
{
	return TVQ_ADDR_BASE + (uint64_t)seq * 64;
}

static inline uint32_t
tvq_seq_of_addr(uint64_t addr)
{
	return (uint32_t)((addr - TVQ_ADDR_BASE) / 64);
}

/* What the test device writes for a buffer: below TVQ_POSTED_LEN, derived from the seq. */
static inline uint32_t
tvq_dev_len(uint32_t seq)
{
	return seq % 1499;
}

/* Cookies are seq + 1 (never NULL). */
static inline void *
tvq_cookie_of(uint32_t seq)
{
	return (void *)(uintptr_t)(seq + 1);
}

static inline uint32_t
tvq_seq_of_cookie(void *cookie)
{
	return (uint32_t)((uintptr_t)cookie - 1);
}

static inline uint32_t
tvq_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

static inline void *
tvq_alloc(size_t bytes)
{
	size_t rounded = (bytes + 4095) & ~(size_t)4095;
	void *p = aligned_alloc(4096, rounded);

	if (p != NULL)
		memset(p, 0xa5, rounded); /* garbage, as fresh hugepage memory might hold */
	return p;
}

/* No error the driver half counts against the device has happened. */
static inline bool
tvq_err_stats_zero(const struct virtq_err_stats *e)
{
	return e->bad_id == 0 && e->not_outstanding == 0 && e->len_too_big == 0 &&
	       e->idx_jump == 0 && e->bad_wrap == 0 && e->bad_batch == 0;
}

/*
 * Book-keeping of a ping-pong run: each seq is posted once and must come back exactly once
 * with the expected length.
 */
struct tvq_ledger {
	uint8_t *returned;
	uint32_t *expect_len;
	uint32_t total;
	uint32_t posted;
	uint32_t done;
	uint32_t bad;
};

static inline void
tvq_ledger_open(struct tvq_ledger *l, uint32_t total)
{
	memset(l, 0, sizeof(*l));
	l->total = total;
	l->returned = calloc(total, 1);
	l->expect_len = calloc(total, sizeof(uint32_t));
}

static inline void
tvq_ledger_close(struct tvq_ledger *l)
{
	free(l->returned);
	free(l->expect_len);
}

/* A cookie came back with len: must be posted, not returned before, with the expected length. */
static inline void
tvq_ledger_check(struct tvq_ledger *l, void *cookie, uint32_t len)
{
	uint32_t seq = tvq_seq_of_cookie(cookie);

	if (seq >= l->posted || l->returned[seq] || l->expect_len[seq] != len) {
		l->bad++;
		return;
	}
	l->returned[seq] = 1;
	l->done++;
}

#endif /* TEST_VIRTQ_RING_H */
