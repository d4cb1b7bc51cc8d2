/* The live view, the summary and the JSON report (see fwd_stats.h). */
#include "fwd_stats.h"
#include "fwd_l2switch.h"
#include "fwd_latency_stamp.h"

#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

static void counters_add(struct fwd_counters *sum, const struct fwd_counters *c)
{
	sum->packets += fwd_counter_read(&c->packets);
	sum->bytes += fwd_counter_read(&c->bytes);
	sum->dropped += fwd_counter_read(&c->dropped);
}

void fwd_stats_snapshot(const struct fwd_ctx *ctx, const struct fwd_snapshot *base,
			struct fwd_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	snap->tsc = rte_rdtsc();
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		const struct fwd_lcore *lc = ctx->workers[w];

		for (uint16_t i = 0; i < lc->nb_streams; i++)
			counters_add(&snap->port[lc->streams[i].rx_port].rx, &lc->streams[i].rx);
		for (uint16_t p = 0; p < ctx->nb_ports; p++)
			counters_add(&snap->port[p].tx, &lc->tx[p]);
	}
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		struct rte_eth_stats *e = &snap->eth[p];

		snap->port[p].resets = ctx->port_resets[p];
		if (!ctx->port_used[p] || rte_eth_stats_get(p, e) != 0)
			continue;
		if (base != NULL) {
			e->imissed -= base->eth[p].imissed;
			e->rx_nombuf -= base->eth[p].rx_nombuf;
			e->ierrors -= base->eth[p].ierrors;
			e->oerrors -= base->eth[p].oerrors;
		}
		snap->port[p].rx_missed = e->imissed;
		snap->port[p].rx_nombuf = e->rx_nombuf;
		snap->port[p].rx_errors = e->ierrors;
		snap->port[p].tx_errors = e->oerrors;
	}
	snap->latency = fwd_latency_measured(ctx);
	if (!snap->latency)
		return;
	for (uint16_t p = 0; p < ctx->nb_ports; p++)
		fwd_latency_port_summary(ctx, p, &snap->port[p].latency);
	fwd_latency_port_summary(ctx, UINT16_MAX, &snap->latency_total);
}

static double cycles_to_us(const struct fwd_ctx *ctx, uint64_t cycles)
{
	return (double)cycles * 1e6 / (double)ctx->tsc_hz;
}

/* "min 1.234 p50 ... max ..." in microseconds. */
static void latency_percentiles_print(const struct fwd_ctx *ctx, const struct fwd_latency_summary *l,
				      FILE *out)
{
	fprintf(out, "min %.3f p50 %.3f p99 %.3f p99.9 %.3f max %.3f", cycles_to_us(ctx, l->min),
		cycles_to_us(ctx, l->p50), cycles_to_us(ctx, l->p99), cycles_to_us(ctx, l->p999),
		cycles_to_us(ctx, l->max));
}

static void latency_json(const struct fwd_ctx *ctx, const struct fwd_latency_summary *l, FILE *out)
{
	fprintf(out, "\"latency\": {\"count\": %" PRIu64 ", \"lost\": %" PRIu64 ", \"reordered\": %" PRIu64
		", \"untracked\": %" PRIu64 ", \"clock_backwards\": %" PRIu64 ", \"min_us\": %.3f"
		", \"p50_us\": %.3f, \"p99_us\": %.3f, \"p99_9_us\": %.3f, \"max_us\": %.3f"
		", \"mean_us\": %.3f}",
		l->count, l->lost, l->reordered, l->untracked, l->backwards, cycles_to_us(ctx, l->min),
		cycles_to_us(ctx, l->p50), cycles_to_us(ctx, l->p99), cycles_to_us(ctx, l->p999),
		cycles_to_us(ctx, l->max), cycles_to_us(ctx, l->mean));
}

static double rate(uint64_t now, uint64_t before, double seconds)
{
	return seconds > 0 ? (double)(now - before) / seconds : 0;
}

