/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring Tx in vectors, in order or not: the body written once for every x86 width.
 * rxtx_packed_tx_sse.c, _avx2.c and _avx512.c each define their width's primitives and include this
 * file; meson builds each with its own target flags, and rxtx_select.c picks one at start.
 *
 * Per burst, as the scalar tx_burst(): the same lazy reclaim (lib/virtq's checked harvest, mbufs
 * freed in bulk), one publish, at most one notification. Packets go a group at a time
 * (VEC_TX_GROUP) when every one of them is the common case: one segment, ours alone, direct, with
 * headroom for the header, and no offload that needs a non-zero header or a VLAN tag inserted; the
 * group's mbufs are checked with one compare, its descriptors (addr: the header in headroom, len,
 * id, flags) built in vector registers and written with VEC_TX_GROUP * 16 bytes of stores;
 * lib/virtq books the group (virtq_packed_drv_post_group: IDs, cookies, ring position). The batch
 * head's flags stay as they are: publish() writes them last, after a release ("Updating flags").
 * Any other packet, a group across the ring's end and the last partial group take the scalar step
 * (tx_step), which places the header, chains or uses an indirect table, drops and counts exactly as
 * tx_burst() does.
 *
 * The including file defines, for its width:
 *   VEC_TX_GROUP        packets (and descriptors) per group
 *   VEC_XMIT_FN         the burst function's name
 *   vec_mbufs_fit()     whether the group's mbufs all take the fast path (struct vec_tx_consts)
 *   vec_descs_store()   the group's descriptors, one 128-bit value each, stored at a ring slot
 */
#ifndef VIONET_RXTX_PACKED_TX_VEC_H
#define VIONET_RXTX_PACKED_TX_VEC_H

#include <rte_vect.h>

#include "rxtx/rxtx.h"
#include "rxtx/rxtx_burst.h"

#ifndef VEC_TX_GROUP
#error "include rxtx_packed_tx_vec.h from a per-width file (rxtx_packed_tx_sse.c, _avx2.c, _avx512.c)"
#endif

/* Offload requests the fast path leaves to the scalar step: a header that is not all zero (checksum,
 * TSO), a VLAN tag to insert; and mbufs that are not direct (their header goes elsewhere). */
#define VEC_TX_SCALAR_FLAGS                                                                        \
	(RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_INDIRECT | \
	 RTE_MBUF_F_EXTERNAL)

/*
 * What a burst keeps in registers. The 16 bytes at an mbuf's rearm_data (data_off, refcnt,
 * nb_segs, port, ol_flags) fit the fast path when (x & fit_mask) == fit_want and data_off >=
 * hdr_size (max(x, fit_headroom) == x). A descriptor: the buffer's address (buf_addr or buf_iova,
 * addr_sel) plus data_off minus hdr_size, then len (data_len plus hdr_size), id, flags.
 */
struct vec_tx_consts {
	__m128i fit_mask;
	__m128i fit_want;
	__m128i fit_headroom;
	__m128i addr_sel;  /* buf_addr or buf_iova to the low 8 bytes */
	__m128i off_sel;   /* rearm_data's data_off to the low 8 bytes */
	__m128i len_sel;   /* rx_descriptor_fields1's data_len to bytes 8-9 */
	__m128i desc_base; /* -hdr_size, then hdr_size in len (flags: the group's lap) */
};

static __rte_always_inline void
vec_tx_consts_init(struct vec_tx_consts *c, uint16_t hdr_size, bool use_va)
{
	const uint64_t ol_mask = VEC_TX_SCALAR_FLAGS;

	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, buf_iova) != offsetof(struct rte_mbuf, buf_addr) + 8);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, refcnt) != offsetof(struct rte_mbuf, rearm_data) + 2);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, nb_segs) !=
			 offsetof(struct rte_mbuf, rearm_data) + 4);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, ol_flags) !=
			 offsetof(struct rte_mbuf, rearm_data) + 8);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_len) !=
			 offsetof(struct rte_mbuf, rx_descriptor_fields1) + 8);
	RTE_BUILD_BUG_ON(sizeof(struct virtq_packed_desc) != 16);
	RTE_BUILD_BUG_ON(offsetof(struct virtq_packed_desc, len) != 8);
	RTE_BUILD_BUG_ON(offsetof(struct virtq_packed_desc, id) != 12);
	RTE_BUILD_BUG_ON(offsetof(struct virtq_packed_desc, flags) != 14);
	c->fit_mask = _mm_set_epi64x((int64_t)ol_mask, (int64_t)0x0000ffffffff0000ull);
	c->fit_want = _mm_set_epi64x(0, (int64_t)0x0000000100010000ull);
	c->fit_headroom = _mm_set_epi64x(0, hdr_size);
	c->addr_sel = use_va ? _mm_set_epi8(-1, -1, -1, -1, -1, -1, -1, -1, 7, 6, 5, 4, 3, 2, 1, 0)
			     : _mm_set_epi8(-1, -1, -1, -1, -1, -1, -1, -1, 15, 14, 13, 12, 11, 10, 9,
					    8);
	c->off_sel = _mm_set_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 0);
	c->len_sel = _mm_set_epi8(-1, -1, -1, -1, -1, -1, 9, 8, -1, -1, -1, -1, -1, -1, -1, -1);
	c->desc_base = _mm_set_epi64x(hdr_size, -(int64_t)hdr_size);
}

