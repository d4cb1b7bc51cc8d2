/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tx_pkt_prepare (rte_eth_tx_prepare): checks each packet's offload requests against what the
 * queue negotiated, and its size, and writes the pseudo-header checksum a partial checksum starts
 * from (5.1.6.2 Packet Transmission: the device adds the checksum from csum_start on to the value
 * at csum_offset). Not a fast path of its own: the application calls it before tx_burst when it
 * asks for offloads.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "queue/queue.h"
#include "rxtx/rxtx.h"

/* The largest IP packet a GSO request may describe: its IP length field is 16 bits. */
#define TSO_MAX_L3_BYTES UINT16_MAX

/* 0, or the errno that refuses the packet's request. */
static int
check_request(const struct vionet_txq *txq, const struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags;
	uint64_t l4 = ol & RTE_MBUF_F_TX_L4_MASK;
	bool tso = (ol & RTE_MBUF_F_TX_TCP_SEG) != 0;
	bool ipv6 = (ol & RTE_MBUF_F_TX_IPV6) != 0;
	uint32_t l4_min;

	if (m->nb_segs >= VIONET_TX_MAX_SEGS)
		return EINVAL;
	/* Every request the features do not serve (SCTP, IP or outer checksums, UDP or tunnel
	 * segmentation, an L4 checksum without CSUM). */
	if ((ol & RTE_MBUF_F_TX_OFFLOAD_MASK & ~txq->ol_flags_allowed) != 0 ||
	    l4 == RTE_MBUF_F_TX_SCTP_CKSUM)
		return ENOTSUP;
	if (tso && (ipv6 ? !txq->tso6 : !txq->tso4))
		return ENOTSUP;
	if (!tso && l4 == 0)
		return m->pkt_len > txq->max_frame_len ? EINVAL : 0;
	/* A checksum or segmentation request: one IP version, and its headers in the first segment
	 * (the pseudo-header is written there). */
	if (((ol & RTE_MBUF_F_TX_IPV4) != 0) == ipv6)
		return EINVAL;
	if (tso) {
		if (m->tso_segsz == 0 || m->l4_len < sizeof(struct rte_tcp_hdr) ||
		    l4 == RTE_MBUF_F_TX_UDP_CKSUM)
			return EINVAL;
		if (m->pkt_len > (uint32_t)m->l2_len + TSO_MAX_L3_BYTES)
			return EINVAL;
	} else if (m->pkt_len > txq->max_frame_len) {
		return EINVAL;
	}
	l4_min = l4 == RTE_MBUF_F_TX_UDP_CKSUM ? sizeof(struct rte_udp_hdr) : sizeof(struct rte_tcp_hdr);
	if (m->l3_len == 0 || (uint32_t)m->l2_len + m->l3_len + l4_min > m->data_len)
		return EINVAL;
	return 0;
}

/*
 * The pseudo-header checksum, length included, in the L4 checksum field: what the device's sum
 * from csum_start completes. For a GSO packet too: the device (Linux's segmentation) adjusts it
 * per segment from the whole packet's length, so DPDK's Intel convention (length left out for
 * TSO, rte_net_intel_cksum_prepare) does not fit here.
 */
static void
write_pseudo_header_cksum(struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags;
	void *l3 = rte_pktmbuf_mtod_offset(m, void *, m->l2_len);
	size_t field = (ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM
			       ? offsetof(struct rte_udp_hdr, dgram_cksum)
			       : offsetof(struct rte_tcp_hdr, cksum);
	/* ol_flags 0: the helpers leave the length out only for their TSO flag */
	uint16_t phdr = (ol & RTE_MBUF_F_TX_IPV4) ? rte_ipv4_phdr_cksum(l3, 0)
						  : rte_ipv6_phdr_cksum(l3, 0);

	memcpy(rte_pktmbuf_mtod_offset(m, char *, m->l2_len + m->l3_len + field), &phdr,
	       sizeof(phdr));
}

uint16_t
vionet_tx_prepare(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	const struct vionet_txq *txq = tx_queue;
	uint16_t i;

	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = tx_pkts[i];
		int err = check_request(txq, m);

		if (unlikely(err != 0)) {
			rte_errno = err;
			break;
		}
		if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG))
			write_pseudo_header_cksum(m);
	}
	return i;
}
