/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue set-up and release, ring memory on the device's socket, start (rings to the transport, Rx
 * fill, DRIVER_OK) and stop (every mbuf back to its pool).
 */
#include "queue/queue.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "base/vionet_compat.h"
#include "ethdev/ethdev.h"
#include "base/vionet_log.h"
#include "queue/queue_rx_intr.h"

/* Ring block and used ring on a page boundary: what legacy PCI needs (virtio 1.x "Legacy
 * Interfaces: Virtqueue Layout", used ring at 4096), harmless for modern PCI and vhost-user. */
#define VIONET_RING_ALIGN 4096

uint16_t
vionet_queue_max_size(struct vionet_hw *hw)
{
	uint16_t max = hw->tp.ops->get_queue_max_size(&hw->tp, 0);

	if (max == 0 || max > VIONET_QUEUE_SIZE_MAX)
		max = VIONET_QUEUE_SIZE_MAX;
	if (!vionet_has_feature(hw, VIONET_F_RING_PACKED))
		max = (uint16_t)rte_align32prevpow2(max);
	return max;
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
	if (!vionet_has_feature(hw, VIONET_F_RING_PACKED))
		size = rte_align32pow2(size);
	return (uint16_t)RTE_MIN(size, (uint32_t)vionet_queue_max_size(hw));
}

static size_t
ring_mem_size(bool packed, uint16_t size)
{
	if (packed)
		return virtq_packed_mem_size(size);
	return virtq_split_mem_size(size, VIONET_RING_ALIGN);
}

static size_t
ring_state_size(bool packed, uint16_t size)
{
	if (packed)
		return virtq_packed_drv_state_size(size);
	return virtq_split_drv_state_size(size);
}

void
vionet_vq_free(struct vionet_vq *vq)
{
	rte_memzone_free(vq->ring_mz);
	vq->ring_mz = NULL;
	rte_free(vq->state);
	vq->state = NULL;
}

/* Allocates ring memory (device-visible, IOVA-contiguous) and the cookie shadow on 'socket'. */
int
vionet_vq_alloc(struct vionet_vq *vq, struct vionet_hw *hw, uint16_t vq_index, uint16_t size, int socket)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	bool packed = vionet_has_feature(hw, VIONET_F_RING_PACKED);

	vq->hw = hw;
	vq->vq_index = vq_index;
	vionet_vq_gate_init(&vq->gate);
	rte_spinlock_init(&vq->intr_lock);
	vq->packed_ring = packed;
	snprintf(mz_name, sizeof(mz_name), "vionet_p%u_vq%u", hw->eth_dev->data->port_id, vq_index);
	vq->ring_mz = rte_memzone_reserve_aligned(mz_name, ring_mem_size(packed, size), socket,
						  RTE_MEMZONE_IOVA_CONTIG, VIONET_RING_ALIGN);
	if (vq->ring_mz == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot reserve ring memory for queue %u (%u descriptors): %s",
				hw->tp.name, vq_index, size, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	vq->ring_dev_addr = hw->tp.use_va ? (uint64_t)(uintptr_t)vq->ring_mz->addr : vq->ring_mz->iova;
	vq->state = rte_zmalloc_socket(mz_name, ring_state_size(packed, size), RTE_CACHE_LINE_SIZE,
				       socket);
	if (vq->state == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot allocate the cookie shadow of queue %u", hw->tp.name,
				vq_index);
		vionet_vq_free(vq);
		return -ENOMEM;
	}
	vq->addrs.queue_index = vq_index;
	vq->addrs.size = size;
	vq->addrs.packed = packed;
	return 0;
}

/*
 * Used entries lib/virtq rejected. A length on a transmit buffer is not counted: we posted nothing
 * writable, use no length there, and DPDK's vhost library reports the read length on some packed
 * Tx paths; an id, index or wrap error is counted on every queue.
 */
