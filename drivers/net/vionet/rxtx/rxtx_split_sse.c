/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring vector Rx, SSE4.2 (built with -msse4.2): 2 used entries per 128-bit compare; each mbuf
 * written with two 16-byte stores.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_USED_PER_GROUP 2
#define VEC_RECV_FN vionet_recv_split_sse
#define VEC_RECV_MRG_FN vionet_recv_split_mrg_sse

typedef __m128i vec_t;

/* (id, len) in every pair of 32-bit lanes */
static __rte_always_inline vec_t
vec_set_pairs(uint32_t id, uint32_t len)
{
	return _mm_set1_epi64x((int64_t)((uint64_t)len << 32 | id));
}

/* the entry number of each id lane in a group */
static __rte_always_inline vec_t
vec_lane_ids(void)
{
	return _mm_set_epi32(0, 1, 0, 0);
}

static __rte_always_inline void
vec_mbuf_store(struct rte_mbuf *m, __m128i rearm_ol, __m128i fields1)
{
	_mm_storeu_si128((__m128i *)(void *)&m->rearm_data, rearm_ol);
	_mm_storeu_si128((__m128i *)(void *)&m->rx_descriptor_fields1, fields1);
}

/* The group at e read once into copy[]; whether every entry is within [lo, hi], its ids offset by
 * the expected ones (struct vec_bounds). */
static __rte_always_inline bool
vec_group_in_bounds(const struct virtq_split_used_elem *e, struct virtq_split_used_elem *copy,
		    vec_t lo, vec_t hi, vec_t id_mask, vec_t lane_ids, uint16_t first_id)
{
	vec_t used = _mm_loadu_si128((const __m128i *)(const void *)e);

	_mm_storeu_si128((__m128i *)(void *)copy, used);
	vec_t ids = _mm_and_si128(_mm_add_epi32(_mm_set1_epi64x(first_id), lane_ids), id_mask);
	vec_t clamped = _mm_min_epu32(_mm_max_epu32(used, _mm_or_si128(lo, ids)),
				      _mm_or_si128(hi, ids));

	return _mm_movemask_epi8(_mm_cmpeq_epi32(clamped, used)) == 0xffff;
}

#include "rxtx/rxtx_split_vec.h"
