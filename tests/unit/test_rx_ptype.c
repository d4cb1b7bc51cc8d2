/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Rx packet-type parse (drivers/net/vionet/rxtx/rxtx_ptype.h) on crafted frames: each L2, L3
 * and L4 kind it names, fragments of both IP versions, IPv6 extension headers, frames cut short
 * inside a header (the layers found so far, never a read past the length), and the packet type a
 * partial checksum header tells (rxtx_net_hdr.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_mbuf.h>

#include "rxtx/rxtx_net_hdr.h"
#include "rxtx/rxtx_ptype.h"
#include "test_run_suite.h"

#define ETHER RTE_PTYPE_L2_ETHER

/* A frame being built: bytes and length. */
struct frame {
	uint8_t b[256];
	uint32_t len;
};

static void
put(struct frame *f, const void *bytes, uint32_t n)
{
	memcpy(f->b + f->len, bytes, n);
	f->len += n;
}

static void
put_be16(struct frame *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(f, b, 2);
}

/* Ethernet addresses and the tags in 'tpids' (0-terminated), then 'type'. */
static void
ether(struct frame *f, const uint16_t *tpids, uint16_t type)
{
	static const uint8_t macs[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1};

	f->len = 0;
	put(f, macs, sizeof(macs));
	for (; tpids != NULL && *tpids != 0; tpids++) {
		put_be16(f, *tpids);
		put_be16(f, 100); /* TCI */
	}
	put_be16(f, type);
}

/* An IPv4 header of ihl words, protocol proto, flags/fragment field frag; then 20 bytes of L4. */
static void
ipv4(struct frame *f, uint8_t ihl, uint8_t proto, uint16_t frag)
{
	uint8_t h[60] = {0};

	h[0] = (uint8_t)(0x40 | ihl);
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	h[8] = 64;
	h[9] = proto;
	put(f, h, (uint32_t)ihl * 4);
	put(f, (uint8_t[20]){0}, 20);
}

/* An IPv6 header with next header 'next', then 'ext' (already laid out), then 20 bytes of L4. */
static void
ipv6(struct frame *f, uint8_t next, const uint8_t *ext, uint32_t ext_len)
{
	uint8_t h[40] = {0x60};

	h[6] = next;
	h[7] = 64;
	put(f, h, sizeof(h));
	if (ext_len != 0)
		put(f, ext, ext_len);
	put(f, (uint8_t[20]){0}, 20);
}

static uint32_t
parse(const struct frame *f)
{
	struct rte_mbuf m;
	/* the frame alone in a heap block of its length: a read past it is out of bounds for ASan
	 * and valgrind */
	uint8_t *copy = malloc(f->len);
	uint32_t ptype;

	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, f->b, f->len);
	memset(&m, 0, sizeof(m));
	m.buf_addr = copy;
	m.data_off = 0;
	m.data_len = (uint16_t)f->len;
	m.pkt_len = f->len;
	ptype = vionet_ptype_parse(&m);
	free(copy);
	return ptype;
}

static void
test_l2(void)
{
	struct frame f;

	ether(&f, NULL, 0x88b5); /* local experimental: Ethernet and nothing more */
	CU_ASSERT_EQUAL(parse(&f), ETHER);
	ether(&f, NULL, RTE_ETHER_TYPE_ARP);
	put(&f, (uint8_t[28]){0}, 28);
	CU_ASSERT_EQUAL(parse(&f), RTE_PTYPE_L2_ETHER_ARP);
	ether(&f, NULL, RTE_ETHER_TYPE_LLDP);
	CU_ASSERT_EQUAL(parse(&f), RTE_PTYPE_L2_ETHER_LLDP);
	ether(&f, NULL, RTE_ETHER_TYPE_1588);
	CU_ASSERT_EQUAL(parse(&f), RTE_PTYPE_L2_ETHER_TIMESYNC);
	ether(&f, (const uint16_t[]){RTE_ETHER_TYPE_VLAN, 0}, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 5, IPPROTO_UDP, 0);
	CU_ASSERT_EQUAL(parse(&f), RTE_PTYPE_L2_ETHER_VLAN | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP);
	ether(&f, (const uint16_t[]){RTE_ETHER_TYPE_QINQ, RTE_ETHER_TYPE_VLAN, 0}, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_TCP, NULL, 0);
	CU_ASSERT_EQUAL(parse(&f), RTE_PTYPE_L2_ETHER_QINQ | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_TCP);
	ether(&f, (const uint16_t[]){RTE_ETHER_TYPE_VLAN, RTE_ETHER_TYPE_VLAN, 0}, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 5, IPPROTO_TCP, 0);
	CU_ASSERT_EQUAL(parse(&f), RTE_PTYPE_L2_ETHER_QINQ | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP);
}

