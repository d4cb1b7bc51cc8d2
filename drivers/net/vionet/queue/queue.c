/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx and Tx queue set-up and release: ring sizes, the Rx buffer layout, the Tx header slots, the
 * thresholds ethdev passes; what a queue's ring still holds goes back to its pool.
 */
#include "queue/queue.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "base/vionet_log.h"

uint16_t
vionet_queue_max_size(struct vionet_hw *hw)
{
	return vionet_vq_size_fit(hw, VIONET_QUEUE_SIZE_MAX, hw->tp.ops->get_queue_max_size(&hw->tp, 0));
}

uint16_t
vionet_queue_default_size(struct vionet_hw *hw)
{
	uint16_t size = hw->tp.devargs.queue_size != 0 ? hw->tp.devargs.queue_size : VIONET_QUEUE_SIZE_DEFAULT;

	return RTE_MIN(size, vionet_queue_max_size(hw));
}

/*
 * The ring size of a queue: the devarg queue_size when given (it is the device's setting), else what
 * the application asked, rounded up to a power of two for split rings and clamped to the device.
 */
static uint16_t
ring_size_for(struct vionet_hw *hw, uint16_t nb_desc)
{
	uint32_t size = hw->tp.devargs.queue_size != 0 ? hw->tp.devargs.queue_size : nb_desc;

	if (size == 0)
		size = vionet_queue_default_size(hw);
	size = RTE_MAX(size, (uint32_t)VIONET_QUEUE_SIZE_MIN);
	/* Rounded up to a power of two for split rings before the device's limit applies. */
	if (!vionet_has_feature(hw, VIONET_F_RING_PACKED))
		size = rte_align32pow2(size);
	size = RTE_MIN(size, (uint32_t)vionet_queue_max_size(hw));
	return (uint16_t)size;
}

/*
 * A queue that stays stopped when the port starts is one the device must stop alone later, or
 * never enable: either needs VIRTIO_F_RING_RESET (queue_start.c says which).
 */
static int
check_deferred_start(struct vionet_hw *hw, const char *kind, uint16_t queue_id, bool deferred)
{
	const char *why = hw->tp.ops->no_queue_reset;

	if (!deferred || vionet_has_feature(hw, VIONET_F_RING_RESET))
		return 0;
	VIONET_INIT_LOG(ERR,
			"%s: %s queue %u: deferred start needs VIRTIO_F_RING_RESET, which the device "
			"did not offer%s%s%s",
			hw->tp.name, kind, queue_id, why != NULL ? " (" : "", why != NULL ? why : "",
			why != NULL ? ")" : "");
	return -EINVAL;
}

void
vionet_queue_drain(struct vionet_vq *vq)
{
	struct rte_mbuf *m;

	if (vq->state == NULL)
		return;
	while ((m = vionet_vq_detach_unused(vq)) != NULL)
		rte_pktmbuf_free(m);
}

