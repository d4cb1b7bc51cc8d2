/* Counters gathered per port, queue and lcore: the live view, the final summary and --json. */
#ifndef FWD_STATS_H
#define FWD_STATS_H

#include <stdio.h>

#include "fwd.h"
#include "fwd_latency.h"

struct fwd_port_snapshot {
	struct fwd_counters rx;   /* what the engines received */
	struct fwd_counters tx;   /* sent; dropped = not taken by the port after retries */
	uint64_t rx_missed;       /* rte_eth_stats imissed: the device dropped, Rx ring full */
	uint64_t rx_nombuf;       /* rte_eth_stats rx_nombuf */
	uint64_t rx_errors;       /* ierrors */
	uint64_t tx_errors;       /* oerrors */
	uint32_t resets;          /* reset after RTE_ETH_EVENT_INTR_RESET (fwd_reset.h) */
	struct fwd_latency_summary latency; /* --latency, since the start, in TSC cycles */
};

struct fwd_snapshot {
	uint64_t tsc;
	struct fwd_port_snapshot port[FWD_MAX_PORTS];
	bool latency;                          /* some stream measures latency */
	struct fwd_latency_summary latency_total; /* every port's */
	struct rte_eth_stats eth[FWD_MAX_PORTS]; /* raw, for the baseline */
};

/* Reads every counter now; ethdev counters relative to base (NULL: absolute). */
void fwd_stats_snapshot(const struct fwd_ctx *ctx, const struct fwd_snapshot *base,
			struct fwd_snapshot *snap);

/* One refresh of the live view: rates between prev and cur. On a terminal the block is redrawn in
 * place; elsewhere it is appended. */
void fwd_stats_live(const struct fwd_ctx *ctx, const struct fwd_snapshot *prev,
		    const struct fwd_snapshot *cur, double elapsed_s, bool redraw, FILE *out);

/* The final report for people. */
void fwd_stats_summary(const struct fwd_ctx *ctx, const struct fwd_snapshot *last, double elapsed_s,
		       unsigned int mbufs_in_use, unsigned int mbufs_total, FILE *out);

/* The same as JSON, one object. */
void fwd_stats_json(const struct fwd_ctx *ctx, const struct fwd_snapshot *last, double elapsed_s,
		    unsigned int mbufs_in_use, unsigned int mbufs_total, FILE *out);

#endif
