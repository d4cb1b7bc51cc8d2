/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring vector Tx, SSE4.2 (built with -msse4.2): groups of 2 packets, one mbuf per 128-bit
 * vector.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_TX_PER_GROUP 2
#define VEC_MBUFS_PER_VEC 1
#define VEC_XMIT_FN vionet_xmit_split_sse

typedef __m128i vec_t;

static __rte_always_inline vec_t
vec_bcast(__m128i x)
{
	return x;
}

static __rte_always_inline vec_t
vec_load_lanes(struct rte_mbuf *const *m, size_t off)
{
	return _mm_loadu_si128((const __m128i *)(const void *)((const char *)m[0] + off));
}

static __rte_always_inline vec_t
vec_and(vec_t a, vec_t b)
{
	return _mm_and_si128(a, b);
}

static __rte_always_inline vec_t
vec_or(vec_t a, vec_t b)
{
	return _mm_or_si128(a, b);
}

static __rte_always_inline vec_t
vec_xor(vec_t a, vec_t b)
{
	return _mm_xor_si128(a, b);
}

static __rte_always_inline vec_t
vec_add64(vec_t a, vec_t b)
{
	return _mm_add_epi64(a, b);
}

static __rte_always_inline vec_t
vec_subs_u16(vec_t a, vec_t b)
{
	return _mm_subs_epu16(a, b);
}

static __rte_always_inline vec_t
vec_shuffle_bytes(vec_t a, vec_t idx)
{
	return _mm_shuffle_epi8(a, idx);
}

static __rte_always_inline vec_t
vec_shr_8bytes(vec_t a)
{
	return _mm_srli_si128(a, 8);
}

static __rte_always_inline bool
vec_is_zero(vec_t a)
{
	return _mm_testz_si128(a, a);
}

static __rte_always_inline void
vec_store_descs(vec_t d, struct virtq_split_desc *desc, const uint16_t *ids)
{
	_mm_storeu_si128((__m128i *)(void *)&desc[ids[0]], d);
}

#include "rxtx/rxtx_split_tx_vec.h"
