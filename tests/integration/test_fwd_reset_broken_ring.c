/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vionet-fwd's own code (fwd_core: the lcore loop, the io engine, port set-up, the reset service,
 * the JSON report) forwarding on our port over the scripted device, which breaks the Rx ring and
 * later the Tx ring. Each break raises RTE_ETH_EVENT_INTR_RESET; the forwarder takes the port out
 * of its lcore's loop, resets it (rte_eth_dev_reset), sets it up as at start, puts it back, and
 * frames are forwarded again. The JSON report counts 2 resets; every mbuf is back at the end.
 *
 * Lcore 1 forwards (io, the port to itself); the main lcore is the device and the forwarder's
 * main loop (fwd_reset_service between polls, as vionet-fwd's report loop calls it).
 * EAL without hugepages (--no-huge).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "fwd.h"
#include "fwd_port_setup.h"
#include "fwd_reset.h"
#include "fwd_stats.h"
#include "test_ethdev.h"
#include "test_scripted_device.h"
#include "test_tally.h"

#define WAIT_S 10.0
#define FRAMES 8

static struct {
	struct fwd_options opts;
	struct fwd_ctx ctx;
	struct fwd_lcore *lc;
	struct vionet_hw *hw;
	struct rte_mempool *pool;
	uint32_t seq;
} t;

/*
 * The device sends n frames to our port and waits until the forwarder has sent them all back
 * (io to the same port), byte for byte. Returns the frames that came back.
 */
static unsigned int
forward_frames(unsigned int n, const char *when)
{
	double deadline = test_deadline(WAIT_S);
	unsigned int delivered = 0, back = 0;

	while (back < n && !test_past(deadline)) {
		if (delivered < n)
			delivered += dev_deliver(n - delivered, t.seq + delivered);
		back += dev_consume(t.seq + back);
		usleep(100);
	}
	check(back == n, "%s: %u of %u frames forwarded back", when, back, n);
	t.seq += n;
	return back;
}

/* What vionet-fwd's report loop does between reports, until the port was reset 'resets' times. */
static void
serve_resets_until(uint32_t resets, bool deliver, const char *when)
{
	double deadline = test_deadline(WAIT_S);

	while (t.ctx.port_resets[0] < resets && !test_past(deadline)) {
		/* A Tx ring breaks only when the forwarder sends: give it frames to send. */
		if (deliver)
			dev_deliver(1, t.seq);
		fwd_reset_service(&t.ctx, fwd_port_reset);
		usleep(1000);
	}
	check(t.ctx.port_resets[0] == resets, "%s: %u resets done, expected %u", when,
	      t.ctx.port_resets[0], resets);
	check(!t.ctx.port_paused[0], "%s: the port is still out of the forwarding", when);
}

static void
check_json_resets(uint32_t resets)
{
	struct fwd_snapshot snap;
	char *text = NULL, want[32];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		fatal("memstream");
	fwd_stats_snapshot(&t.ctx, NULL, &snap);
	fwd_stats_json(&t.ctx, &snap, 1.0, 0, 1, f);
	fclose(f);
	snprintf(want, sizeof(want), "\"resets\": %u", resets);
	check(strstr(text, want) != NULL, "the JSON report does not say %s: %s", want, text);
	free(text);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0], "-l", "0,1", "--no-huge", "-m", "128", "--no-pci", "--iova-mode=va",
		       prefix, "--log-level=pmd.net.vionet*:info", NULL};
	struct fwd_ctx *ctx = &t.ctx;
	uint16_t port;

	RTE_SET_USED(argc);
	tally.name = "test_fwd_reset_broken_ring";
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_fwdreset_%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		fatal("EAL init");
	if (rte_lcore_count() < 2)
		fatal("two lcores needed");
	t.pool = rte_pktmbuf_pool_create("fwd_reset", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					 (int)rte_socket_id());
	if (t.pool == NULL)
		fatal("mempool");
	port = scripted_port_create(&scripted_ops, &t.hw);
	if (port != 0)
		fatal("the scripted port is %u, the forwarder's context expects 0", port);

	/* What vionet-fwd's main() and run() set up for one port in io mode, forwarding to itself. */
	fwd_options_init(&t.opts);
	t.opts.topology = FWD_TOPO_LOOP;
	ctx->opts = &t.opts;
	ctx->engine = fwd_engine_of(FWD_MODE_IO);
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->nb_ports = 1;
	ctx->port_conf[0] = (struct fwd_port_conf){.nb_rxq = 1, .nb_txq = 1, .nb_rxd = RING,
						   .nb_txd = RING};
	ctx->pool_by_socket[fwd_port_socket(0)] = t.pool;
	t.lc = rte_zmalloc("fwd_lcore", sizeof(*t.lc), RTE_CACHE_LINE_SIZE);
	if (t.lc == NULL)
		fatal("lcore state");
	t.lc->ctx = ctx;
	t.lc->lcore_id = rte_get_next_lcore(-1, 1, 0);
	t.lc->pool = t.pool;
	t.lc->nb_streams = 1;
	t.lc->streams[0] = (struct fwd_stream){.rx_port = 0, .rx_queue = 0, .tx_port = 0};
	ctx->workers[ctx->nb_workers++] = t.lc;
	require(fwd_reset_register(ctx, 0) == 0 && fwd_port_setup(ctx, 0) == 0,
		"the forwarder's port set-up");
	ctx->port_used[0] = true;
	rte_eal_remote_launch(fwd_lcore_main, t.lc, t.lc->lcore_id);

	forward_frames(FRAMES, "before any break");

	/* The Rx ring breaks: the forwarder's Rx burst notices, the port asks for a reset. */
	dev_break_ring(0);
	serve_resets_until(1, false, "after the Rx break");
	forward_frames(FRAMES, "after the Rx break");

	/* The Tx ring breaks: noticed when the forwarder's Tx reclaims. */
	dev_break_ring(1);
	serve_resets_until(2, true, "after the Tx break");
	/* Frames delivered while the port was broken or out are gone with its old rings. */
	forward_frames(FRAMES, "after the Tx break");
	check(test_xstat(0, "device_broken") == 2, "device_broken %" PRIu64 ", expected 2",
	      test_xstat(0, "device_broken"));
	check_json_resets(2);

	__atomic_store_n(&ctx->stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	fwd_reset_unregister(ctx, 0);
	check(rte_eth_dev_stop(0) == 0, "stop");
	check(rte_mempool_in_use_count(t.pool) == 0, "after stop %u mbufs in use",
	      rte_mempool_in_use_count(t.pool));
	check(rte_eth_dev_close(0) == 0, "close");
	rte_free(t.lc);
	rte_eal_cleanup();
	return tally_finish();
}
