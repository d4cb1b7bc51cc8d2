/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one place burst functions are chosen: at dev_start, from the negotiated ring layout and Rx
 * buffer scheme, the devargs, the EAL's SIMD limit, the CPU and the Rx offloads; Rx and Tx each
 * from a table of their own. Rows are tried in order; the first whose conditions hold wins. A vector
 * row sits above the scalar row of its layout; it is compiled only where the compiler has its target
 * (VIONET_VEC_* from meson.build).
 */
#include <stdio.h>

#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "device/device.h"
#include "base/vionet_log.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"

/* An Rx burst function and what it needs: a ring layout, an Rx buffer scheme, a vector width. */
struct rx_path {
	const char *name;
	bool packed;
	bool mrg_rxbuf;
	uint16_t simd_bits; /* 0: scalar; else the vector width (VIONET_VECTOR_*) its code needs */
	eth_rx_burst_t fn;
};

/* A Tx burst function: both Rx buffer schemes send alike. */
struct tx_path {
	const char *name;
	bool packed;
	uint16_t simd_bits;
	eth_tx_burst_t fn;
};

static const struct rx_path rx_paths[] = {
#ifdef VIONET_VEC_AVX512
	{"split avx512", false, false, VIONET_VECTOR_AVX512, vionet_recv_split_avx512},
#endif
#ifdef VIONET_VEC_AVX2
	{"split avx2", false, false, VIONET_VECTOR_AVX2, vionet_recv_split_avx2},
#endif
#ifdef VIONET_VEC_SSE
	{"split sse", false, false, VIONET_VECTOR_SSE, vionet_recv_split_sse},
#endif
	{"split scalar", false, false, 0, vionet_recv_split},
#ifdef VIONET_VEC_AVX512
	{"split mergeable avx512", false, true, VIONET_VECTOR_AVX512, vionet_recv_split_mrg_avx512},
#endif
#ifdef VIONET_VEC_AVX2
	{"split mergeable avx2", false, true, VIONET_VECTOR_AVX2, vionet_recv_split_mrg_avx2},
#endif
#ifdef VIONET_VEC_SSE
	{"split mergeable sse", false, true, VIONET_VECTOR_SSE, vionet_recv_split_mrg_sse},
#endif
	{"split mergeable scalar", false, true, 0, vionet_recv_split_mrg},
#ifdef VIONET_VEC_AVX512
	{"packed avx512", true, false, VIONET_VECTOR_AVX512, vionet_recv_packed_avx512},
#endif
#ifdef VIONET_VEC_AVX2
	{"packed avx2", true, false, VIONET_VECTOR_AVX2, vionet_recv_packed_avx2},
#endif
#ifdef VIONET_VEC_SSE
	{"packed sse", true, false, VIONET_VECTOR_SSE, vionet_recv_packed_sse},
#endif
	{"packed scalar", true, false, 0, vionet_recv_packed},
#ifdef VIONET_VEC_AVX512
	{"packed mergeable avx512", true, true, VIONET_VECTOR_AVX512, vionet_recv_packed_mrg_avx512},
#endif
#ifdef VIONET_VEC_AVX2
	{"packed mergeable avx2", true, true, VIONET_VECTOR_AVX2, vionet_recv_packed_mrg_avx2},
#endif
#ifdef VIONET_VEC_SSE
	{"packed mergeable sse", true, true, VIONET_VECTOR_SSE, vionet_recv_packed_mrg_sse},
#endif
	{"packed mergeable scalar", true, true, 0, vionet_recv_packed_mrg},
};

static const struct tx_path tx_paths[] = {
#ifdef VIONET_VEC_AVX512
	{"split avx512", false, VIONET_VECTOR_AVX512, vionet_xmit_split_avx512},
#endif
#ifdef VIONET_VEC_AVX2
	{"split avx2", false, VIONET_VECTOR_AVX2, vionet_xmit_split_avx2},
#endif
#ifdef VIONET_VEC_SSE
	{"split sse", false, VIONET_VECTOR_SSE, vionet_xmit_split_sse},
#endif
	{"split scalar", false, 0, vionet_xmit_split},
#ifdef VIONET_VEC_AVX512
	{"packed avx512", true, VIONET_VECTOR_AVX512, vionet_xmit_packed_avx512},
#endif
#ifdef VIONET_VEC_AVX2
	{"packed avx2", true, VIONET_VECTOR_AVX2, vionet_xmit_packed_avx2},
#endif
#ifdef VIONET_VEC_SSE
	{"packed sse", true, VIONET_VECTOR_SSE, vionet_xmit_packed_sse},
#endif
	{"packed scalar", true, 0, vionet_xmit_packed},
};

static bool
rx_layout_fits(const struct rx_path *p, const struct vionet_hw *hw)
{
	if (p->packed != vionet_has_feature(hw, VIONET_F_RING_PACKED))
		return false;
	return p->mrg_rxbuf == vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF);
}

