/* Ports that ask for a reset (RTE_ETH_EVENT_INTR_RESET): the event callback only marks the port;
 * the main lcore takes it out of the forwarding (every forwarding lcore acknowledges that it no
 * longer polls or sends on it), resets and sets it up again as at start, and puts it back. */
#ifndef FWD_RESET_H
#define FWD_RESET_H

#include <rte_ethdev.h>

#include "fwd.h"

/* How a port is brought back: fwd_port_reset (fwd_port_setup.h) in vionet-fwd; tests pass
 * theirs. */
typedef int (*fwd_port_restart_t)(struct fwd_ctx *ctx, uint16_t port);

/* The event callback on the port; unregistered before the port closes. Return 0 or negative
 * errno. */
int fwd_reset_register(struct fwd_ctx *ctx, uint16_t port);
void fwd_reset_unregister(struct fwd_ctx *ctx, uint16_t port);

/* The callback itself (ethdev's event thread): marks the port for the main lcore. */
int fwd_reset_event(uint16_t port, enum rte_eth_event_type type, void *ctx, void *ret_param);

/*
 * On the main lcore, between its reports: every port that asked is taken out of the forwarding,
 * restarted and put back, counted in ctx->port_resets. A restart that fails leaves the port out and
 * is tried again a second later. Returns the ports brought back.
 */
unsigned int fwd_reset_service(struct fwd_ctx *ctx, fwd_port_restart_t restart);

#endif
