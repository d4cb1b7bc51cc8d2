/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring vector Tx, SSE4.2 (built with -msse4.2): groups of 4 packets, each mbuf checked with
 * one 128-bit compare, each descriptor one 16-byte store.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_TX_GROUP 4
#define VEC_XMIT_FN vionet_xmit_packed_sse

struct vec_tx_consts;

static __rte_always_inline bool vec_mbufs_fit(struct rte_mbuf **m, const struct vec_tx_consts *c);
static __rte_always_inline void vec_descs_store(struct virtq_packed_desc *d, const __m128i *descs);

#include "rxtx/rxtx_packed_tx_vec.h"

/* rearm_data and ol_flags of every mbuf of the group against the fast path's (struct
 * vec_tx_consts) */
static __rte_always_inline bool
vec_mbufs_fit(struct rte_mbuf **m, const struct vec_tx_consts *c)
{
	__m128i ok = _mm_set1_epi8(-1);

	for (unsigned int j = 0; j < VEC_TX_GROUP; j++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)&m[j]->rearm_data);
		__m128i fit = _mm_and_si128(
			_mm_cmpeq_epi16(_mm_and_si128(x, c->fit_mask), c->fit_want),
			_mm_cmpeq_epi16(_mm_max_epu16(x, c->fit_headroom), x));

		ok = _mm_and_si128(ok, fit);
	}
	return _mm_movemask_epi8(ok) == 0xffff;
}

static __rte_always_inline void
vec_descs_store(struct virtq_packed_desc *d, const __m128i *descs)
{
	for (unsigned int j = 0; j < VEC_TX_GROUP; j++)
		_mm_storeu_si128((__m128i *)(void *)&d[j], descs[j]);
}
