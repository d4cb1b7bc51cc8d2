/* The forwarder's run-time state: per-lcore streams and counters, the engine interface, and the
 * helpers every engine's burst uses (budget, Rx, Tx with retry). */
#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fwd_options.h"

#define FWD_BURST 32

/* Written by one lcore only, read by the main lcore for the live view: relaxed atomics, no locks. */
struct fwd_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t dropped;
};

static inline void fwd_counter_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline uint64_t fwd_counter_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* One (port, Rx queue) an lcore polls, and where io/mac/macswap send what it receives. */
struct fwd_latency_rx;

struct fwd_stream {
	uint16_t rx_port;
	uint16_t rx_queue;
	uint16_t tx_port;
	struct fwd_counters rx;
	/* --latency in a receiving engine (fwd_latency_stamp.h); NULL otherwise. */
	struct fwd_latency_rx *latency;
	/* --record-cycles, per stream: two ports polled by one lcore are measured apart, under the
	 * same conditions at the same moment (tests/bench's interleaved comparison). */
	uint64_t busy_polls;
	uint64_t busy_cycles;
};

/* Per-lcore state of the generators (txonly, flowgen). */
struct fwd_txgen_state {
	uint32_t next_flow;
	/* --rate: packets this lcore may have offered by now are (now - pace_start_tsc) *
	 * pace_pkts_per_tsc; pace_offered of them went out. 0 packets per cycle: no limit. */
	double pace_pkts_per_tsc;
	uint64_t pace_start_tsc;
	uint64_t pace_offered;
	/* --latency: the next sequence number of this lcore's Tx queue on each port. */
	uint32_t latency_seq[FWD_MAX_PORTS];
};

struct fwd_ctx;

struct fwd_lcore {
	struct fwd_ctx *ctx;
	unsigned int lcore_id;
	uint16_t tx_queue;        /* this lcore's own Tx queue on every port */
	bool finished;            /* the --packets budget ran out for this lcore */
	bool loop_done;           /* set (release) when fwd_lcore_main returns */
	struct rte_mempool *pool; /* the pool of this lcore's socket, for generated packets */
	struct fwd_txgen_state txgen;
	uint16_t nb_streams;
	struct fwd_stream streams[FWD_MAX_PAIRS_PER_LCORE];
	struct fwd_counters tx[FWD_MAX_PORTS];
	uint64_t busy_polls;      /* polls that moved at least one packet */
	uint64_t polls;
	uint64_t nombuf;          /* generator bursts lost to an empty mempool */
	uint64_t busy_cycles;     /* --record-cycles: TSC cycles of the polls that moved packets */
	/* Ports out of the forwarding for a reset (fwd_reset.h): this lcore's copy of
	 * ctx->port_paused as of ctx->pause_gen == pause_gen_seen, acknowledged in pause_ack. */
	uint32_t pause_gen_seen;
	uint32_t pause_ack;
	bool skip_any;
	bool skip_port[FWD_MAX_PORTS];
} __rte_cache_aligned;

struct fwd_l2switch;

struct fwd_ctx {
	const struct fwd_options *opts;
	const struct fwd_engine *engine;
	uint16_t nb_ports;
	bool port_used[FWD_MAX_PORTS];
	struct fwd_port_conf port_conf[FWD_MAX_PORTS]; /* resolved queue counts and ring sizes */
	struct rte_ether_addr port_mac[FWD_MAX_PORTS];
	struct rte_ether_addr peer_mac[FWD_MAX_PORTS];
	struct rte_mempool *pool_by_socket[RTE_MAX_NUMA_NODES];
	unsigned int nb_workers;
	struct fwd_lcore *workers[FWD_MAX_LCORES];
	/* --packets: what is left to receive (or send); claimed in bursts by the lcores. */
	bool budget_limited;
	uint64_t budget;
	/* Set by the main lcore; workers leave their loop when they see it. */
	bool stop;
	struct fwd_l2switch *l2switch;
	uint64_t tsc_hz;
	/* RTE_ETH_EVENT_INTR_RESET (fwd_reset.h): asked by the event callback, served by the main
	 * lcore, which alone writes the rest. */
	uint32_t reset_requested[FWD_MAX_PORTS];
	bool port_paused[FWD_MAX_PORTS];	 /* out of the forwarding while it is reset */
	uint32_t pause_gen;			 /* bumped at every change of port_paused */
	uint32_t port_resets[FWD_MAX_PORTS];	 /* done: the summary and --json say */
	uint32_t reset_failures[FWD_MAX_PORTS];	 /* in a row, while the port is retried */
	uint64_t reset_retry_tsc[FWD_MAX_PORTS]; /* when to try a failed reset again */
};