/* One mbuf's descriptor (little-endian, as the ring holds it): addr, len, id, flags. */
static __rte_always_inline __m128i
vec_desc_of(const struct rte_mbuf *m, uint16_t id, __m128i base, const struct vec_tx_consts *c)
{
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)&m->buf_addr);
	__m128i r = _mm_loadu_si128((const __m128i *)(const void *)&m->rearm_data);
	__m128i f = _mm_loadu_si128((const __m128i *)(const void *)&m->rx_descriptor_fields1);
	__m128i d = _mm_add_epi64(_mm_shuffle_epi8(a, c->addr_sel), _mm_shuffle_epi8(r, c->off_sel));

	d = _mm_add_epi64(d, _mm_shuffle_epi8(f, c->len_sel));
	d = _mm_add_epi64(d, base);
	return _mm_insert_epi16(d, id, 6);
}

/*
 * The fast path for a group that vec_mbufs_fit() and lib/virtq accepted: the headers in headroom
 * (all zero: left unwritten when they are already), lib/virtq's bookkeeping, the descriptors, the
 * counters.
 */
static __rte_always_inline void
vec_group_send(struct vionet_txq *txq, struct rte_mbuf **m, const struct vec_tx_consts *c)
{
	struct virtq_packed_drv *vq = &txq->vq.packed;
	const uint16_t hdr_size = txq->hdr_size;
	/* the lap the group is in (it never crosses the ring's end): its AVAIL/USED bits */
	const __m128i base =
		_mm_insert_epi16(c->desc_base, virtq_packed_avail_bits(vq->avail_wrap), 7);
	__m128i descs[VEC_TX_GROUP];
	uint16_t ids[VEC_TX_GROUP];
	uint16_t slot, j;
	bool head;

	for (j = 0; j < VEC_TX_GROUP; j++)
		vionet_net_hdr_zero(tx_hdr_in_headroom(m[j], hdr_size), hdr_size);
	slot = virtq_packed_drv_post_group(vq, (void *const *)m, ids, VEC_TX_GROUP, &head);
	for (j = 0; j < VEC_TX_GROUP; j++)
		descs[j] = vec_desc_of(m[j], ids[j], base, c);
	/* The batch head keeps the flags it has: publish() makes it available last. */
	if (head)
		descs[0] = _mm_insert_epi16(descs[0], virtq_load16(&vq->desc[slot].flags), 7);
	vec_descs_store(&vq->desc[slot], descs);
	for (j = 0; j < VEC_TX_GROUP; j++)
		vionet_stats_count(&txq->stats, m[j]->pkt_len);
}

static __rte_always_inline uint16_t
vec_tx_burst(struct vionet_txq *txq, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	struct virtq_packed_drv *vq = &txq->vq.packed;
	struct vec_tx_consts c;
	struct tx_burst_state b;
	uint16_t sent = 0;

	nb_pkts = RTE_MIN(nb_pkts, VIONET_BURST_MAX);
	/* the lazy reclaim of tx_burst(), on the same conditions */
	if (!tx_burst_begin(txq, &b, nb_pkts, true))
		return 0;
	vec_tx_consts_init(&c, txq->hdr_size, txq->use_va);
	while (sent < nb_pkts) {
		if (nb_pkts - sent >= VEC_TX_GROUP && b.free_descs >= VEC_TX_GROUP &&
		    vec_mbufs_fit(&tx_pkts[sent], &c)) {
			/* ring order: the scalar step's grouped packets before this group */
			tx_flush_group(txq, &b.group, true);
			if (likely(virtq_packed_drv_group_fits(vq, VEC_TX_GROUP))) {
				vec_group_send(txq, &tx_pkts[sent], &c);
				b.free_descs = (uint16_t)(b.free_descs - VEC_TX_GROUP);
				sent = (uint16_t)(sent + VEC_TX_GROUP);
				continue;
			}
		}
		/* Anything else, the group across the ring's end, the last partial group. */
		if (!tx_step(txq, &b, &tx_pkts[sent], true))
			break;
		sent++;
	}
	tx_burst_end(txq, &b, sent, true);
	return sent;
}

uint16_t
VEC_XMIT_FN(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	struct vionet_txq *txq = tx_queue;
	uint16_t n;

	if (unlikely(!vionet_vq_gate_enter(&txq->vq.gate)))
		return 0;
	n = vec_tx_burst(txq, tx_pkts, nb_pkts);
	vionet_vq_gate_exit(&txq->vq.gate);
	return n;
}

#endif /* VIONET_RXTX_PACKED_TX_VEC_H */
