/* One port's set-up as vionet-fwd runs it, at start and after a reset: configure, queues on the
 * device's socket, start. In fwd_core, so the tests run the same code. */
#ifndef FWD_PORT_SETUP_H
#define FWD_PORT_SETUP_H

#include "fwd.h"

/* The socket a port's queues and buffers belong on: the device's, or the main lcore's when the
 * device does not say (virtual devices report SOCKET_ID_ANY). */
int fwd_port_socket(uint16_t port);

/* Configures the port with its resolved queue counts and ring sizes (ctx->port_conf), sets its
 * queues up with the pool of its socket, starts it, sets promiscuous mode (--promiscuous) and reads
 * its MAC address. Returns 0 or negative errno (logged with the port). */
int fwd_port_setup(struct fwd_ctx *ctx, uint16_t port);

/* What RTE_ETH_EVENT_INTR_RESET asks for: rte_eth_dev_reset, then the set-up of the start. */
int fwd_port_reset(struct fwd_ctx *ctx, uint16_t port);

#endif
