/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring vector Rx, SSE4.2 (built with -msse4.2): groups of 4 descriptors, one 128-bit vector
 * each; each mbuf written with two 16-byte stores.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_DESCS_PER_GROUP 4
#define VEC_RECV_FN vionet_recv_packed_sse
#define VEC_RECV_MRG_FN vionet_recv_packed_mrg_sse

typedef __m128i vec_t;

/* the descriptor (lo, hi) in the vector */
static __rte_always_inline vec_t
vec_set_desc(uint64_t lo, uint64_t hi)
{
	return _mm_set_epi64x((int64_t)hi, (int64_t)lo);
}

/* one descriptor per vector: lane 0 */
static __rte_always_inline vec_t
vec_lane_ids(void)
{
	return _mm_setzero_si128();
}

static __rte_always_inline void
vec_mbuf_store(struct rte_mbuf *m, __m128i rearm_ol, __m128i fields1)
{
	_mm_storeu_si128((__m128i *)(void *)&m->rearm_data, rearm_ol);
	_mm_storeu_si128((__m128i *)(void *)&m->rx_descriptor_fields1, fields1);
}

/* Whether (desc & mask) == used for every descriptor of the group at d. */
static __rte_always_inline bool
vec_group_used(const struct virtq_packed_desc *d, vec_t mask, vec_t used)
{
	vec_t diff = _mm_setzero_si128();

	for (unsigned int j = 0; j < VEC_DESCS_PER_GROUP; j++) {
		vec_t v = _mm_loadu_si128((const __m128i *)(const void *)&d[j]);

		diff = _mm_or_si128(diff, _mm_xor_si128(_mm_and_si128(v, mask), used));
	}
	return _mm_testz_si128(diff, diff);
}

/*
 * The group at d read once into copy[]; whether every descriptor, masked to len and id (keep), is
 * within [lo, hi], its id offset by the expected one (struct vec_bounds).
 */
static __rte_always_inline bool
vec_group_in_bounds(const struct virtq_packed_desc *d, struct virtq_packed_desc *copy, vec_t keep,
		    vec_t lo, vec_t hi, vec_t id_mask, vec_t lane_ids, uint16_t first_id)
{
	vec_t diff = _mm_setzero_si128();

	for (unsigned int j = 0; j < VEC_DESCS_PER_GROUP; j++) {
		vec_t v = _mm_loadu_si128((const __m128i *)(const void *)&d[j]);
		vec_t ids = _mm_and_si128(_mm_add_epi32(_mm_set1_epi32(first_id + j), lane_ids),
					  id_mask);
		vec_t kept = _mm_and_si128(v, keep);
		vec_t clamped = _mm_min_epu32(_mm_max_epu32(kept, _mm_or_si128(lo, ids)),
					      _mm_or_si128(hi, ids));

		_mm_storeu_si128((__m128i *)(void *)&copy[j], v);
		diff = _mm_or_si128(diff, _mm_xor_si128(kept, clamped));
	}
	return _mm_testz_si128(diff, diff);
}

#include "rxtx/rxtx_packed_vec.h"
