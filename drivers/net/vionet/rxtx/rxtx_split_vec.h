/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring Rx in vectors: the body written once for every x86 width, with and without mergeable
 * buffers. rxtx_split_sse.c, _avx2.c and _avx512.c each define their width's primitives and
 * include this file; meson builds each with its own target flags, and rxtx_select.c picks one at
 * start.
 *
 * Per burst: used entries a group at a time (2, 4 or 8: one load, kept in a local copy so what is
 * checked is what is used, and one compare of ids and lengths);
 * lib/virtq takes the group's buffers (virtq_split_drv_take_used_group, the ring state as the scalar
 * harvest leaves it); the mbufs' first lines written with 16- or 32-byte stores. A group with any
 * entry out of bounds, one lib/virtq would not take whole, a group across the ring's end, and the
 * last partial group go to the scalar step (rx_harvest, rx_harvest_mrg), which checks, rejects and
 * counts them exactly as the scalar path does. Mergeable buffers: a packet whose header says other
 * than one buffer, and the rest of its group, go to the scalar step (rx_mrg_buf). Header offloads
 * and VLAN strip: per packet after the group's stores, in a burst compiled apart. Refill: raw mbufs
 * in bulk, each descriptor one 16-byte store.
 *
 * The including file defines, for its width:
 *   VEC_USED_PER_GROUP   used entries one compare covers
 *   VEC_RECV_FN          the burst function's name
 *   VEC_RECV_MRG_FN      the mergeable buffers' burst function's name
 *   vec_t                a vector of VEC_USED_PER_GROUP used entries
 *   vec_set_pairs()      (id, len) in every entry's lanes
 *   vec_lane_ids()       each id lane's entry number in the group
 *   vec_group_in_bounds() the group at a used entry copied out and held to the bounds (vec_bounds)
 *   vec_mbuf_store()     an mbuf's rearm_data + ol_flags and rx_descriptor_fields1 stored
 */
#ifndef VIONET_RXTX_SPLIT_VEC_H
#define VIONET_RXTX_SPLIT_VEC_H

#include <rte_vect.h>

#include "rxtx/rxtx.h"
#include "rxtx/rxtx_burst.h"
#include "rxtx/rxtx_vec_mrg.h"

#ifndef VEC_USED_PER_GROUP
#error "include rxtx_split_vec.h from a per-width file (rxtx_split_sse.c, _avx2.c, _avx512.c)"
#endif

/*
 * The bounds one group's used entries are held to, as (id, len) pairs: min(max(entry, lo), hi) ==
 * entry in every lane. Lengths: from the header plus an Ethernet header (shorter is a runt or
 * empty: the scalar step drops and counts it) to the bytes posted. Ids: below the ring size; in
 * order, exactly the oldest outstanding buffer and those after it (2.7.9 In-order Feature: a
 * device that names another is returning a batch, which the scalar step takes). One formula for
 * both: ids = ((first_id + lane) & id_mask) added to the bounds, id_mask 0 when not in order.
 */
struct vec_bounds {
	vec_t lo;
	vec_t hi;
	vec_t id_mask;
	vec_t lane_ids;
};

static __rte_always_inline void
vec_bounds_init(struct vec_bounds *b, const struct virtq_split_drv *vq, uint32_t min_len,
		uint32_t max_len)
{
	b->lo = vec_set_pairs(0, min_len);
	b->hi = vec_set_pairs(vq->in_order ? 0 : vq->mask, max_len);
	b->id_mask = vec_set_pairs(vq->in_order ? vq->mask : 0, 0);
	b->lane_ids = vec_lane_ids();
}

/*
 * The mbuf stores, the same for every width (128-bit halves; the wider files join them into one
 * 32-byte store per mbuf): rearm_data and ol_flags, then rx_descriptor_fields1 (packet_type 0,
 * pkt_len and data_len the used length minus the header, vlan_tci 0, and hash.rss 0, which no
 * flag makes valid), then vlan_tci_outer. The fields and values rx_mbuf_init() sets, written
 * whole.
 */
