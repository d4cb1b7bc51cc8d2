/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring Rx in vectors, with and without mergeable buffers, in order or not: the body written
 * once for every x86 width. rxtx_packed_sse.c, _avx2.c and _avx512.c each define their width's
 * primitives and include this file; meson builds each with its own target flags, and rxtx_select.c
 * picks one at start.
 *
 * Per burst: used descriptors a group at a time (4 or 8, 16 bytes each: addr, len, id, flags).
 * First the flags of the whole group: AVAIL and USED both equal to the used wrap counter (2.8.1);
 * then one acquire fence; then the group is read again into a local copy, so that what is checked is
 * what is used, and its ids and lengths checked with one clamp per vector. lib/virtq takes the
 * group's buffers (virtq_packed_drv_take_used_group, the ring state as the scalar harvest leaves it);
 * the mbufs' first lines are written with 16- or 32-byte stores. A group with a descriptor not used
 * yet, flags contradicting the wrap counter, an id or length out of bounds, one lib/virtq would not
 * take whole, a group across the ring's end (packed rings may have any size) and the last partial
 * group go to the scalar step (rx_harvest), which checks, rejects and counts them exactly as the
 * scalar path does. Mergeable buffers: a packet whose header says other than one buffer, and the
 * rest of its group, go to the scalar step (rx_mrg_buf, rxtx_vec_mrg.h); so does a packet under way
 * (rx_harvest_mrg). Refill: raw mbufs in bulk, each descriptor one 16-byte store, the batch head's
 * flags left to publish() as the scalar refill does.
 *
 * The including file defines, for its width:
 *   VEC_DESCS_PER_GROUP   used descriptors one group covers
 *   VEC_RECV_FN           the burst function's name
 *   VEC_RECV_MRG_FN       the mergeable buffers' burst function's name
 *   vec_t                 a vector of whole descriptors
 *   vec_set_desc()        the 16-byte pattern (low, high 64 bits) in every descriptor's lanes
 *   vec_lane_ids()        each descriptor lane's number in a vector, in its id's 32-bit lane
 *   vec_group_used()      whether every descriptor's flags, masked, equal the pattern given
 *   vec_group_in_bounds() the group copied out and its masked descriptors held to bounds
 *   vec_mbuf_store()      an mbuf's rearm_data + ol_flags and rx_descriptor_fields1 stored
 */
#ifndef VIONET_RXTX_PACKED_VEC_H
#define VIONET_RXTX_PACKED_VEC_H

#include <rte_atomic.h>
#include <rte_vect.h>

#include "rxtx/rxtx.h"
#include "rxtx/rxtx_burst.h"
#include "rxtx/rxtx_vec_mrg.h"

#ifndef VEC_DESCS_PER_GROUP
#error "include rxtx_packed_vec.h from a per-width file (rxtx_packed_sse.c, _avx2.c, _avx512.c)"
#endif

/* The high 64 bits of a descriptor: len, then id, then flags (little-endian ring, 2.8.13). */
#define VEC_DESC_HI(len, id, flags) \
	((uint64_t)(len) | (uint64_t)(id) << 32 | (uint64_t)(flags) << 48)

/*
 * The bounds one group's descriptors are held to, on (len, id) with addr and flags masked off:
 * min(max(desc, lo), hi) == desc in every lane. Lengths: from the header plus an Ethernet header
 * (shorter is a runt or empty: the scalar step drops and counts it) to the bytes posted. Ids: below
 * the ring size; in order, exactly the oldest outstanding buffer and those after it ("In-order use of
 * descriptors": a device that names another is returning a batch, which the scalar step takes). One
 * formula for both: ids = ((first_id + lane) & id_mask) added to the bounds, id_mask 0 when not in
 * order.
 */
struct vec_bounds {
	vec_t keep;
	vec_t lo;
	vec_t hi;
	vec_t id_mask;
	vec_t lane_ids;
};