int
vionet_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
		      unsigned int socket_id, const struct rte_eth_rxconf *conf,
		      struct rte_mempool *mp)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int socket = socket_id == (unsigned int)SOCKET_ID_ANY ? hw->tp.numa_node : (int)socket_id;
	uint16_t size = ring_size_for(hw, nb_desc);
	uint32_t data_room = rte_pktmbuf_data_room_size(mp);
	struct vionet_rxq *rxq;
	int ret;

	if (data_room < RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN || RTE_PKTMBUF_HEADROOM < hw->net_hdr_size) {
		VIONET_INIT_LOG(ERR, "%s: Rx queue %u: mbuf data room %u too small", hw->tp.name, queue_id,
				data_room);
		return -EINVAL;
	}
	ret = check_deferred_start(hw, "Rx", queue_id, conf->rx_deferred_start != 0);
	if (ret < 0)
		return ret;
	if (conf->rx_free_thresh >= size) {
		VIONET_INIT_LOG(ERR, "%s: Rx queue %u: rx_free_thresh %u must be below the ring size %u",
				hw->tp.name, queue_id, conf->rx_free_thresh, size);
		return -EINVAL;
	}
	rxq = rte_zmalloc_socket("vionet_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, socket);
	if (rxq == NULL)
		return -ENOMEM;
	ret = vionet_vq_alloc(&rxq->vq, hw, (uint16_t)(2 * queue_id), size, socket);
	if (ret < 0) {
		rte_free(rxq);
		return ret;
	}
	rxq->mp = mp;
	rxq->deferred_start = conf->rx_deferred_start != 0;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = queue_id;
	rxq->ring_size = size;
	rxq->hdr_size = hw->net_hdr_size;
	/* The header lands in headroom just before data_off; the frame at data_off. */
	rxq->buf_len = data_room - RTE_PKTMBUF_HEADROOM + hw->net_hdr_size;
	rxq->use_va = hw->tp.use_va;
	rxq->mrg_rxbuf = vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF);
	rxq->vlan_strip = (dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) != 0;
	vionet_rxq_apply_offloads(rxq, hw, dev->data->dev_conf.rxmode.offloads | conf->offloads);
	/* Buffers go back to the device once this many slots are free (ethdev's rx_free_thresh): one
	 * publish and notification check per refill instead of per burst. */
	rxq->refill_thresh = conf->rx_free_thresh != 0
				     ? conf->rx_free_thresh
				     : RTE_MIN((uint16_t)VIONET_RX_REFILL_DEFAULT, (uint16_t)(size / 4));
	if (!rxq->mrg_rxbuf && !vionet_rxq_buffer_fits(rxq, dev->data->mtu))
		VIONET_INIT_LOG(WARNING,
				"%s: Rx queue %u: %u-byte buffers hold no %u-byte MTU frame without "
				"mrg_rxbuf; larger frames are dropped by the device",
				hw->tp.name, queue_id, rxq->buf_len - hw->net_hdr_size, dev->data->mtu);
	dev->data->rx_queues[queue_id] = rxq;
	return 0;
}

void
vionet_rxq_apply_offloads(struct vionet_rxq *rxq, const struct vionet_hw *hw, uint64_t rx_offloads)
{
	/*
	 * Read the header's offload fields only when the application asked for them: the header shares
	 * a cache line the device just wrote, and an io forwarder would otherwise pay that miss per
	 * packet for flags it ignores.
	 */
	rxq->offloads = (hw->tp.features & (VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM) |
					    VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) |
					    VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6))) != 0 &&
			(rx_offloads & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
					RTE_ETH_RX_OFFLOAD_TCP_LRO)) != 0;
	rxq->lro = (hw->tp.features & (VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) |
				       VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6))) != 0 &&
		   (rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0;
	rxq->hash_report = vionet_has_feature(hw, VIONET_NET_F_HASH_REPORT) &&
			   (rx_offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH) != 0;
	rxq->ptype_mask = hw->port.rx_ptype_mask;
}

void
vionet_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct vionet_rxq *rxq = dev->data->rx_queues[queue_id];

	if (rxq == NULL)
		return;
	vionet_queue_drain(&rxq->vq);
	vionet_rxq_drop_partial(rxq);
	vionet_vq_free(&rxq->vq);
	rte_free(rxq);
	dev->data->rx_queues[queue_id] = NULL;
}

