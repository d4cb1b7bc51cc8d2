/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the driver sends itself (the gratuitous packets a migrated device asks for), on a Tx queue
 * whose gate the control path holds: the scalar burst body without the gate, which would turn the
 * control path away like any burst. The ring state is the one every Tx path shares, so the vector
 * paths carry on after it.
 */
#include "rxtx/rxtx_burst.h"
#include "rxtx/rxtx.h"

uint16_t
vionet_xmit_held(struct vionet_txq *txq, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	return txq->vq.packed_ring ? tx_burst(txq, tx_pkts, nb_pkts, true)
				   : tx_burst(txq, tx_pkts, nb_pkts, false);
}
