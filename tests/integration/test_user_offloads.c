/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offload features negotiated from what the application configures, against DPDK's vhost library
 * in the same process (a server socket this program registers, so it reads what the back end
 * negotiated with rte_vhost_get_negotiated_features). One thread drives both sides.
 *
 * usage: test_user_offloads <plugin.so>
 *
 * Our port runs split rings with mergeable Rx buffers. The back end enqueues, into our Rx ring,
 * a 9014-byte TCP/IPv4 frame with TSO metadata (RTE_MBUF_F_TX_TCP_SEG, tso_segsz 1400) and a
 * small TCP frame asking for a checksum (RTE_MBUF_F_TX_TCP_CKSUM): the vhost library writes the
 * virtio-net header's gso and csum fields from them whatever was negotiated, so what our port
 * reports depends on our negotiation and our header reading alone. The configurations, in turn on
 * the same port (stop, configure, start):
 *   none:  no Rx/Tx offloads: none of CSUM, GUEST_CSUM, GUEST_TSO4/6, HOST_TSO4/6 negotiated (one
 *          log line names them), no frame flagged RX_LRO or with an L4 checksum flag;
 *   lro:   LRO and Rx L4 checksums, Tx TSO and L4 checksums: all six negotiated, the large frame
 *          arrives once with RX_LRO and tso_segsz 1400, the small one with RX_L4_CKSUM_NONE
 *          (the device left the checksum partial: NEEDS_CSUM);
 *   csum:  Rx L4 checksums only: GUEST_CSUM alone, no RX_LRO, the small frame flagged;
 *   none again.
 * Then Rx packet types: none by default, L2/L3/L4 of the frame after rte_eth_dev_set_ptypes,
 * none again once the mask is 0; on a port without mergeable buffers, a vector Rx path without
 * them and the scalar one with them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_vhost.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_vhost_backend.h"

#define RING_SIZE 256
#define WAIT_S 30
#define BIG_FRAME 9014
#define SMALL_FRAME 200
#define SEGSZ 1400

/* Feature bits of the virtio spec (5.1.3 Feature bits). */
#define F_CSUM 0
#define F_GUEST_CSUM 1
#define F_GUEST_TSO4 7
#define F_GUEST_TSO6 8
#define F_HOST_TSO4 11
#define F_HOST_TSO6 12
#define F(bit) (UINT64_C(1) << (bit))
#define OFFLOAD_BITS                                                                               \
	(F(F_CSUM) | F(F_GUEST_CSUM) | F(F_GUEST_TSO4) | F(F_GUEST_TSO6) | F(F_HOST_TSO4) |        \
	 F(F_HOST_TSO6))

static struct {
	uint16_t port;
	struct rte_mempool *ours_pool;
	struct rte_mempool *big_pool; /* the back end's frames, up to BIG_FRAME in one mbuf */
	char *log;
	size_t log_len;
	FILE *log_stream;
} t;

