/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring vector Rx, AVX2 (built with -mavx2): groups of 4 descriptors, two per 256-bit vector;
 * each mbuf written with one 32-byte store.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_DESCS_PER_GROUP 4
#define VEC_RECV_FN vionet_recv_packed_avx2
#define VEC_RECV_MRG_FN vionet_recv_packed_mrg_avx2

typedef __m256i vec_t;

/* the descriptor (lo, hi) in the vector */
static __rte_always_inline vec_t
vec_set_desc(uint64_t lo, uint64_t hi)
{
	return _mm256_set_epi64x((int64_t)hi, (int64_t)lo, (int64_t)hi, (int64_t)lo);
}

/* two descriptors per vector: 0 and 1 in their id lanes */
static __rte_always_inline vec_t
vec_lane_ids(void)
{
	return _mm256_set_epi32(1, 0, 0, 0, 0, 0, 0, 0);
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
	vec_t diff = _mm256_setzero_si256();

	for (unsigned int j = 0; j < VEC_DESCS_PER_GROUP; j += 2) {
		vec_t v = _mm256_loadu_si256((const __m256i *)(const void *)&d[j]);

		diff = _mm256_or_si256(diff, _mm256_xor_si256(_mm256_and_si256(v, mask), used));
	}
	return _mm256_testz_si256(diff, diff);
}

/*
 * The group at d read once into copy[]; whether every descriptor, masked to len and id (keep), is
 * within [lo, hi], its id offset by the expected one (struct vec_bounds).
 */
static __rte_always_inline bool
vec_group_in_bounds(const struct virtq_packed_desc *d, struct virtq_packed_desc *copy, vec_t keep,
		    vec_t lo, vec_t hi, vec_t id_mask, vec_t lane_ids, uint16_t first_id)
{
	vec_t diff = _mm256_setzero_si256();

	for (unsigned int j = 0; j < VEC_DESCS_PER_GROUP; j += 2) {
		vec_t v = _mm256_loadu_si256((const __m256i *)(const void *)&d[j]);
		vec_t ids = _mm256_and_si256(
			_mm256_add_epi32(_mm256_set1_epi32(first_id + j), lane_ids), id_mask);
		vec_t kept = _mm256_and_si256(v, keep);
		vec_t clamped = _mm256_min_epu32(_mm256_max_epu32(kept, _mm256_or_si256(lo, ids)),
						 _mm256_or_si256(hi, ids));

		_mm256_storeu_si256((__m256i *)(void *)&copy[j], v);
		diff = _mm256_or_si256(diff, _mm256_xor_si256(kept, clamped));
	}
	return _mm256_testz_si256(diff, diff);
}

#include "rxtx/rxtx_packed_vec.h"
