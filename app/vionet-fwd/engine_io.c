/* io: forward every packet unchanged to the stream's peer port. */
#include "fwd.h"

static uint16_t io_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t n = fwd_rx(lc, s, pkts);

	if (n == 0)
		return 0;
	fwd_tx(lc, s->tx_port, pkts, n);
	return n;
}

const struct fwd_engine fwd_engine_io = {
	.name = "io",
	.poll = io_poll,
};
