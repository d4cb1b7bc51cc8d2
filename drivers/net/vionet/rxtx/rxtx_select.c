/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one place burst functions are chosen: at dev_start, from the negotiated ring layout and Rx
 * buffer scheme, the devargs, the EAL's SIMD limit, the CPU and the Rx offloads. Rows are tried in
 * order; the first whose conditions hold wins. A vector row sits above the scalar row of its layout;
 * it is compiled only where the compiler has its target (VIONET_VEC_* from meson.build).
 */
#include <stdio.h>

#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "device/device.h"
#include "base/vionet_log.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"

struct rxtx_path {
	const char *name;
	bool packed;
	bool mrg_rxbuf;
	uint16_t simd_bits; /* 0: scalar; else the vector width (VIONET_VECTOR_*) its code needs */
	eth_rx_burst_t rx;
	eth_tx_burst_t tx;
};

static const struct rxtx_path rxtx_paths[] = {
#ifdef VIONET_VEC_AVX512
	{"split avx512 Rx, scalar Tx", false, false, VIONET_VECTOR_AVX512, vionet_recv_split_avx512,
	 vionet_xmit_split},
#endif
#ifdef VIONET_VEC_AVX2
	{"split avx2 Rx, scalar Tx", false, false, VIONET_VECTOR_AVX2, vionet_recv_split_avx2,
	 vionet_xmit_split},
#endif
#ifdef VIONET_VEC_SSE
	{"split sse Rx, scalar Tx", false, false, VIONET_VECTOR_SSE, vionet_recv_split_sse,
	 vionet_xmit_split},
#endif
	{"split scalar", false, false, 0, vionet_recv_split, vionet_xmit_split},
	{"split mergeable scalar", false, true, 0, vionet_recv_split_mrg, vionet_xmit_split},
	{"packed scalar", true, false, 0, vionet_recv_packed, vionet_xmit_packed},
	{"packed mergeable scalar", true, true, 0, vionet_recv_packed_mrg, vionet_xmit_packed},
};

static bool
layout_fits(const struct rxtx_path *p, const struct vionet_hw *hw)
{
	if (p->packed != vionet_has_feature(hw, VIONET_F_RING_PACKED))
		return false;
	return p->mrg_rxbuf == vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF);
}

/* The widest vector set the CPU runs, in bits (the AVX512 paths need F, BW and VL). */
static uint16_t
cpu_simd_bits(void)
{
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0 &&
	    rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) > 0 &&
	    rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512VL) > 0)
		return VIONET_VECTOR_AVX512;
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0)
		return VIONET_VECTOR_AVX2;
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2) > 0)
		return VIONET_VECTOR_SSE;
	return VIONET_VECTOR_SCALAR;
}

/* The widest vector path allowed: the least of the devarg, the EAL's limit and the CPU's. 'why'
 * names the limit that set it. */
static uint16_t
allowed_simd_bits(const struct vionet_hw *hw, char *why, size_t why_len)
{
	uint16_t bits = hw->tp.devargs.vector_bits_max;
	uint16_t eal = rte_vect_get_max_simd_bitwidth();
	uint16_t cpu = cpu_simd_bits();

	snprintf(why, why_len, "devarg vectorized allows %u bits", bits);
	if (eal < bits) {
		bits = eal;
		snprintf(why, why_len, "EAL max SIMD bitwidth %u (--force-max-simd-bitwidth)", eal);
	}
	if (cpu < bits) {
		bits = cpu;
		snprintf(why, why_len, "the CPU runs %u-bit vectors at most", cpu);
	}
	return bits;
}

/* Whether a vector row can serve the port; when not, why, in 'why'. The vector Rx paths read no
 * virtio-net header and strip no tag. */
static bool
vector_fits(const struct rxtx_path *p, const struct rte_eth_dev *dev, uint16_t allowed,
	    const char *allowed_why, char *why, size_t why_len)
{
	if (p->simd_bits > allowed) {
		snprintf(why, why_len, "%s", allowed_why);
		return false;
	}
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		if (rxq->vlan_strip) {
			snprintf(why, why_len, "VLAN strip is on (the vector Rx paths do not strip)");
			return false;
		}
		if (rxq->ptype_mask != 0) {
			snprintf(why, why_len, "packet types asked for (the vector Rx paths parse no "
				 "frame)");
			return false;
		}
		if (rxq->offloads) {
			snprintf(why, why_len, "Rx checksum/LRO offloads are on (the vector Rx paths "
				 "read no virtio-net header)");
			return false;
		}
	}
	return true;
}

void
vionet_rxtx_select(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	char allowed_why[96], why[128] = "";
	uint16_t allowed = allowed_simd_bits(hw, allowed_why, sizeof(allowed_why));

	for (unsigned int i = 0; i < RTE_DIM(rxtx_paths); i++) {
		const struct rxtx_path *p = &rxtx_paths[i];

		if (!layout_fits(p, hw))
			continue;
		if (p->simd_bits != 0 &&
		    !vector_fits(p, dev, allowed, allowed_why, why, sizeof(why)))
			continue;
		hw->port.rxtx_path = i;
		dev->rx_pkt_burst = p->rx;
		dev->tx_pkt_burst = p->tx;
		/* a vector row of this layout was passed over: say why, once per start */
		if (p->simd_bits == 0 && why[0] != '\0')
			VIONET_INIT_LOG(INFO, "%s: port %u: no vector path: %s", hw->tp.name,
					dev->data->port_id, why);
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
