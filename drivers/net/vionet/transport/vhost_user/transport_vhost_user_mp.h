/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kick eventfds of a vhost-user port, handed from the primary process to its secondaries over
 * DPDK's multi-process channel (rte_mp, the fds as SCM_RIGHTS). An fd number is only meaningful in
 * the process that opened it, so a secondary cannot use the ones in the shared struct vu_priv: it
 * asks the primary, which answers with the fds themselves, RTE_MP_MAX_FD_NUM per message.
 *
 * The kick fds live from the transport's create to its close and survive back end reconnects and
 * port restarts (transport_vhost_user.c), so what a secondary fetched at attach stays right until
 * the primary closes the port, which it must not do before its secondaries detached (doc/pci.md,
 * "Multi-process"). Only the kick fds travel: the call fds serve Rx interrupts, which a secondary
 * cannot set up.
 */
#ifndef TRANSPORT_VHOST_USER_MP_H
#define TRANSPORT_VHOST_USER_MP_H

#include <stdint.h>

#include "transport/vhost_user/transport_vhost_user_priv.h"

/*
 * Primary: 'p' answers secondaries' requests from now on (the first port registers the rte_mp
 * action). Without a multi-process channel (--in-memory, --no-shconf) nothing is served and 0 is
 * returned: no secondary can attach then. Returns 0 or a negative errno (logged).
 */
int vu_mp_serve(struct vu_priv *p);

/*
 * Primary: 'p' answers no more; returns once no answer that uses its fds is in flight (the last
 * port unregisters the action). Before the fds are closed.
 */
void vu_mp_unserve(struct vu_priv *p);

/*
 * Secondary: the kick fds of the port named 'name', from the primary. On success fds[0..*nb_fds-1]
 * are this process's own descriptors (the caller closes them), one per Rx/Tx queue in queue-index
 * order. On failure nothing is left open. Returns 0 or a negative errno (logged).
 */
int vu_mp_fetch_kick_fds(const char *name, int *fds, uint16_t fds_max, uint16_t *nb_fds);

#endif /* TRANSPORT_VHOST_USER_MP_H */