static uint64_t
vq_err_total(const struct vionet_vq *vq)
{
	const struct virtq_err_stats *e = vq->packed_ring ? &vq->packed.err : &vq->split.err;
	bool tx = (vq->vq_index & 1) != 0;

	return e->bad_id + e->not_outstanding + (tx ? 0 : e->len_too_big) + e->idx_jump +
	       e->bad_wrap + e->bad_batch;
}

/* Fresh ring state (all zero, indexes at 0) and the addresses the transport will pass on. */
static int
vq_init_ring(struct vionet_vq *vq)
{
	struct vionet_hw *hw = vq->hw;
	uint16_t size = vq->addrs.size;
	char *va = vq->ring_mz->addr;
	size_t driver_off, device_off;
	int ret;

	vq->invalid_used_folded += vq_err_total(vq);
	if (vq->packed_ring) {
		ret = virtq_packed_drv_init_mem(&vq->packed, size, va, vq->state, hw->tp.features);
		driver_off = virtq_packed_driver_event_offset(size);
		device_off = virtq_packed_device_event_offset(size);
	} else {
		ret = virtq_split_drv_init_mem(&vq->split, size, va, VIONET_RING_ALIGN, vq->state,
					       hw->tp.features);
		driver_off = virtq_split_avail_offset(size);
		device_off = virtq_split_used_offset(size, VIONET_RING_ALIGN);
	}
	if (ret < 0) {
		VIONET_INIT_LOG(ERR, "%s: cannot initialise ring of queue %u (size %u)", hw->tp.name,
				vq->vq_index, size);
		return ret;
	}
	/* We poll: ask the device not to signal used buffers (2.7.7 / 2.8.10 suppression). */
	if (vq->packed_ring)
		virtq_packed_drv_disable_used_notify(&vq->packed);
	else
		virtq_split_drv_disable_used_notify(&vq->split);
	vq->addrs.desc_va = va;
	vq->addrs.driver_area_va = va + driver_off;
	vq->addrs.device_area_va = va + device_off;
	vq->addrs.desc_addr = vq->ring_dev_addr;
	vq->addrs.driver_area_addr = vq->ring_dev_addr + driver_off;
	vq->addrs.device_area_addr = vq->ring_dev_addr + device_off;
	return 0;
}

void *
vionet_vq_detach_unused(struct vionet_vq *vq)
{
	if (vq->packed_ring)
		return virtq_packed_drv_detach_unused(&vq->packed);
	return virtq_split_drv_detach_unused(&vq->split);
}

/* Everything still posted goes back to its pool (called with the device no longer using the ring). */
static void
vq_drain(struct vionet_vq *vq)
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
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = queue_id;
	rxq->ring_size = size;
	rxq->hdr_size = hw->net_hdr_size;
	/* The header lands in headroom just before data_off; the frame at data_off. */
	rxq->buf_len = data_room - RTE_PKTMBUF_HEADROOM + hw->net_hdr_size;
	rxq->use_va = hw->tp.use_va;
	rxq->mrg_rxbuf = vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF);
	rxq->vlan_strip = (dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) != 0;
	/*
	 * Read the header's offload fields only when the application asked for them: the header shares
	 * a cache line the device just wrote, and an io forwarder would otherwise pay that miss per
	 * packet for flags it ignores.
	 */
	rxq->offloads = (hw->tp.features & (VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM) |
					 VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) |
					 VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6))) != 0 &&
			((dev->data->dev_conf.rxmode.offloads | conf->offloads) &
			 (RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
			  RTE_ETH_RX_OFFLOAD_TCP_LRO)) != 0;
	/* Buffers go back to the device once this many slots are free (ethdev's rx_free_thresh): one
	 * publish and notification check per refill instead of per burst. */
	rxq->refill_thresh = conf->rx_free_thresh != 0
				     ? conf->rx_free_thresh
				     : RTE_MIN((uint16_t)VIONET_RX_REFILL_DEFAULT, (uint16_t)(size / 4));
	if (!rxq->mrg_rxbuf && rxq->buf_len - hw->net_hdr_size <
					dev->data->mtu + (uint32_t)RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
		VIONET_INIT_LOG(WARNING,
				"%s: Rx queue %u: %u-byte buffers hold no %u-byte MTU frame without "
				"mrg_rxbuf; larger frames are dropped by the device",
				hw->tp.name, queue_id, rxq->buf_len - hw->net_hdr_size, dev->data->mtu);
	dev->data->rx_queues[queue_id] = rxq;
	return 0;
}

