/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring vector Rx, AVX512 F/BW/VL (built with -mavx512f -mavx512bw -mavx512vl): groups of 8
 * descriptors, four per 512-bit vector; each mbuf written with one 32-byte store.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_DESCS_PER_GROUP 8
#define VEC_RECV_FN vionet_recv_packed_avx512
#define VEC_RECV_MRG_FN vionet_recv_packed_mrg_avx512

typedef __m512i vec_t;

/* the descriptor (lo, hi) in the vector */
static __rte_always_inline vec_t
vec_set_desc(uint64_t lo, uint64_t hi)
{
	return _mm512_set_epi64((int64_t)hi, (int64_t)lo, (int64_t)hi, (int64_t)lo, (int64_t)hi,
				(int64_t)lo, (int64_t)hi, (int64_t)lo);
}

/* four descriptors per vector: 0 to 3 in their id lanes */
static __rte_always_inline vec_t
vec_lane_ids(void)
{
	return _mm512_set_epi32(3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
}

/* rearm_data, ol_flags and rx_descriptor_fields1 are 32 contiguous bytes of the first line */
static __rte_always_inline void
vec_mbuf_store(struct rte_mbuf *m, __m128i rearm_ol, __m128i fields1)
{
	_mm256_storeu_si256((__m256i *)(void *)&m->rearm_data, _mm256_set_m128i(fields1, rearm_ol));
}

/* Whether (desc & mask) == used for every descriptor of the group at d. */
static __rte_always_inline bool
vec_group_used(const struct virtq_packed_desc *d, vec_t mask, vec_t used)
{
	__mmask8 bad = 0;

	for (unsigned int j = 0; j < VEC_DESCS_PER_GROUP; j += 4) {
		vec_t v = _mm512_loadu_si512((const void *)&d[j]);

		bad |= _mm512_cmpneq_epu64_mask(_mm512_and_si512(v, mask), used);
	}
	return bad == 0;
}

/*
 * The group at d read once into copy[]; whether every descriptor, masked to len and id (keep), is
 * within [lo, hi], its id offset by the expected one (struct vec_bounds).
 */
static __rte_always_inline bool
vec_group_in_bounds(const struct virtq_packed_desc *d, struct virtq_packed_desc *copy, vec_t keep,
		    vec_t lo, vec_t hi, vec_t id_mask, vec_t lane_ids, uint16_t first_id)
{
	__mmask16 bad = 0;

	for (unsigned int j = 0; j < VEC_DESCS_PER_GROUP; j += 4) {
		vec_t v = _mm512_loadu_si512((const void *)&d[j]);
		vec_t ids = _mm512_and_si512(
			_mm512_add_epi32(_mm512_set1_epi32(first_id + j), lane_ids), id_mask);
		vec_t kept = _mm512_and_si512(v, keep);
		vec_t clamped = _mm512_min_epu32(_mm512_max_epu32(kept, _mm512_or_si512(lo, ids)),
						 _mm512_or_si512(hi, ids));

		_mm512_storeu_si512((void *)&copy[j], v);
		bad |= _mm512_cmpneq_epu32_mask(kept, clamped);
	}
	return bad == 0;
}

#include "rxtx/rxtx_packed_vec.h"
