/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tx_pkt_prepare (drivers/net/vionet/rxtx/rxtx_tx_prepare.c): requests the negotiated features do
 * not serve refused with ENOTSUP, malformed or oversized packets with EINVAL, the burst stopping at
 * the first refused packet; the pseudo-header checksum, length included, written for TCP and UDP
 * checksums and TSO over IPv4 and IPv6.
 */
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "queue/queue.h"
#include "rxtx/rxtx.h"
#include "test_run_suite.h"

#define FRAME_LEN 200

static struct vionet_txq txq;
static struct rte_mbuf mbufs[4];
static uint8_t data[4][2048];

/* A queue that negotiated CSUM, HOST_TSO4 and HOST_TSO6 (or not), MTU 1500. */
static void
queue_with(bool csum, bool tso4, bool tso6)
{
	memset(&txq, 0, sizeof(txq));
	txq.ol_flags_allowed = RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6;
	if (csum)
		txq.ol_flags_allowed |= RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
	if (tso4 || tso6)
		txq.ol_flags_allowed |= RTE_MBUF_F_TX_TCP_SEG;
	txq.tso4 = tso4;
	txq.tso6 = tso6;
	txq.max_frame_len = 1500 + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
}

/* mbufs[i]: an Ethernet/IPv4 or IPv6/'proto' frame of len bytes with the request ol_flags. */
static struct rte_mbuf *
packet(unsigned int i, bool ipv6, uint8_t proto, uint32_t len, uint64_t ol_flags)
{
	struct rte_mbuf *m = &mbufs[i];
	uint8_t *p = data[i];
	uint16_t l3_len = ipv6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);

	memset(m, 0, sizeof(*m));
	memset(p, 0xa5, sizeof(data[i]));
	m->buf_addr = p;
	m->data_off = 0;
	m->nb_segs = 1;
	m->data_len = (uint16_t)RTE_MIN(len, (uint32_t)sizeof(data[i]));
	m->pkt_len = len;
	m->ol_flags = ol_flags | (ipv6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = l3_len;
	m->l4_len = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	if (ol_flags & RTE_MBUF_F_TX_TCP_SEG)
		m->tso_segsz = 1448;
	p[12] = ipv6 ? 0x86 : 0x08;
	p[13] = ipv6 ? 0xdd : 0x00;
	if (ipv6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p + RTE_ETHER_HDR_LEN);

		memset(ip, 0, sizeof(*ip));
		ip->vtc_flow = rte_cpu_to_be_32(0x60000000);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(len - RTE_ETHER_HDR_LEN - l3_len));
		ip->proto = proto;
		ip->src_addr[15] = 1;
		ip->dst_addr[15] = 2;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(len - RTE_ETHER_HDR_LEN));
		ip->next_proto_id = proto;
		ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(127, 0, 0, 1));
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(127, 0, 0, 2));
	}
	return m;
}

/* The L4 checksum field of mbufs[i] as stored. */
static uint16_t
cksum_field(unsigned int i, uint8_t proto)
{
	const struct rte_mbuf *m = &mbufs[i];
	size_t at = m->l2_len + m->l3_len +
		    (proto == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
					  : offsetof(struct rte_udp_hdr, dgram_cksum));
	uint16_t v;

	memcpy(&v, data[i] + at, sizeof(v));
	return v;
}

/* 0, or the errno of a one-packet prepare. */
static int
prepare_one(struct rte_mbuf *m)
{
	rte_errno = 0;
	if (vionet_tx_prepare(&txq, &m, 1) == 1)
		return 0;
	CU_ASSERT_NOT_EQUAL(rte_errno, 0);
	return rte_errno;
}

static void
test_pseudo_header(void)
{
	static const struct {
		bool ipv6;
		uint8_t proto;
		uint64_t ol;
		uint32_t len;
	} cases[] = {
		{false, IPPROTO_TCP, RTE_MBUF_F_TX_TCP_CKSUM, FRAME_LEN},
		{false, IPPROTO_UDP, RTE_MBUF_F_TX_UDP_CKSUM, FRAME_LEN},
		{true, IPPROTO_TCP, RTE_MBUF_F_TX_TCP_CKSUM, FRAME_LEN},
		{true, IPPROTO_UDP, RTE_MBUF_F_TX_UDP_CKSUM, FRAME_LEN},
		{false, IPPROTO_TCP, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, 9014},
		{true, IPPROTO_TCP, RTE_MBUF_F_TX_TCP_SEG, 9014},
	};

	queue_with(true, true, true);
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = packet(0, cases[i].ipv6, cases[i].proto, cases[i].len, cases[i].ol);
		const void *l3 = data[0] + RTE_ETHER_HDR_LEN;
		/* the pseudo-header with the packet's length, whatever the request */
		uint16_t want = cases[i].ipv6 ? rte_ipv6_phdr_cksum(l3, 0) : rte_ipv4_phdr_cksum(l3, 0);

		CU_ASSERT_EQUAL(prepare_one(m), 0);
		CU_ASSERT_EQUAL(cksum_field(0, cases[i].proto), want);
		CU_ASSERT_NOT_EQUAL(want, 0xa5a5);
	}
	/* no request: the frame is left alone */
	packet(0, false, IPPROTO_TCP, FRAME_LEN, 0);
	CU_ASSERT_EQUAL(prepare_one(&mbufs[0]), 0);
	CU_ASSERT_EQUAL(cksum_field(0, IPPROTO_TCP), 0xa5a5);
}

