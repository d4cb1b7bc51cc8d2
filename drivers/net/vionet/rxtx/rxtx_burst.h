/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scalar burst bodies, written once for both ring layouts. Each takes a compile-time 'packed'
 * flag: rxtx_split.c and rxtx_packed.c instantiate them, and the compiler keeps only the ring steps
 * (lib/virtq) of that layout. Per burst: one harvest, bulk mbuf alloc/free, descriptors in groups,
 * one publish, at most one notification.
 */
#ifndef VIONET_RXTX_BURST_H
#define VIONET_RXTX_BURST_H

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_prefetch.h>

#include "base/vionet_compat.h"
#include "queue/queue.h"
#include "rxtx/rxtx_net_hdr.h"
#include "rxtx/rxtx_ptype.h"

/* ---- Rx ---- */

static __rte_always_inline struct vionet_net_hdr *
rx_hdr_of(struct rte_mbuf *m, uint16_t hdr_size)
{
	return (struct vionet_net_hdr *)((char *)m->buf_addr + RTE_PKTMBUF_HEADROOM - hdr_size);
}

/*
 * The 8 bytes at rearm_data (data_off, refcnt, nb_segs, port) of a fresh one-segment Rx mbuf, stored
 * with one write per packet. Built by arithmetic, not through a struct on the stack: four 16-bit
 * stores read back as one 64-bit load would stall store forwarding once per burst.
 */
static __rte_always_inline uint64_t
rx_rearm_template(uint16_t port_id)
{
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_off) !=
			 offsetof(struct rte_mbuf, rearm_data));
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, refcnt) != offsetof(struct rte_mbuf, rearm_data) + 2);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, nb_segs) != offsetof(struct rte_mbuf, rearm_data) + 4);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, port) != offsetof(struct rte_mbuf, rearm_data) + 6);
	/* The first field in memory is the low half on a little-endian CPU, the high one otherwise. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return (uint64_t)RTE_PKTMBUF_HEADROOM | (uint64_t)1 << 16 | (uint64_t)1 << 32 |
	       (uint64_t)port_id << 48;
#else
	return (uint64_t)RTE_PKTMBUF_HEADROOM << 48 | (uint64_t)1 << 32 | (uint64_t)1 << 16 |
	       (uint64_t)port_id;
#endif
}

/*
 * The fields of an Rx mbuf's first cache line, set whenever a buffer becomes a packet's first
 * segment: the refill posts raw mbufs (vionet_rxq_refill), so every Rx path sets the same state here.
 */
static __rte_always_inline void
rx_mbuf_init(struct rte_mbuf *m, uint64_t rearm, uint16_t len)
{
	memcpy(&m->rearm_data, &rearm, sizeof(rearm));
	/* an mbuf of a pinned external buffer pool keeps its EXTERNAL flag (rte_pktmbuf_reset) */
	m->ol_flags &= RTE_MBUF_F_EXTERNAL;
	m->packet_type = 0;
	m->vlan_tci = 0;
	m->vlan_tci_outer = 0;
	m->data_len = len;
	m->pkt_len = len;
}

/* mbuf headers prefetched ahead of the Rx loop: enough to cover an L2 hit per packet. */
#define RX_PREFETCH_AHEAD 4

/*
 * A buffer that is no packet, freed and counted (the rare branch of every Rx path): empty or
 * rejected (a length above what we posted: lib/virtq returns 0), a bad num_buffers, or a runt, a
 * frame shorter than an Ethernet header (runt: also in runt_frames_dropped). A runt never reaches
 * rte_vlan_strip or the application, which read 14 bytes of header.
 */
static __rte_noinline __rte_cold void
rx_drop(struct vionet_rxq *rxq, struct rte_mbuf *m, uint64_t rearm, bool runt)
{
	rx_mbuf_init(m, rearm, 0);
	rxq->stats.errors++;
	rxq->stats.runt_frames_dropped += runt;
	rte_pktmbuf_free(m);
}

