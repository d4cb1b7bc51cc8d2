/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring vector Rx, AVX512 F/BW/VL (built with -mavx512f -mavx512bw -mavx512vl): 8 used entries
 * per 512-bit compare; each mbuf written with one 32-byte store.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_USED_PER_GROUP 8
#define VEC_RECV_FN vionet_recv_split_avx512
#define VEC_RECV_MRG_FN vionet_recv_split_mrg_avx512

typedef __m512i vec_t;

/* (id, len) in every pair of 32-bit lanes */
static __rte_always_inline vec_t
vec_set_pairs(uint32_t id, uint32_t len)
{
	return _mm512_set1_epi64((int64_t)((uint64_t)len << 32 | id));
}

/* the entry number of each id lane in a group */
static __rte_always_inline vec_t
vec_lane_ids(void)
{
	return _mm512_set_epi32(0, 7, 0, 6, 0, 5, 0, 4, 0, 3, 0, 2, 0, 1, 0, 0);
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
	vec_t used = _mm512_loadu_si512((const void *)e);

	_mm512_storeu_si512((void *)copy, used);
	vec_t ids = _mm512_and_si512(_mm512_add_epi32(_mm512_set1_epi64(first_id), lane_ids),
				     id_mask);
	vec_t clamped = _mm512_min_epu32(_mm512_max_epu32(used, _mm512_or_si512(lo, ids)),
					 _mm512_or_si512(hi, ids));

	return _mm512_cmpeq_epi32_mask(clamped, used) == 0xffff;
}

#include "rxtx/rxtx_split_vec.h"