static __rte_always_inline void
vec_mbufs_init(struct rte_mbuf **m, const struct virtq_split_used_elem *e, uint16_t k,
	       __m128i rearm_ol, __m128i hdr_sub)
{
	/* bytes 4-7 (the first entry's len) or 12-15 (the second's) to pkt_len and data_len */
	const __m128i first = _mm_set_epi8(-1, -1, -1, -1, -1, -1, 5, 4, 7, 6, 5, 4, -1, -1, -1, -1);
	const __m128i second =
		_mm_set_epi8(-1, -1, -1, -1, -1, -1, 13, 12, 15, 14, 13, 12, -1, -1, -1, -1);
	uint16_t j;

	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, ol_flags) !=
			 offsetof(struct rte_mbuf, rearm_data) + 8);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, rx_descriptor_fields1) !=
			 offsetof(struct rte_mbuf, rearm_data) + 16);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, packet_type) !=
			 offsetof(struct rte_mbuf, rx_descriptor_fields1));
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, pkt_len) !=
			 offsetof(struct rte_mbuf, rx_descriptor_fields1) + 4);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_len) !=
			 offsetof(struct rte_mbuf, rx_descriptor_fields1) + 8);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, vlan_tci) !=
			 offsetof(struct rte_mbuf, rx_descriptor_fields1) + 10);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, hash) !=
			 offsetof(struct rte_mbuf, rx_descriptor_fields1) + 12);
	RTE_BUILD_BUG_ON(sizeof(struct virtq_split_used_elem) != 8);

	for (j = 0; j + 1 < k; j += 2) {
		__m128i u = _mm_sub_epi32(_mm_loadu_si128((const __m128i *)(const void *)&e[j]),
					  hdr_sub);

		vec_mbuf_store(m[j], rearm_ol, _mm_shuffle_epi8(u, first));
		vec_mbuf_store(m[j + 1], rearm_ol, _mm_shuffle_epi8(u, second));
		m[j]->vlan_tci_outer = 0;
		m[j + 1]->vlan_tci_outer = 0;
	}
	if (j < k) {
		__m128i u = _mm_sub_epi32(_mm_loadl_epi64((const __m128i *)(const void *)&e[j]),
					  hdr_sub);

		vec_mbuf_store(m[j], rearm_ol, _mm_shuffle_epi8(u, first));
		m[j]->vlan_tci_outer = 0;
	}
}

/*
 * vionet_rxq_refill() with the descriptors written here: the same chunks from the pool, the same
 * counts, lib/virtq's state and avail ring from virtq_split_drv_post_writable_ids(); each
 * descriptor (addr, len, WRITE, next 0) one 16-byte store.
 */
static __rte_always_inline void
vec_refill(struct vionet_rxq *rxq)
{
	struct vionet_vq *vq = &rxq->vq;
	struct virtq_split_desc *desc = vq->split.desc;
	void *mbufs[VIONET_BURST_MAX];
	uint16_t ids[VIONET_BURST_MAX];
	/* the buffer starts hdr_size before the headroom's end (vionet_rxq_buf_addr) */
	const __m128i addr_off = _mm_set_epi64x(0, RTE_PKTMBUF_HEADROOM - rxq->hdr_size);
	const __m128i len_flags =
		_mm_set_epi64x((int64_t)((uint64_t)rxq->buf_len | (uint64_t)VIRTQ_DESC_F_WRITE << 32),
			       0);
	const bool use_va = rxq->use_va;
	uint16_t total = 0, n, added;

	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, buf_iova) !=
			 offsetof(struct rte_mbuf, buf_addr) + 8);
	RTE_BUILD_BUG_ON(sizeof(struct virtq_split_desc) != 16);
	while ((n = RTE_MIN(virtq_split_drv_free_count(&vq->split), (uint16_t)VIONET_BURST_MAX)) != 0) {
		if (unlikely(rte_mempool_get_bulk(rxq->mp, mbufs, n) != 0)) {
			rxq->stats.mbuf_alloc_failed += n;
			break;
		}
		added = virtq_split_drv_post_writable_ids(&vq->split, mbufs, rxq->buf_len, ids, n);
		for (uint16_t i = 0; i < added; i++) {
			const struct rte_mbuf *m = mbufs[i];
			/* buf_addr and buf_iova: the device's address of the two in the low half */
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)&m->buf_addr);

			if (!use_va)
				a = _mm_srli_si128(a, 8);
			a = _mm_add_epi64(a, addr_off);
			_mm_storeu_si128((__m128i *)(void *)&desc[ids[i]],
					 _mm_blend_epi16(a, len_flags, 0xf0));
		}
		total += added;
		if (unlikely(added < n)) {
			rte_mempool_put_bulk(rxq->mp, &mbufs[added], n - added);
			break;
		}
	}
	if (total != 0)
		vionet_queue_publish_and_kick(vq, false, &rxq->stats);
}

/*
 * One burst. mrg: mergeable buffers (a group's packets whole in one buffer each stay here, the
 * rest go to the scalar step). offl: the header's checksum/LRO flags (vionet_net_hdr_to_mbuf) and
 * VLAN strip, per packet after the group's vector stores, when the queue asks for them; compiled
 * out of the burst without them, which the entry picks per burst (offloads may change after start:
 * VLAN strip by vlan_offload_set).
 */