static __rte_always_inline void
vec_bounds_init(struct vec_bounds *b, const struct virtq_packed_drv *vq, uint32_t min_len,
		uint32_t max_len)
{
	b->keep = vec_set_desc(0, VEC_DESC_HI(UINT32_MAX, UINT16_MAX, 0));
	b->lo = vec_set_desc(0, VEC_DESC_HI(min_len, 0, 0));
	b->hi = vec_set_desc(0, VEC_DESC_HI(max_len, vq->in_order ? 0 : vq->size - 1, 0));
	b->id_mask = vec_set_desc(0, VEC_DESC_HI(0, vq->in_order ? UINT16_MAX : 0, 0));
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
vec_mbufs_init(struct vionet_rxq *rxq, struct rte_mbuf **m, const struct virtq_packed_desc *d,
	       uint16_t k, __m128i rearm_ol, __m128i hdr_sub, uint16_t hdr_size)
{
	/* bytes 8-11 (len) to pkt_len, 8-9 to data_len */
	const __m128i to_fields1 =
		_mm_set_epi8(-1, -1, -1, -1, -1, -1, 9, 8, 11, 10, 9, 8, -1, -1, -1, -1);

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
	RTE_BUILD_BUG_ON(sizeof(struct virtq_packed_desc) != 16);
	RTE_BUILD_BUG_ON(offsetof(struct virtq_packed_desc, len) != 8);

	for (uint16_t j = 0; j < k; j++) {
		__m128i u = _mm_sub_epi32(_mm_loadu_si128((const __m128i *)(const void *)&d[j]),
					  hdr_sub);

		vec_mbuf_store(m[j], rearm_ol, _mm_shuffle_epi8(u, to_fields1));
		m[j]->vlan_tci_outer = 0;
		/* the length from the copy, not read back from the mbuf just stored */
		vionet_stats_count(&rxq->stats, virtq_le32_to_cpu(d[j].len) - hdr_size);
	}
}

/*
 * vionet_rxq_refill() with the descriptors written here: the same chunks from the pool, the same
 * counts, lib/virtq's state and ring position from virtq_packed_drv_post_writable_ids(); each
 * descriptor (addr, len, id, WRITE and the AVAIL/USED bits of its lap) one 16-byte store, except the
 * batch head, whose flags publish() stores last with a release ("Updating flags").
 */
static __rte_always_inline void
vec_refill(struct vionet_rxq *rxq)
{
	struct vionet_vq *vq = &rxq->vq;
	struct virtq_packed_desc *desc = vq->packed.desc;
	const uint16_t size = vq->packed.size;
	void *mbufs[VIONET_BURST_MAX];
	uint16_t ids[VIONET_BURST_MAX];
	/* the buffer starts hdr_size before the headroom's end (vionet_rxq_buf_addr) */
	const __m128i addr_off = _mm_set_epi64x(0, RTE_PKTMBUF_HEADROOM - rxq->hdr_size);
	const uint32_t buf_len = rxq->buf_len;
	const bool use_va = rxq->use_va;
	uint16_t total = 0, n, added;

	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, buf_iova) !=
			 offsetof(struct rte_mbuf, buf_addr) + 8);
	while ((n = RTE_MIN(virtq_packed_drv_free_count(&vq->packed), (uint16_t)VIONET_BURST_MAX)) !=
	       0) {
		struct virtq_packed_post_at at;
		uint16_t i = 0, pos;
		uint64_t hi;

		if (unlikely(rte_mempool_get_bulk(rxq->mp, mbufs, n) != 0)) {
			rxq->stats.mbuf_alloc_failed += n;
			break;
		}
		added = virtq_packed_drv_post_writable_ids(&vq->packed, mbufs, buf_len, ids, n, &at);
		pos = at.pos;
		hi = VEC_DESC_HI(buf_len, 0, VIRTQ_DESC_F_WRITE | virtq_packed_avail_bits(at.wrap));
		if (at.head_held && added != 0) {
			/* the head: everything but its flags, as write_desc() does */
			struct virtq_packed_desc *d = &desc[pos];

			d->addr = virtq_cpu_to_le64(vionet_rxq_buf_addr(rxq, mbufs[0]));
			d->len = virtq_cpu_to_le32(buf_len);
			d->id = virtq_cpu_to_le16(ids[0]);
			i = 1;
			if (++pos == size) {
				pos = 0;
				hi ^= VEC_DESC_HI(0, 0, VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED);
			}
		}
		for (; i < added; i++) {
			const struct rte_mbuf *m = mbufs[i];
			/* buf_addr and buf_iova: the device's address of the two in the low half */
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)&m->buf_addr);

			if (!use_va)
				a = _mm_srli_si128(a, 8);
			a = _mm_add_epi64(a, addr_off);
			_mm_storeu_si128((__m128i *)(void *)&desc[pos],
					 _mm_insert_epi64(a, (int64_t)(hi | (uint64_t)ids[i] << 32), 1));
			/* the next lap's AVAIL/USED bits are the other way round (2.8.1) */
			if (++pos == size) {
				pos = 0;
				hi ^= VEC_DESC_HI(0, 0, VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED);
			}
		}
		total += added;
		if (unlikely(added < n)) {
			rte_mempool_put_bulk(rxq->mp, &mbufs[added], n - added);
			break;
		}
	}
	if (total != 0)
		vionet_queue_publish_and_kick(vq, true, &rxq->stats);
}

/*
 * One burst. mrg: mergeable buffers (a group's packets whole in one buffer each stay here, the rest
 * go to the scalar step).
 */
