/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring vector Tx, AVX2 (built with -mavx2): groups of 4 packets, two mbufs per 256-bit vector
 * (one per 128-bit lane).
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_TX_PER_GROUP 4
#define VEC_MBUFS_PER_VEC 2
#define VEC_XMIT_FN vionet_xmit_split_avx2

typedef __m256i vec_t;

static __rte_always_inline vec_t
vec_bcast(__m128i x)
{
	return _mm256_broadcastsi128_si256(x);
}

static __rte_always_inline vec_t
vec_load_lanes(struct rte_mbuf *const *m, size_t off)
{
	return _mm256_loadu2_m128i((const __m128i *)(const void *)((const char *)m[1] + off),
				   (const __m128i *)(const void *)((const char *)m[0] + off));
}

static __rte_always_inline vec_t
vec_and(vec_t a, vec_t b)
{
	return _mm256_and_si256(a, b);
}

static __rte_always_inline vec_t
vec_or(vec_t a, vec_t b)
{
	return _mm256_or_si256(a, b);
}

static __rte_always_inline vec_t
vec_xor(vec_t a, vec_t b)
{
	return _mm256_xor_si256(a, b);
}

static __rte_always_inline vec_t
vec_add64(vec_t a, vec_t b)
{
	return _mm256_add_epi64(a, b);
}

static __rte_always_inline vec_t
vec_subs_u16(vec_t a, vec_t b)
{
	return _mm256_subs_epu16(a, b);
}

static __rte_always_inline vec_t
vec_shuffle_bytes(vec_t a, vec_t idx)
{
	return _mm256_shuffle_epi8(a, idx);
}

static __rte_always_inline vec_t
vec_shr_8bytes(vec_t a)
{
	return _mm256_srli_si256(a, 8);
}

static __rte_always_inline bool
vec_is_zero(vec_t a)
{
	return _mm256_testz_si256(a, a);
}

static __rte_always_inline void
vec_store_descs(vec_t d, struct virtq_split_desc *desc, const uint16_t *ids)
{
	_mm_storeu_si128((__m128i *)(void *)&desc[ids[0]], _mm256_castsi256_si128(d));
	_mm_storeu_si128((__m128i *)(void *)&desc[ids[1]], _mm256_extracti128_si256(d, 1));
}

#include "rxtx/rxtx_split_tx_vec.h"
