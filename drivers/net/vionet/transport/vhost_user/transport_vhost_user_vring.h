/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One ring's requests on the current connection (QEMU docs/interop/vhost-user.rst, "Ring states"):
 * set up (SET_VRING_NUM, _BASE, _ADDR, _KICK, _CALL), enable and disable (SET_VRING_ENABLE), stop
 * (GET_VRING_BASE), and the call fd on or off. The caller holds p->lock; 'q' is an Rx/Tx queue
 * index below p->nb_queues (the control queue never reaches the back end). A request that fails
 * goes to vu_conn_failed().
 */
#ifndef TRANSPORT_VHOST_USER_VRING_H
#define TRANSPORT_VHOST_USER_VRING_H

#include <stdbool.h>
#include <stdint.h>

#include "transport/transport_ops.h"
#include "transport/vhost_user/transport_vhost_user_priv.h"

/*
 * Gives the back end a ring (stopping it first if it had it): size, base, addresses, kick and call
 * fds. The ring starts disabled when PROTOCOL_FEATURES is negotiated, else enabled. The caller has
 * checked the connection and sent the memory table.
 */
int vu_vring_setup_locked(struct vu_priv *p, const struct vionet_vq_ring_addrs *ring);
/* SET_VRING_ENABLE for a ring set up on this connection. */
int vu_vring_enable_locked(struct vu_priv *p, uint16_t q, bool enable);
/* Stops a ring the back end has: GET_VRING_BASE is the vhost-user "stop". */
void vu_vring_stop_locked(struct vu_priv *p, uint16_t q);
/* The call fd on or off (set_queue_vector with VIONET_MSI_NO_VECTOR), now if the ring is set up. */
int vu_vring_set_call_locked(struct vu_priv *p, uint16_t q, bool off);

#endif /* TRANSPORT_VHOST_USER_VRING_H */
