/* rxonly: receive, count, free. */
#include "fwd.h"

static uint16_t rxonly_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t n = fwd_rx(lc, s, pkts);

	if (n != 0)
		rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

const struct fwd_engine fwd_engine_rxonly = {
	.name = "rxonly",
	.poll = rxonly_poll,
};
