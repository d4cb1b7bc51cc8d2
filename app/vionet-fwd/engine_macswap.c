/* macswap: swap source and destination MACs, send to the stream's peer port. */
#include "fwd.h"

static uint16_t macswap_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t n = fwd_rx(lc, s, pkts);

	if (n == 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		struct rte_ether_addr tmp;

		if (rte_pktmbuf_data_len(pkts[i]) < sizeof(*eth))
			continue;
		rte_ether_addr_copy(&eth->dst_addr, &tmp);
		rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
		rte_ether_addr_copy(&tmp, &eth->src_addr);
	}
	fwd_tx(lc, s->tx_port, pkts, n);
	return n;
}

const struct fwd_engine fwd_engine_macswap = {
	.name = "macswap",
	.poll = macswap_poll,
};
