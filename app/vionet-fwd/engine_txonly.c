/* txonly: generate IPv4/UDP frames on the ports of the lcore's streams, flows by UDP source port.
 * Nothing is received. */
#include "fwd_txgen.h"

static uint16_t txonly_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	return fwd_txgen_burst(lc, s->rx_port, FWD_TXGEN_VARY_UDP_SRC_PORT);
}

const struct fwd_engine fwd_engine_txonly = {
	.name = "txonly",
	.lcore_start = fwd_txgen_lcore_start,
	.poll = txonly_poll,
};
