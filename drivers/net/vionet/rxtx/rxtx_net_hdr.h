/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net header (5.1.6 Device Operation, struct virtio_net_hdr) and its
 * translation to and from mbuf offload flags. Every packet carries one, before the frame: Rx in the
 * first buffer of a packet, Tx in headroom or in a descriptor of its own.
 */
#ifndef VIONET_NET_HDR_H
#define VIONET_NET_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "base/vionet_spec.h"

/*
 * The packet type a partial checksum tells (5.1.6.4 Processing of Incoming Packets: NEEDS_CSUM
 * comes with csum_start and csum_offset, a GSO type with the L3 version): TCP or UDP from where the
 * checksum goes, IPv4 or IPv6 from the GSO type. The frame parse (rxtx_ptype.h), where the
 * application asked for it, replaces it.
 */
static inline uint32_t
vionet_net_hdr_ptype(const struct vionet_net_hdr *hdr)
{
	uint16_t csum_offset = rte_le_to_cpu_16(hdr->csum_offset);
	uint8_t gso = hdr->gso_type & ~VIONET_NET_HDR_GSO_ECN;
	uint32_t ptype = RTE_PTYPE_L2_ETHER;

	if (csum_offset == offsetof(struct rte_tcp_hdr, cksum))
		ptype |= RTE_PTYPE_L4_TCP;
	else if (csum_offset == offsetof(struct rte_udp_hdr, dgram_cksum))
		ptype |= RTE_PTYPE_L4_UDP;
	if (gso == VIONET_NET_HDR_GSO_TCPV4)
		ptype |= RTE_PTYPE_L3_IPV4_EXT_UNKNOWN;
	else if (gso == VIONET_NET_HDR_GSO_TCPV6)
		ptype |= RTE_PTYPE_L3_IPV6_EXT_UNKNOWN;
	return ptype;
}

/*
 * Rx: the hash the device reported (VIRTIO_NET_F_HASH_REPORT) into hash.rss with RX_RSS_HASH, and
 * its type into the packet type (L3, and L4 where the hash covered ports). A report of NONE (the
 * device computed no hash for the packet) leaves both.
 */
static inline void
vionet_net_hdr_hash_to_mbuf(const struct vionet_net_hdr *hdr, struct rte_mbuf *m)
{
	static const uint32_t ptype_of_report[] = {
		[VIONET_HASH_REPORT_IPV4] = RTE_PTYPE_L3_IPV4_EXT_UNKNOWN,
		[VIONET_HASH_REPORT_TCPV4] = RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | RTE_PTYPE_L4_TCP,
		[VIONET_HASH_REPORT_UDPV4] = RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | RTE_PTYPE_L4_UDP,
		[VIONET_HASH_REPORT_IPV6] = RTE_PTYPE_L3_IPV6_EXT_UNKNOWN,
		[VIONET_HASH_REPORT_TCPV6] = RTE_PTYPE_L3_IPV6_EXT_UNKNOWN | RTE_PTYPE_L4_TCP,
		[VIONET_HASH_REPORT_UDPV6] = RTE_PTYPE_L3_IPV6_EXT_UNKNOWN | RTE_PTYPE_L4_UDP,
		[VIONET_HASH_REPORT_IPV6_EX] = RTE_PTYPE_L3_IPV6_EXT,
		[VIONET_HASH_REPORT_TCPV6_EX] = RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_TCP,
		[VIONET_HASH_REPORT_UDPV6_EX] = RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_UDP,
	};
	const uint8_t *raw = (const uint8_t *)hdr;
	uint32_t value;
	uint16_t report;

	memcpy(&value, raw + VIONET_NET_HDR_HASH_VALUE_OFF, sizeof(value));
	memcpy(&report, raw + VIONET_NET_HDR_HASH_REPORT_OFF, sizeof(report));
	report = rte_le_to_cpu_16(report);
	/* an unknown report type (a newer device, or garbage) carries no hash we can name */
	if (report == VIONET_HASH_REPORT_NONE || report >= RTE_DIM(ptype_of_report))
		return;
	m->hash.rss = rte_le_to_cpu_32(value);
	m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	m->packet_type = RTE_PTYPE_L2_ETHER | ptype_of_report[report];
}

/*
 * Rx: header -> mbuf flags. DATA_VALID: the device checked the checksum. NEEDS_CSUM: the packet was
 * never checksummed (a local sender offloaded it) but is intact: DPDK's RX_L4_CKSUM_NONE says exactly
 * that, and the header tells the L4 type. A GSO type is a large coalesced packet (GUEST_TSO): LRO
 * with its segment size, reported only where the application asked for LRO ('lro'): a device
 * must not send one otherwise (5.1.6.4), and one that does gets no flag the application did not
 * ask for.
 */
