/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx and Tx queues: the ring (lib/virtq driver half, split or packed), its cookie shadow (mbuf
 * pointers, inside lib/virtq's per-buffer state), the Tx header area and per-queue counters.
 * Virtio queue index 2n is receiveq n, 2n+1 transmitq n (virtio-net "Virtqueues").
 */
#ifndef VIONET_QUEUE_H
#define VIONET_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include <virtq_packed.h>
#include <virtq_split.h>
#include <virtq_pmd_ext.h>

#include "device/device.h"
#include "rxtx/rxtx_net_hdr.h"
#include "device/device_vq_gate.h"

#define VIONET_BURST_MAX 64
/*
 * Default rx_free_thresh, at most: Rx buffers go back once this many slots are free, one publish and
 * notification check per group. 16 measured slightly cheaper on the vhost-user loopback, but behind
 * a vIOMMU (tests/vm PVP) a queue's seeded loop then died after 416 frames, reproducibly; not
 * understood yet, so the default stays at a burst's worth. rx_free_thresh sets it per queue.
 */
#define VIONET_RX_REFILL_DEFAULT VIONET_BURST_MAX
/* Tx: descriptors of one packet at most (the chain or indirect table: header + segments). */
#define VIONET_TX_MAX_SEGS 64
/* Tx indirect table entries kept per descriptor slot: packets with more segments use a chain. */
#define VIONET_TX_INDIRECT_MAX 16

/* Packet size buckets of the xstats (RFC 2819 etherStatsPkts*Octets ranges). */
enum vionet_size_bucket {
	VIONET_SIZE_UNDER_64,
	VIONET_SIZE_64,
	VIONET_SIZE_65_127,
	VIONET_SIZE_128_255,
	VIONET_SIZE_256_511,
	VIONET_SIZE_512_1023,
	VIONET_SIZE_1024_1518,
	VIONET_SIZE_OVER_1518,
	VIONET_SIZE_BUCKETS,
};

struct vionet_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;		   /* Rx: bad packets dropped; Tx: packets dropped */
	uint64_t size[VIONET_SIZE_BUCKETS];
	uint64_t notifications_sent;	   /* kicks of the device */
	uint64_t notifications_suppressed; /* publishes the device asked us not to kick for */
	uint64_t mbuf_alloc_failed;	   /* Rx refill */
	uint64_t multi_seg;		   /* Rx: mergeable packets; Tx: chained/indirect packets */
	/* Rx interrupt enabled with used buffers already there: we signalled the event fd ourselves. */
	uint64_t intr_self_signalled;
};

/* The driver half of one virtqueue, either layout. */
struct vionet_vq {
	union {
		struct virtq_split_drv split;
		struct virtq_packed_drv packed;
	};
	bool packed_ring;
	uint16_t vq_index; /* virtio queue index */
	/* Bursts pass it; the control path closes it while it re-creates the ring (stop, back end
	 * reconnect): a burst never sees a ring being re-initialised. */
	struct vionet_vq_gate gate;
	/* Rx interrupt arm/disarm (application lcore) against ring re-creation (control path): rare on
	 * both sides, so a plain lock. */
	rte_spinlock_t intr_lock;
	struct vionet_hw *hw;
	const struct rte_memzone *ring_mz; /* ring areas; device-visible */
	void *state;			   /* lib/virtq shadow state (cookies) */
	uint64_t ring_dev_addr;		   /* ring_mz as the device addresses it */
	struct vionet_vq_ring_addrs addrs; /* what setup_queue told the transport */
	/* Used entries rejected by earlier ring incarnations (lib/virtq's counters restart at init),
	 * minus those counted at the last stats reset: modulo-2^64 arithmetic keeps the sum right. */
	uint64_t invalid_used_folded;
};

struct vionet_rxq {
	struct vionet_vq vq;
	struct rte_mempool *mp;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t ring_size;
	uint16_t hdr_size;
	uint32_t buf_len; /* bytes one Rx buffer offers the device, header included */
	bool use_va;
	bool mrg_rxbuf;
	bool vlan_strip;
	bool offloads;	   /* any Rx offload flag in the header worth reading */
	bool intr_enabled; /* rte_eth_dev_rx_intr_enable: kept across ring re-creation (reconnect) */
	uint16_t refill_thresh;
	/* Mergeable packet being assembled across bursts. */
	struct rte_mbuf *mrg_head;
	struct rte_mbuf *mrg_tail;
	uint16_t mrg_left;
	struct vionet_queue_stats stats;
};

/* One Tx slot per descriptor id: a header for packets without headroom and an indirect table. */
struct vionet_tx_slot {
	struct vionet_net_hdr hdr;
	uint8_t pad[16 - sizeof(struct vionet_net_hdr)];
	union {
		struct virtq_split_desc split[VIONET_TX_INDIRECT_MAX];
		struct virtq_packed_desc packed[VIONET_TX_INDIRECT_MAX];
	} indirect;
};