/* An engine: what an lcore does with one stream per poll, and set-up it needs. */
struct fwd_engine {
	const char *name;
	/* Once before the lcores start (tables, templates); may be NULL. Returns 0 or negative errno. */
	int (*setup)(struct fwd_ctx *ctx);
	/* Once after the lcores stopped; may be NULL. */
	void (*teardown)(struct fwd_ctx *ctx);
	/* Once per lcore on that lcore before its loop; may be NULL. */
	void (*lcore_start)(struct fwd_lcore *lc);
	/* Once per lcore on that lcore after its loop; may be NULL. */
	void (*lcore_stop)(struct fwd_lcore *lc);
	/* One burst on one stream; returns the packets it moved. */
	uint16_t (*poll)(struct fwd_lcore *lc, struct fwd_stream *s);
	/* Each second on the main lcore (aging); may be NULL. */
	void (*tick)(struct fwd_ctx *ctx);
};

extern const struct fwd_engine fwd_engine_io;
extern const struct fwd_engine fwd_engine_mac;
extern const struct fwd_engine fwd_engine_macswap;
extern const struct fwd_engine fwd_engine_rxonly;
extern const struct fwd_engine fwd_engine_txonly;
extern const struct fwd_engine fwd_engine_flowgen;
extern const struct fwd_engine fwd_engine_l2switch;

const struct fwd_engine *fwd_engine_of(enum fwd_mode mode);

/* Claims up to want packets of the --packets budget; 0 when it is spent (always want without one). */
static inline uint16_t fwd_budget_claim(struct fwd_ctx *ctx, uint16_t want)
{
	uint64_t left, take;

	if (!ctx->budget_limited)
		return want;
	left = __atomic_load_n(&ctx->budget, __ATOMIC_RELAXED);
	do {
		if (left == 0)
			return 0;
		take = left < want ? left : want;
		/* Relaxed: the budget orders nothing else, it only has to be split exactly. */
	} while (!__atomic_compare_exchange_n(&ctx->budget, &left, left - take, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return (uint16_t)take;
}

static inline void fwd_budget_return(struct fwd_ctx *ctx, uint16_t unused)
{
	if (ctx->budget_limited && unused != 0)
		__atomic_fetch_add(&ctx->budget, unused, __ATOMIC_RELAXED);
}

/* Receives one burst from s within the budget and counts it. Sets lc->finished when the budget is
 * spent. */
static inline uint16_t fwd_rx(struct fwd_lcore *lc, struct fwd_stream *s, struct rte_mbuf **pkts)
{
	uint16_t want = fwd_budget_claim(lc->ctx, FWD_BURST);
	uint16_t nb_rx;
	uint64_t bytes = 0;

	if (want == 0) {
		lc->finished = true;
		return 0;
	}
	nb_rx = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts, want);
	fwd_budget_return(lc->ctx, (uint16_t)(want - nb_rx));
	if (nb_rx == 0)
		return 0;
	for (uint16_t i = 0; i < nb_rx; i++)
		bytes += pkts[i]->pkt_len;
	fwd_counter_add(&s->rx.packets, nb_rx);
	fwd_counter_add(&s->rx.bytes, bytes);
	return nb_rx;
}

/* Once per loop on a forwarding lcore: takes a change of the paused ports and acknowledges it. */
static inline void fwd_lcore_pause_sync(struct fwd_lcore *lc)
{
	const struct fwd_ctx *ctx = lc->ctx;
	uint32_t gen = __atomic_load_n(&ctx->pause_gen, __ATOMIC_ACQUIRE);

	if (likely(gen == lc->pause_gen_seen))
		return;
	lc->skip_any = false;
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		lc->skip_port[p] = __atomic_load_n(&ctx->port_paused[p], __ATOMIC_RELAXED);
		lc->skip_any |= lc->skip_port[p];
	}
	lc->pause_gen_seen = gen;
	/* Release: this lcore's bursts on a port now skipped are over when the main lcore sees
	 * the acknowledgement. */
	__atomic_store_n(&lc->pause_ack, gen, __ATOMIC_RELEASE);
}

/* The port is out of the forwarding (being reset): no burst on it from this lcore. */
static inline bool fwd_lcore_skips(const struct fwd_lcore *lc, uint16_t port)
{
	return unlikely(lc->skip_any) && lc->skip_port[port];
}

/* Sends n packets on port through this lcore's Tx queue, retrying --tx-retry times; frees and counts
 * as dropped what the port did not take (all of them while the port is being reset). Returns the
 * packets sent. */
uint16_t fwd_tx(struct fwd_lcore *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/* The lcore loop: polls its streams until ctx->stop or the budget is spent. */
int fwd_lcore_main(void *arg);

/* Where io, mac and macswap send what rx_port received. */
uint16_t fwd_topology_peer(const struct fwd_ctx *ctx, uint16_t rx_port);

#endif