/* A mergeable packet assembled whole whose first buffer was shorter than an Ethernet header. */
static __rte_noinline __rte_cold void
rx_drop_chain(struct vionet_rxq *rxq, struct rte_mbuf *head)
{
	rxq->stats.errors++;
	rxq->stats.runt_frames_dropped++;
	rte_pktmbuf_free(head);
}

/*
 * VLAN strip in software (RTE_ETH_RX_OFFLOAD_VLAN_STRIP). rte_vlan_strip reads the tag after the
 * Ethernet header in the first segment: a tagged frame too short to hold it (14 to 17 bytes there)
 * is left as it is.
 */
static __rte_always_inline void
rx_vlan_strip(struct rte_mbuf *m)
{
	if (likely(m->data_len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr)))
		rte_vlan_strip(m);
}

/* Each buffer is one packet: the header, then the frame (no VIONET_NET_F_MRG_RXBUF). The buffers
 * come raw from the pool (vionet_rxq_refill()): every field a fresh mbuf has is set here. Harvests
 * up to nb_pkts and leaves the refill to the caller (rx_burst(); the vector paths take their
 * rejected entries and partial groups here). */
static __rte_always_inline uint16_t
rx_harvest(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts, const bool packed)
{
	void *cookies[VIONET_BURST_MAX];
	uint32_t lens[VIONET_BURST_MAX];
	/* Queue settings in locals: the mbuf stores below could otherwise force reloads. */
	const uint16_t hdr_size = rxq->hdr_size;
	const uint64_t rearm = rx_rearm_template(rxq->port_id);
	const bool offloads = rxq->offloads;
	const bool lro = rxq->lro;
	const bool vlan_strip = rxq->vlan_strip;
	const uint32_t ptype_mask = rxq->ptype_mask;
	const bool hash_report = rxq->hash_report;
	/* the shortest used length that is a frame: the header and an Ethernet header */
	const uint32_t min_len = (uint32_t)hdr_size + RTE_ETHER_HDR_LEN;
	uint16_t n, nb_rx = 0;

	n = vionet_vq_get_used_bulk(&rxq->vq, packed, cookies, lens, RTE_MIN(nb_pkts, VIONET_BURST_MAX));
	/* Nothing used: maybe the ring broke (reported once; the ring is left alone). */
	if (unlikely(n == 0) && vionet_vq_check_broken(&rxq->vq, packed))
		return 0;
	/* The mbufs went to the device a ring ago: their first lines may have left L1. */
	for (uint16_t i = 0; i < RTE_MIN(n, (uint16_t)RX_PREFETCH_AHEAD); i++)
		rte_prefetch0(cookies[i]);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = cookies[i];
		uint16_t len;

		if (i + RX_PREFETCH_AHEAD < n)
			rte_prefetch0(cookies[i + RX_PREFETCH_AHEAD]);

		if (unlikely(lens[i] < min_len)) {
			/* Empty, rejected (lib/virtq's 0) or, with the header whole, a runt. */
			rx_drop(rxq, m, rearm, lens[i] >= hdr_size);
			continue;
		}
		len = (uint16_t)(lens[i] - hdr_size);
		rx_mbuf_init(m, rearm, len);
		if (offloads)
			vionet_net_hdr_to_mbuf(rx_hdr_of(m, hdr_size), m, lro);
		if (hash_report)
			vionet_net_hdr_hash_to_mbuf(rx_hdr_of(m, hdr_size), m);
		if (unlikely(vlan_strip))
			rx_vlan_strip(m);
		if (ptype_mask != 0)
			m->packet_type = vionet_ptype_parse(m) & ptype_mask;
		vionet_stats_count(&rxq->stats, m->pkt_len);
		rx_pkts[nb_rx++] = m;
	}
	return nb_rx;
}

static __rte_always_inline uint16_t
rx_burst(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts, const bool packed)
{
	uint16_t nb_rx = rx_harvest(rxq, rx_pkts, nb_pkts, packed);

	if (vionet_vq_free_count(&rxq->vq, packed) >= rxq->refill_thresh)
		vionet_rxq_refill(rxq, packed, true);
	return nb_rx;
}

