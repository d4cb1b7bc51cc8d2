/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring vector Tx, AVX512 F/BW/VL (built with -mavx512f -mavx512bw -mavx512vl): groups of 8
 * packets, four mbufs per 512-bit vector (one per 128-bit lane).
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_TX_PER_GROUP 8
#define VEC_MBUFS_PER_VEC 4
#define VEC_XMIT_FN vionet_xmit_split_avx512

typedef __m512i vec_t;

static __rte_always_inline vec_t
vec_bcast(__m128i x)
{
	return _mm512_broadcast_i32x4(x);
}

static __rte_always_inline vec_t
vec_load_lanes(struct rte_mbuf *const *m, size_t off)
{
	__m256i lo = _mm256_loadu2_m128i((const __m128i *)(const void *)((const char *)m[1] + off),
					 (const __m128i *)(const void *)((const char *)m[0] + off));
	__m256i hi = _mm256_loadu2_m128i((const __m128i *)(const void *)((const char *)m[3] + off),
					 (const __m128i *)(const void *)((const char *)m[2] + off));

	return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

static __rte_always_inline vec_t
vec_and(vec_t a, vec_t b)
{
	return _mm512_and_si512(a, b);
}

static __rte_always_inline vec_t
vec_or(vec_t a, vec_t b)
{
	return _mm512_or_si512(a, b);
}

static __rte_always_inline vec_t
vec_xor(vec_t a, vec_t b)
{
	return _mm512_xor_si512(a, b);
}

static __rte_always_inline vec_t
vec_add64(vec_t a, vec_t b)
{
	return _mm512_add_epi64(a, b);
}

static __rte_always_inline vec_t
vec_subs_u16(vec_t a, vec_t b)
{
	return _mm512_subs_epu16(a, b);
}

static __rte_always_inline vec_t
vec_shuffle_bytes(vec_t a, vec_t idx)
{
	return _mm512_shuffle_epi8(a, idx);
}

static __rte_always_inline vec_t
vec_shr_8bytes(vec_t a)
{
	return _mm512_bsrli_epi128(a, 8);
}

static __rte_always_inline bool
vec_is_zero(vec_t a)
{
	return _mm512_test_epi64_mask(a, a) == 0;
}

static __rte_always_inline void
vec_store_descs(vec_t d, struct virtq_split_desc *desc, const uint16_t *ids)
{
	_mm_storeu_si128((__m128i *)(void *)&desc[ids[0]], _mm512_castsi512_si128(d));
	_mm_storeu_si128((__m128i *)(void *)&desc[ids[1]], _mm512_extracti32x4_epi32(d, 1));
	_mm_storeu_si128((__m128i *)(void *)&desc[ids[2]], _mm512_extracti32x4_epi32(d, 2));
	_mm_storeu_si128((__m128i *)(void *)&desc[ids[3]], _mm512_extracti32x4_epi32(d, 3));
}

#include "rxtx/rxtx_split_tx_vec.h"