void fwd_stats_live(const struct fwd_ctx *ctx, const struct fwd_snapshot *prev,
		    const struct fwd_snapshot *cur, double elapsed_s, bool redraw, FILE *out)
{
	double dt = (double)(cur->tsc - prev->tsc) / (double)ctx->tsc_hz;
	double rx_total = 0, tx_total = 0;
	static const char *const clear_line = "\033[K";

	if (redraw)
		fprintf(out, "\033[%uA", ctx->nb_ports * (cur->latency ? 2u : 1u) + 1u);
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		const struct fwd_port_snapshot *a = &prev->port[p], *b = &cur->port[p];
		double rx_pps = rate(b->rx.packets, a->rx.packets, dt);
		double tx_pps = rate(b->tx.packets, a->tx.packets, dt);

		rx_total += rx_pps;
		tx_total += tx_pps;
		fprintf(out,
			"port %-2u rx %8.3f Mpps %7.3f Gbit/s  tx %8.3f Mpps %7.3f Gbit/s | so far: drop %" PRIu64
			" missed %" PRIu64 " nombuf %" PRIu64 " err %" PRIu64 "%s\n",
			p, rx_pps / 1e6, rate(b->rx.bytes, a->rx.bytes, dt) * 8 / 1e9, tx_pps / 1e6,
			rate(b->tx.bytes, a->tx.bytes, dt) * 8 / 1e9, b->tx.dropped, b->rx_missed,
			b->rx_nombuf, b->rx_errors + b->tx_errors, redraw ? clear_line : "");
		if (!cur->latency)
			continue;
		fprintf(out, "        latency us, so far: ");
		latency_percentiles_print(ctx, &b->latency, out);
		fprintf(out, " | %" PRIu64 " frames, lost %" PRIu64 ", reordered %" PRIu64 "%s\n",
			b->latency.count, b->latency.lost, b->latency.reordered, redraw ? clear_line : "");
	}
	fprintf(out, "[%6.1f s] %s: total rx %.3f Mpps, tx %.3f Mpps%s\n", elapsed_s,
		ctx->engine->name, rx_total / 1e6, tx_total / 1e6, redraw ? clear_line : "");
	fflush(out);
}

/* Busy cycles over the packets the lcores received (sent, for the generators), as testpmd counts. */
static double cycles_per_packet(const struct fwd_ctx *ctx, uint64_t rx, uint64_t tx)
{
	uint64_t cycles = 0;
	uint64_t packets = ctx->engine == &fwd_engine_txonly || ctx->engine == &fwd_engine_flowgen ?
			   tx : rx;

	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		cycles += fwd_counter_read(&ctx->workers[w]->busy_cycles);
	return packets != 0 ? (double)cycles / (double)packets : 0;
}

/* The Tx queue counters of port p that lcore lc wrote, if it sent anything there. */
static bool lcore_used_tx(const struct fwd_lcore *lc, uint16_t p)
{
	return fwd_counter_read(&lc->tx[p].packets) != 0 || fwd_counter_read(&lc->tx[p].dropped) != 0;
}