/*
 * VIONET_NET_F_MRG_RXBUF: a packet spans num_buffers buffers; only the first carries the header
 * (5.1.6.4 Receiving Packets). A packet may end in a later burst: its head waits in
 * rxq->mrg_head. The device fills only buffers we posted: a num_buffers of 0 or above the buffers
 * posted from the first one on cannot be right, and the buffer is dropped. A packet whose first
 * buffer holds less than an Ethernet header (so the whole packet too, when it is the only one) is
 * a runt: dropped whole once assembled.
 *
 * One harvested buffer m of used length len; bufs_left: the buffers the device may have filled
 * from this one on (this one, those harvested after it and those still posted). A finished packet
 * goes to rx_pkts[nb_rx]; returns the new nb_rx. The vector paths give it the rest of a group
 * whose header asks for more than one buffer.
 */
static __rte_always_inline uint16_t
rx_mrg_buf(struct vionet_rxq *rxq, struct rte_mbuf *m, uint32_t len, uint16_t bufs_left,
	   struct rte_mbuf **rx_pkts, uint16_t nb_rx, uint64_t rearm)
{
	const uint16_t hdr_size = rxq->hdr_size;
	const uint32_t min_len = (uint32_t)hdr_size + RTE_ETHER_HDR_LEN;

	if (rxq->mrg_left == 0) {
		const struct vionet_net_hdr *hdr = rx_hdr_of(m, hdr_size);
		uint16_t nbufs;
		bool bad_nbufs;

		nbufs = len >= hdr_size ? rte_le_to_cpu_16(hdr->num_buffers) : 0;
		/* nbufs == 0 || nbufs > bufs_left, in one compare (bufs_left >= 1) */
		bad_nbufs = (uint16_t)(nbufs - 1) >= bufs_left;
		if (unlikely(bad_nbufs || len < min_len)) {
			if (bad_nbufs || nbufs == 1) {
				rx_drop(rxq, m, rearm, !bad_nbufs);
				return nb_rx;
			}
			/* a short first buffer of a longer packet: dropped at its end */
		}
		rx_mbuf_init(m, rearm, (uint16_t)(len - hdr_size));
		if (rxq->offloads)
			vionet_net_hdr_to_mbuf(hdr, m, rxq->lro);
		if (rxq->hash_report)
			vionet_net_hdr_hash_to_mbuf(hdr, m);
		if (nbufs == 1) {
			if (rxq->vlan_strip)
				rx_vlan_strip(m);
			if (rxq->ptype_mask != 0)
				m->packet_type = vionet_ptype_parse(m) & rxq->ptype_mask;
			vionet_stats_count(&rxq->stats, m->pkt_len);
			rx_pkts[nb_rx++] = m;
			return nb_rx;
		}
		rxq->mrg_head = m;
		rxq->mrg_tail = m;
		rxq->mrg_left = (uint16_t)(nbufs - 1);
		return nb_rx;
	}
	/* A continuation buffer: data from its start, where we posted it (hdr_size before the
	 * headroom's end). */
	m->data_off = (uint16_t)(RTE_PKTMBUF_HEADROOM - hdr_size);
	m->data_len = (uint16_t)len;
	rxq->mrg_tail->next = m;
	rxq->mrg_tail = m;
	rxq->mrg_head->nb_segs++;
	rxq->mrg_head->pkt_len += len;
	if (--rxq->mrg_left == 0) {
		struct rte_mbuf *head = rxq->mrg_head;

		rxq->mrg_head = NULL;
		if (unlikely(head->data_len < RTE_ETHER_HDR_LEN)) {
			/* a runt: the first buffer (hence the Ethernet header) was short */
			rx_drop_chain(rxq, head);
			return nb_rx;
		}
		rxq->stats.multi_seg++;
		if (rxq->vlan_strip)
			rx_vlan_strip(head);
		if (rxq->ptype_mask != 0)
			head->packet_type = vionet_ptype_parse(head) & rxq->ptype_mask;
		vionet_stats_count(&rxq->stats, head->pkt_len);
		rx_pkts[nb_rx++] = head;
	}
	return nb_rx;
}

