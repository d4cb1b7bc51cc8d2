/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring vector Tx, AVX2 (built with -mavx2): groups of 4 packets, two mbufs checked per
 * 256-bit compare, two descriptors per 32-byte store.
 */
#include <rte_vect.h>

#include "rxtx/rxtx_burst.h"

#define VEC_TX_GROUP 4
#define VEC_XMIT_FN vionet_xmit_packed_avx2

struct vec_tx_consts;

static __rte_always_inline bool vec_mbufs_fit(struct rte_mbuf **m, const struct vec_tx_consts *c);
static __rte_always_inline void vec_descs_store(struct virtq_packed_desc *d, const __m128i *descs);

#include "rxtx/rxtx_packed_tx_vec.h"

static __rte_always_inline __m256i
vec_load_pair(const void *lo, const void *hi)
{
	return _mm256_inserti128_si256(
		_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)lo)),
		_mm_loadu_si128((const __m128i *)hi), 1);
}

/* rearm_data and ol_flags of every mbuf of the group against the fast path's (struct
 * vec_tx_consts) */
static __rte_always_inline bool
vec_mbufs_fit(struct rte_mbuf **m, const struct vec_tx_consts *c)
{
	const __m256i mask = _mm256_broadcastsi128_si256(c->fit_mask);
	const __m256i want = _mm256_broadcastsi128_si256(c->fit_want);
	const __m256i headroom = _mm256_broadcastsi128_si256(c->fit_headroom);
	__m256i ok = _mm256_set1_epi8(-1);

	for (unsigned int j = 0; j < VEC_TX_GROUP; j += 2) {
		__m256i x = vec_load_pair(&m[j]->rearm_data, &m[j + 1]->rearm_data);
		__m256i fit = _mm256_and_si256(
			_mm256_cmpeq_epi16(_mm256_and_si256(x, mask), want),
			_mm256_cmpeq_epi16(_mm256_max_epu16(x, headroom), x));

		ok = _mm256_and_si256(ok, fit);
	}
	return _mm256_movemask_epi8(ok) == -1;
}

static __rte_always_inline void
vec_descs_store(struct virtq_packed_desc *d, const __m128i *descs)
{
	for (unsigned int j = 0; j < VEC_TX_GROUP; j += 2)
		_mm256_storeu_si256((__m256i *)(void *)&d[j],
				    _mm256_set_m128i(descs[j + 1], descs[j]));
}
