/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one place burst functions are chosen: at dev_start, from the negotiated ring layout and Rx
 * buffer scheme, the devargs and the CPU. Rows are tried in order; the first whose conditions hold
 * wins. Vector variants go above their scalar row with their CPU flag and devarg condition.
 */
#include <rte_common.h>

#include "device/device.h"
#include "base/vionet_log.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"

struct rxtx_path {
	const char *name;
	bool packed;
	bool mrg_rxbuf;
	eth_rx_burst_t rx;
	eth_tx_burst_t tx;
};

static const struct rxtx_path rxtx_paths[] = {
	{"split scalar", false, false, vionet_recv_split, vionet_xmit_split},
	{"split mergeable scalar", false, true, vionet_recv_split_mrg, vionet_xmit_split},
	{"packed scalar", true, false, vionet_recv_packed, vionet_xmit_packed},
	{"packed mergeable scalar", true, true, vionet_recv_packed_mrg, vionet_xmit_packed},
};

static bool
path_fits(const struct rxtx_path *p, const struct vionet_hw *hw)
{
	if (p->packed != vionet_has_feature(hw, VIONET_F_RING_PACKED))
		return false;
	return p->mrg_rxbuf == vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF);
}

void
vionet_rxtx_select(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	for (unsigned int i = 0; i < RTE_DIM(rxtx_paths); i++) {
		const struct rxtx_path *p = &rxtx_paths[i];

		if (!path_fits(p, hw))
			continue;
		hw->port.rxtx_path = i;
		dev->rx_pkt_burst = p->rx;
		dev->tx_pkt_burst = p->tx;
		VIONET_INIT_LOG(INFO, "%s: port %u burst functions: %s%s", hw->tp.name,
				dev->data->port_id, p->name,
				vionet_has_feature(hw, VIONET_F_IN_ORDER) ? " (in-order ring)" : "");
		return;
	}
}

void
vionet_rxtx_attach(struct rte_eth_dev *dev)
{
	const struct vionet_hw *hw = vionet_hw_of(dev);

	/* A row index, not function pointers: the primary's pointers are into its own copy of us. */
	if (!hw->port.started || hw->port.rxtx_path >= RTE_DIM(rxtx_paths)) {
		VIONET_INIT_LOG(WARNING, "%s: port %u is not started by the primary: this process's "
				"bursts return nothing until it attaches again after the start", hw->tp.name,
				dev->data->port_id);
		dev->rx_pkt_burst = vionet_rx_burst_stopped;
		dev->tx_pkt_burst = vionet_tx_burst_stopped;
		return;
	}
	dev->rx_pkt_burst = rxtx_paths[hw->port.rxtx_path].rx;
	dev->tx_pkt_burst = rxtx_paths[hw->port.rxtx_path].tx;
	VIONET_INIT_LOG(INFO, "%s: port %u burst functions (the primary's): %s", hw->tp.name,
			dev->data->port_id, rxtx_paths[hw->port.rxtx_path].name);
}

const char *
vionet_rxtx_describe(const struct rte_eth_dev *dev)
{
	const struct vionet_hw *hw = dev->data->dev_private;

	if (!hw->port.started || hw->port.rxtx_path >= RTE_DIM(rxtx_paths))
		return "stopped";
	return rxtx_paths[hw->port.rxtx_path].name;
}

uint16_t
vionet_rx_burst_stopped(void *rx_queue __rte_unused, struct rte_mbuf **rx_pkts __rte_unused,
			uint16_t nb_pkts __rte_unused)
{
	return 0;
}

uint16_t
vionet_tx_burst_stopped(void *tx_queue __rte_unused, struct rte_mbuf **tx_pkts __rte_unused,
			uint16_t nb_pkts __rte_unused)
{
	return 0;
}

int
vionet_tx_done_cleanup(void *tx_queue, uint32_t free_cnt)
{
	const struct vionet_txq *txq = tx_queue;

	return txq->vq.packed_ring ? vionet_tx_done_cleanup_packed(tx_queue, free_cnt)
				   : vionet_tx_done_cleanup_split(tx_queue, free_cnt);
}
