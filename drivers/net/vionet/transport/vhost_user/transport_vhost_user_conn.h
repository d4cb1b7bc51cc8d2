/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user connection: the unix socket (client or server mode), the protocol handshake that
 * starts every connection, the control thread that sees the back end leave and brings it back, and
 * the memory table. The lowest file of the transport: it calls only vhost_user_msg and
 * vhost_user_mem, and reports link changes upward through vionet_transport_link_changed().
 */
#ifndef TRANSPORT_VHOST_USER_CONN_H
#define TRANSPORT_VHOST_USER_CONN_H

#include <stddef.h>

#include "transport/vhost_user/transport_vhost_user_priv.h"

/* Connects (client) or waits for the back end (server) once, then runs the handshake. */
int vu_conn_first(struct vu_priv *p);
/* The control thread: link watch and reconnect. */
int vu_conn_start_thread(struct vu_priv *p);
void vu_conn_stop_thread(struct vu_priv *p);
/* Closes the sockets (the thread stopped first). */
void vu_conn_close(struct vu_priv *p);
/*
 * Logs a failed request and, unless the back end only refused it, marks the connection broken so
 * the control thread handles it. Every request sent on p->conn reports its failure here.
 */
void vu_conn_failed(struct vu_priv *p, const char *what, int err);
/* Sends SET_MEM_TABLE once per connection; the caller holds the hotplug lock then p->lock. */
int vu_mem_table_send_locked(struct vu_priv *p, const void *exclude_va, size_t exclude_len);
/* DPDK memory events resend the memory table. */
int vu_mem_events_register(struct vu_priv *p);
void vu_mem_events_unregister(struct vu_priv *p);

#endif /* TRANSPORT_VHOST_USER_CONN_H */
