/* Ports and their mempools: one pool per NUMA socket in use, queues set up on the device's socket. */
#ifndef FWD_PORTS_H
#define FWD_PORTS_H

#include "fwd.h"

/* Creates one mbuf pool per socket used by a port or a forwarding lcore, sized from the rings and
 * lcores on it (or --mbufs). Returns 0 or negative errno (logged). */
int fwd_pools_create(struct fwd_ctx *ctx);

/* Configures, sets up queues on, and starts every port (fwd_port_setup), with the reset event
 * registered first (fwd_reset.h); reads MAC addresses. Returns 0 or negative errno (logged with the
 * port). */
int fwd_ports_start(struct fwd_ctx *ctx);

/* Waits up to --link-wait seconds for every link; warns about those still down. */
void fwd_ports_wait_link(const struct fwd_ctx *ctx);

/* After the lcores stopped: receives and frees what is left in the Rx queues, stops and closes every
 * port (a PMD returns its ring mbufs to the pool then). */
void fwd_ports_close(struct fwd_ctx *ctx);

/* mbufs not back in their pools, over all pools (per-lcore caches count as back). */
unsigned int fwd_pools_in_use(const struct fwd_ctx *ctx, unsigned int *total);

void fwd_pools_free(struct fwd_ctx *ctx);

#endif
