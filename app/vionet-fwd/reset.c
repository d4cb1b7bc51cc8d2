/* Port resets asked by the device (see fwd_reset.h). */
#include "fwd_reset.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>

int fwd_reset_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	struct fwd_ctx *ctx = arg;

	RTE_SET_USED(type);
	RTE_SET_USED(ret_param);
	/* Not here: ethdev's doc asks not to reset a port from its own event callback. */
	if (port < FWD_MAX_PORTS)
		__atomic_store_n(&ctx->reset_requested[port], 1, __ATOMIC_RELEASE);
	return 0;
}

int fwd_reset_register(struct fwd_ctx *ctx, uint16_t port)
{
	int rc = rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RESET, fwd_reset_event,
					       ctx);

	if (rc != 0)
		fprintf(stderr, "vionet-fwd: error: port %u: reset event callback: %s\n", port,
			rte_strerror(-rc));
	return rc;
}

void fwd_reset_unregister(struct fwd_ctx *ctx, uint16_t port)
{
	/* -EAGAIN while the callback runs: it is short. */
	while (rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RESET, fwd_reset_event,
						ctx) == -EAGAIN)
		usleep(100);
}

/* A forwarding lcore has taken generation gen of the paused ports, or polls nothing any more. */
static bool lcore_acknowledged(const struct fwd_lcore *lc, uint32_t gen)
{
	/* Acquire: pairs with the lcore's release, its bursts on the port are over. */
	return __atomic_load_n(&lc->pause_ack, __ATOMIC_ACQUIRE) == gen ||
	       __atomic_load_n(&lc->loop_done, __ATOMIC_ACQUIRE);
}

/* Takes the port out of the forwarding (returns once no lcore polls or sends on it), or puts it
 * back. */
static void port_pause(struct fwd_ctx *ctx, uint16_t port, bool paused)
{
	uint32_t gen;

	__atomic_store_n(&ctx->port_paused[port], paused, __ATOMIC_RELAXED);
	/* Release: the flag, and on the way back the port's new set-up, before the lcores look. */
	gen = __atomic_add_fetch(&ctx->pause_gen, 1, __ATOMIC_RELEASE);
	if (!paused)
		return;
	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		while (!lcore_acknowledged(ctx->workers[w], gen))
			usleep(10);
}

unsigned int fwd_reset_service(struct fwd_ctx *ctx, fwd_port_restart_t restart)
{
	uint64_t now = rte_get_timer_cycles();
	unsigned int back = 0;

	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		bool asked = __atomic_exchange_n(&ctx->reset_requested[p], 0, __ATOMIC_ACQ_REL);
		int rc;

		if (!asked && !(ctx->port_paused[p] && now >= ctx->reset_retry_tsc[p]))
			continue;
		if (!ctx->port_paused[p]) {
			printf("vionet-fwd: port %u asked for a reset (RTE_ETH_EVENT_INTR_RESET): "
			       "out of the forwarding\n", p);
			port_pause(ctx, p, true);
		}
		rc = restart(ctx, p);
		if (rc != 0) {
			if (ctx->reset_failures[p]++ == 0)
				fprintf(stderr, "vionet-fwd: error: port %u: reset failed: %s; "
					"trying again each second\n", p, rte_strerror(-rc));
			ctx->reset_retry_tsc[p] = now + rte_get_timer_hz();
			continue;
		}
		ctx->reset_failures[p] = 0;
		ctx->port_resets[p]++;
		port_pause(ctx, p, false);
		printf("vionet-fwd: port %u reset and started again, forwarding (reset %u)\n", p,
		       ctx->port_resets[p]);
		back++;
	}
	return back;
}
