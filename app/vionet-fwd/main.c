/* vionet-fwd: forwards packets between any ethdev ports with one of several engines, on lcores
 * pinned to (port, queue) pairs; the main lcore only reports. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "fwd.h"
#include "fwd_options.h"
#include "fwd_port_setup.h"
#include "fwd_ports.h"
#include "fwd_reset.h"
#include "fwd_stats.h"

/* Exit statuses: scripts tell "a device did not probe" from "forwarding went wrong". */
enum {
	FWD_EXIT_OK = 0,
	FWD_EXIT_RUN_FAILED = 1,
	FWD_EXIT_USAGE = 2,
	FWD_EXIT_NO_DEVICE = 3, /* EAL initialisation (device probe) failed, or no port */
};

/* The only global: written by the signal handler, read by the main lcore's report loop. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int signo)
{
	stop_signal = signo;
}

static void lcore_env_fill(const struct fwd_ctx *ctx, struct fwd_lcore_env *env)
{
	unsigned int lcore;

	memset(env, 0, sizeof(*env));
	env->main_lcore = rte_get_main_lcore();
	RTE_LCORE_FOREACH(lcore)
		if (lcore < FWD_MAX_LCORES)
			env->lcore_enabled[lcore] = true;
	env->nb_ports = ctx->nb_ports;
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		env->port_valid[p] = true;
		env->nb_rxq[p] = ctx->port_conf[p].nb_rxq;
	}
}

/* Queue counts and ring sizes of every port: --port-config over --rxq/--txq/--rxd/--txd. */
static int resolve_port_conf(struct fwd_ctx *ctx, const struct fwd_options *opts)
{
	for (uint16_t p = 0; p < FWD_MAX_PORTS; p++) {
		const struct fwd_port_conf *given = &opts->port[p];
		struct fwd_port_conf *pc = &ctx->port_conf[p];
		bool any = given->nb_rxq || given->nb_txq || given->nb_rxd || given->nb_txd;

		if (p >= ctx->nb_ports) {
			if (any) {
				fprintf(stderr, "vionet-fwd: error: --port-config: port %u does not exist (%u ports)\n",
					p, ctx->nb_ports);
				return -EINVAL;
			}
			continue;
		}
		*pc = opts->port_default;
		if (given->nb_rxq)
			pc->nb_rxq = given->nb_rxq;
		if (given->nb_txq)
			pc->nb_txq = given->nb_txq;
		if (given->nb_rxd)
			pc->nb_rxd = given->nb_rxd;
		if (given->nb_txd)
			pc->nb_txd = given->nb_txd;
	}
	return 0;
}

/* Tx queues: one per forwarding lcore on every port, so no two lcores share a Tx queue. */
static int resolve_tx_queues(struct fwd_ctx *ctx)
{
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		struct fwd_port_conf *pc = &ctx->port_conf[p];

		if (pc->nb_txq == 0) {
			pc->nb_txq = (uint16_t)ctx->nb_workers;
		} else if (pc->nb_txq < ctx->nb_workers) {
			fprintf(stderr,
				"vionet-fwd: error: --txq/--port-config: port %u has %u Tx queues, but each of the %u forwarding lcores needs its own\n",
				p, pc->nb_txq, ctx->nb_workers);
			return -EINVAL;
		}
	}
	return 0;
}

static int workers_create(struct fwd_ctx *ctx, const struct fwd_lcore_map *map)
{
	for (unsigned int i = 0; i < map->nb_lcores; i++) {
		const struct fwd_lcore_assignment *a = &map->lcores[i];
		int socket = (int)rte_lcore_to_socket_id(a->lcore_id);
		struct fwd_lcore *lc = rte_zmalloc_socket("fwd_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE,
							  socket);

		if (lc == NULL) {
			fprintf(stderr, "vionet-fwd: error: no memory for lcore %u on socket %d\n",
				a->lcore_id, socket);
			return -ENOMEM;
		}
		lc->ctx = ctx;
		lc->lcore_id = a->lcore_id;
		lc->tx_queue = (uint16_t)i;
		lc->nb_streams = a->nb_pairs;
		for (uint16_t j = 0; j < a->nb_pairs; j++) {
			struct fwd_stream *s = &lc->streams[j];
			int port_socket;

			s->rx_port = a->pairs[j].port;
			s->rx_queue = a->pairs[j].queue;
			s->tx_port = fwd_topology_peer(ctx, s->rx_port);
			port_socket = rte_eth_dev_socket_id(s->rx_port);
			if (port_socket >= 0 && port_socket != socket)
				printf("vionet-fwd: warning: lcore %u (socket %d) polls port %u queue %u on socket %d: every packet crosses the NUMA interconnect\n",
				       a->lcore_id, socket, s->rx_port, s->rx_queue, port_socket);
		}
		ctx->workers[ctx->nb_workers++] = lc;
	}
	return 0;
}

