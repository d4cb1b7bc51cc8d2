/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring vector Rx, AVX2 (built with -mavx2): 4 used entries per 256-bit compare; each mbuf
 * written with one 32-byte store.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_USED_PER_GROUP 4
#define VEC_RECV_FN vionet_recv_split_avx2
#define VEC_RECV_MRG_FN vionet_recv_split_mrg_avx2

typedef __m256i vec_t;

/* (id, len) in every pair of 32-bit lanes */
static __rte_always_inline vec_t
vec_set_pairs(uint32_t id, uint32_t len)
{
	return _mm256_set1_epi64x((int64_t)((uint64_t)len << 32 | id));
}

/* the entry number of each id lane in a group */
static __rte_always_inline vec_t
vec_lane_ids(void)
{
	return _mm256_set_epi32(0, 3, 0, 2, 0, 1, 0, 0);
}

/* rearm_data, ol_flags and rx_descriptor_fields1 are 32 contiguous bytes of the first line */
static __rte_always_inline void
vec_mbuf_store(struct rte_mbuf *m, __m128i rearm_ol, __m128i fields1)
{
	_mm256_storeu_si256((__m256i *)(void *)&m->rearm_data, _mm256_set_m128i(fields1, rearm_ol));
}

/* The group at e read once into copy[]; whether every entry is within [lo, hi], its ids offset by
 * the expected ones (struct vec_bounds). */
static __rte_always_inline bool
vec_group_in_bounds(const struct virtq_split_used_elem *e, struct virtq_split_used_elem *copy,
		    vec_t lo, vec_t hi, vec_t id_mask, vec_t lane_ids, uint16_t first_id)
{
	vec_t used = _mm256_loadu_si256((const __m256i *)(const void *)e);

	_mm256_storeu_si256((__m256i *)(void *)copy, used);
	vec_t ids = _mm256_and_si256(_mm256_add_epi32(_mm256_set1_epi64x(first_id), lane_ids),
				     id_mask);
	vec_t clamped = _mm256_min_epu32(_mm256_max_epu32(used, _mm256_or_si256(lo, ids)),
					 _mm256_or_si256(hi, ids));

	return _mm256_movemask_epi8(_mm256_cmpeq_epi32(clamped, used)) == -1;
}

#include "rxtx/rxtx_split_vec.h"