/* Buffers the device may have filled, from the first of n just harvested on: those n and those
 * still posted (one descriptor each; the refill comes after the burst's harvest). */
static __rte_always_inline uint16_t
rx_mrg_posted(const struct vionet_rxq *rxq, uint16_t n, const bool packed)
{
	return (uint16_t)(n + rxq->ring_size - vionet_vq_free_count(&rxq->vq, packed));
}

/* Harvests up to nb_pkts buffers and assembles their packets; leaves the refill to the caller
 * (rx_burst_mrg(); the vector paths take their rejected entries and partial groups here). */
static __rte_always_inline uint16_t
rx_harvest_mrg(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts,
	       const bool packed)
{
	void *cookies[VIONET_BURST_MAX];
	uint32_t lens[VIONET_BURST_MAX];
	const uint64_t rearm = rx_rearm_template(rxq->port_id);
	uint16_t n, nb_rx = 0, posted;

	n = vionet_vq_get_used_bulk(&rxq->vq, packed, cookies, lens, RTE_MIN(nb_pkts, VIONET_BURST_MAX));
	if (unlikely(n == 0) && vionet_vq_check_broken(&rxq->vq, packed))
		return 0;
	/* A packet starting at i: posted - i buffers from it on. */
	posted = rx_mrg_posted(rxq, n, packed);
	for (uint16_t i = 0; i < n; i++)
		nb_rx = rx_mrg_buf(rxq, cookies[i], lens[i], (uint16_t)(posted - i), rx_pkts, nb_rx,
				   rearm);
	return nb_rx;
}

static __rte_always_inline uint16_t
rx_burst_mrg(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts, const bool packed)
{
	uint16_t nb_rx = rx_harvest_mrg(rxq, rx_pkts, nb_pkts, packed);

	if (vionet_vq_free_count(&rxq->vq, packed) >= rxq->refill_thresh)
		vionet_rxq_refill(rxq, packed, true);
	return nb_rx;
}

/* ---- Tx ---- */

/*
 * Return what the device has used to the mempools, in bulk: at most free_cnt packets, all of them
 * for 0. Returns the packets freed.
 */
static __rte_always_inline uint32_t
tx_reclaim_upto(struct vionet_txq *txq, const bool packed, uint32_t free_cnt)
{
	void *done[VIONET_BURST_MAX];
	uint32_t total = 0;
	uint16_t want, n;

	do {
		want = free_cnt == 0 ? VIONET_BURST_MAX
				     : (uint16_t)RTE_MIN((uint32_t)VIONET_BURST_MAX, free_cnt - total);
		/* In order or not, each used entry the device wrote is checked (2.7.9: one per
		 * batch in order). */
		n = vionet_vq_get_used_bulk(&txq->vq, packed, done, NULL, want);
		if (n != 0)
			rte_pktmbuf_free_bulk((struct rte_mbuf **)done, n);
		total += n;
	} while (n == want && (free_cnt == 0 || total < free_cnt));
	/* The harvest stopped short: maybe on a broken ring (reported once). */
	vionet_vq_check_broken(&txq->vq, packed);
	return total;
}

static __rte_always_inline void
tx_reclaim(struct vionet_txq *txq, const bool packed)
{
	tx_reclaim_upto(txq, packed, 0);
}

/* The header can go in the packet's own headroom: we alone own the mbuf and it has room. */
static __rte_always_inline bool
tx_can_push(const struct rte_mbuf *m, uint16_t hdr_size)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
	       rte_pktmbuf_headroom(m) >= hdr_size;
}

/* The header goes into the packet's headroom, just before its data; left unwritten when already
 * zero (vionet_net_hdr_from_mbuf), so a forwarded frame's cache line stays shared with the device. */