struct vionet_txq {
	struct vionet_vq vq;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t ring_size;
	uint16_t hdr_size;
	uint16_t free_thresh;
	bool use_va;
	bool indirect; /* VIRTIO_F_INDIRECT_DESC negotiated */
	const struct rte_memzone *slots_mz;
	struct vionet_tx_slot *slots; /* [ring_size] */
	uint64_t slots_dev_addr;
	struct vionet_queue_stats stats;
};

static inline enum vionet_size_bucket
vionet_size_bucket(uint32_t len)
{
	if (len < 64)
		return VIONET_SIZE_UNDER_64;
	if (len == 64)
		return VIONET_SIZE_64;
	if (len < 128)
		return VIONET_SIZE_65_127;
	if (len < 256)
		return VIONET_SIZE_128_255;
	if (len < 512)
		return VIONET_SIZE_256_511;
	if (len < 1024)
		return VIONET_SIZE_512_1023;
	if (len <= 1518)
		return VIONET_SIZE_1024_1518;
	return VIONET_SIZE_OVER_1518;
}

static inline void
vionet_stats_count(struct vionet_queue_stats *s, uint32_t len)
{
	s->packets++;
	s->bytes += len;
	s->size[vionet_size_bucket(len)]++;
}

/*
 * Kicks the device once per burst when it asked for it; counts both outcomes. Through this process's
 * ops (vionet_proc_of): the burst may run in a secondary process, where hw->tp.ops is the primary's.
 */
static inline void
vionet_vq_kick(struct vionet_vq *vq, bool needed, struct vionet_queue_stats *s)
{
	if (needed) {
		vionet_transport_proc_of(&vq->hw->tp)->ops->notify_queue(&vq->hw->tp, vq->vq_index);
		s->notifications_sent++;
	} else {
		s->notifications_suppressed++;
	}
}

/* One virtqueue's memory and its hand-over to the transport (data queues and the control queue). */
int vionet_vq_alloc(struct vionet_vq *vq, struct vionet_hw *hw, uint16_t vq_index, uint16_t size,
		    int socket);
void vionet_vq_free(struct vionet_vq *vq);
/* Fresh ring state (zeroed, indexes 0, used signals off) and setup_queue at the transport. */
int vionet_vq_setup_at_transport(struct vionet_hw *hw, struct vionet_vq *vq);
/* One outstanding cookie per call, NULL when none is left (queue stopped). */
void *vionet_vq_detach_unused(struct vionet_vq *vq);

/*
 * The control virtqueue (vionet_ctrl.c), when the device has one and the transport does not answer
 * control commands itself: set up and enabled with the data queues before DRIVER_OK, forgotten at
 * stop. No-ops without one.
 */
int vionet_ctrlq_start(struct vionet_hw *hw);
void vionet_ctrlq_stop(struct vionet_hw *hw, bool device_has_queue);

/* Ring sizes: the largest the device allows, and the default a port gets (devarg queue_size). */
uint16_t vionet_queue_max_size(struct vionet_hw *hw);
uint16_t vionet_queue_default_size(struct vionet_hw *hw);
/* Whether every configured Rx queue's buffer holds a frame of 'mtu' (no mergeable buffers). */
bool vionet_rx_buffers_fit(struct rte_eth_dev *dev, uint16_t mtu);

int vionet_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			  unsigned int socket_id, const struct rte_eth_rxconf *conf,
			  struct rte_mempool *mp);
void vionet_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);
int vionet_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			  unsigned int socket_id, const struct rte_eth_txconf *conf);
void vionet_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);

/*
 * Start: (re)initialise every ring, tell the transport where it is, fill the Rx rings, DRIVER_OK,
 * enable the queues. Stop: disable and release them at the transport, reset the device, and return
 * every mbuf still posted to its mempool.
 */
int vionet_queues_start(struct rte_eth_dev *dev);
void vionet_queues_stop(struct rte_eth_dev *dev);
/* After the back end came back: stop as above, negotiate again and start, with bursts held off. */
int vionet_queues_restart(struct rte_eth_dev *dev);

/*
 * Rx refill: up to the ring's free space, one publish, at most one kick (none when !may_kick: before
 * DRIVER_OK the driver must not notify). Returns buffers added.
 */
uint16_t vionet_rxq_refill(struct vionet_rxq *rxq, bool may_kick);

/* Used entries the ring rejected from the device (bad id, length, index, wrap) since the last reset. */
uint64_t vionet_vq_invalid_used(const struct vionet_vq *vq);
void vionet_vq_invalid_used_reset(struct vionet_vq *vq);

/* Used Rx buffers waiting (rte_eth_rx_queue_count). */
uint32_t vionet_rx_queue_count(void *rx_queue);

#endif /* VIONET_QUEUE_H */