static void latency_summary_print(const struct fwd_ctx *ctx, const struct fwd_snapshot *last,
				  FILE *out)
{
	fprintf(out, "latency (us, TSC at %.0f MHz, histogram within 1.6%%):\n",
		(double)ctx->tsc_hz / 1e6);
	fprintf(out, "%-5s %12s %10s %10s %10s %10s %10s %10s %10s %10s\n", "port", "frames", "min",
		"p50", "p99", "p99.9", "max", "mean", "lost", "reordered");
	for (uint16_t p = 0; p <= ctx->nb_ports; p++) {
		const struct fwd_latency_summary *l =
			p < ctx->nb_ports ? &last->port[p].latency : &last->latency_total;
		char name[8];

		if (p < ctx->nb_ports)
			snprintf(name, sizeof(name), "%u", p);
		else
			snprintf(name, sizeof(name), "all");
		fprintf(out, "%-5s %12" PRIu64 " %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f %10" PRIu64
			" %10" PRIu64 "\n", name, l->count, cycles_to_us(ctx, l->min),
			cycles_to_us(ctx, l->p50), cycles_to_us(ctx, l->p99), cycles_to_us(ctx, l->p999),
			cycles_to_us(ctx, l->max), cycles_to_us(ctx, l->mean), l->lost, l->reordered);
	}
	if (last->latency_total.untracked != 0 || last->latency_total.backwards != 0)
		fprintf(out, "latency: %" PRIu64 " frames from more than %u sources per queue (not in lost/reordered), %" PRIu64
			" stamped later than they arrived (not in the histogram)\n",
			last->latency_total.untracked, FWD_LATENCY_MAX_SOURCES,
			last->latency_total.backwards);
}

void fwd_stats_summary(const struct fwd_ctx *ctx, const struct fwd_snapshot *last, double elapsed_s,
		       unsigned int mbufs_in_use, unsigned int mbufs_total, FILE *out)
{
	uint64_t rx = 0, tx = 0, dropped = 0;

	fprintf(out, "\n=== vionet-fwd summary: mode %s, %.2f s, %u ports, %u forwarding lcores ===\n",
		ctx->engine->name, elapsed_s, ctx->nb_ports, ctx->nb_workers);
	fprintf(out, "%-5s %14s %9s %14s %9s %11s %10s %10s %9s %9s %6s\n", "port", "rx-packets",
		"rx-Mpps", "tx-packets", "tx-Mpps", "tx-dropped", "rx-missed", "rx-nombuf",
		"rx-errors", "tx-errors", "resets");
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		const struct fwd_port_snapshot *s = &last->port[p];

		fprintf(out, "%-5u %14" PRIu64 " %9.3f %14" PRIu64 " %9.3f %11" PRIu64 " %10" PRIu64
			" %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %6u\n",
			p, s->rx.packets, elapsed_s > 0 ? (double)s->rx.packets / elapsed_s / 1e6 : 0,
			s->tx.packets, elapsed_s > 0 ? (double)s->tx.packets / elapsed_s / 1e6 : 0,
			s->tx.dropped, s->rx_missed, s->rx_nombuf, s->rx_errors, s->tx_errors,
			s->resets);
		rx += s->rx.packets;
		tx += s->tx.packets;
		dropped += s->tx.dropped;
	}
	fprintf(out, "queues:\n");
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		const struct fwd_lcore *lc = ctx->workers[w];

		for (uint16_t i = 0; i < lc->nb_streams; i++)
			fprintf(out, "  port %u rxq %-2u lcore %-3u rx %" PRIu64 "\n", lc->streams[i].rx_port,
				lc->streams[i].rx_queue, lc->lcore_id,
				fwd_counter_read(&lc->streams[i].rx.packets));
		for (uint16_t p = 0; p < ctx->nb_ports; p++)
			if (lcore_used_tx(lc, p))
				fprintf(out, "  port %u txq %-2u lcore %-3u tx %" PRIu64 " dropped %" PRIu64 "\n",
					p, lc->tx_queue, lc->lcore_id, fwd_counter_read(&lc->tx[p].packets),
					fwd_counter_read(&lc->tx[p].dropped));
	}
	fprintf(out, "lcores:\n");
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		const struct fwd_lcore *lc = ctx->workers[w];
		struct fwd_counters rxc = { 0 }, txc = { 0 };
		uint64_t polls = fwd_counter_read(&lc->polls);

		for (uint16_t i = 0; i < lc->nb_streams; i++)
			counters_add(&rxc, &lc->streams[i].rx);
		for (uint16_t p = 0; p < ctx->nb_ports; p++)
			counters_add(&txc, &lc->tx[p]);
		fprintf(out, "  lcore %-3u socket %u: rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64
			" nombuf %" PRIu64 ", %.1f%% of polls busy\n",
			lc->lcore_id, rte_lcore_to_socket_id(lc->lcore_id), rxc.packets, txc.packets,
			txc.dropped, fwd_counter_read(&lc->nombuf),
			polls ? 100.0 * (double)fwd_counter_read(&lc->busy_polls) / (double)polls : 0);
	}
	if (ctx->l2switch != NULL) {
		struct fwd_l2switch_stats sw;

		fwd_l2switch_stats(ctx->l2switch, &sw);
		fprintf(out, "l2switch: %u MACs, learned %" PRIu64 ", aged %" PRIu64 ", flooded %" PRIu64
			", filtered %" PRIu64 ", table full %" PRIu64 "\n",
			fwd_l2switch_count(ctx->l2switch), sw.learned, sw.aged, sw.flooded,
			sw.filtered, sw.table_full);
	}
	fprintf(out, "total: rx %" PRIu64 " (%.3f Mpps), tx %" PRIu64 " (%.3f Mpps), tx dropped %" PRIu64 "\n",
		rx, elapsed_s > 0 ? (double)rx / elapsed_s / 1e6 : 0, tx,
		elapsed_s > 0 ? (double)tx / elapsed_s / 1e6 : 0, dropped);
	if (last->latency)
		latency_summary_print(ctx, last, out);
	if (ctx->opts->record_cycles)
		fprintf(out, "busy cycles per packet: %.2f at %.0f MHz\n", cycles_per_packet(ctx, rx, tx),
			(double)ctx->tsc_hz / 1e6);
	fprintf(out, "mbufs in use at exit: %u of %u%s\n", mbufs_in_use, mbufs_total,
		mbufs_in_use != 0 ? " (WARNING: not all mbufs came back)" : "");
}