static __rte_always_inline struct vionet_net_hdr *
tx_hdr_in_headroom(struct rte_mbuf *m, uint16_t hdr_size)
{
	return (struct vionet_net_hdr *)(rte_pktmbuf_mtod(m, char *) - hdr_size);
}

/*
 * A packet that needs more than one descriptor: its header in its headroom or in the slot of the
 * buffer id it takes, then its segments; through the slot's indirect table when negotiated and
 * short enough, else as a chain. Returns 0 or a negative errno from lib/virtq.
 */
static __rte_always_inline int
tx_add_chained(struct vionet_txq *txq, struct rte_mbuf *m, bool push, const bool packed)
{
	struct virtq_sg sg[VIONET_TX_MAX_SEGS];
	uint16_t id = vionet_vq_next_id(&txq->vq, packed);
	struct vionet_tx_slot *slot = &txq->slots[id];
	uint64_t slot_addr = txq->slots_dev_addr + (uint64_t)id * sizeof(*slot);
	uint16_t n = 0;
	struct rte_mbuf *seg = m;

	if (push) {
		vionet_net_hdr_from_mbuf(tx_hdr_in_headroom(m, txq->hdr_size), m, txq->hdr_size);
		sg[n].addr = vionet_mbuf_buf_addr(m, txq->use_va) + m->data_off - txq->hdr_size;
		sg[n].len = (uint32_t)m->data_len + txq->hdr_size;
		n++;
		seg = m->next;
	} else {
		vionet_net_hdr_from_mbuf(&slot->hdr, m, txq->hdr_size);
		sg[n].addr = slot_addr + offsetof(struct vionet_tx_slot, hdr);
		sg[n].len = txq->hdr_size;
		n++;
	}
	for (; seg != NULL; seg = seg->next) {
		sg[n].addr = vionet_mbuf_buf_addr(seg, txq->use_va) + seg->data_off;
		sg[n].len = seg->data_len;
		n++;
	}
	if (txq->indirect && n <= VIONET_TX_INDIRECT_MAX)
		return vionet_vq_add_indirect(&txq->vq, packed, sg, n, &slot->indirect,
					      slot_addr + offsetof(struct vionet_tx_slot, indirect), m);
	return vionet_vq_add_chain(&txq->vq, packed, sg, n, 0, m);
}

/* One-descriptor packets of a burst, grouped to be posted with one bulk add. */
struct tx_group {
	uint64_t addrs[VIONET_BURST_MAX];
	uint32_t lens[VIONET_BURST_MAX];
	void *cookies[VIONET_BURST_MAX];
	uint16_t n;
};

/* A packet the burst cannot send (VLAN insert failed, too many segments, lib/virtq refused): freed
 * and counted, the burst goes on (ethdev: it counts as sent). */
static __rte_always_inline void
tx_drop(struct vionet_txq *txq, struct rte_mbuf *m)
{
	txq->stats.errors++;
	rte_pktmbuf_free(m);
}

/*
 * The packets of a group from 'from' on, which the ring did not take (lib/virtq adds none once the
 * ring is broken): dropped. They were counted as sent when grouped (one count per packet on the
 * fast path); the count is taken back here, on the rare path.
 */
static __rte_noinline __rte_cold void
tx_group_unposted(struct vionet_txq *txq, struct tx_group *g, uint16_t from)
{
	for (uint16_t i = from; i < g->n; i++) {
		struct rte_mbuf *m = g->cookies[i];

		txq->stats.packets--;
		txq->stats.bytes -= m->pkt_len;
		txq->stats.size[vionet_size_bucket(m->pkt_len)]--;
		tx_drop(txq, m);
	}
}

/* Posts the group (ring order: before anything the burst adds after it). */
static __rte_always_inline void
tx_flush_group(struct vionet_txq *txq, struct tx_group *g, const bool packed)
{
	uint16_t added;

	if (g->n == 0)
		return;
	added = vionet_vq_add_bulk(&txq->vq, packed, g->addrs, g->lens, 0, g->cookies, g->n);
	if (unlikely(added != g->n))
		tx_group_unposted(txq, g, added);
	g->n = 0;
}

