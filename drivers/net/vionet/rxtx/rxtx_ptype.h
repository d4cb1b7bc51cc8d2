/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx packet types (mbuf packet_type) from the frame's first segment: L2 Ethernet, one or two VLAN
 * tags, ARP, LLDP, timesync; L3 IPv4 (with options: _EXT), IPv6 (with extension headers: _EXT); L4
 * TCP, UDP, SCTP, ICMP, fragments, other. Headers past the first segment or cut short leave the
 * layers found so far. Parsed only on ports whose application asked (rte_eth_dev_set_ptypes).
 */
#ifndef VIONET_RXTX_PTYPE_H
#define VIONET_RXTX_PTYPE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>

/* IPv6 extension headers followed at most: a frame with more reports L3_IPV6_EXT alone. */
#define VIONET_PTYPE_IPV6_EXT_MAX 4

/* The packet types vionet_ptype_parse() reports, RTE_PTYPE_UNKNOWN-terminated
 * (dev_supported_ptypes_get). */
const uint32_t *vionet_rx_ptypes_supported(void);

static inline uint16_t
vionet_ptype_be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The L4 type of IP protocol 'proto' (ICMP is protocol 1 in IPv4, 58 in IPv6). */
static inline uint32_t
vionet_ptype_l4(uint8_t proto, bool ipv6)
{
	switch (proto) {
	case IPPROTO_TCP:
		return RTE_PTYPE_L4_TCP;
	case IPPROTO_UDP:
		return RTE_PTYPE_L4_UDP;
	case IPPROTO_SCTP:
		return RTE_PTYPE_L4_SCTP;
	case IPPROTO_ICMP:
		return ipv6 ? RTE_PTYPE_L4_NONFRAG : RTE_PTYPE_L4_ICMP;
	case IPPROTO_ICMPV6:
		return ipv6 ? RTE_PTYPE_L4_ICMP : RTE_PTYPE_L4_NONFRAG;
	default:
		return RTE_PTYPE_L4_NONFRAG;
	}
}

/* RFC 791: version 4, a header of ihl 32-bit words; a fragment has MF or an offset. */
static inline uint32_t
vionet_ptype_ipv4(const uint8_t *ip, uint32_t len)
{
	uint32_t ptype;
	uint8_t ihl;

	/* the length first: a frame cut right after its Ethernet header has no ip[0] */
	if (len < sizeof(struct rte_ipv4_hdr))
		return 0;
	ihl = ip[0] & 0xf;
	if ((ip[0] >> 4) != 4 || ihl < 5)
		return 0;
	ptype = ihl == 5 ? RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV4_EXT;
	if ((vionet_ptype_be16_at(ip + 6) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return ptype | RTE_PTYPE_L4_FRAG;
	return ptype | vionet_ptype_l4(ip[9], false);
}

/* RFC 8200 4.1 Extension Header Order: hop-by-hop, routing, fragment, destination options, AH. */
static inline uint32_t
vionet_ptype_ipv6(const uint8_t *ip, uint32_t len)
{
	uint32_t off = sizeof(struct rte_ipv6_hdr), ptype = RTE_PTYPE_L3_IPV6;
	uint8_t proto;

	if (len < sizeof(struct rte_ipv6_hdr) || (ip[0] >> 4) != 6)
		return 0;
	proto = ip[6];
	for (unsigned int i = 0; i < VIONET_PTYPE_IPV6_EXT_MAX; i++) {
		uint32_t ext_len;

		if (proto != IPPROTO_HOPOPTS && proto != IPPROTO_ROUTING && proto != IPPROTO_DSTOPTS &&
		    proto != IPPROTO_FRAGMENT && proto != IPPROTO_AH)
			return ptype | vionet_ptype_l4(proto, true);
		ptype = RTE_PTYPE_L3_IPV6_EXT;
		if (off + 8 > len)
			return ptype;
		/* Fragment header: offset (13 bits) and M in its bytes 2-3; an atomic fragment
		 * (both 0) is the whole packet (RFC 6946). */
		if (proto == IPPROTO_FRAGMENT && (vionet_ptype_be16_at(ip + off + 2) & 0xfff9) != 0)
			return ptype | RTE_PTYPE_L4_FRAG;
		if (proto == IPPROTO_FRAGMENT)
			ext_len = 8;
		else if (proto == IPPROTO_AH)
			ext_len = ((uint32_t)ip[off + 1] + 2) * 4;
		else
			ext_len = ((uint32_t)ip[off + 1] + 1) * 8;
		proto = ip[off];
		off += ext_len;
	}
	return ptype;
}

/* The packet type of 'len' bytes of Ethernet frame at 'p' (at least an Ethernet header). */
static inline uint32_t
vionet_ptype_of_frame(const uint8_t *p, uint32_t len)
{
	uint32_t off = RTE_ETHER_HDR_LEN, l2 = RTE_PTYPE_L2_ETHER;
	uint16_t type = vionet_ptype_be16_at(p + 12);

	if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		if (len < off + RTE_VLAN_HLEN)
			return l2;
		l2 = type == RTE_ETHER_TYPE_QINQ ? RTE_PTYPE_L2_ETHER_QINQ : RTE_PTYPE_L2_ETHER_VLAN;
		type = vionet_ptype_be16_at(p + off + 2);
		off += RTE_VLAN_HLEN;
		if (type == RTE_ETHER_TYPE_VLAN) {
			if (len < off + RTE_VLAN_HLEN)
				return l2;
			l2 = RTE_PTYPE_L2_ETHER_QINQ;
			type = vionet_ptype_be16_at(p + off + 2);
			off += RTE_VLAN_HLEN;
		}
	}
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		return l2 | vionet_ptype_ipv4(p + off, len - off);
	case RTE_ETHER_TYPE_IPV6:
		return l2 | vionet_ptype_ipv6(p + off, len - off);
	case RTE_ETHER_TYPE_ARP:
		return l2 == RTE_PTYPE_L2_ETHER ? RTE_PTYPE_L2_ETHER_ARP : l2;
	case RTE_ETHER_TYPE_LLDP:
		return l2 == RTE_PTYPE_L2_ETHER ? RTE_PTYPE_L2_ETHER_LLDP : l2;
	case RTE_ETHER_TYPE_1588:
		return l2 == RTE_PTYPE_L2_ETHER ? RTE_PTYPE_L2_ETHER_TIMESYNC : l2;
	default:
		return l2;
	}
}

/* An Rx mbuf's packet type, from its first segment (the Rx paths drop shorter-than-Ethernet
 * frames before). */
static inline uint32_t
vionet_ptype_parse(const struct rte_mbuf *m)
{
	return vionet_ptype_of_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
}

#endif /* VIONET_RXTX_PTYPE_H */