void
vionet_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct vionet_rxq *rxq = dev->data->rx_queues[queue_id];

	if (rxq == NULL)
		return;
	vq_drain(&rxq->vq);
	rte_pktmbuf_free(rxq->mrg_head);
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
	txq->slots_dev_addr = hw->tp.use_va ? (uint64_t)(uintptr_t)txq->slots_mz->addr
					 : txq->slots_mz->iova;
	txq->port_id = dev->data->port_id;
	txq->queue_id = queue_id;
	txq->ring_size = size;
	txq->hdr_size = hw->net_hdr_size;
	txq->use_va = hw->tp.use_va;
	txq->indirect = vionet_has_feature(hw, VIONET_F_INDIRECT_DESC);
	txq->free_thresh = conf->tx_free_thresh != 0 ? conf->tx_free_thresh
						     : RTE_MIN((uint16_t)VIONET_BURST_MAX, size / 4);
	dev->data->tx_queues[queue_id] = txq;
	return 0;
}

void
vionet_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct vionet_txq *txq = dev->data->tx_queues[queue_id];

	if (txq == NULL)
		return;
	vq_drain(&txq->vq);
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

		if (rxq != NULL && rxq->buf_len - rxq->hdr_size <
					   (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
			return false;
	}
	return true;
}

int
vionet_vq_setup_at_transport(struct vionet_hw *hw, struct vionet_vq *vq)
{
	int ret = vq_init_ring(vq);

	if (ret < 0)
		return ret;
	ret = hw->tp.ops->setup_queue(&hw->tp, &vq->addrs);
	if (ret < 0)
		VIONET_INIT_LOG(ERR, "%s: transport refused queue %u: %s", hw->tp.name, vq->vq_index,
				strerror(-ret));
	return ret;
}

/* The queues of the port, in virtio order: receiveq0, transmitq0, receiveq1, ... */
static struct vionet_vq *
port_vq(struct rte_eth_dev *dev, uint16_t vq_index)
{
	uint16_t qid = vq_index / 2;

	if (vq_index % 2 == 0) {
		struct vionet_rxq *rxq = qid < dev->data->nb_rx_queues ? dev->data->rx_queues[qid] : NULL;

		return rxq != NULL ? &rxq->vq : NULL;
	}
	struct vionet_txq *txq = qid < dev->data->nb_tx_queues ? dev->data->tx_queues[qid] : NULL;

	return txq != NULL ? &txq->vq : NULL;
}

/*
 * Whether the ethdev configuration has the queue at vq_index. Rx and Tx counts may differ (testpmd
 * --rxq=2 --txq=1): the device has pairs for the larger count, and the half of a pair the other
 * count does not reach is neither set up nor enabled (the device sees no ring there).
 */
static bool
port_vq_configured(const struct rte_eth_dev *dev, uint16_t vq_index)
{
	uint16_t qid = vq_index / 2;

	return vq_index % 2 == 0 ? qid < dev->data->nb_rx_queues : qid < dev->data->nb_tx_queues;
}

static uint16_t
port_vq_count(struct rte_eth_dev *dev)
{
	return (uint16_t)(2 * RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues));
}

/*
 * Rings to the device, Rx buffers in, queues enabled, DRIVER_OK (virtio 1.x "Device Initialization"
 * step 7-8: queue set-up and enable come before DRIVER_OK), then the kick for the Rx buffers.
 */