/* The common case: header in headroom, one descriptor, into the group. */
static __rte_always_inline void
tx_group_add(struct vionet_txq *txq, struct tx_group *g, struct rte_mbuf *m)
{
	const uint16_t hdr_size = txq->hdr_size;

	vionet_net_hdr_from_mbuf(tx_hdr_in_headroom(m, hdr_size), m, hdr_size);
	g->addrs[g->n] = vionet_mbuf_buf_addr(m, txq->use_va) + m->data_off - hdr_size;
	g->lens[g->n] = (uint32_t)m->data_len + hdr_size;
	g->cookies[g->n] = m;
	g->n++;
}

/* Descriptors a packet takes: its segments, plus the header's own unless it goes in headroom or
 * the packet goes through one indirect descriptor. */
static __rte_always_inline uint16_t
tx_descs_needed(const struct vionet_txq *txq, const struct rte_mbuf *m, bool push)
{
	if (push)
		return m->nb_segs;
	return txq->indirect && m->nb_segs < VIONET_TX_INDIRECT_MAX ? 1 : (uint16_t)(m->nb_segs + 1);
}

/* A Tx burst under way: what its per-packet step (tx_step) carries from packet to packet. The vector
 * Tx paths keep one too, and take the packets their groups cannot through the same step. */
struct tx_burst_state {
	struct tx_group group;
	uint16_t free_descs; /* descriptors free for the burst's rest, as the ring had them */
	bool reclaimed;      /* the burst's one reclaim is done */
};

/*
 * The start of a burst: completed buffers are reclaimed lazily (ethdev's tx_free_thresh): below the
 * threshold, or short for this burst. Each reclaim reads what the device's core last wrote (used.idx
 * or used descriptors): once per ring's worth instead of once per burst. Returns false when the ring
 * is broken (the reclaim reported it): the burst sends nothing.
 */
static __rte_always_inline bool
tx_burst_begin(struct vionet_txq *txq, struct tx_burst_state *b, uint16_t nb_pkts, const bool packed)
{
	b->group.n = 0;
	b->reclaimed = false;
	b->free_descs = vionet_vq_free_count(&txq->vq, packed);
	if (b->free_descs < txq->free_thresh || b->free_descs < nb_pkts) {
		tx_reclaim(txq, packed);
		if (unlikely(vionet_vq_is_broken(&txq->vq, packed)))
			return false;
		b->free_descs = vionet_vq_free_count(&txq->vq, packed);
		b->reclaimed = true;
	}
	return true;
}

/*
 * One packet of a burst, at *slot: its header placed and the packet added (grouped when it is one
 * descriptor), or dropped and counted. Returns false when the ring has no room for it even after the
 * burst's one reclaim: the burst ends before it.
 */
