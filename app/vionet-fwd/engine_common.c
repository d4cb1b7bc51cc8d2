/* What every engine shares: the lcore loop, Tx with retry, the port topology, the engine table. */
#include "fwd.h"
#include "fwd_l2switch.h"

#include <rte_cycles.h>
#include <rte_lcore.h>

uint16_t fwd_tx(struct fwd_lcore *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct fwd_counters *c = &lc->tx[port];
	uint64_t bytes = 0;
	uint16_t sent;

	/* Counted before the burst: what the port takes is its own, possibly freed, afterwards. */
	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	sent = fwd_lcore_skips(lc, port) ? 0 : rte_eth_tx_burst(port, lc->tx_queue, pkts, n);
	for (uint32_t retry = 0; sent < n && retry < lc->ctx->opts->tx_retry; retry++) {
		if (__atomic_load_n(&lc->ctx->stop, __ATOMIC_RELAXED) || fwd_lcore_skips(lc, port))
			break;
		rte_delay_us(1);
		sent += rte_eth_tx_burst(port, lc->tx_queue, pkts + sent, (uint16_t)(n - sent));
	}
	for (uint16_t i = sent; i < n; i++)
		bytes -= pkts[i]->pkt_len;
	fwd_counter_add(&c->packets, sent);
	fwd_counter_add(&c->bytes, bytes);
	if (sent < n) {
		/* rte_eth_tx_burst contract: the caller still owns what was not taken. */
		rte_pktmbuf_free_bulk(pkts + sent, (unsigned int)(n - sent));
		fwd_counter_add(&c->dropped, (uint64_t)(n - sent));
	}
	return sent;
}

uint16_t fwd_topology_peer(const struct fwd_ctx *ctx, uint16_t rx_port)
{
	switch (ctx->opts->topology) {
	case FWD_TOPO_LOOP:
		return rx_port;
	case FWD_TOPO_CHAINED:
		return (uint16_t)((rx_port + 1) % ctx->nb_ports);
	case FWD_TOPO_PAIRED:
	default:
		if ((rx_port ^ 1u) < ctx->nb_ports)
			return (uint16_t)(rx_port ^ 1u);
		return rx_port;
	}
}

int fwd_lcore_main(void *arg)
{
	struct fwd_lcore *lc = arg;
	struct fwd_ctx *ctx = lc->ctx;
	const struct fwd_engine *engine = ctx->engine;
	bool record_cycles = ctx->opts->record_cycles;
	uint64_t polls = 0, busy = 0, busy_cycles = 0;

	if (engine->lcore_start != NULL)
		engine->lcore_start(lc);
	while (!__atomic_load_n(&ctx->stop, __ATOMIC_RELAXED) && !lc->finished) {
		fwd_lcore_pause_sync(lc);
		for (uint16_t i = 0; i < lc->nb_streams; i++) {
			struct fwd_stream *s = &lc->streams[i];
			/* Like testpmd's --record-core-cycles: only polls that moved packets count. */
			uint64_t start;
			uint16_t moved;

			if (fwd_lcore_skips(lc, s->rx_port))
				continue;
			start = record_cycles ? rte_rdtsc() : 0;
			moved = engine->poll(lc, s);

			polls++;
			if (moved != 0) {
				busy++;
				fwd_counter_add(&s->busy_polls, 1);
				if (record_cycles) {
					uint64_t spent = rte_rdtsc() - start;

					busy_cycles += spent;
					fwd_counter_add(&s->busy_cycles, spent);
				}
			}
		}
		if (ctx->l2switch != NULL)
			fwd_l2switch_quiescent(ctx->l2switch, lc->lcore_id);
		__atomic_store_n(&lc->polls, polls, __ATOMIC_RELAXED);
		__atomic_store_n(&lc->busy_polls, busy, __ATOMIC_RELAXED);
		__atomic_store_n(&lc->busy_cycles, busy_cycles, __ATOMIC_RELAXED);
	}
	if (engine->lcore_stop != NULL)
		engine->lcore_stop(lc);
	/* Release: the counters above are final before the main lcore sees the loop ended. */
	__atomic_store_n(&lc->loop_done, true, __ATOMIC_RELEASE);
	return 0;
}

const struct fwd_engine *fwd_engine_of(enum fwd_mode mode)
{
	switch (mode) {
	case FWD_MODE_IO: return &fwd_engine_io;
	case FWD_MODE_MAC: return &fwd_engine_mac;
	case FWD_MODE_MACSWAP: return &fwd_engine_macswap;
	case FWD_MODE_RXONLY: return &fwd_engine_rxonly;
	case FWD_MODE_TXONLY: return &fwd_engine_txonly;
	case FWD_MODE_FLOWGEN: return &fwd_engine_flowgen;
	case FWD_MODE_L2SWITCH: return &fwd_engine_l2switch;
	default: return NULL;
	}
}