static void workers_free(struct fwd_ctx *ctx)
{
	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		rte_free(ctx->workers[w]);
	ctx->nb_workers = 0;
}

static void print_map(const struct fwd_ctx *ctx)
{
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		const struct fwd_lcore *lc = ctx->workers[w];

		printf("vionet-fwd: lcore %u (txq %u) polls", lc->lcore_id, lc->tx_queue);
		for (uint16_t i = 0; i < lc->nb_streams; i++)
			printf(" %u.%u->%u", lc->streams[i].rx_port, lc->streams[i].rx_queue,
			       lc->streams[i].tx_port);
		printf("\n");
	}
}

static bool all_workers_done(const struct fwd_ctx *ctx)
{
	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		/* Acquire: pairs with the worker's release, its counters are final. */
		if (!__atomic_load_n(&ctx->workers[w]->loop_done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/* The main lcore: reports each second, runs the engine's housekeeping, and decides when to stop. */
static double report_loop(struct fwd_ctx *ctx, const struct fwd_snapshot *base, bool live, bool tty)
{
	const struct fwd_options *opts = ctx->opts;
	uint64_t start = rte_rdtsc(), next_report = start + ctx->tsc_hz;
	uint64_t end = opts->duration_s > 0 ? start + (uint64_t)(opts->duration_s * (double)ctx->tsc_hz) : 0;
	struct fwd_snapshot prev = *base, cur;
	bool drawn = false;

	while (stop_signal == 0 && !all_workers_done(ctx)) {
		uint64_t now = rte_rdtsc();

		if (end != 0 && now >= end)
			break;
		/* A port that asked for a reset is reset here, between two reports. */
		fwd_reset_service(ctx, fwd_port_reset);
		if (now >= next_report) {
			if (ctx->engine->tick != NULL)
				ctx->engine->tick(ctx);
			if (live) {
				fwd_stats_snapshot(ctx, base, &cur);
				fwd_stats_live(ctx, &prev, &cur, (double)(now - start) / (double)ctx->tsc_hz,
					       tty && drawn, stdout);
				drawn = true;
				prev = cur;
			}
			next_report += ctx->tsc_hz;
		}
		usleep(10000);
	}
	if (stop_signal != 0)
		printf("vionet-fwd: %s, stopping\n", strsignal(stop_signal));
	__atomic_store_n(&ctx->stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	return (double)(rte_rdtsc() - start) / (double)ctx->tsc_hz;
}

static void write_reports(const struct fwd_ctx *ctx, const struct fwd_snapshot *last, double elapsed,
			  unsigned int in_use, unsigned int total)
{
	const struct fwd_options *opts = ctx->opts;

	fwd_stats_summary(ctx, last, elapsed, in_use, total, stdout);
	if (!opts->json)
		return;
	if (opts->json_path[0] == '\0') {
		fwd_stats_json(ctx, last, elapsed, in_use, total, stdout);
	} else {
		FILE *f = fopen(opts->json_path, "w");

		if (f == NULL) {
			fprintf(stderr, "vionet-fwd: error: --json: cannot write %s: %s\n", opts->json_path,
				strerror(errno));
			return;
		}
		fwd_stats_json(ctx, last, elapsed, in_use, total, f);
		fclose(f);
	}
}

static int run(struct fwd_ctx *ctx, struct fwd_options *opts)
{
	struct fwd_lcore_env env;
	struct fwd_lcore_map map;
	struct fwd_snapshot base, last;
	struct fwd_pair unpolled;
	char err[256];
	bool tty = isatty(STDOUT_FILENO);
	bool live = opts->live == FWD_LIVE_ON || (opts->live == FWD_LIVE_AUTO && tty);
	unsigned int in_use, total, nb_unpolled;
	double elapsed;
	int rc;

	ctx->nb_ports = rte_eth_dev_count_avail();
	if (ctx->nb_ports == 0) {
		fprintf(stderr, "vionet-fwd: error: no ports: give the EAL a device (-a BDF or --vdev)\n");
		return -ENODEV;
	}
	if (ctx->nb_ports > FWD_MAX_PORTS)
		ctx->nb_ports = FWD_MAX_PORTS;
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		if (!rte_eth_dev_is_valid_port(p)) {
			fprintf(stderr, "vionet-fwd: error: port ids are not contiguous (port %u missing)\n", p);
			return -ENODEV;
		}
	}
	rc = resolve_port_conf(ctx, opts);
	if (rc != 0)
		return rc;

	lcore_env_fill(ctx, &env);
	if (opts->lcore_map_given) {
		map = opts->lcore_map;
		rc = fwd_lcore_map_check(&map, &env, err, sizeof(err));
	} else {
		rc = fwd_lcore_map_auto(&map, &env, err, sizeof(err));
	}
	if (rc != 0) {
		fprintf(stderr, "vionet-fwd: error: %s\n", err);
		return rc;
	}
	nb_unpolled = fwd_lcore_map_unpolled(&map, &env, &unpolled);
	if (nb_unpolled != 0)
		printf("vionet-fwd: warning: %u Rx queues are polled by no lcore (first: port %u queue %u); they will fill and drop\n",
		       nb_unpolled, unpolled.port, unpolled.queue);

	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		if (opts->peer_mac_given[p])
			memcpy(ctx->peer_mac[p].addr_bytes, opts->peer_mac[p], RTE_ETHER_ADDR_LEN);
		else /* locally administered, unicast, one per port */
			ctx->peer_mac[p] = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)p } };
	}
	rc = workers_create(ctx, &map);
	if (rc == 0)
		rc = resolve_tx_queues(ctx);
	if (rc == 0)
		rc = fwd_pools_create(ctx);
	if (rc == 0)
		rc = fwd_ports_start(ctx);
	if (rc == 0 && ctx->engine->setup != NULL)
		rc = ctx->engine->setup(ctx);
	if (rc != 0)
		goto out;
	print_map(ctx);
	fwd_ports_wait_link(ctx);

	ctx->budget_limited = opts->packets != 0;
	ctx->budget = opts->packets;
	fwd_stats_snapshot(ctx, NULL, &base);
	printf("vionet-fwd: %s mode on %u lcores, %u ports%s\n", ctx->engine->name, ctx->nb_workers,
	       ctx->nb_ports, live ? "; live view each second" : "");
	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		rte_eal_remote_launch(fwd_lcore_main, ctx->workers[w], ctx->workers[w]->lcore_id);
	elapsed = report_loop(ctx, &base, live, tty);

	fwd_stats_snapshot(ctx, &base, &last);
	fwd_ports_close(ctx);
	in_use = fwd_pools_in_use(ctx, &total);
	write_reports(ctx, &last, elapsed, in_use, total);
