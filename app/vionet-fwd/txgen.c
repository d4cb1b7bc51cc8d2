/* IPv4/UDP frame generation for txonly and flowgen (see fwd_txgen.h). */
#include "fwd_txgen.h"
#include "fwd_latency_stamp.h"

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>

/*
 * Loopback-range addresses (127.0.0.0/8, RFC 1122): a generated frame that leaks out of the test
 * set-up is dropped by any host that sees it. Built in uint32_t: RTE_IPV4 shifts an int, which
 * overflows for a first byte above 127.
 */
#define TXGEN_IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define TXGEN_IPV4_SRC TXGEN_IPV4(127, 18, 0, 1)
#define TXGEN_IPV4_DST_BASE TXGEN_IPV4(127, 19, 0, 0)
#define TXGEN_UDP_PORT_BASE 1024
#define TXGEN_UDP_DST_PORT 9 /* discard */
#define TXGEN_TTL 64

void fwd_txgen_lcore_start(struct fwd_lcore *lc)
{
	const struct fwd_ctx *ctx = lc->ctx;
	double lcore_pps;

	lc->txgen.next_flow = 0;
	lc->txgen.pace_pkts_per_tsc = 0;
	if (ctx->opts->rate_pps == 0 || ctx->nb_workers == 0)
		return;
	lcore_pps = (double)ctx->opts->rate_pps / ctx->nb_workers;
	lc->txgen.pace_pkts_per_tsc = lcore_pps / (double)ctx->tsc_hz;
	lc->txgen.pace_start_tsc = rte_rdtsc();
	lc->txgen.pace_offered = 0;
}

/* Rate limit, per packet rather than per burst: at a low rate frames go out one by one as they
 * fall due, not 32 back to back, so a --latency run sees no queueing of its own making. At most
 * one burst of backlog is kept: a late lcore does not catch up. */
static uint16_t txgen_packets_due(struct fwd_lcore *lc)
{
	struct fwd_txgen_state *g = &lc->txgen;
	uint64_t allowed;

	if (g->pace_pkts_per_tsc == 0)
		return FWD_BURST;
	allowed = (uint64_t)((double)(rte_rdtsc() - g->pace_start_tsc) * g->pace_pkts_per_tsc);
	if (allowed <= g->pace_offered)
		return 0;
	if (allowed - g->pace_offered > FWD_BURST)
		g->pace_offered = allowed - FWD_BURST;
	return (uint16_t)(allowed - g->pace_offered);
}

static void txgen_fill(struct fwd_lcore *lc, struct rte_mbuf *m, uint16_t port, uint32_t flow,
		       enum fwd_txgen_flow_field vary)
{
	const struct fwd_ctx *ctx = lc->ctx;
	uint16_t frame_len = ctx->opts->pkt_size;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ip_len = (uint16_t)(frame_len - sizeof(*eth));

	rte_ether_addr_copy(&ctx->peer_mac[port], &eth->dst_addr);
	rte_ether_addr_copy(&ctx->port_mac[port], &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = TXGEN_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(TXGEN_IPV4_SRC);
	ip->dst_addr = rte_cpu_to_be_32(TXGEN_IPV4_DST_BASE);
	udp->src_port = rte_cpu_to_be_16(TXGEN_UDP_PORT_BASE);
	udp->dst_port = rte_cpu_to_be_16(TXGEN_UDP_DST_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	udp->dgram_cksum = 0; /* optional for UDP over IPv4 (RFC 768) */
	if (vary == FWD_TXGEN_VARY_UDP_SRC_PORT)
		udp->src_port = rte_cpu_to_be_16((uint16_t)(TXGEN_UDP_PORT_BASE + flow % 64512));
	else
		ip->dst_addr = rte_cpu_to_be_32(TXGEN_IPV4_DST_BASE + flow);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	m->data_len = frame_len;
	m->pkt_len = frame_len;
	m->nb_segs = 1;
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->ol_flags = 0;
}

/* One TSC read per burst: the frames of a burst go out together. */
static void txgen_stamp(struct fwd_lcore *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t seq = lc->txgen.latency_seq[port];
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n; i++)
		fwd_latency_stamp_write(pkts[i], (uint8_t)port, (uint8_t)lc->tx_queue, seq + i, now);
}

uint16_t fwd_txgen_burst(struct fwd_lcore *lc, uint16_t port, enum fwd_txgen_flow_field vary)
{
	struct fwd_ctx *ctx = lc->ctx;
	struct rte_mbuf *pkts[FWD_BURST];
	uint32_t flows = ctx->opts->flows;
	uint16_t due = txgen_packets_due(lc);
	uint16_t n, sent;

	if (due == 0)
		return 0;
	n = fwd_budget_claim(ctx, due);
	if (n == 0) {
		lc->finished = true;
		return 0;
	}
	/* Mempool bulk get: from this lcore's cache, no allocation in the malloc sense. */
	if (rte_pktmbuf_alloc_bulk(lc->pool, pkts, n) != 0) {
		fwd_budget_return(ctx, n);
		fwd_counter_add(&lc->nombuf, 1);
		return 0;
	}
	for (uint16_t i = 0; i < n; i++) {
		txgen_fill(lc, pkts[i], port, lc->txgen.next_flow, vary);
		if (++lc->txgen.next_flow == flows)
			lc->txgen.next_flow = 0;
	}
	lc->txgen.pace_offered += n;
	if (ctx->opts->latency)
		txgen_stamp(lc, port, pkts, n);
	sent = fwd_tx(lc, port, pkts, n);
	/* Numbers go only to frames the port took: a frame it refused (counted as tx-dropped) leaves
	 * no gap that the receiver would count as lost. */
	lc->txgen.latency_seq[port] += sent;
	/* Only accepted packets count against --packets: a generator sends exactly that many. */
	fwd_budget_return(ctx, (uint16_t)(n - sent));
	return sent;
}