static unsigned int
log_count(const char *what)
{
	unsigned int n = 0;

	fflush(t.log_stream);
	for (const char *p = t.log; p != NULL && (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void
dump_log(void)
{
	fflush(t.log_stream);
	fprintf(stderr, "---- log ----\n%s---- end of log ----\n", t.log != NULL ? t.log : "");
}

/* A TCP/IPv4 frame of len bytes in the back end's pool, with the offload request 'ol_flags'. */
static struct rte_mbuf *
tcp_frame(uint32_t len, uint64_t ol_flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t.big_pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	uint8_t *p;

	if (m == NULL)
		fatal("the back end's pool is empty");
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL)
		fatal("a %u-byte frame does not fit the back end's mbuf", len);
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7);
	eth = (struct rte_ether_hdr *)p;
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, "\x02\x00\x00\x00\x00\x02", RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(127, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(127, 0, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = rte_cpu_to_be_16(1234);
	tcp->dst_port = rte_cpu_to_be_16(80);
	tcp->data_off = (sizeof(*tcp) / 4) << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG;
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->l4_len = sizeof(*tcp);
	m->ol_flags = ol_flags | RTE_MBUF_F_TX_IPV4;
	if (ol_flags & RTE_MBUF_F_TX_TCP_SEG)
		m->tso_segsz = SEGSZ;
	return m;
}

/* One frame from the back end into our Rx ring, and what our port received of it. */
static struct rte_mbuf *
frame_to_ours(struct rte_mbuf *m, const char *when)
{
	struct rte_mbuf *got[4];
	uint16_t n = 0;

	if (rte_vhost_enqueue_burst(test_backend.vid, TEST_BACKEND_RXQ, &m, 1) != 1)
		fatal("%s: the back end enqueued nothing", when);
	rte_pktmbuf_free(m);
	for (unsigned int spins = 0; n == 0; spins++) {
		if (spins > TEST_SPIN_LIMIT)
			fatal("%s: the frame never arrived", when);
		n = rte_eth_rx_burst(t.port, 0, got, RTE_DIM(got));
	}
	check(n == 1, "%s: %u frames arrived for one", when, n);
	for (uint16_t i = 1; i < n; i++)
		rte_pktmbuf_free(got[i]);
	return got[0];
}

static uint64_t
negotiated(void)
{
	uint64_t features = 0;

	if (rte_vhost_get_negotiated_features(test_backend.vid, &features) != 0)
		fatal("rte_vhost_get_negotiated_features");
	return features;
}

static void
configure_and_start(uint64_t rx_offloads, uint64_t tx_offloads, const char *when)
{
	struct rte_eth_conf conf = {0};
	uint32_t devices = test_backend_new_devices();
	double deadline = test_deadline(WAIT_S);

	conf.intr_conf.lsc = 1;
	conf.rxmode.offloads = rx_offloads;
	conf.txmode.offloads = tx_offloads;
	test_port_configure(t.port, &conf, 1, RING_SIZE, t.ours_pool);
	test_port_start(t.port, WAIT_S, when);
	while (test_backend_new_devices() == devices || !test_backend_running())
		if (test_past(deadline))
			fatal("%s: the back end never got a device", when);
		else
			usleep(1000);
}

static void
stop_ours(const char *when)
{
	check(rte_eth_dev_stop(t.port) == 0, "%s: stop", when);
	check(rte_mempool_in_use_count(t.ours_pool) == 0, "%s: %u mbufs of our pool in use", when,
	      rte_mempool_in_use_count(t.ours_pool));
}

/* What the port negotiated and reports, for 'want' (the offload bits the configuration needs). */
static void
check_round(const char *when, uint64_t want)
{
	uint64_t got = negotiated() & OFFLOAD_BITS;
	const bool lro = (want & F(F_GUEST_TSO4)) != 0;
	const bool rx_csum = (want & F(F_GUEST_CSUM)) != 0;
	struct rte_mbuf *m;

	check(got == want, "%s: offload features negotiated 0x%" PRIx64 ", expected 0x%" PRIx64, when,
	      got, want);

	m = frame_to_ours(tcp_frame(BIG_FRAME, RTE_MBUF_F_TX_TCP_SEG), when);
	check(m->pkt_len == BIG_FRAME, "%s: the large frame came with %u bytes", when, m->pkt_len);
	if (lro)
		check((m->ol_flags & RTE_MBUF_F_RX_LRO) && m->tso_segsz == SEGSZ,
		      "%s: the large frame has no RX_LRO with tso_segsz %u (flags 0x%" PRIx64
		      ", tso_segsz %u)", when, SEGSZ, m->ol_flags, m->tso_segsz);
	else
		check(!(m->ol_flags & RTE_MBUF_F_RX_LRO),
		      "%s: the large frame is flagged RX_LRO though the port did not ask", when);
	check((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		      (rx_csum ? RTE_MBUF_F_RX_L4_CKSUM_NONE : 0),
	      "%s: the large frame's L4 checksum flags are 0x%" PRIx64, when,
	      (uint64_t)(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK));
	rte_pktmbuf_free(m);

	/* NEEDS_CSUM: RX_L4_CKSUM_NONE and the L4 type from csum_offset, where asked for. */
	m = frame_to_ours(tcp_frame(SMALL_FRAME, RTE_MBUF_F_TX_TCP_CKSUM), when);
	if (rx_csum)
		check((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE &&
			      !(m->ol_flags & RTE_MBUF_F_RX_LRO) &&
			      m->packet_type == (RTE_PTYPE_L2_ETHER | RTE_PTYPE_L4_TCP),
		      "%s: the partial-checksum frame is flagged 0x%" PRIx64 " packet type 0x%x, "
		      "expected RX_L4_CKSUM_NONE alone, L2_ETHER L4_TCP", when, m->ol_flags,
		      m->packet_type);
	else
		check((m->ol_flags & (RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_MASK)) == 0 &&
			      m->packet_type == 0,
		      "%s: the partial-checksum frame is flagged 0x%" PRIx64 " packet type 0x%x "
		      "though the port did not ask", when, m->ol_flags, m->packet_type);
	rte_pktmbuf_free(m);
}

static bool
burst_mode_is(const char *name)
{
	struct rte_eth_burst_mode mode;

	return rte_eth_rx_burst_mode_get(t.port, 0, &mode) == 0 && strcmp(mode.info, name) == 0;
}

/* A plain TCP/IPv4 frame's packet type: 'expected' (0: no parse). */
static void
check_ptype(const char *when, uint32_t expected)
{
	struct rte_mbuf *m = frame_to_ours(tcp_frame(SMALL_FRAME, 0), when);

	check(m->packet_type == expected, "%s: packet type 0x%x, expected 0x%x", when,
	      m->packet_type, expected);
	rte_pktmbuf_free(m);
}

int
main(int argc, char **argv)
{
	const uint64_t rx_all = RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
				RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	const uint64_t tx_all = RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
				RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	struct rte_eth_dev_info info;
	char ours_args[256];

	tally.name = "test_user_offloads";
	if (argc != 2)
		fatal("usage: %s <plugin.so>", argv[0]);
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	t.log_stream = open_memstream(&t.log, &t.log_len);
	if (t.log_stream == NULL || rte_openlog_stream(t.log_stream) != 0)
		fatal("log stream");
	tally.on_fatal = dump_log;
	test_vhost_eal_init(argv[0], argv[1], "vionet_ofl", NULL, "--log-level=pmd.net.vionet*:info");
	t.ours_pool = test_pool("ours", 4095);
	t.big_pool = rte_pktmbuf_pool_create("big", 255, 0, 0, RTE_PKTMBUF_HEADROOM + BIG_FRAME,
					     rte_socket_id());
	if (t.big_pool == NULL)
		fatal("the back end's pool");

	test_backend_start(0);
	snprintf(ours_args, sizeof(ours_args),
		 "path=%s,queues=1,packed_vq=0,mrg_rxbuf=1,vectorized=0", test_backend.sock);
	if (rte_vdev_init("net_vionet_user0", ours_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.port) != 0)
		fatal("net_vionet_user0 probe");

	/* dev_info advertises what the device offers, negotiated or not. */
	if (rte_eth_dev_info_get(t.port, &info) != 0)
		fatal("dev_info");
	check((info.rx_offload_capa & rx_all) == rx_all && (info.tx_offload_capa & tx_all) == tx_all,
	      "dev_info does not advertise the offloads the back end offers (Rx 0x%" PRIx64
	      ", Tx 0x%" PRIx64 ")", info.rx_offload_capa, info.tx_offload_capa);

	configure_and_start(0, 0, "no offloads");
	check(log_count("not negotiated: CSUM GUEST_CSUM GUEST_TSO4 GUEST_TSO6 HOST_TSO4 HOST_TSO6") == 1,
	      "no offloads: the log does not name once the offload features left out");
	check_round("no offloads", 0);
	stop_ours("no offloads");

	configure_and_start(rx_all, tx_all, "LRO and checksums");
	check_round("LRO and checksums", OFFLOAD_BITS);
	stop_ours("LRO and checksums");

	configure_and_start(RTE_ETH_RX_OFFLOAD_TCP_CKSUM, 0, "Rx checksums");
	check_round("Rx checksums", F(F_GUEST_CSUM));
	stop_ours("Rx checksums");

	configure_and_start(0, 0, "no offloads again");
	check_round("no offloads again", 0);
	stop_ours("no offloads again");

	/* Packet types: none without rte_eth_dev_set_ptypes, parsed with it, none once unset. */
	configure_and_start(0, 0, "no packet types");
	check_ptype("no packet types", 0);
	stop_ours("no packet types");
	check(rte_eth_dev_set_ptypes(t.port, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK,
				     NULL, 0) == 0, "set_ptypes");
	configure_and_start(0, 0, "packet types");
	check_ptype("packet types", RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP);
	/* The scalar path running now stops at once. */
	check(rte_eth_dev_set_ptypes(t.port, RTE_PTYPE_UNKNOWN, NULL, 0) == 0, "set_ptypes 0");
	check_ptype("packet types unset", 0);
	stop_ours("packet types");

	/* A port that runs a vector Rx path (no mergeable buffers) takes the scalar one while packet
	 * types are asked for. */
	check(rte_eth_dev_close(t.port) == 0, "close");
	if (rte_vdev_uninit("net_vionet_user0") != 0)
		fatal("net_vionet_user0 uninit");
	snprintf(ours_args, sizeof(ours_args),
		 "path=%s,queues=1,packed_vq=0,in_order=0,mrg_rxbuf=0,vectorized=sse",
		 test_backend.sock);
	if (rte_vdev_init("net_vionet_user0", ours_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.port) != 0)
		fatal("net_vionet_user0 probe without mergeable buffers");
	if (test_cpu_runs("sse")) {
		configure_and_start(0, 0, "vector Rx");
		check(!burst_mode_is("split scalar"), "vector Rx: the burst functions are scalar");
		check_ptype("vector Rx", 0);
		stop_ours("vector Rx");
	}
	check(rte_eth_dev_set_ptypes(t.port, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK,
				     NULL, 0) == 0, "set_ptypes without mergeable buffers");
	configure_and_start(0, 0, "packet types without mergeable buffers");
	check(burst_mode_is("split scalar"),
	      "packet types without mergeable buffers: the burst functions are not split scalar");
	check_ptype("packet types without mergeable buffers",
		    RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP);
	stop_ours("packet types without mergeable buffers");

	check(rte_eth_dev_close(t.port) == 0, "close");
	test_backend_stop();
	rte_eal_cleanup();
	if (tally.failures != 0 || getenv("VIONET_TEST_LOG") != NULL)
		dump_log();
	return tally_finish();
}
