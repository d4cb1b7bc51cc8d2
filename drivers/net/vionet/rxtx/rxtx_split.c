/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scalar burst functions over split rings (2.7 Split Virtqueues), with and without
 * IN_ORDER (lib/virtq's ring state handles in-order batches) and mergeable Rx buffers.
 */
#include "rxtx/rxtx_burst.h"
#include "rxtx/rxtx.h"

uint16_t
vionet_recv_split(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts)
{
	return rx_burst_gated(rx_queue, rx_pkts, nb_pkts, false, false);
}

uint16_t
vionet_recv_split_mrg(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts)
{
	return rx_burst_gated(rx_queue, rx_pkts, nb_pkts, false, true);
}

uint16_t
vionet_xmit_split(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	return tx_burst_gated(tx_queue, tx_pkts, nb_pkts, false);
}

int
vionet_tx_done_cleanup_split(void *tx_queue, uint32_t free_cnt)
{
	return tx_done_cleanup_gated(tx_queue, free_cnt, false);
}
