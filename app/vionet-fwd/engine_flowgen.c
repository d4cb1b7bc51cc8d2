/* flowgen: generate --flows IPv4 flows (distinct destination addresses) on the stream's port, and
 * receive and free whatever comes back on the stream's queue (counted, not budgeted). With
 * --latency the frames carry a stamp, and those that come back give the round trip. */
#include "fwd_txgen.h"
#include "fwd_latency_stamp.h"

#include <rte_cycles.h>

static uint16_t flowgen_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t nb_rx = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts, FWD_BURST);
	uint64_t bytes = 0;

	if (nb_rx != 0) {
		for (uint16_t i = 0; i < nb_rx; i++)
			bytes += pkts[i]->pkt_len;
		fwd_counter_add(&s->rx.packets, nb_rx);
		fwd_counter_add(&s->rx.bytes, bytes);
		if (s->latency != NULL)
			fwd_latency_rx_burst(s->latency, pkts, nb_rx, rte_rdtsc());
		rte_pktmbuf_free_bulk(pkts, nb_rx);
	}
	return (uint16_t)(nb_rx + fwd_txgen_burst(lc, s->rx_port, FWD_TXGEN_VARY_IPV4_DST));
}

const struct fwd_engine fwd_engine_flowgen = {
	.name = "flowgen",
	.setup = fwd_latency_streams_setup,
	.teardown = fwd_latency_streams_teardown,
	.lcore_start = fwd_txgen_lcore_start,
	.poll = flowgen_poll,
};
