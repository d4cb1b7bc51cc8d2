/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scalar burst functions over packed rings (2.8 Packed Virtqueues), with and without
 * IN_ORDER (lib/virtq's ring state handles in-order batches) and mergeable Rx buffers.
 */
#include "rxtx/rxtx_burst.h"
#include "rxtx/rxtx.h"

uint16_t
vionet_recv_packed(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts)
{
	return rx_burst_gated(rx_queue, rx_pkts, nb_pkts, true, false);
}

uint16_t
vionet_recv_packed_mrg(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts)
{
	return rx_burst_gated(rx_queue, rx_pkts, nb_pkts, true, true);
}

uint16_t
vionet_xmit_packed(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	return tx_burst_gated(tx_queue, tx_pkts, nb_pkts, true);
}

int
vionet_tx_done_cleanup_packed(void *tx_queue, uint32_t free_cnt)
{
	return tx_done_cleanup_gated(tx_queue, free_cnt, true);
}