static void
test_ipv4(void)
{
	static const struct {
		uint8_t proto;
		uint32_t l4;
	} protos[] = {
		{IPPROTO_TCP, RTE_PTYPE_L4_TCP},   {IPPROTO_UDP, RTE_PTYPE_L4_UDP},
		{IPPROTO_SCTP, RTE_PTYPE_L4_SCTP}, {IPPROTO_ICMP, RTE_PTYPE_L4_ICMP},
		{IPPROTO_GRE, RTE_PTYPE_L4_NONFRAG},
	};
	struct frame f;

	for (unsigned int i = 0; i < RTE_DIM(protos); i++) {
		ether(&f, NULL, RTE_ETHER_TYPE_IPV4);
		ipv4(&f, 5, protos[i].proto, 0);
		CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV4 | protos[i].l4);
	}
	/* options: IPV4_EXT, the L4 still found */
	ether(&f, NULL, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 8, IPPROTO_TCP, 0);
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV4_EXT | RTE_PTYPE_L4_TCP);
	/* DF alone is no fragment; MF or an offset is (the first fragment too) */
	ether(&f, NULL, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 5, IPPROTO_UDP, RTE_IPV4_HDR_DF_FLAG);
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 5, IPPROTO_UDP, RTE_IPV4_HDR_MF_FLAG);
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_FRAG);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 5, IPPROTO_UDP, 185);
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_FRAG);
	/* not IPv4 inside: version 6, or a header length below 5 words */
	ether(&f, NULL, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 5, IPPROTO_TCP, 0);
	f.b[14] = 0x65;
	CU_ASSERT_EQUAL(parse(&f), ETHER);
	f.b[14] = 0x44;
	CU_ASSERT_EQUAL(parse(&f), ETHER);
}

static void
test_ipv6(void)
{
	/* hop-by-hop (8 bytes) -> routing (16 bytes) -> UDP */
	static const uint8_t hop_routing[24] = {IPPROTO_ROUTING, 0, 0, 0, 0, 0, 0, 0,
						IPPROTO_UDP, 1};
	/* fragment header with offset 0 and M 0 (atomic) -> TCP; with M 1 -> a fragment */
	static const uint8_t atomic_frag[8] = {IPPROTO_TCP, 0, 0, 0};
	static const uint8_t first_frag[8] = {IPPROTO_TCP, 0, 0, 1};
	static const uint8_t later_frag[8] = {IPPROTO_TCP, 0, 0x05, 0x40};
	/* AH: length in 32-bit words minus 2 (4 -> 24 bytes) -> ICMPv6 */
	static const uint8_t ah[24] = {IPPROTO_ICMPV6, 4};
	struct frame f;

	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_UDP, NULL, 0);
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_ICMPV6, NULL, 0);
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_ICMP);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_HOPOPTS, hop_routing, sizeof(hop_routing));
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_UDP);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_FRAGMENT, atomic_frag, sizeof(atomic_frag));
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_TCP);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_FRAGMENT, first_frag, sizeof(first_frag));
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_FRAG);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_FRAGMENT, later_frag, sizeof(later_frag));
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_FRAG);
	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_AH, ah, sizeof(ah));
	CU_ASSERT_EQUAL(parse(&f), ETHER | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_ICMP);
}