static __rte_always_inline uint16_t
vec_rx_burst(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts, const bool mrg)
{
	struct virtq_packed_drv *vq = &rxq->vq.packed;
	const uint16_t hdr_size = rxq->hdr_size;
	const uint16_t want = RTE_MIN(nb_pkts, (uint16_t)VIONET_BURST_MAX);
	/* taken: descriptors the groups took; nb_rx: packets (fewer when mergeable ones span) */
	uint16_t taken = 0, nb_rx = 0, ready;

	/* Offloads turned on after the start (VLAN strip by vlan_offload_set): the scalar path. */
	if (unlikely(rxq->offloads || rxq->vlan_strip || rxq->hash_report))
		return mrg ? rx_burst_mrg(rxq, rx_pkts, nb_pkts, true)
			   : rx_burst(rxq, rx_pkts, nb_pkts, true);
	ready = virtq_packed_drv_group_ready(vq, want);
	if (ready >= VEC_DESCS_PER_GROUP) {
		const uint64_t rearm = rx_rearm_template(rxq->port_id);
		/* a pinned external buffer pool's mbufs keep their EXTERNAL flag (rx_mbuf_init) */
		const uint64_t ol_flags =
			(rte_pktmbuf_priv_flags(rxq->mp) & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF)
				? RTE_MBUF_F_EXTERNAL
				: 0;
		const __m128i rearm_ol = _mm_set_epi64x((int64_t)ol_flags, (int64_t)rearm);
		const __m128i hdr_sub = _mm_set_epi32(0, hdr_size, 0, 0);
		const vec_t flags_mask =
			vec_set_desc(0, VEC_DESC_HI(0, 0, VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED));
		const uint16_t size = vq->size;
		struct vec_bounds bounds;

		vec_bounds_init(&bounds, vq, (uint32_t)hdr_size + RTE_ETHER_HDR_LEN, rxq->buf_len);
		/* a mergeable packet under way (continuation buffers carry no header): the scalar
		 * step */
		while ((uint16_t)(ready - taken) >= VEC_DESCS_PER_GROUP &&
		       (!mrg || rxq->mrg_left == 0)) {
			const struct virtq_packed_desc *d = &vq->desc[vq->last_used];
			struct virtq_packed_desc group[VEC_DESCS_PER_GROUP];
			struct rte_mbuf **m = &rx_pkts[nb_rx];
			uint16_t k, whole;

			if (vq->last_used + VEC_DESCS_PER_GROUP > size ||
			    (vq->in_order && vq->in_order_oldest + VEC_DESCS_PER_GROUP > size))
				break;
			if (!vec_group_used(d, flags_mask,
					    vec_set_desc(0, VEC_DESC_HI(0, 0, virtq_packed_used_bits(
										vq->used_wrap)))))
				break;
			/* acquire: the flags before the ids, lengths and frames they publish
			 * ("Receiving Used Buffers From The Device") */
			rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (!vec_group_in_bounds(d, group, bounds.keep, bounds.lo, bounds.hi,
						 bounds.id_mask, bounds.lane_ids,
						 vq->in_order_oldest))
				break;
			k = virtq_packed_drv_take_used_group(vq, group, (void **)m, VEC_DESCS_PER_GROUP);
			whole = mrg ? vec_single_buffers(m, k, hdr_size) : k;
			vec_mbufs_init(rxq, m, group, whole, rearm_ol, hdr_sub, hdr_size);
			nb_rx += whole;
			taken += k;
			if (mrg && unlikely(whole < k))
				nb_rx = vec_mrg_rest(rxq, rx_pkts, nb_rx,
						     (const uint8_t *)&group[whole].len,
						     sizeof(group[0]), (uint16_t)(k - whole), rearm,
						     true);
			if (k < VEC_DESCS_PER_GROUP)
				break;
		}
	}
	/* The rest: bad descriptors, a batch, the group across the ring's end, the last partial
	 * group; mergeable: a packet under way. After a group harvest only when the scalar harvest
	 * would find something there, so that its end-of-harvest work (a notification owed) runs as
	 * often as on the scalar path. */
	if (taken < want && (taken == 0 || virtq_packed_drv_used_waiting(vq)))
		nb_rx += mrg ? rx_harvest_mrg(rxq, &rx_pkts[nb_rx], (uint16_t)(want - taken), true)
			     : rx_harvest(rxq, &rx_pkts[nb_rx], (uint16_t)(want - taken), true);
	if (virtq_packed_drv_free_count(vq) >= rxq->refill_thresh)
		vec_refill(rxq);
	return nb_rx;
}

static __rte_always_inline uint16_t
vec_recv(struct vionet_rxq *rxq, struct rte_mbuf **rx_pkts, uint16_t nb_pkts, const bool mrg)
{
	uint16_t n;

	if (unlikely(!vionet_vq_gate_enter(&rxq->vq.gate)))
		return 0;
	n = vec_rx_burst(rxq, rx_pkts, nb_pkts, mrg);
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

#endif /* VIONET_RXTX_PACKED_VEC_H */