int
vionet_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
		      unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int socket = socket_id == (unsigned int)SOCKET_ID_ANY ? hw->tp.numa_node : (int)socket_id;
	uint16_t size = ring_size_for(hw, nb_desc);
	char mz_name[RTE_MEMZONE_NAMESIZE];
	struct vionet_txq *txq;
	int ret;

	ret = check_deferred_start(hw, "Tx", queue_id, conf->tx_deferred_start != 0);
	if (ret < 0)
		return ret;
	if (conf->tx_free_thresh >= size) {
		VIONET_INIT_LOG(ERR, "%s: Tx queue %u: tx_free_thresh %u must be below the ring size %u",
				hw->tp.name, queue_id, conf->tx_free_thresh, size);
		return -EINVAL;
	}
	txq = rte_zmalloc_socket("vionet_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, socket);
	if (txq == NULL)
		return -ENOMEM;
	ret = vionet_vq_alloc(&txq->vq, hw, (uint16_t)(2 * queue_id + 1), size, socket);
	if (ret < 0) {
		rte_free(txq);
		return ret;
	}
	snprintf(mz_name, sizeof(mz_name), "vionet_p%u_txh%u", dev->data->port_id, queue_id);
	txq->slots_mz = rte_memzone_reserve_aligned(mz_name, sizeof(struct vionet_tx_slot) * size,
						    socket, RTE_MEMZONE_IOVA_CONTIG,
						    RTE_CACHE_LINE_SIZE);
	if (txq->slots_mz == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot reserve the Tx header area of queue %u", hw->tp.name,
				queue_id);
		vionet_vq_free(&txq->vq);
		rte_free(txq);
		return -ENOMEM;
	}
	txq->slots = txq->slots_mz->addr;
	txq->slots_dev_addr = vionet_dev_mem_addr(hw, txq->slots_mz);
	txq->deferred_start = conf->tx_deferred_start != 0;
	txq->port_id = dev->data->port_id;
	txq->queue_id = queue_id;
	txq->ring_size = size;
	txq->hdr_size = hw->net_hdr_size;
	txq->use_va = hw->tp.use_va;
	vionet_txq_apply_features(txq, hw);
	txq->free_thresh = conf->tx_free_thresh != 0 ? conf->tx_free_thresh
						     : RTE_MIN((uint16_t)VIONET_BURST_MAX, size / 4);
	dev->data->tx_queues[queue_id] = txq;
	return 0;
}

void
vionet_txq_apply_features(struct vionet_txq *txq, const struct vionet_hw *hw)
{
	uint64_t allowed = RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6;

	txq->indirect = vionet_has_feature(hw, VIONET_F_INDIRECT_DESC);
	/* 5.1.6.2 Packet Transmission: a partial checksum needs CSUM, each GSO type its HOST_TSO. */
	if (vionet_has_feature(hw, VIONET_NET_F_CSUM))
		allowed |= RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
	if (vionet_has_feature(hw, VIONET_NET_F_HOST_TSO4) ||
	    vionet_has_feature(hw, VIONET_NET_F_HOST_TSO6))
		allowed |= RTE_MBUF_F_TX_TCP_SEG;
	txq->ol_flags_allowed = allowed;
	txq->tso4 = vionet_has_feature(hw, VIONET_NET_F_HOST_TSO4);
	txq->tso6 = vionet_has_feature(hw, VIONET_NET_F_HOST_TSO6);
	txq->max_frame_len = (uint32_t)hw->max_mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
}

void
vionet_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct vionet_txq *txq = dev->data->tx_queues[queue_id];

	if (txq == NULL)
		return;
	vionet_queue_drain(&txq->vq);
	rte_memzone_free(txq->slots_mz);
	vionet_vq_free(&txq->vq);
	rte_free(txq);
	dev->data->tx_queues[queue_id] = NULL;
}

bool
vionet_rx_buffers_fit(struct rte_eth_dev *dev, uint16_t mtu)
{
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[i];

		if (rxq != NULL && !vionet_rxq_buffer_fits(rxq, mtu))
			return false;
	}
	return true;
}

void
vionet_rxq_drop_partial(struct vionet_rxq *rxq)
{
	rte_pktmbuf_free(rxq->mrg_head);
	rxq->mrg_head = NULL;
	rxq->mrg_tail = NULL;
	rxq->mrg_left = 0;
}

uint32_t
vionet_rx_queue_count(void *rx_queue)
{
	struct vionet_rxq *rxq = rx_queue;
	struct vionet_vq *vq = &rxq->vq;
	uint32_t n;

	/* A reconnect may be re-creating the ring on the control thread: stay off it, as a burst
	 * does (the split count also writes ring state: its used.idx cache, broken on a jump). */
	if (unlikely(!vionet_vq_gate_enter(&vq->gate)))
		return 0;
	n = vq->packed_ring ? virtq_packed_drv_used_count(&vq->packed)
			    : virtq_split_drv_used_count(&vq->split);
	vionet_vq_gate_exit(&vq->gate);
	return n;
}