static __rte_always_inline bool
tx_step(struct vionet_txq *txq, struct tx_burst_state *b, struct rte_mbuf **slot, const bool packed)
{
	struct rte_mbuf *m = *slot;
	const uint16_t hdr_size = txq->hdr_size;
	bool push;
	uint16_t need;

	/* VLAN insert in software (ethdev TX_OFFLOAD_VLAN_INSERT): the tag goes in the frame. */
	if (unlikely(m->ol_flags & RTE_MBUF_F_TX_VLAN)) {
		if (rte_vlan_insert(&m) != 0) {
			tx_drop(txq, m);
			return true;
		}
		*slot = m;
	}
	push = tx_can_push(m, hdr_size);
	need = tx_descs_needed(txq, m, push);
	if (unlikely(m->nb_segs >= VIONET_TX_MAX_SEGS)) {
		tx_drop(txq, m);
		return true;
	}
	if (unlikely(need > b->free_descs)) {
		/* A long chain can need more than the lazy reclaim left: reclaim now, once, with
		 * what this burst grouped so far posted first (ring order). */
		if (b->reclaimed)
			return false;
		tx_flush_group(txq, &b->group, packed);
		tx_reclaim(txq, packed);
		b->free_descs = vionet_vq_free_count(&txq->vq, packed);
		b->reclaimed = true;
		if (need > b->free_descs || unlikely(vionet_vq_is_broken(&txq->vq, packed)))
			return false;
	}
	b->free_descs = (uint16_t)(b->free_descs - need);

	if (likely(push && m->nb_segs == 1)) {
		vionet_stats_count(&txq->stats, m->pkt_len);
		tx_group_add(txq, &b->group, m);
		return true;
	}
	tx_flush_group(txq, &b->group, packed);
	if (unlikely(tx_add_chained(txq, m, push, packed) != 0)) {
		tx_drop(txq, m);
		return true;
	}
	txq->stats.multi_seg++;
	vionet_stats_count(&txq->stats, m->pkt_len);
	return true;
}

/* The end of a burst that took 'sent' packets: the group posted, one publish, at most one kick. */
static __rte_always_inline void
tx_burst_end(struct vionet_txq *txq, struct tx_burst_state *b, uint16_t sent, const bool packed)
{
	tx_flush_group(txq, &b->group, packed);
	if (sent != 0)
		vionet_queue_publish_and_kick(&txq->vq, packed, &txq->stats);
}

/*
 * Per burst: reclaim (lazily, below tx_free_thresh), then per packet place its header and add it
 * (grouped when it is one descriptor), one flush of the group, one publish, at most one kick.
 */
static __rte_always_inline uint16_t
tx_burst(struct vionet_txq *txq, struct rte_mbuf **tx_pkts, uint16_t nb_pkts, const bool packed)
{
	struct tx_burst_state b;
	uint16_t sent;

	nb_pkts = RTE_MIN(nb_pkts, VIONET_BURST_MAX);
	if (!tx_burst_begin(txq, &b, nb_pkts, packed))
		return 0;
	for (sent = 0; sent < nb_pkts; sent++)
		if (!tx_step(txq, &b, &tx_pkts[sent], packed))
			break;
	tx_burst_end(txq, &b, sent, packed);
	return sent;
}

/* ---- Entry points: the gate keeps a burst off a ring the control path is re-creating ---- */

static __rte_always_inline uint16_t
rx_burst_gated(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts,
	       const bool packed, const bool mrg)
{
	uint16_t n;

	if (unlikely(!vionet_vq_gate_enter(&rxq->vq.gate)))
		return 0;
	n = mrg ? rx_burst_mrg(rxq, rx_pkts, nb_pkts, packed) : rx_burst(rxq, rx_pkts, nb_pkts, packed);
	vionet_vq_gate_exit(&rxq->vq.gate);
	return n;
}

static __rte_always_inline uint16_t
tx_burst_gated(struct vionet_txq *txq, struct rte_mbuf **tx_pkts, uint16_t nb_pkts,
	       const bool packed)
{
	uint16_t n;

	if (unlikely(!vionet_vq_gate_enter(&txq->vq.gate)))
		return 0;
	n = tx_burst(txq, tx_pkts, nb_pkts, packed);
	vionet_vq_gate_exit(&txq->vq.gate);
	return n;
}

/*
 * ethdev tx_done_cleanup: what the device has used goes back to the pools now, below the lazy
 * threshold too. free_cnt 0: everything used. Returns the packets freed.
 */
static __rte_always_inline int
tx_done_cleanup_gated(struct vionet_txq *txq, uint32_t free_cnt, const bool packed)
{
	uint32_t n;

	if (unlikely(!vionet_vq_gate_enter(&txq->vq.gate)))
		return 0;
	n = tx_reclaim_upto(txq, packed, free_cnt);
	vionet_vq_gate_exit(&txq->vq.gate);
	return (int)n;
}

#endif /* VIONET_RXTX_BURST_H */
