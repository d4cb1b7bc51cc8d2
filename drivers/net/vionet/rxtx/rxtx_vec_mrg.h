/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mergeable buffers in the vector Rx paths, split and packed alike (rxtx_split_vec.h,
 * rxtx_packed_vec.h): a group's leading packets whole in one buffer each take the vector stores;
 * from the first whose header says other than one buffer, the rest of the group goes through the
 * scalar step (rx_mrg_buf), with the count of buffers left the scalar harvest uses.
 */
#ifndef VIONET_RXTX_VEC_MRG_H
#define VIONET_RXTX_VEC_MRG_H

#include <string.h>

#include "rxtx/rxtx_burst.h"

/*
 * How many of the group's first k packets are whole in their one buffer (num_buffers 1, read from
 * each header: 5.1.6.4 Receiving Packets), up to the first that is not.
 */
static __rte_always_inline uint16_t
vec_single_buffers(struct rte_mbuf *const *m, uint16_t k, uint16_t hdr_size)
{
	uint16_t j;

	for (j = 0; j < k; j++)
		if (rx_hdr_of(m[j], hdr_size)->num_buffers != rte_cpu_to_le_16(1))
			break;
	return j;
}

/*
 * The group's buffers from the first whose header asks for other than one buffer, each through the
 * scalar step (rx_mrg_buf), which checks num_buffers, assembles, drops and counts as the scalar
 * path does. The buffers are in rx_pkts[nb_rx..nb_rx + n); their used lengths (little-endian, 32
 * bits) at len_at, one every stride bytes (the group's copy of used entries or descriptors). The
 * packets they finish go to rx_pkts from nb_rx on. Returns the new nb_rx.
 */
static __rte_noinline uint16_t
vec_mrg_rest(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_rx,
	     const uint8_t *len_at, size_t stride, uint16_t n, uint64_t rearm, const bool packed)
{
	/* as after a harvest of these n (rx_mrg_posted): the ring state counts them taken */
	const uint16_t posted = rx_mrg_posted(rxq, n, packed);
	struct rte_mbuf **bufs = &rx_pkts[nb_rx];

	/* bufs[j] is read before rx_pkts[nb_rx] (nb_rx <= its slot) is written */
	for (uint16_t j = 0; j < n; j++) {
		uint32_t len;

		memcpy(&len, len_at + j * stride, sizeof(len));
		nb_rx = rx_mrg_buf(rxq, bufs[j], virtq_le32_to_cpu(len), (uint16_t)(posted - j),
				   rx_pkts, nb_rx, rearm);
	}
	return nb_rx;
}

#endif /* VIONET_RXTX_VEC_MRG_H */