static int
bring_up_queues(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t n = port_vq_count(dev);
	int ret;

	/* After a reset (port stop, back end reconnect) the device knows nothing: negotiate again. */
	if (hw->needs_renegotiation) {
		ret = vionet_dev_renegotiate(hw);
		if (ret < 0)
			return ret;
		hw->needs_renegotiation = false;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (!port_vq_configured(dev, i))
			continue;
		if (vq == NULL) {
			VIONET_INIT_LOG(ERR, "%s: %s queue %u is configured but not set up", hw->tp.name,
					i % 2 == 0 ? "Rx" : "Tx", i / 2);
			return -EINVAL;
		}
		ret = vionet_vq_setup_at_transport(hw, vq);
		if (ret < 0)
			return ret;
	}
	ret = vionet_ctrlq_start(hw);
	if (ret < 0)
		return ret;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vionet_rxq *rxq = dev->data->rx_queues[q];

		rxq->mrg_head = NULL;
		rxq->mrg_left = 0;
		if (vionet_rxq_refill(rxq, false) == 0) {
			VIONET_INIT_LOG(ERR, "%s: Rx queue %u: no mbuf to post", hw->tp.name, q);
			return -ENOMEM;
		}
		/* A fresh ring starts with notifications off; a waiter from before a reconnect needs them. */
		if (rxq->intr_enabled)
			vionet_rxq_intr_arm(dev, rxq);
	}
	for (uint16_t i = 0; i < n; i++) {
		if (!port_vq_configured(dev, i))
			continue;
		ret = hw->tp.ops->enable_queue(&hw->tp, i);
		if (ret < 0) {
			VIONET_INIT_LOG(ERR, "%s: cannot enable queue %u: %s", hw->tp.name, i,
					strerror(-ret));
			return ret;
		}
	}
	ret = vionet_dev_driver_ok(hw);
	if (ret < 0)
		return ret;
	/* The Rx buffers were published before DRIVER_OK, when notifying is not allowed (3.1.1): tell
	 * the device now that they are there. */
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		hw->tp.ops->notify_queue(&hw->tp, (uint16_t)(2 * q));
	return 0;
}

/*
 * The device stops using each ring and is reset (skipped for a device that never saw them: a back
 * end that just came back), and every mbuf it held comes back to its pool.
 */
static void
take_down_queues(struct rte_eth_dev *dev, bool device_has_queues)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t n = port_vq_count(dev);

	for (uint16_t i = 0; i < n && device_has_queues; i++) {
		if (port_vq(dev, i) == NULL)
			continue;
		hw->tp.ops->stop_queue(&hw->tp, i);
	}
	vionet_ctrlq_stop(hw, device_has_queues);
	if (device_has_queues)
		vionet_dev_reset(hw);
	hw->needs_renegotiation = true;
	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq != NULL)
			vq_drain(vq);
	}
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vionet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL && rxq->mrg_head != NULL) {
			rte_pktmbuf_free(rxq->mrg_head);
			rxq->mrg_head = NULL;
			rxq->mrg_left = 0;
		}
	}
}

/*
 * Takes the port's rings from the bursts (running on other lcores, or in a secondary process) and
 * from Rx interrupt arming: on return the control path may re-create them. They stay closed until
 * open_queues(), which only a successful start calls.
 */
static void
close_queues(struct rte_eth_dev *dev)
{
	uint16_t n = port_vq_count(dev);
	bool fenced_bursts = false;

	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq == NULL)
			continue;
		rte_spinlock_lock(&vq->intr_lock);
		vionet_vq_gate_close(&vq->gate);
		fenced_bursts |= vq->gate.fence_needed;
	}
	vionet_vq_gates_sync(fenced_bursts);
	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq != NULL)
			vionet_vq_gate_wait(&vq->gate);
	}
}

/* Ends what close_queues() began; 'open': the rings are live again (else they stay closed). */
static void
release_queues(struct rte_eth_dev *dev, bool open)
{
	uint16_t n = port_vq_count(dev);

	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq == NULL)
			continue;
		if (open)
			vionet_vq_gate_open(&vq->gate);
		rte_spinlock_unlock(&vq->intr_lock);
	}
}