static __rte_always_inline uint16_t
vec_rx_burst(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts, const bool mrg,
	     const bool offl)
{
	struct virtq_split_drv *vq = &rxq->vq.split;
	const uint16_t hdr_size = rxq->hdr_size;
	const uint16_t want = RTE_MIN(nb_pkts, (uint16_t)VIONET_BURST_MAX);
	const uint64_t rearm = rx_rearm_template(rxq->port_id);
	/* a pinned external buffer pool's mbufs keep their EXTERNAL flag (rx_mbuf_init) */
	const uint64_t ol_flags = (rte_pktmbuf_priv_flags(rxq->mp) & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF)
					  ? RTE_MBUF_F_EXTERNAL
					  : 0;
	const __m128i rearm_ol = _mm_set_epi64x((int64_t)ol_flags, (int64_t)rearm);
	const __m128i hdr_sub = _mm_set_epi32(hdr_size, 0, hdr_size, 0);
	const bool hdr_offloads = offl && rxq->offloads;
	const bool vlan_strip = offl && rxq->vlan_strip;
	const bool hash_report = offl && rxq->hash_report;
	struct vec_bounds bounds;
	/* bufs: used entries the groups took; nb_rx: packets (fewer when mergeable ones span) */
	uint16_t bufs = 0, nb_rx = 0, ready;

	ready = virtq_split_drv_group_ready(vq, want);
	vec_bounds_init(&bounds, vq, (uint32_t)hdr_size + RTE_ETHER_HDR_LEN, rxq->buf_len);
	/* a mergeable packet under way (continuation buffers carry no header): the scalar step */
	while ((uint16_t)(ready - bufs) >= VEC_USED_PER_GROUP && (!mrg || rxq->mrg_left == 0)) {
		struct virtq_split_used_elem group[VEC_USED_PER_GROUP];
		struct rte_mbuf **m = &rx_pkts[nb_rx];
		uint16_t k, whole;

		if ((vq->last_used_idx & vq->mask) + VEC_USED_PER_GROUP > vq->size ||
		    !vec_group_in_bounds(virtq_split_drv_used_elem(vq, 0), group, bounds.lo, bounds.hi,
					 bounds.id_mask, bounds.lane_ids, vq->in_order_oldest))
			break;
		k = virtq_split_drv_take_used_group(vq, group, (void **)m, VEC_USED_PER_GROUP);
		whole = mrg ? vec_single_buffers(m, k, hdr_size) : k;
		vec_mbufs_init(m, group, whole, rearm_ol, hdr_sub);
		for (uint16_t j = 0; j < whole; j++) {
			if (offl) {
				if (hdr_offloads)
					vionet_net_hdr_to_mbuf(rx_hdr_of(m[j], hdr_size), m[j], rxq->lro);
				if (hash_report)
					vionet_net_hdr_hash_to_mbuf(rx_hdr_of(m[j], hdr_size), m[j]);
				if (vlan_strip)
					rx_vlan_strip(m[j]);
			}
			vionet_stats_count(&rxq->stats, m[j]->pkt_len);
		}
		nb_rx += whole;
		bufs += k;
		if (mrg && unlikely(whole < k))
			nb_rx = vec_mrg_rest(rxq, rx_pkts, nb_rx,
					     (const uint8_t *)&group[whole].len, sizeof(group[0]),
					     (uint16_t)(k - whole), rearm, false);
		if (k < VEC_USED_PER_GROUP)
			break;
	}
	/* The rest: bad entries, a batch, the group across the ring's end, the last partial group;
	 * mergeable: a packet under way. */
	if (bufs < want)
		nb_rx += mrg ? rx_harvest_mrg(rxq, &rx_pkts[nb_rx], (uint16_t)(want - bufs), false)
			     : rx_harvest(rxq, &rx_pkts[nb_rx], (uint16_t)(want - bufs), false);
	if (virtq_split_drv_free_count(vq) >= rxq->refill_thresh)
		vec_refill(rxq);
	return nb_rx;
}

static __rte_always_inline uint16_t
vec_recv(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts, const bool mrg)
{
	uint16_t n;

	if (unlikely(!vionet_vq_gate_enter(&rxq->vq.gate)))
		return 0;
	if (rxq->offloads || rxq->vlan_strip || rxq->hash_report)
		n = vec_rx_burst(rxq, rx_pkts, nb_pkts, mrg, true);
	else
		n = vec_rx_burst(rxq, rx_pkts, nb_pkts, mrg, false);
	vionet_vq_gate_exit(&rxq->vq.gate);
	return n;
}

uint16_t
VEC_RECV_FN(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts)
{
	return vec_recv(rx_queue, rx_pkts, nb_pkts, false);
}

uint16_t
VEC_RECV_MRG_FN(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts)
{
	return vec_recv(rx_queue, rx_pkts, nb_pkts, true);
}

#endif /* VIONET_RXTX_SPLIT_VEC_H */
