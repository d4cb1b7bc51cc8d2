/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring Tx in vectors, in order or not: the body written once for every x86 width.
 * rxtx_split_tx_sse.c, _avx2.c and _avx512.c each define their width's primitives and include this
 * file; meson builds each with its own target flags, and rxtx_select.c picks one at start.
 *
 * Per burst, as tx_burst(): the lazy reclaim (completed mbufs freed in bulk, every used entry
 * checked by lib/virtq), then the packets a group at a time (2, 4 or 8). A group whose packets all
 * take the common case (one segment, a direct mbuf we alone own, room for the header in its
 * headroom, no VLAN insert, no checksum or TSO request: an all-zero header) is checked with one
 * vector compare; lib/virtq takes its descriptor ids (virtq_split_drv_post_readable_ids, the ring
 * state as add_bulk() leaves it) and each descriptor (addr = data - header, len = data_len +
 * header, flags 0, next 0) is one 16-byte store. The header is written only where it is not zero
 * yet (vionet_net_hdr_zero). Any other packet, and the last partial group, goes through the scalar
 * step (tx_step), which places, adds, drops and counts it exactly as the scalar path does; the
 * ring then sees the same descriptors in the same order. One publish, at most one kick.
 *
 * The including file defines, for its width:
 *   VEC_TX_PER_GROUP     packets one group check covers (a multiple of VEC_MBUFS_PER_VEC)
 *   VEC_MBUFS_PER_VEC    mbufs one vector holds (16 bytes of each, one per 128-bit lane)
 *   VEC_XMIT_FN          the burst function's name
 *   vec_t                the width's vector
 *   vec_bcast()          a 128-bit value in every lane
 *   vec_load_lanes()     16 bytes at an offset of each of VEC_MBUFS_PER_VEC mbufs, one per lane
 *   vec_and(), vec_or(), vec_xor(), vec_add64(), vec_subs_u16(), vec_shuffle_bytes(),
 *   vec_shr_8bytes()     lane-wise operations as their SSE namesakes
 *   vec_is_zero()        whether every bit is 0
 *   vec_store_descs()    each lane to the descriptor of its id
 */
#ifndef VIONET_RXTX_SPLIT_TX_VEC_H
#define VIONET_RXTX_SPLIT_TX_VEC_H

#include <rte_vect.h>

#include "rxtx/rxtx.h"
#include "rxtx/rxtx_burst.h"

#ifndef VEC_TX_PER_GROUP
#error "include rxtx_split_tx_vec.h from a per-width file (rxtx_split_tx_sse.c, _avx2.c, _avx512.c)"
#endif

/* mbuf flags that send a packet to the scalar step: not direct (tx_can_push), a VLAN tag to insert,
 * or a TSO or L4 checksum request (a header that is not zero; SCTP's too, to keep the test one AND). */
#define VEC_TX_SCALAR_FLAGS                                                                        \
	(RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_TCP_SEG |  \
	 RTE_MBUF_F_TX_L4_MASK)

/* What a burst's group checks and descriptor stores need, in vectors, set once per burst. */
struct vec_tx_consts {
	vec_t rearm_mask;   /* refcnt, nb_segs and the flags above, of rearm_data + ol_flags */
	vec_t rearm_expect; /* refcnt 1, nb_segs 1, none of the flags */
	vec_t headroom_min; /* the header's size, in data_off's lane */
	vec_t data_off_pick; /* data_off to the low 16 bits of the address lane */
	vec_t data_len_pick; /* data_len to the low 16 bits of the length lane */
	vec_t addr_len_adj;  /* address - header size, length + header size */
	vec_t addr_keep;     /* use_va: buf_addr's lane alone */
	bool use_va;
};

static __rte_always_inline void
vec_tx_consts_init(struct vec_tx_consts *c, const struct vionet_txq *txq)
{
	const uint16_t hdr_size = txq->hdr_size;

	/* rearm_data: data_off, refcnt, nb_segs, port; then ol_flags */
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_off) !=
			 offsetof(struct rte_mbuf, rearm_data));
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, refcnt) != offsetof(struct rte_mbuf, rearm_data) + 2);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, nb_segs) != offsetof(struct rte_mbuf, rearm_data) + 4);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, ol_flags) !=
			 offsetof(struct rte_mbuf, rearm_data) + 8);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_len) !=
			 offsetof(struct rte_mbuf, rx_descriptor_fields1) + 8);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, buf_iova) != offsetof(struct rte_mbuf, buf_addr) + 8);
	RTE_BUILD_BUG_ON(sizeof(struct virtq_split_desc) != 16);
	RTE_BUILD_BUG_ON(offsetof(struct virtq_split_desc, len) != 8);
	c->rearm_mask = vec_bcast(_mm_set_epi64x((int64_t)VEC_TX_SCALAR_FLAGS, 0x0000ffffffff0000ll));
	c->rearm_expect = vec_bcast(_mm_set_epi64x(0, 0x0000000100010000ll));
	c->headroom_min = vec_bcast(_mm_set_epi16(0, 0, 0, 0, 0, 0, 0, (short)hdr_size));
	c->data_off_pick =
		vec_bcast(_mm_set_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 0));
	c->data_len_pick =
		vec_bcast(_mm_set_epi8(-1, -1, -1, -1, -1, -1, 9, 8, -1, -1, -1, -1, -1, -1, -1, -1));
	/* lengths are 32 bits and flags and next 0: the 64-bit add of the length lane cannot carry */
	c->addr_len_adj = vec_bcast(_mm_set_epi64x(hdr_size, -(int64_t)hdr_size));
	c->addr_keep = vec_bcast(_mm_set_epi64x(0, -1));
	c->use_va = txq->use_va;
}