void fwd_stats_json(const struct fwd_ctx *ctx, const struct fwd_snapshot *last, double elapsed_s,
		    unsigned int mbufs_in_use, unsigned int mbufs_total, FILE *out)
{
	uint64_t rx = 0, tx = 0, dropped = 0;

	fprintf(out, "{\"mode\": \"%s\", \"duration_s\": %.6f, \"ports\": [", ctx->engine->name,
		elapsed_s);
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		const struct fwd_port_snapshot *s = &last->port[p];
		bool first = true;

		fprintf(out, "%s{\"port\": %u, \"rx_packets\": %" PRIu64 ", \"rx_bytes\": %" PRIu64
			", \"tx_packets\": %" PRIu64 ", \"tx_bytes\": %" PRIu64 ", \"tx_dropped\": %" PRIu64
			", \"rx_missed\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64 ", \"rx_errors\": %" PRIu64
			", \"tx_errors\": %" PRIu64 ", \"resets\": %u, ",
			p ? ", " : "", p, s->rx.packets, s->rx.bytes, s->tx.packets, s->tx.bytes,
			s->tx.dropped, s->rx_missed, s->rx_nombuf, s->rx_errors, s->tx_errors,
			s->resets);
		if (last->latency) {
			latency_json(ctx, &s->latency, out);
			fprintf(out, ", ");
		}
		fprintf(out, "\"rx_queues\": [");
		for (unsigned int w = 0; w < ctx->nb_workers; w++) {
			const struct fwd_lcore *lc = ctx->workers[w];

			for (uint16_t i = 0; i < lc->nb_streams; i++) {
				if (lc->streams[i].rx_port != p)
					continue;
				fprintf(out, "%s{\"queue\": %u, \"lcore\": %u, \"packets\": %" PRIu64
					", \"bytes\": %" PRIu64 ", \"busy_polls\": %" PRIu64
					", \"busy_cycles\": %" PRIu64 "}", first ? "" : ", ",
					lc->streams[i].rx_queue, lc->lcore_id,
					fwd_counter_read(&lc->streams[i].rx.packets),
					fwd_counter_read(&lc->streams[i].rx.bytes),
					fwd_counter_read(&lc->streams[i].busy_polls),
					fwd_counter_read(&lc->streams[i].busy_cycles));
				first = false;
			}
		}
		fprintf(out, "], \"tx_queues\": [");
		first = true;
		for (unsigned int w = 0; w < ctx->nb_workers; w++) {
			const struct fwd_lcore *lc = ctx->workers[w];

			if (!lcore_used_tx(lc, p))
				continue;
			fprintf(out, "%s{\"queue\": %u, \"lcore\": %u, \"packets\": %" PRIu64
				", \"bytes\": %" PRIu64 ", \"dropped\": %" PRIu64 "}", first ? "" : ", ",
				lc->tx_queue, lc->lcore_id, fwd_counter_read(&lc->tx[p].packets),
				fwd_counter_read(&lc->tx[p].bytes), fwd_counter_read(&lc->tx[p].dropped));
			first = false;
		}
		fprintf(out, "]}");
		rx += s->rx.packets;
		tx += s->tx.packets;
		dropped += s->tx.dropped;
	}
	fprintf(out, "], \"lcores\": [");
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		const struct fwd_lcore *lc = ctx->workers[w];
		struct fwd_counters rxc = { 0 }, txc = { 0 };

		for (uint16_t i = 0; i < lc->nb_streams; i++)
			counters_add(&rxc, &lc->streams[i].rx);
		for (uint16_t p = 0; p < ctx->nb_ports; p++)
			counters_add(&txc, &lc->tx[p]);
		fprintf(out, "%s{\"lcore\": %u, \"socket\": %u, \"rx_packets\": %" PRIu64
			", \"tx_packets\": %" PRIu64 ", \"tx_dropped\": %" PRIu64 ", \"nombuf\": %" PRIu64
			", \"polls\": %" PRIu64 ", \"busy_polls\": %" PRIu64 ", \"busy_cycles\": %" PRIu64 "}",
			w ? ", " : "", lc->lcore_id, rte_lcore_to_socket_id(lc->lcore_id), rxc.packets,
			txc.packets, txc.dropped, fwd_counter_read(&lc->nombuf),
			fwd_counter_read(&lc->polls), fwd_counter_read(&lc->busy_polls),
			fwd_counter_read(&lc->busy_cycles));
	}
	fprintf(out, "]");
	if (ctx->l2switch != NULL) {
		struct fwd_l2switch_stats sw;

		fwd_l2switch_stats(ctx->l2switch, &sw);
		fprintf(out, ", \"l2switch\": {\"macs\": %u, \"learned\": %" PRIu64 ", \"aged\": %" PRIu64
			", \"flooded\": %" PRIu64 ", \"filtered\": %" PRIu64 ", \"table_full\": %" PRIu64 "}",
			fwd_l2switch_count(ctx->l2switch), sw.learned, sw.aged, sw.flooded, sw.filtered,
			sw.table_full);
	}
	fprintf(out, ", \"totals\": {\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
		", \"tx_dropped\": %" PRIu64 ", \"rx_mpps\": %.6f, \"tx_mpps\": %.6f",
		rx, tx, dropped, elapsed_s > 0 ? (double)rx / elapsed_s / 1e6 : 0,
		elapsed_s > 0 ? (double)tx / elapsed_s / 1e6 : 0);
	if (ctx->opts->record_cycles)
		fprintf(out, ", \"busy_cycles_per_packet\": %.3f", cycles_per_packet(ctx, rx, tx));
	if (last->latency) {
		fprintf(out, ", ");
		latency_json(ctx, &last->latency_total, out);
	}
	fprintf(out, "}");
	fprintf(out, ", \"mbufs_in_use_at_exit\": %u, \"mbufs_total\": %u}\n", mbufs_in_use,
		mbufs_total);
	fflush(out);
}
