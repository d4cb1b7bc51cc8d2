/* l2switch: a MAC-learning switch across every port. Each burst learns its source MACs, sends a
 * packet with a learned destination to that port, drops it when that is the port it came from, and
 * floods broadcast, multicast and unknown destinations to every other port. Flooding shares the
 * mbuf (reference count), it does not copy. Each second the main lcore ages the table out. */
#include "fwd.h"
#include "fwd_l2switch.h"

#include <rte_cycles.h>
#include <rte_lcore.h>

/* Per-port Tx batches of one burst: each input packet adds at most one mbuf per port. */
struct l2switch_out {
	uint16_t count[FWD_MAX_PORTS];
	struct rte_mbuf *pkts[FWD_MAX_PORTS][FWD_BURST];
};

static int l2switch_setup(struct fwd_ctx *ctx)
{
	ctx->l2switch = fwd_l2switch_create(ctx->opts->mac_table_size, ctx->opts->mac_aging_s,
					    (int)rte_socket_id());
	return ctx->l2switch != NULL ? 0 : -ENOMEM;
}

static void l2switch_teardown(struct fwd_ctx *ctx)
{
	fwd_l2switch_free(ctx->l2switch);
	ctx->l2switch = NULL;
}

static void l2switch_lcore_start(struct fwd_lcore *lc)
{
	if (fwd_l2switch_reader_start(lc->ctx->l2switch, lc->lcore_id) != 0)
		lc->finished = true;
}

static void l2switch_lcore_stop(struct fwd_lcore *lc)
{
	fwd_l2switch_reader_stop(lc->ctx->l2switch, lc->lcore_id);
}

static void l2switch_flood(struct fwd_ctx *ctx, struct l2switch_out *out, struct rte_mbuf *m,
			   uint16_t in_port)
{
	uint16_t copies = 0;

	for (uint16_t p = 0; p < ctx->nb_ports; p++)
		copies += p != in_port;
	if (copies == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	/* One reference per port it goes out of; each Tx (or drop) releases one. */
	rte_mbuf_refcnt_update(m, (int16_t)(copies - 1));
	for (uint16_t p = 0; p < ctx->nb_ports; p++)
		if (p != in_port)
			out->pkts[p][out->count[p]++] = m;
}

static uint16_t l2switch_poll(struct fwd_lcore *lc, struct fwd_stream *s)
{
	struct fwd_ctx *ctx = lc->ctx;
	struct rte_mbuf *pkts[FWD_BURST];
	const struct rte_ether_addr *src[FWD_BURST], *dst[FWD_BURST];
	uint16_t dst_port[FWD_BURST];
	struct l2switch_out out;
	uint64_t flooded = 0, filtered = 0;
	uint16_t n = fwd_rx(lc, s, pkts);

	if (n == 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		src[i] = &eth->src_addr;
		dst[i] = &eth->dst_addr;
	}
	fwd_l2switch_learn(ctx->l2switch, src, n, s->rx_port, rte_rdtsc() / ctx->tsc_hz);
	fwd_l2switch_lookup(ctx->l2switch, dst, n, dst_port);

	for (uint16_t p = 0; p < ctx->nb_ports; p++)
		out.count[p] = 0;
	for (uint16_t i = 0; i < n; i++) {
		uint16_t to = dst_port[i];

		if (rte_is_multicast_ether_addr(dst[i]) || to == FWD_L2SWITCH_NO_PORT ||
		    to >= ctx->nb_ports) {
			l2switch_flood(ctx, &out, pkts[i], s->rx_port);
			flooded++;
		} else if (to == s->rx_port) {
			rte_pktmbuf_free(pkts[i]);
			filtered++;
		} else {
			out.pkts[to][out.count[to]++] = pkts[i];
		}
	}
	for (uint16_t p = 0; p < ctx->nb_ports; p++)
		if (out.count[p] != 0)
			fwd_tx(lc, p, out.pkts[p], out.count[p]);
	fwd_l2switch_count_forwarding(ctx->l2switch, flooded, filtered);
	return n;
}

static void l2switch_tick(struct fwd_ctx *ctx)
{
	fwd_l2switch_age(ctx->l2switch, rte_rdtsc() / ctx->tsc_hz);
}

const struct fwd_engine fwd_engine_l2switch = {
	.name = "l2switch",
	.setup = l2switch_setup,
	.teardown = l2switch_teardown,
	.lcore_start = l2switch_lcore_start,
	.lcore_stop = l2switch_lcore_stop,
	.poll = l2switch_poll,
	.tick = l2switch_tick,
};
