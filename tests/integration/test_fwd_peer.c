/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The peer of a vionet-fwd under test: net_vhost ports (DPDK's vhost library) serving the sockets
 * vionet-fwd's virtio-user ports connect to. It sends frames, looks at every frame that comes back
 * and checks what the forwarder's mode promises (doc/forwarder.md, "Modes"):
 *
 *   mac <frames> <fwd MAC 0> <peer MAC 0> <fwd MAC 1> <peer MAC 1>
 *       two ports; <frames> frames into each, 127.0.0.0/8 IPv4/UDP with a sequence number, every
 *       frame with MACs of its own. Each must come out of the other port once, unchanged but for
 *       its MACs: source := the forwarder's Tx port's MAC, destination := that port's --eth-peer.
 *   macswap <frames>
 *       the same frames; each must come out of the other port with source and destination swapped.
 *   flowgen <frames> <flows> <frame bytes> <echo>
 *       one port; at least <frames> generated frames, every one IPv4/UDP of <frame bytes>, IPv4
 *       header checksum valid, UDP checksum valid or 0 (none, RFC 768); <flows> distinct 5-tuples
 *       that differ by IPv4 destination, spread evenly (one forwarding lcore goes round the flows).
 *       The first <echo> frames are sent back (vionet-fwd's flowgen counts what it receives).
 *
 * Usage: test_fwd_peer <EAL arguments with the net_vhost vdevs> -- <scenario> <arguments>
 * The peer prints "done" once it has what it waits for, then goes on checking what comes until the
 * forwarder disconnects (links down): the script stops vionet-fwd on "done", so no frame is still
 * in a ring when the forwarder closes its ports. It prints "echoed N" for the script. Every wait is
 * bounded only to turn a hang into a failure.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "test_ethdev.h"
#include "test_tally.h"

#define BURST 32u
#define RING_SIZE 1024
#define POOL_SIZE 8191
#define WAIT_S 60
#define QUIET_S 0.5 /* polled after the last expected frame: a duplicate would show up here */
#define MAX_FRAMES 65536
#define MAX_TUPLES 4096

/* Frame contents of the mac and macswap scenarios. */
#define UDP_SRC_PORT 5000
#define UDP_DST_PORT 6000
#define PAYLOAD_OFF (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

enum scenario { SCENARIO_MAC, SCENARIO_MACSWAP, SCENARIO_FLOWGEN };

/* What went wrong with received frames, by kind: counted, the first one described. */
struct defect {
	uint64_t count;
	char first[160];
};

static void
defect_add(struct defect *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
defect_add(struct defect *d, const char *fmt, ...)
{
	va_list ap;

	if (d->count++ != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(d->first, sizeof(d->first), fmt, ap);
	va_end(ap);
}

static void
defect_check(const struct defect *d, const char *what)
{
	check(d->count == 0, "%" PRIu64 " frames %s (first: %s)", d->count, what, d->first);
}

static const char *
mac_text(const struct rte_ether_addr *a, char *buf)
{
	rte_ether_format_addr(buf, RTE_ETHER_ADDR_FMT_SIZE, a);
	return buf;
}

static struct rte_ether_addr
mac_arg(const char *text)
{
	struct rte_ether_addr a;

	if (rte_ether_unformat_addr(text, &a) != 0)
		fatal("'%s' is not a MAC address", text);
	return a;
}

static unsigned long
number_arg(const char *text, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v > max)
		fatal("'%s' is not a number up to %lu", text, max);
	return v;
}

/* True once every port's link is down: the forwarder closed its side. */
static bool
links_down(uint16_t nb_ports)
{
	struct rte_eth_link link;

	for (uint16_t port = 0; port < nb_ports; port++)
		if (rte_eth_link_get_nowait(port, &link) != 0 || link.link_status == RTE_ETH_LINK_UP)
			return false;
	return true;
}

/* Tells the script the forwarder may stop now. */
static void
announce_done(void)
{
	printf("done\n");
	fflush(stdout);
}

/* ---- mac, macswap: frames of our own, each told apart by (port it went in, sequence) ---- */

/* Frame length of sequence seq: 64 to 1463 bytes, so rings see small and large frames. */
static uint16_t
frame_len(uint32_t seq)
{
	return (uint16_t)(64 + (seq * 37u) % 1400u);
}

/* The addresses the frame carried when it went in: locally administered unicast, one pair per frame. */
static struct rte_ether_addr
sent_mac(uint8_t kind, uint16_t in_port, uint32_t seq)
{
	return (struct rte_ether_addr){ { 0x02, kind, (uint8_t)in_port, (uint8_t)(seq >> 16),
					  (uint8_t)(seq >> 8), (uint8_t)seq } };
}

#define SENT_SRC 0x50
#define SENT_DST 0x60

/* The whole frame (in_port, seq) as sent, into buf (at least 1514 bytes). */
static void
frame_build(uint8_t *buf, uint16_t in_port, uint32_t seq)
{
	uint16_t len = frame_len(seq);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *payload = buf + PAYLOAD_OFF;

	eth->src_addr = sent_mac(SENT_SRC, in_port, seq);
	eth->dst_addr = sent_mac(SENT_DST, in_port, seq);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(127, 0, in_port, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(127, 0, in_port, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(UDP_SRC_PORT);
	udp->dst_port = rte_cpu_to_be_16(UDP_DST_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth) - sizeof(*ip)));
	udp->dgram_cksum = 0;
	memcpy(payload, &seq, sizeof(seq));
	memcpy(payload + sizeof(seq), &in_port, sizeof(in_port));
	for (uint32_t off = PAYLOAD_OFF + 6; off < len; off++)
		buf[off] = (uint8_t)(seq * 131u + off * 7u + in_port);
}

struct mac_run {
	enum scenario scenario;
	uint32_t frames;			/* sent into each port */
	struct rte_ether_addr fwd_mac[2];	/* the forwarder's ports' own addresses */
	struct rte_ether_addr peer_mac[2];	/* its --eth-peer per port */
	uint8_t seen[2][MAX_FRAMES];		/* by the port the frame went in */
	uint32_t received[2];			/* frames back, by the port they went in */
	struct defect foreign, duplicate, wrong_port, wrong_len, wrong_body, wrong_src, wrong_dst;
};

/* Checks one frame that came out of the forwarder on peer port out_port. */
static void
mac_inspect(struct mac_run *r, uint16_t out_port, const struct rte_mbuf *m)
{
	static uint8_t want[RTE_ETHER_MAX_LEN];
	const uint8_t *got = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)got;
	struct rte_ether_addr want_src, want_dst;
	char a[RTE_ETHER_ADDR_FMT_SIZE], b[RTE_ETHER_ADDR_FMT_SIZE];
	uint32_t seq;
	uint16_t in_port;

	if (m->nb_segs != 1 || m->data_len < PAYLOAD_OFF + 6) {
		defect_add(&r->foreign, "%u bytes in %u segments", m->pkt_len, m->nb_segs);
		return;
	}
	memcpy(&seq, got + PAYLOAD_OFF, sizeof(seq));
	memcpy(&in_port, got + PAYLOAD_OFF + sizeof(seq), sizeof(in_port));
	if (in_port > 1 || seq >= r->frames) {
		defect_add(&r->foreign, "port %u sequence %u", in_port, seq);
		return;
	}
	/* paired topology: what went into port 0 comes out of 1 and the reverse */
	if (out_port != 1 - in_port)
		defect_add(&r->wrong_port, "frame %u from port %u came out of port %u", seq, in_port,
			   out_port);
	if (r->seen[in_port][seq]++ != 0) {
		defect_add(&r->duplicate, "frame %u from port %u", seq, in_port);
		return;
	}
	r->received[in_port]++;
	frame_build(want, in_port, seq);
	if (m->pkt_len != frame_len(seq)) {
		defect_add(&r->wrong_len, "frame %u: %u bytes, sent %u", seq, m->pkt_len, frame_len(seq));
		return;
	}
	if (memcmp(got + 2 * RTE_ETHER_ADDR_LEN, want + 2 * RTE_ETHER_ADDR_LEN,
		   m->pkt_len - 2 * RTE_ETHER_ADDR_LEN) != 0)
		defect_add(&r->wrong_body, "frame %u from port %u: bytes after the MACs changed", seq,
			   in_port);
	if (r->scenario == SCENARIO_MAC) {
		want_src = r->fwd_mac[out_port];
		want_dst = r->peer_mac[out_port];
	} else {
		want_src = sent_mac(SENT_DST, in_port, seq);
		want_dst = sent_mac(SENT_SRC, in_port, seq);
	}
	if (!rte_is_same_ether_addr(&eth->src_addr, &want_src))
		defect_add(&r->wrong_src, "frame %u out of port %u: source %s, want %s", seq, out_port,
			   mac_text(&eth->src_addr, a), mac_text(&want_src, b));
	if (!rte_is_same_ether_addr(&eth->dst_addr, &want_dst))
		defect_add(&r->wrong_dst, "frame %u out of port %u: destination %s, want %s", seq,
			   out_port, mac_text(&eth->dst_addr, a), mac_text(&want_dst, b));
}

/* Sends frames [*next, frames) into port as far as the ring takes them. */
static void
mac_send(struct rte_mempool *pool, uint16_t port, uint32_t frames, uint32_t *next)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = (uint16_t)RTE_MIN(BURST, frames - *next), sent;

	if (n == 0 || rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return;
	for (uint16_t i = 0; i < n; i++) {
		uint32_t seq = *next + i;
		uint8_t *buf = (uint8_t *)rte_pktmbuf_append(pkts[i], frame_len(seq));

		frame_build(buf, port, seq);
	}
	sent = rte_eth_tx_burst(port, 0, pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	*next += sent;
}

static void
mac_receive(struct mac_run *r, uint16_t port)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST);

	for (uint16_t i = 0; i < n; i++)
		mac_inspect(r, port, pkts[i]);
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
run_mac(struct mac_run *r, struct rte_mempool *pool)
{
	uint32_t next[2] = { 0, 0 };
	double deadline = test_deadline(WAIT_S), quiet_end = 0;
	bool done = false;

	while (!test_past(deadline)) {
		bool all_back = r->received[0] == r->frames && r->received[1] == r->frames;

		if (all_back && quiet_end == 0)
			quiet_end = test_deadline(QUIET_S);
		if (!done && quiet_end != 0 && test_past(quiet_end)) {
			announce_done();
			done = true;
			deadline = test_deadline(WAIT_S);
		}
		if (done && links_down(2))
			break;
		for (uint16_t port = 0; port < 2; port++) {
			mac_send(pool, port, r->frames, &next[port]);
			mac_receive(r, port);
		}
	}
	check(!done || links_down(2), "the forwarder did not disconnect within %d s", WAIT_S);
	for (uint16_t port = 0; port < 2; port++)
		check(r->received[port] == r->frames,
		      "%u of the %u frames sent into port %u came back (%u were accepted)",
		      r->received[port], r->frames, port, next[port]);
	defect_check(&r->foreign, "not sent by this peer");
	defect_check(&r->duplicate, "back more than once");
	defect_check(&r->wrong_port, "out of the wrong port");
	defect_check(&r->wrong_len, "of the wrong length");
	defect_check(&r->wrong_body, "changed beyond their MACs");
	defect_check(&r->wrong_src, "with the wrong source MAC");
	defect_check(&r->wrong_dst, "with the wrong destination MAC");
	printf("%s: %u frames each way, every one back once with the mode's MACs\n",
	       r->scenario == SCENARIO_MAC ? "mac" : "macswap", r->frames);
}

/* ---- flowgen: what the generator sends ---- */

struct five_tuple {
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint8_t proto;
};

struct flow_run {
	uint32_t frames, flows, echo;
	uint16_t frame_bytes;
	uint32_t received, echoed;
	struct five_tuple tuple[MAX_TUPLES];
	uint32_t tuple_frames[MAX_TUPLES];
	uint32_t nb_tuples;
	struct defect not_udp, wrong_len, ip_cksum, udp_cksum, too_many;
};

static bool
tuple_equal(const struct five_tuple *a, const struct five_tuple *b)
{
	return a->src_ip == b->src_ip && a->dst_ip == b->dst_ip && a->src_port == b->src_port &&
	       a->dst_port == b->dst_port && a->proto == b->proto;
}

static void
flow_count(struct flow_run *r, const struct five_tuple *t)
{
	for (uint32_t i = 0; i < r->nb_tuples; i++) {
		if (tuple_equal(&r->tuple[i], t)) {
			r->tuple_frames[i]++;
			return;
		}
	}
	if (r->nb_tuples == MAX_TUPLES) {
		defect_add(&r->too_many, "more than %u 5-tuples", MAX_TUPLES);
		return;
	}
	r->tuple[r->nb_tuples] = *t;
	r->tuple_frames[r->nb_tuples++] = 1;
}

static void
flow_inspect(struct flow_run *r, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
	struct rte_ipv4_hdr ip_copy;
	struct five_tuple t;

	if (m->nb_segs != 1 || m->data_len < PAYLOAD_OFF ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_UDP) {
		defect_add(&r->not_udp, "%u bytes, ether type 0x%04x", m->pkt_len,
			   rte_be_to_cpu_16(eth->ether_type));
		return;
	}
	if (m->pkt_len != r->frame_bytes ||
	    rte_be_to_cpu_16(ip->total_length) != m->pkt_len - sizeof(*eth) ||
	    rte_be_to_cpu_16(udp->dgram_len) != m->pkt_len - sizeof(*eth) - sizeof(*ip))
		defect_add(&r->wrong_len, "frame %u bytes, IPv4 total length %u, UDP length %u",
			   m->pkt_len, rte_be_to_cpu_16(ip->total_length),
			   rte_be_to_cpu_16(udp->dgram_len));
	ip_copy = *ip;
	ip_copy.hdr_checksum = 0;
	if (rte_ipv4_cksum(&ip_copy) != ip->hdr_checksum)
		defect_add(&r->ip_cksum, "IPv4 header checksum 0x%04x, want 0x%04x",
			   rte_be_to_cpu_16(ip->hdr_checksum),
			   rte_be_to_cpu_16(rte_ipv4_cksum(&ip_copy)));
	/* 0: the sender computed none (RFC 768); any other value must be right */
	if (udp->dgram_cksum != 0 && rte_ipv4_udptcp_cksum_verify(ip, udp) != 0)
		defect_add(&r->udp_cksum, "UDP checksum 0x%04x", rte_be_to_cpu_16(udp->dgram_cksum));
	t = (struct five_tuple){ ip->src_addr, ip->dst_addr, udp->src_port, udp->dst_port,
				 ip->next_proto_id };
	flow_count(r, &t);
}

/* Sends back the frames that still count toward --echo, frees the rest. */
static void
flow_echo(struct flow_run *r, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
	  double deadline)
{
	uint16_t echo = (uint16_t)RTE_MIN(n, r->echo - r->echoed), sent = 0;

	while (sent < echo && !test_past(deadline) && !links_down(1))
		sent += rte_eth_tx_burst(port, 0, pkts + sent, echo - sent);
	r->echoed += sent;
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
}

static void
run_flowgen(struct flow_run *r)
{
	double deadline = test_deadline(WAIT_S);
	uint32_t most = 0, least = UINT32_MAX, distinct_dst = 0;
	bool done = false;

	while (!test_past(deadline)) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n;

		if (!done && r->received >= r->frames && r->echoed >= RTE_MIN(r->echo, r->frames)) {
			announce_done();
			done = true;
			deadline = test_deadline(WAIT_S);
		}
		if (done && links_down(1))
			break;
		n = rte_eth_rx_burst(0, 0, pkts, BURST);
		for (uint16_t i = 0; i < n; i++)
			flow_inspect(r, pkts[i]);
		r->received += n;
		flow_echo(r, 0, pkts, n, deadline);
	}
	check(r->received >= r->frames, "received %u frames, want %u or more", r->received,
	      r->frames);
	check(r->echoed >= RTE_MIN(r->echo, r->frames), "echoed %u frames, want %u", r->echoed,
	      RTE_MIN(r->echo, r->frames));
	check(!done || links_down(1), "the forwarder did not disconnect within %d s", WAIT_S);
	defect_check(&r->not_udp, "not IPv4/UDP");
	defect_check(&r->wrong_len, "with wrong frame, IPv4 or UDP lengths");
	defect_check(&r->ip_cksum, "with a bad IPv4 header checksum");
	defect_check(&r->udp_cksum, "with a bad UDP checksum");
	defect_check(&r->too_many, "beyond the 5-tuples this peer counts");
	check(r->nb_tuples == r->flows, "%u distinct 5-tuples, want %u flows", r->nb_tuples, r->flows);
	for (uint32_t i = 0; i < r->nb_tuples; i++) {
		bool dst_new = true;

		for (uint32_t j = 0; j < i; j++)
			dst_new = dst_new && r->tuple[j].dst_ip != r->tuple[i].dst_ip;
		distinct_dst += dst_new;
		most = RTE_MAX(most, r->tuple_frames[i]);
		least = RTE_MIN(least, r->tuple_frames[i]);
		check(tuple_equal(&(struct five_tuple){ r->tuple[0].src_ip, r->tuple[i].dst_ip,
							 r->tuple[0].src_port, r->tuple[0].dst_port,
							 r->tuple[0].proto },
				  &r->tuple[i]),
		      "flow %u differs from flow 0 in more than the IPv4 destination", i);
	}
	check(distinct_dst == r->nb_tuples, "%u distinct IPv4 destinations over %u 5-tuples",
	      distinct_dst, r->nb_tuples);
	check(r->nb_tuples == 0 || most - least <= 1,
	      "flows uneven: %u to %u frames per flow (one lcore goes round them)", least, most);
	printf("flowgen: %u frames, %u flows of %u to %u frames, checksums valid\n", r->received,
	       r->nb_tuples, least, most);
	printf("echoed %u\n", r->echoed);
}

static void
ports_start(uint16_t nb_ports, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = { 0 };

	require(rte_eth_dev_count_avail() == nb_ports, "%u ports, want %u (the net_vhost vdevs)",
		rte_eth_dev_count_avail(), nb_ports);
	for (uint16_t port = 0; port < nb_ports; port++) {
		test_port_configure(port, &conf, 1, RING_SIZE, pool);
		if (rte_eth_dev_start(port) < 0)
			fatal("start port %u", port);
	}
	/* up once the forwarder's virtio-user port has connected and set its rings up */
	for (uint16_t port = 0; port < nb_ports; port++)
		test_port_wait_link(port, true, WAIT_S, "forwarder connect");
}

int
main(int argc, char **argv)
{
	static struct mac_run mac_run;
	static struct flow_run flow_run;
	struct rte_mempool *pool;
	const char *scenario;
	int eal_args = rte_eal_init(argc, argv);

	tally.name = "test_fwd_peer";
	if (eal_args < 0)
		fatal("EAL init");
	argc -= eal_args;
	argv += eal_args;
	if (argc < 3)
		fatal("usage: test_fwd_peer <EAL> -- mac|macswap|flowgen <frames> ...");
	scenario = argv[1];
	pool = test_pool("peer_pool", POOL_SIZE);
	if (strcmp(scenario, "mac") == 0 || strcmp(scenario, "macswap") == 0) {
		mac_run.scenario = scenario[3] == '\0' ? SCENARIO_MAC : SCENARIO_MACSWAP;
		mac_run.frames = (uint32_t)number_arg(argv[2], MAX_FRAMES);
		if (mac_run.scenario == SCENARIO_MAC) {
			if (argc != 7)
				fatal("mac <frames> <fwd MAC 0> <peer MAC 0> <fwd MAC 1> <peer MAC 1>");
			for (int port = 0; port < 2; port++) {
				mac_run.fwd_mac[port] = mac_arg(argv[3 + 2 * port]);
				mac_run.peer_mac[port] = mac_arg(argv[4 + 2 * port]);
			}
		}
		ports_start(2, pool);
		run_mac(&mac_run, pool);
	} else if (strcmp(scenario, "flowgen") == 0) {
		if (argc != 6)
			fatal("flowgen <frames> <flows> <frame bytes> <echo>");
		flow_run.frames = (uint32_t)number_arg(argv[2], UINT32_MAX);
		flow_run.flows = (uint32_t)number_arg(argv[3], MAX_TUPLES);
		flow_run.frame_bytes = (uint16_t)number_arg(argv[4], RTE_ETHER_MAX_LEN);
		flow_run.echo = (uint32_t)number_arg(argv[5], UINT32_MAX);
		ports_start(1, pool);
		run_flowgen(&flow_run);
	} else {
		fatal("unknown scenario '%s'", scenario);
	}
	for (uint16_t port = 0; port < rte_eth_dev_count_avail(); port++) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	return tally_finish();
}
