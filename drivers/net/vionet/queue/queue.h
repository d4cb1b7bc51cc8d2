/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx and Tx queues: the ring (lib/virtq driver half, split or packed), its cookie shadow (mbuf
 * pointers, inside lib/virtq's per-buffer state), the Tx header area and per-queue counters.
 * Virtio queue index 2n is receiveq n, 2n+1 transmitq n (5.1.2 Virtqueues).
 */
#ifndef VIONET_QUEUE_H
#define VIONET_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include "base/vionet_compat.h"
#include "device/device.h"
#include "device/device_vq.h"

#define VIONET_BURST_MAX 64
/*
 * Default rx_free_thresh, at most (a quarter of smaller rings): Rx buffers go back once this many
 * slots are free, one publish and notification check per group; doc/guide.md says why a burst's
 * worth. rx_free_thresh sets it per queue.
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
	/* Rx: frames shorter than an Ethernet header (the used length covers the virtio-net header
	 * and leaves fewer than 14 bytes; mergeable: the first buffer does), dropped; in errors too */
	uint64_t runt_frames_dropped;
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
	bool lro;	   /* LRO asked for and GUEST_TSO4/6 negotiated: GSO packets flagged RX_LRO */
	bool hash_report;  /* RSS_HASH asked for and HASH_REPORT negotiated: the header's hash read */
	/* Packet types to parse from each frame (rte_eth_dev_set_ptypes); 0: none, packet_type
	 * only from the header */
	uint32_t ptype_mask;
	bool intr_enabled; /* rte_eth_dev_rx_intr_enable: kept across ring re-creation (reconnect) */
	bool deferred_start; /* rx_conf.rx_deferred_start: stopped after the port starts */
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
	bool deferred_start; /* tx_conf.tx_deferred_start: stopped after the port starts */
	/* mbuf Tx offload flags the negotiated features serve (tx_pkt_prepare checks against them) */
	uint64_t ol_flags_allowed;
	bool tso4; /* HOST_TSO4: TCP segmentation of IPv4 packets */
	bool tso6; /* HOST_TSO6 */
	uint32_t max_frame_len; /* bytes of one frame without TSO: the device's MTU and L2 header */
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

/* One publish for what was added, then at most one kick if the device asked for it; both counted. */
static __rte_always_inline void
vionet_queue_publish_and_kick(struct vionet_vq *vq, const bool packed, struct vionet_queue_stats *s)
{
	if (vionet_vq_publish(vq, packed)) {
		vionet_vq_kick(vq);
		s->notifications_sent++;
	} else {
		s->notifications_suppressed++;
	}
}

/* The 'buf' field of an Rx buffer: the header in headroom just before data_off, the frame at it. */
static __rte_always_inline uint64_t
vionet_rxq_buf_addr(const struct vionet_rxq *rxq, const struct rte_mbuf *m)
{
	return vionet_mbuf_buf_addr(m, rxq->use_va) + RTE_PKTMBUF_HEADROOM - rxq->hdr_size;
}

/*
 * Rx refill, the one every Rx path and the port start use: raw mbufs from the pool (the rte_mempool
 * contract for pktmbufs: refcnt 1, nb_segs 1, next NULL), so no per-mbuf reset here; the Rx paths set
 * every field of the first cache line they hand out (rxtx_burst.h, rx_mbuf_init). Up to the ring's
 * free space in chunks of a burst, one publish, at most one kick (none when !may_kick: before
 * DRIVER_OK the driver must not notify, 3.1.1). Returns buffers added.
 */
static __rte_always_inline uint16_t
vionet_rxq_refill(struct vionet_rxq *rxq, const bool packed, bool may_kick)
{
	struct vionet_vq *vq = &rxq->vq;
	void *mbufs[VIONET_BURST_MAX];
	uint64_t addrs[VIONET_BURST_MAX];
	uint32_t lens[VIONET_BURST_MAX];
	const uint32_t buf_len = rxq->buf_len;
	uint16_t total = 0, n, added;

	while ((n = RTE_MIN(vionet_vq_free_count(vq, packed), (uint16_t)VIONET_BURST_MAX)) != 0) {
		if (unlikely(rte_mempool_get_bulk(rxq->mp, mbufs, n) != 0)) {
			rxq->stats.mbuf_alloc_failed += n;
			break;
		}
		for (uint16_t i = 0; i < n; i++) {
			addrs[i] = vionet_rxq_buf_addr(rxq, mbufs[i]);
			lens[i] = buf_len;
		}
		added = vionet_vq_add_bulk(vq, packed, addrs, lens, VIRTQ_DESC_F_WRITE, mbufs, n);
		total += added;
		if (unlikely(added < n)) {
			rte_mempool_put_bulk(rxq->mp, &mbufs[added], n - added);
			break;
		}
	}
	if (total == 0)
		return 0;
	if (may_kick)
		vionet_queue_publish_and_kick(vq, packed, &rxq->stats);
	else
		vionet_vq_publish(vq, packed);
	return total;
}

/* Ring sizes: the largest the device allows, and the default a port gets (devarg queue_size). */
uint16_t vionet_queue_max_size(struct vionet_hw *hw);
uint16_t vionet_queue_default_size(struct vionet_hw *hw);
/* Whether one Rx buffer of the queue holds a whole frame of 'mtu' (what it needs without mergeable
 * buffers). */
static inline bool
vionet_rxq_buffer_fits(const struct vionet_rxq *rxq, uint16_t mtu)
{
	return rxq->buf_len - rxq->hdr_size >= (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
}

/* Whether every configured Rx queue's buffer holds a frame of 'mtu'. */
bool vionet_rx_buffers_fit(struct rte_eth_dev *dev, uint16_t mtu);

int vionet_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			  unsigned int socket_id, const struct rte_eth_rxconf *conf,
			  struct rte_mempool *mp);
void vionet_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);
/*
 * Whether the queue's bursts read the virtio-net header's offload fields: the application's Rx
 * offloads ask for them and the features negotiated now can set them. At set-up and at every
 * start (a reconfigure may keep the queues and change both).
 */
void vionet_rxq_apply_offloads(struct vionet_rxq *rxq, const struct vionet_hw *hw,
			       uint64_t rx_offloads);
int vionet_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			  unsigned int socket_id, const struct rte_eth_txconf *conf);
void vionet_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);
/* What the negotiated features let the queue send (indirect tables, offload requests, frame size):
 * at set-up and at every start. */
void vionet_txq_apply_features(struct vionet_txq *txq, const struct vionet_hw *hw);

/* Every mbuf still posted to a queue's ring goes back to its pool (the device no longer uses it). */
void vionet_queue_drain(struct vionet_vq *vq);
/* Forgets a mergeable packet half assembled in an Rx queue (its mbufs back to the pool). */
void vionet_rxq_drop_partial(struct vionet_rxq *rxq);

/*
 * Used Rx buffers waiting (rte_eth_rx_queue_count). It passes the queue's gate like a burst (and,
 * like a burst, runs on the lcore that polls the queue): 0 while the control path holds the ring.
 */
uint32_t vionet_rx_queue_count(void *rx_queue);

#endif /* VIONET_QUEUE_H */