static bool
tx_layout_fits(const struct tx_path *p, const struct vionet_hw *hw)
{
	return p->packed == vionet_has_feature(hw, VIONET_F_RING_PACKED);
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

/*
 * Whether the port's Rx queues ask for what vector Rx row p does not do; if so, what, in 'why'. The
 * split rows read the header's offload flags and strip VLAN tags per packet (rxtx_split_vec.h); the
 * packed rows, mergeable or not, do neither.
 */
static bool
rx_queues_need_scalar(const struct rx_path *p, const struct rte_eth_dev *dev, char *why,
		      size_t why_len)
{
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		if (rxq->ptype_mask != 0) {
			snprintf(why, why_len, "packet types asked for (the vector Rx paths parse no "
				 "frame)");
			return true;
		}
		if (!p->packed)
			continue;
		if (rxq->vlan_strip) {
			snprintf(why, why_len, "VLAN strip is on (the packed vector Rx paths do not "
				 "strip)");
			return true;
		}
		if (rxq->offloads || rxq->hash_report) {
			snprintf(why, why_len, "Rx checksum/LRO offloads or the RSS hash are on (the "
				 "packed vector Rx paths read no virtio-net header)");
			return true;
		}
	}
	return false;
}

/* The first Rx row that fits the port; its index. A vector row passed over leaves its reason in
 * 'why'. */
static unsigned int
rx_path_choose(const struct rte_eth_dev *dev, const struct vionet_hw *hw, uint16_t allowed,
	       const char *allowed_why, char *why, size_t why_len)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(rx_paths); i++) {
		const struct rx_path *p = &rx_paths[i];

		if (!rx_layout_fits(p, hw))
			continue;
		if (p->simd_bits == 0)
			break;
		if (p->simd_bits > allowed)
			snprintf(why, why_len, "%s", allowed_why);
		else if (!rx_queues_need_scalar(p, dev, why, why_len))
			break;
	}
	return i;
}

static unsigned int
tx_path_choose(const struct vionet_hw *hw, uint16_t allowed, const char *allowed_why, char *why,
	       size_t why_len)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(tx_paths); i++) {
		const struct tx_path *p = &tx_paths[i];

		if (!tx_layout_fits(p, hw))
			continue;
		if (p->simd_bits == 0 || p->simd_bits <= allowed)
			break;
		snprintf(why, why_len, "%s", allowed_why);
	}
	return i;
}

void
vionet_rxtx_select(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	char allowed_why[96], rx_why[128] = "", tx_why[128] = "";
	uint16_t allowed = allowed_simd_bits(hw, allowed_why, sizeof(allowed_why));
	unsigned int rx = rx_path_choose(dev, hw, allowed, allowed_why, rx_why, sizeof(rx_why));
	unsigned int tx = tx_path_choose(hw, allowed, allowed_why, tx_why, sizeof(tx_why));

	/* every layout has a scalar row of each direction */
	RTE_VERIFY(rx < RTE_DIM(rx_paths) && tx < RTE_DIM(tx_paths));
	hw->port.rx_path = rx;
	hw->port.tx_path = tx;
	dev->rx_pkt_burst = rx_paths[rx].fn;
	dev->tx_pkt_burst = tx_paths[tx].fn;
	/* a vector row of this layout was passed over: say why, once per start */
	if (rx_paths[rx].simd_bits == 0 && rx_why[0] != '\0')
		VIONET_INIT_LOG(INFO, "%s: port %u: no vector Rx path: %s", hw->tp.name,
				dev->data->port_id, rx_why);
	if (tx_paths[tx].simd_bits == 0 && tx_why[0] != '\0')
		VIONET_INIT_LOG(INFO, "%s: port %u: no vector Tx path: %s", hw->tp.name,
				dev->data->port_id, tx_why);
	VIONET_INIT_LOG(INFO, "%s: port %u burst functions: Rx %s, Tx %s%s", hw->tp.name,
			dev->data->port_id, rx_paths[rx].name, tx_paths[tx].name,
			vionet_has_feature(hw, VIONET_F_IN_ORDER) ? " (in-order ring)" : "");
}

void
vionet_rxtx_attach(struct rte_eth_dev *dev)
{
	const struct vionet_hw *hw = vionet_hw_of(dev);

	/* Row indexes, not function pointers: the primary's pointers are into its own copy of us. */
	if (!hw->port.started || hw->port.rx_path >= RTE_DIM(rx_paths) ||
	    hw->port.tx_path >= RTE_DIM(tx_paths)) {
		VIONET_INIT_LOG(WARNING, "%s: port %u is not started by the primary: this process's "
				"bursts return nothing until it attaches again after the start", hw->tp.name,
				dev->data->port_id);
		dev->rx_pkt_burst = vionet_rx_burst_stopped;
		dev->tx_pkt_burst = vionet_tx_burst_stopped;
		return;
	}
	dev->rx_pkt_burst = rx_paths[hw->port.rx_path].fn;
	dev->tx_pkt_burst = tx_paths[hw->port.tx_path].fn;
	VIONET_INIT_LOG(INFO, "%s: port %u burst functions (the primary's): Rx %s, Tx %s",
			hw->tp.name, dev->data->port_id, rx_paths[hw->port.rx_path].name,
			tx_paths[hw->port.tx_path].name);
}

const char *
vionet_rx_path_name(const struct rte_eth_dev *dev)
{
	const struct vionet_hw *hw = dev->data->dev_private;

	if (!hw->port.started || hw->port.rx_path >= RTE_DIM(rx_paths))
		return "stopped";
	return rx_paths[hw->port.rx_path].name;
}

const char *
vionet_tx_path_name(const struct rte_eth_dev *dev)
{
	const struct vionet_hw *hw = dev->data->dev_private;

	if (!hw->port.started || hw->port.tx_path >= RTE_DIM(tx_paths))
		return "stopped";
	return tx_paths[hw->port.tx_path].name;
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