static void
test_not_negotiated(void)
{
	queue_with(false, false, false);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_TCP, FRAME_LEN, RTE_MBUF_F_TX_TCP_CKSUM)),
			ENOTSUP);
	CU_ASSERT_EQUAL(cksum_field(0, IPPROTO_TCP), 0xa5a5);
	queue_with(true, true, false);
	CU_ASSERT_EQUAL(prepare_one(packet(0, true, IPPROTO_TCP, 9014, RTE_MBUF_F_TX_TCP_SEG)), ENOTSUP);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_TCP, 9014, RTE_MBUF_F_TX_TCP_SEG)), 0);
	queue_with(true, false, true);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_TCP, 9014, RTE_MBUF_F_TX_TCP_SEG)), ENOTSUP);
	/* never served: SCTP and IP checksums, UDP segmentation */
	queue_with(true, true, true);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_SCTP, FRAME_LEN, RTE_MBUF_F_TX_SCTP_CKSUM)),
			ENOTSUP);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_TCP, FRAME_LEN,
					   RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM)),
			ENOTSUP);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_UDP, 9014, RTE_MBUF_F_TX_UDP_SEG)), ENOTSUP);
}

static void
test_malformed_and_oversized(void)
{
	struct rte_mbuf *m;

	queue_with(true, true, true);
	/* too large without TSO; with TSO up to the IP length field's 64 KB */
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_UDP, 1519, 0)), EINVAL);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_UDP, 1518, 0)), 0);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_UDP, 1519, RTE_MBUF_F_TX_UDP_CKSUM)),
			EINVAL);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_TCP, RTE_ETHER_HDR_LEN + 65536,
					   RTE_MBUF_F_TX_TCP_SEG)),
			EINVAL);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_TCP, RTE_ETHER_HDR_LEN + 65535,
					   RTE_MBUF_F_TX_TCP_SEG)),
			0);
	/* too many segments */
	m = packet(0, false, IPPROTO_UDP, FRAME_LEN, 0);
	m->nb_segs = VIONET_TX_MAX_SEGS;
	CU_ASSERT_EQUAL(prepare_one(m), EINVAL);
	/* TSO without a segment size, TSO asking for a UDP checksum */
	m = packet(0, false, IPPROTO_TCP, 9014, RTE_MBUF_F_TX_TCP_SEG);
	m->tso_segsz = 0;
	CU_ASSERT_EQUAL(prepare_one(m), EINVAL);
	CU_ASSERT_EQUAL(prepare_one(packet(0, false, IPPROTO_TCP, 9014,
					   RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_CKSUM)),
			EINVAL);
	/* no IP version, or both */
	m = packet(0, false, IPPROTO_TCP, FRAME_LEN, RTE_MBUF_F_TX_TCP_CKSUM);
	m->ol_flags &= ~RTE_MBUF_F_TX_IPV4;
	CU_ASSERT_EQUAL(prepare_one(m), EINVAL);
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6;
	CU_ASSERT_EQUAL(prepare_one(m), EINVAL);
	/* headers past the first segment */
	m = packet(0, false, IPPROTO_TCP, FRAME_LEN, RTE_MBUF_F_TX_TCP_CKSUM);
	m->data_len = RTE_ETHER_HDR_LEN + 20 + 19;
	CU_ASSERT_EQUAL(prepare_one(m), EINVAL);
	CU_ASSERT_EQUAL(cksum_field(0, IPPROTO_TCP), 0xa5a5);
}

/* A burst stops at the first refused packet, with the ones before it prepared. */
static void
test_burst_stops_at_refused(void)
{
	struct rte_mbuf *pkts[3];

	queue_with(true, false, false);
	pkts[0] = packet(0, false, IPPROTO_TCP, FRAME_LEN, RTE_MBUF_F_TX_TCP_CKSUM);
	pkts[1] = packet(1, false, IPPROTO_TCP, 9014, RTE_MBUF_F_TX_TCP_SEG);
	pkts[2] = packet(2, false, IPPROTO_UDP, FRAME_LEN, RTE_MBUF_F_TX_UDP_CKSUM);
	rte_errno = 0;
	CU_ASSERT_EQUAL(vionet_tx_prepare(&txq, pkts, 3), 1);
	CU_ASSERT_EQUAL(rte_errno, ENOTSUP);
	CU_ASSERT_NOT_EQUAL(cksum_field(0, IPPROTO_TCP), 0xa5a5);
	CU_ASSERT_EQUAL(cksum_field(2, IPPROTO_UDP), 0xa5a5);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"pseudo-header checksum, length included, for each request", test_pseudo_header},
	        {"requests the features do not serve: ENOTSUP", test_not_negotiated},
	        {"malformed or oversized packets: EINVAL", test_malformed_and_oversized},
	        {"a burst stops at the first refused packet", test_burst_stops_at_refused},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("tx_prepare", tests);
}