/* Cut anywhere, the parse reads no byte past the length and reports the layers found whole. */
static void
test_cut_short(void)
{
	static const uint8_t hop[8] = {IPPROTO_TCP};
	struct frame f;

	ether(&f, (const uint16_t[]){RTE_ETHER_TYPE_VLAN, 0}, RTE_ETHER_TYPE_IPV4);
	ipv4(&f, 5, IPPROTO_TCP, 0);
	for (uint32_t len = RTE_ETHER_HDR_LEN; len < f.len; len++) {
		struct frame cut = f;
		uint32_t ptype, want;

		cut.len = len;
		ptype = parse(&cut);
		if (len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
			want = ETHER;
		else if (len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + 20)
			want = RTE_PTYPE_L2_ETHER_VLAN;
		else
			want = RTE_PTYPE_L2_ETHER_VLAN | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP;
		CU_ASSERT_EQUAL(ptype, want);
	}
	ether(&f, NULL, RTE_ETHER_TYPE_IPV6);
	ipv6(&f, IPPROTO_HOPOPTS, hop, sizeof(hop));
	for (uint32_t len = RTE_ETHER_HDR_LEN; len < f.len; len++) {
		struct frame cut = f;
		uint32_t ptype, want;

		cut.len = len;
		ptype = parse(&cut);
		if (len < RTE_ETHER_HDR_LEN + 40)
			want = ETHER;
		else if (len < RTE_ETHER_HDR_LEN + 48)
			want = ETHER | RTE_PTYPE_L3_IPV6_EXT;
		else
			want = ETHER | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_TCP;
		CU_ASSERT_EQUAL(ptype, want);
	}
}

/* Every type the parse reports is in the list dev_supported_ptypes_get gives. */
static void
test_supported_list(void)
{
	const uint32_t *list = vionet_rx_ptypes_supported();
	const uint32_t reported[] = {
		ETHER, RTE_PTYPE_L2_ETHER_VLAN, RTE_PTYPE_L2_ETHER_QINQ, RTE_PTYPE_L2_ETHER_ARP,
		RTE_PTYPE_L2_ETHER_LLDP, RTE_PTYPE_L2_ETHER_TIMESYNC, RTE_PTYPE_L3_IPV4,
		RTE_PTYPE_L3_IPV4_EXT, RTE_PTYPE_L3_IPV6, RTE_PTYPE_L3_IPV6_EXT, RTE_PTYPE_L4_TCP,
		RTE_PTYPE_L4_UDP, RTE_PTYPE_L4_SCTP, RTE_PTYPE_L4_ICMP, RTE_PTYPE_L4_FRAG,
		RTE_PTYPE_L4_NONFRAG,
	};

	for (unsigned int i = 0; i < RTE_DIM(reported); i++) {
		bool found = false;

		for (unsigned int j = 0; list[j] != RTE_PTYPE_UNKNOWN; j++)
			found |= list[j] == reported[i];
		CU_ASSERT(found);
	}
}

/* A partial checksum's header: L4 from csum_offset, L3 from the GSO type; flags as before. */
static void
test_partial_checksum_header(void)
{
	struct vionet_net_hdr hdr = {0};
	struct rte_mbuf m;

	memset(&m, 0, sizeof(m));
	hdr.flags = VIONET_NET_HDR_F_NEEDS_CSUM;
	hdr.csum_start = rte_cpu_to_le_16(34);
	hdr.csum_offset = rte_cpu_to_le_16(16);
	hdr.gso_type = VIONET_NET_HDR_GSO_TCPV4;
	hdr.gso_size = rte_cpu_to_le_16(1448);
	vionet_net_hdr_to_mbuf(&hdr, &m, true);
	CU_ASSERT_EQUAL(m.packet_type, ETHER | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | RTE_PTYPE_L4_TCP);
	CU_ASSERT_EQUAL(m.ol_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_LRO);
	CU_ASSERT_EQUAL(m.tso_segsz, 1448);
	/* no LRO asked: no RX_LRO whatever the device wrote */
	memset(&m, 0, sizeof(m));
	vionet_net_hdr_to_mbuf(&hdr, &m, false);
	CU_ASSERT_EQUAL(m.ol_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	CU_ASSERT_EQUAL(m.tso_segsz, 0);
	memset(&m, 0, sizeof(m));
	hdr.csum_offset = rte_cpu_to_le_16(6);
	hdr.gso_type = VIONET_NET_HDR_GSO_NONE;
	hdr.gso_size = 0;
	vionet_net_hdr_to_mbuf(&hdr, &m, true);
	CU_ASSERT_EQUAL(m.packet_type, ETHER | RTE_PTYPE_L4_UDP);
	/* DATA_VALID tells no type */
	memset(&m, 0, sizeof(m));
	hdr.flags = VIONET_NET_HDR_F_DATA_VALID;
	vionet_net_hdr_to_mbuf(&hdr, &m, true);
	CU_ASSERT_EQUAL(m.packet_type, 0);
	CU_ASSERT_EQUAL(m.ol_flags, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"L2: Ethernet, ARP, LLDP, timesync, VLAN, QinQ", test_l2},
	        {"IPv4: each L4, options, fragments, not IPv4", test_ipv4},
	        {"IPv6: L4, extension headers, fragments, AH", test_ipv6},
	        {"frames cut short: the whole layers only, no read past the length", test_cut_short},
	        {"every reported type is in the supported list", test_supported_list},
	        {"a partial checksum header's packet type and flags", test_partial_checksum_header},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("rx_ptype", tests);
}