out:
	if (ctx->engine->teardown != NULL)
		ctx->engine->teardown(ctx);
	fwd_ports_close(ctx);
	fwd_pools_free(ctx);
	workers_free(ctx);
	return rc;
}

int main(int argc, char **argv)
{
	struct fwd_options *opts;
	struct fwd_ctx *ctx;
	char err[256];
	int consumed, rc;

	/* Line-buffered even into a file or pipe: a log shows how far a run got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	consumed = rte_eal_init(argc, argv);
	if (consumed < 0) {
		fprintf(stderr, "vionet-fwd: error: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return FWD_EXIT_NO_DEVICE;
	}
	argv[consumed] = argv[0];
	argc -= consumed;
	argv += consumed;

	/* Large (the lcore map), so on the heap rather than the stack. */
	opts = calloc(1, sizeof(*opts));
	ctx = calloc(1, sizeof(*ctx));
	if (opts == NULL || ctx == NULL) {
		fprintf(stderr, "vionet-fwd: error: out of memory\n");
		return FWD_EXIT_RUN_FAILED;
	}
	fwd_options_init(opts);
	rc = fwd_options_parse(opts, argc, argv, err, sizeof(err));
	if (rc != 0 || opts->help) {
		if (rc != 0)
			fprintf(stderr, "vionet-fwd: error: %s\n", err);
		fputs(fwd_options_usage(), rc != 0 ? stderr : stdout);
		free(opts);
		free(ctx);
		rte_eal_cleanup();
		return rc != 0 ? FWD_EXIT_USAGE : FWD_EXIT_OK;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* A vhost-user peer that exits first closes the socket our virtio-user port writes to at stop:
	 * that is an error return for the PMD, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);

	ctx->opts = opts;
	ctx->engine = fwd_engine_of(opts->mode);
	ctx->tsc_hz = rte_get_tsc_hz();
	rc = run(ctx, opts);

	free(ctx);
	free(opts);
	rte_eal_cleanup();
	if (rc == -ENODEV)
		return FWD_EXIT_NO_DEVICE;
	return rc == 0 ? FWD_EXIT_OK : FWD_EXIT_RUN_FAILED;
}
