/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring vector Tx, AVX512 F/BW/VL (built with -mavx512f -mavx512bw -mavx512vl): groups of 8
 * packets, four mbufs checked per 512-bit compare, four descriptors (a cache line's worth) per
 * 64-byte store.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_TX_GROUP 8
#define VEC_XMIT_FN vionet_xmit_packed_avx512

struct vec_tx_consts;

static __rte_always_inline bool vec_mbufs_fit(struct rte_mbuf **m, const struct vec_tx_consts *c);
static __rte_always_inline void vec_descs_store(struct virtq_packed_desc *d, const __m128i *descs);

#include "rxtx/rxtx_packed_tx_vec.h"

static __rte_always_inline __m512i
vec_join4(__m128i a, __m128i b, __m128i c, __m128i d)
{
	__m512i z = _mm512_castsi128_si512(a);

	z = _mm512_inserti32x4(z, b, 1);
	z = _mm512_inserti32x4(z, c, 2);
	return _mm512_inserti32x4(z, d, 3);
}

static __rte_always_inline __m128i
vec_load(const void *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

/* rearm_data and ol_flags of every mbuf of the group against the fast path's (struct
 * vec_tx_consts) */
static __rte_always_inline bool
vec_mbufs_fit(struct rte_mbuf **m, const struct vec_tx_consts *c)
{
	const __m512i mask = _mm512_broadcast_i32x4(c->fit_mask);
	const __m512i want = _mm512_broadcast_i32x4(c->fit_want);
	const __m512i headroom = _mm512_broadcast_i32x4(c->fit_headroom);
	__mmask32 ok = (__mmask32)-1;

	for (unsigned int j = 0; j < VEC_TX_GROUP; j += 4) {
		__m512i x = vec_join4(vec_load(&m[j]->rearm_data), vec_load(&m[j + 1]->rearm_data),
				      vec_load(&m[j + 2]->rearm_data), vec_load(&m[j + 3]->rearm_data));

		ok &= _mm512_cmpeq_epi16_mask(_mm512_and_si512(x, mask), want) &
		      _mm512_cmpeq_epi16_mask(_mm512_max_epu16(x, headroom), x);
	}
	return ok == (__mmask32)-1;
}

static __rte_always_inline void
vec_descs_store(struct virtq_packed_desc *d, const __m128i *descs)
{
	for (unsigned int j = 0; j < VEC_TX_GROUP; j += 4)
		_mm512_storeu_si512((void *)&d[j],
				    vec_join4(descs[j], descs[j + 1], descs[j + 2], descs[j + 3]));
}
