/* mac: source MAC := the Tx port's own address, destination := that port's peer (--eth-peer). */
#include "fwd.h"

static uint16_t mac_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[FWD_BURST];
	const struct rte_ether_addr *src = &lc->ctx->port_mac[s->tx_port];
	const struct rte_ether_addr *dst = &lc->ctx->peer_mac[s->tx_port];
	uint16_t n = fwd_rx(lc, s, pkts);

	if (n == 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		if (rte_pktmbuf_data_len(pkts[i]) < sizeof(*eth))
			continue; /* a runt: forwarded as is */
		rte_ether_addr_copy(dst, &eth->dst_addr);
		rte_ether_addr_copy(src, &eth->src_addr);
	}
	fwd_tx(lc, s->tx_port, pkts, n);
	return n;
}

const struct fwd_engine fwd_engine_mac = {
	.name = "mac",
	.poll = mac_poll,
};