int
vionet_queues_start(struct rte_eth_dev *dev)
{
	int ret = bring_up_queues(dev);

	if (ret < 0) {
		take_down_queues(dev, true);
		return ret;
	}
	/* The gates are closed (since allocation or the last stop): bursts may now use the rings. */
	for (uint16_t i = 0; i < port_vq_count(dev); i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq != NULL)
			vionet_vq_gate_open(&vq->gate);
	}
	return 0;
}

void
vionet_queues_stop(struct rte_eth_dev *dev)
{
	/* Bursts on other lcores end before their rings are taken away. */
	close_queues(dev);
	take_down_queues(dev, true);
	release_queues(dev, false);
}

int
vionet_queues_restart(struct rte_eth_dev *dev)
{
	int ret;

	close_queues(dev);
	take_down_queues(dev, false);
	ret = bring_up_queues(dev);
	/* A failed restart leaves the rings closed: bursts return nothing instead of using them. */
	release_queues(dev, ret == 0);
	return ret;
}

uint16_t
vionet_rxq_refill(struct vionet_rxq *rxq, bool may_kick)
{
	struct vionet_vq *vq = &rxq->vq;
	struct rte_mbuf *mbufs[VIONET_BURST_MAX];
	uint64_t addrs[VIONET_BURST_MAX];
	uint32_t lens[VIONET_BURST_MAX];
	uint16_t total = 0;
	bool kick;

	for (;;) {
		uint16_t free_slots = vq->packed_ring ? virtq_packed_drv_free_count(&vq->packed)
						      : virtq_split_drv_free_count(&vq->split);
		uint16_t n = RTE_MIN(free_slots, (uint16_t)VIONET_BURST_MAX);
		uint16_t added;

		if (n == 0)
			break;
		if (rte_pktmbuf_alloc_bulk(rxq->mp, mbufs, n) != 0) {
			rxq->stats.mbuf_alloc_failed += n;
			break;
		}
		/* The buffer starts hdr_size before data_off: header in headroom, frame at data_off. */
		for (uint16_t i = 0; i < n; i++) {
			addrs[i] = vionet_mbuf_buf_addr(mbufs[i], rxq->use_va) + RTE_PKTMBUF_HEADROOM -
				   rxq->hdr_size;
			lens[i] = rxq->buf_len;
		}
		if (vq->packed_ring)
			added = virtq_packed_drv_add_bulk(&vq->packed, addrs, lens, VIRTQ_DESC_F_WRITE,
							  (void *const *)mbufs, n);
		else
			added = virtq_split_drv_add_bulk(&vq->split, addrs, lens, VIRTQ_DESC_F_WRITE,
							 (void *const *)mbufs, n);
		if (added < n)
			rte_pktmbuf_free_bulk(&mbufs[added], n - added);
		total += added;
		if (added < n)
			break;
	}
	if (total == 0)
		return 0;
	if (vq->packed_ring) {
		virtq_packed_drv_publish(&vq->packed);
		kick = virtq_packed_drv_needs_notify(&vq->packed);
	} else {
		virtq_split_drv_publish(&vq->split);
		kick = virtq_split_drv_needs_notify(&vq->split);
	}
	if (may_kick)
		vionet_vq_kick(vq, kick, &rxq->stats);
	return total;
}

uint32_t
vionet_rx_queue_count(void *rx_queue)
{
	struct vionet_rxq *rxq = rx_queue;
	struct vionet_vq *vq = &rxq->vq;

	if (vq->packed_ring)
		return virtq_packed_drv_used_count(&vq->packed, vq->packed.size);
	return virtq_split_drv_used_count(&vq->split);
}

uint64_t
vionet_vq_invalid_used(const struct vionet_vq *vq)
{
	return vq->invalid_used_folded + vq_err_total(vq);
}

void
vionet_vq_invalid_used_reset(struct vionet_vq *vq)
{
	vq->invalid_used_folded = 0 - vq_err_total(vq);
}