/* Whether every packet of the group at m takes the common case (the file's comment). */
static __rte_always_inline bool
vec_tx_group_fits(struct rte_mbuf *const *m, const struct vec_tx_consts *c)
{
	vec_t bad = vec_bcast(_mm_setzero_si128());

	for (uint16_t j = 0; j < VEC_TX_PER_GROUP; j += VEC_MBUFS_PER_VEC) {
		vec_t rearm = vec_load_lanes(&m[j], offsetof(struct rte_mbuf, rearm_data));

		/* fields off their expected values, or data_off (the headroom) below the header */
		bad = vec_or(bad, vec_xor(vec_and(rearm, c->rearm_mask), c->rearm_expect));
		bad = vec_or(bad, vec_subs_u16(c->headroom_min, rearm));
	}
	return vec_is_zero(bad);
}

/* The group's descriptors: the device's address of each buffer's start, its data offset less the
 * header, and its data length plus the header, flags and next 0. */
static __rte_always_inline void
vec_tx_group_descs(struct rte_mbuf *const *m, const uint16_t *ids, struct virtq_split_desc *desc,
		   const struct vec_tx_consts *c)
{
	for (uint16_t j = 0; j < VEC_TX_PER_GROUP; j += VEC_MBUFS_PER_VEC) {
		vec_t addr = vec_load_lanes(&m[j], offsetof(struct rte_mbuf, buf_addr));
		vec_t rearm = vec_load_lanes(&m[j], offsetof(struct rte_mbuf, rearm_data));
		vec_t fields = vec_load_lanes(&m[j], offsetof(struct rte_mbuf, rx_descriptor_fields1));
		vec_t off_len;

		/* buf_addr, or buf_iova moved to its place */
		addr = c->use_va ? vec_and(addr, c->addr_keep) : vec_shr_8bytes(addr);
		off_len = vec_or(vec_shuffle_bytes(rearm, c->data_off_pick),
				 vec_shuffle_bytes(fields, c->data_len_pick));
		vec_store_descs(vec_add64(vec_add64(addr, off_len), c->addr_len_adj), desc, &ids[j]);
	}
}

/*
 * A group the ring took only n packets of (lib/virtq posts none once the ring is broken): those
 * written the scalar way, the rest dropped and counted, as tx_group_unposted() does on the scalar
 * path.
 */
static __rte_noinline __rte_cold void
vec_tx_group_partial(struct vionet_txq *txq, struct rte_mbuf *const *m, const uint16_t *ids,
		     uint16_t n)
{
	const uint16_t hdr_size = txq->hdr_size;

	for (uint16_t j = 0; j < n; j++) {
		vionet_net_hdr_zero(tx_hdr_in_headroom(m[j], hdr_size), hdr_size);
		vionet_stats_count(&txq->stats, m[j]->pkt_len);
		virtq_split_fill_desc(&txq->vq.split.desc[ids[j]],
				      vionet_mbuf_buf_addr(m[j], txq->use_va) + m[j]->data_off - hdr_size,
				      (uint32_t)m[j]->data_len + hdr_size, 0, 0);
	}
	for (uint16_t j = n; j < VEC_TX_PER_GROUP; j++)
		tx_drop(txq, m[j]);
}

/* A group that fits: after what the burst grouped before it (ring order), headers, ids, descriptors. */
static __rte_always_inline void
vec_tx_group_post(struct vionet_txq *txq, struct tx_burst_state *b, struct rte_mbuf *const *m,
		  const struct vec_tx_consts *c)
{
	struct virtq_split_drv *vq = &txq->vq.split;
	const uint16_t hdr_size = txq->hdr_size;
	uint16_t ids[VEC_TX_PER_GROUP];
	uint16_t n;

	tx_flush_group(txq, &b->group, false);
	b->free_descs = (uint16_t)(b->free_descs - VEC_TX_PER_GROUP);
	/* All or, on a broken ring, none: the burst's free_descs never exceeds the ring's. */
	n = virtq_split_drv_post_readable_ids(vq, (void *const *)m, ids, VEC_TX_PER_GROUP);
	if (unlikely(n != VEC_TX_PER_GROUP)) {
		vec_tx_group_partial(txq, m, ids, n);
		return;
	}
	for (uint16_t j = 0; j < VEC_TX_PER_GROUP; j++) {
		vionet_net_hdr_zero(tx_hdr_in_headroom(m[j], hdr_size), hdr_size);
		vionet_stats_count(&txq->stats, m[j]->pkt_len);
	}
	vec_tx_group_descs(m, ids, vq->desc, c);
}

static __rte_always_inline uint16_t
vec_tx_burst(struct vionet_txq *txq, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	struct tx_burst_state b;
	struct vec_tx_consts c;
	uint16_t sent = 0;

	nb_pkts = RTE_MIN(nb_pkts, VIONET_BURST_MAX);
	if (!tx_burst_begin(txq, &b, nb_pkts, false))
		return 0;
	vec_tx_consts_init(&c, txq);
	while (sent < nb_pkts) {
		if (nb_pkts - sent >= VEC_TX_PER_GROUP && b.free_descs >= VEC_TX_PER_GROUP &&
		    vec_tx_group_fits(&tx_pkts[sent], &c)) {
			vec_tx_group_post(txq, &b, &tx_pkts[sent], &c);
			sent += VEC_TX_PER_GROUP;
			continue;
		}
		/* a packet the group cannot take, or the last partial group: one scalar step */
		if (!tx_step(txq, &b, &tx_pkts[sent], false))
			break;
		sent++;
	}
	tx_burst_end(txq, &b, sent, false);
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

#endif /* VIONET_RXTX_SPLIT_TX_VEC_H */