static inline void
vionet_net_hdr_to_mbuf(const struct vionet_net_hdr *hdr, struct rte_mbuf *m, bool lro)
{
	if (likely(hdr->flags == 0 && hdr->gso_type == VIONET_NET_HDR_GSO_NONE))
		return;
	if (hdr->flags & VIONET_NET_HDR_F_NEEDS_CSUM) {
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		m->packet_type = vionet_net_hdr_ptype(hdr);
	} else if (hdr->flags & VIONET_NET_HDR_F_DATA_VALID) {
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	if (lro && (hdr->gso_type & ~VIONET_NET_HDR_GSO_ECN) != VIONET_NET_HDR_GSO_NONE &&
	    hdr->gso_size != 0) {
		m->ol_flags |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = rte_le_to_cpu_16(hdr->gso_size);
	}
}

/*
 * The all-zero header of a packet without offloads, stored only where the bytes are not zero yet.
 * A frame received and sent back (a forwarder) has the device's own header there, usually zero:
 * left unwritten, the cache line the device filled stays shared, and the device reads it back from
 * its own cache instead of fetching our modified copy, a cross-core transfer saved per packet.
 */
static inline void
vionet_net_hdr_zero(struct vionet_net_hdr *hdr, uint16_t hdr_size)
{
	uint64_t head;
	uint32_t tail32 = 0;
	uint16_t tail16;

	RTE_BUILD_BUG_ON(sizeof(*hdr) != 12);
	memcpy(&head, hdr, sizeof(head));
	/* 12 bytes, or 10 for a legacy device without mergeable buffers (no num_buffers) */
	if (hdr_size >= sizeof(*hdr)) {
		memcpy(&tail32, (const char *)hdr + 8, sizeof(tail32));
	} else {
		memcpy(&tail16, (const char *)hdr + 8, sizeof(tail16));
		tail32 = tail16;
	}
	if ((head | tail32) != 0)
		memset(hdr, 0, hdr_size >= sizeof(*hdr) ? sizeof(*hdr) : 10);
}

/*
 * Tx: mbuf offload requests -> header. The application put the pseudo-header checksum in the L4
 * checksum field, which is what a partial checksum means to the device (csum_start/csum_offset).
 * Writes exactly hdr_size bytes: 12, or 10 for a legacy device without mergeable buffers, whose
 * header has no num_buffers (the 2 bytes after it are the frame's).
 */
static inline void
vionet_net_hdr_from_mbuf(struct vionet_net_hdr *hdr, const struct rte_mbuf *m, uint16_t hdr_size)
{
	uint64_t ol = m->ol_flags;
	uint64_t l4 = ol & RTE_MBUF_F_TX_L4_MASK;
	bool tso = (ol & RTE_MBUF_F_TX_TCP_SEG) != 0;
	uint8_t flags = VIONET_NET_HDR_F_NEEDS_CSUM, gso_type = VIONET_NET_HDR_GSO_NONE;
	uint16_t hdr_len = 0, gso_size = 0, csum_start, csum_offset;

	/* No offload (the common case): an all-zero header. l2_len/l3_len live in the mbuf's second
	 * cache line, so they are read only when an offload needs them. */
	if (likely(!tso && l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM)) {
		vionet_net_hdr_zero(hdr, hdr_size);
		return;
	} else {
		csum_start = (uint16_t)(m->l2_len + m->l3_len);
		if (tso) {
			gso_type = (ol & RTE_MBUF_F_TX_IPV6) ? VIONET_NET_HDR_GSO_TCPV6
							     : VIONET_NET_HDR_GSO_TCPV4;
			gso_size = m->tso_segsz;
			hdr_len = (uint16_t)(csum_start + m->l4_len);
			csum_offset = offsetof(struct rte_tcp_hdr, cksum);
		} else if (l4 == RTE_MBUF_F_TX_TCP_CKSUM) {
			csum_offset = offsetof(struct rte_tcp_hdr, cksum);
		} else {
			csum_offset = offsetof(struct rte_udp_hdr, dgram_cksum);
		}
	}
	hdr->flags = flags;
	hdr->gso_type = gso_type;
	hdr->hdr_len = rte_cpu_to_le_16(hdr_len);
	hdr->gso_size = rte_cpu_to_le_16(gso_size);
	hdr->csum_start = rte_cpu_to_le_16(csum_start);
	hdr->csum_offset = rte_cpu_to_le_16(csum_offset);
	/* Transmitted packets carry num_buffers 0 (5.1.6.2 Packet Transmission). */
	if (hdr_size >= sizeof(*hdr))
		hdr->num_buffers = 0;
}

#endif /* VIONET_NET_HDR_H */
