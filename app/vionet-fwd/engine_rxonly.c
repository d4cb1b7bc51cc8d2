/* rxonly: receive, count, free; with --latency, measure the stamps of the frames first. */
#include "fwd.h"
#include "fwd_latency_stamp.h"

#include <rte_cycles.h>

static uint16_t rxonly_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t n = fwd_rx(lc, s, pkts);

	if (n == 0)
		return 0;
	if (s->latency != NULL)
		fwd_latency_rx_burst(s->latency, pkts, n, rte_rdtsc());
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

const struct fwd_engine fwd_engine_rxonly = {
	.name = "rxonly",
	.setup = fwd_latency_streams_setup,
	.teardown = fwd_latency_streams_teardown,
	.poll = rxonly_poll,
};
