/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state of one vhost-user transport instance (vionet_transport.priv), and nothing else: no
 * functions but accessors. Each file of the transport declares its own functions in its own header,
 * bottom up:
 *   transport_vhost_user_conn   the socket, protocol handshake, control thread, reconnect, memory
 *                               table, and vu_conn_failed() for any request that failed;
 *   transport_vhost_user_vring  one ring's requests on the current connection (set up, enable,
 *                               stop, call fd);
 *   transport_vhost_user_ctrl   config space and control commands answered by the transport;
 *   transport_vhost_user_mp     the kick fds served to secondary processes over rte_mp;
 *   transport_vhost_user        the ops table, create and close (transport_vhost_user.h).
 * Each calls only the ones above it in this list (and vhost_user_msg, vhost_user_mem).
 */
#ifndef TRANSPORT_VHOST_USER_PRIV_H
#define TRANSPORT_VHOST_USER_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_memory.h>

#include "base/vionet_spec.h"
#include "transport/transport_ops.h"
#include "transport/vhost_user/vhost_user_msg.h"

/* Rx/Tx queues of all pairs plus the control queue index. */
#define VU_QUEUES_MAX (2 * VIONET_QUEUE_PAIRS_MAX + 1)
/* Unicast and multicast entries recorded from VIONET_CTRL_MAC_TABLE_SET, each. */
#define VU_MAC_TABLE_MAX 64

struct vu_queue {
	int kick_fd;	  /* eventfd we write to notify the back end; lives from create to close */
	int call_fd;	  /* eventfd the back end writes (interrupts); lives from create to close */
	bool call_off;	  /* set_queue_vector(VIONET_MSI_NO_VECTOR): SET_VRING_CALL without an fd */
	bool set_up;	  /* the back end has this ring (since setup_queue, on this connection) */
	uint16_t size;	  /* descriptors, and the layout, of the ring set up: GET_VRING_BASE's range */
	bool packed;
	bool enabled;	  /* SET_VRING_ENABLE 1 sent (or implied without PROTOCOL_FEATURES) */
};

/* What control commands set: recorded, since a vhost-user back end has no filters. */
struct vu_ctrl_state {
	bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
	uint16_t active_pairs;
	uint32_t uc_count, mc_count;
	uint8_t uc_macs[VU_MAC_TABLE_MAX][RTE_ETHER_ADDR_LEN];
	uint8_t mc_macs[VU_MAC_TABLE_MAX][RTE_ETHER_ADDR_LEN];
	uint64_t vlan_bitmap[(RTE_ETHER_MAX_VLAN_ID + 1) / 64];
};

struct vu_priv {
	struct vionet_transport *t;
	/*
	 * Serialises requests on the socket (one request and its reply at a time) and guards the
	 * state below against the control thread. Lock order: memory hotplug lock
	 * (rte_mcfg_mem_read_lock, or held by EAL around memory event callbacks) before this one.
	 */
	pthread_mutex_t lock;
	struct vhost_user_conn conn; /* conn.fd < 0 while no back end is connected */
	bool connected;		     /* read without the lock by link_up (atomic accesses) */
	int listen_fd;		     /* server mode */
	int stop_fd;		     /* eventfd: tells the control thread to end */
	pthread_t thread;
	bool thread_started;
	bool mem_cb_registered;
	char mem_cb_name[64];
	uint32_t connections; /* how many times a back end connected, for logs */

	/* Per connection, from the handshake. */
	uint64_t backend_features;
	uint64_t protocol_features; /* negotiated */
	uint16_t backend_queue_pairs;
	bool config_from_backend; /* GET_CONFIG works: read the back end's config space */

	/* Per connection, set by the device layer. */
	uint64_t acked_features; /* last SET_FEATURES, vhost-user bits included */
	uint8_t status;
	bool mem_table_sent;

	uint16_t nb_queues; /* 2 * queue pairs: the Rx/Tx queues that have fds */
	struct vu_queue queues[VU_QUEUES_MAX];

	struct vionet_net_config config; /* synthesized config space, little-endian fields */
	struct vu_ctrl_state ctrl;
	/*
	 * Rx queue interrupts: the Rx queues' call fds as efds; allocated at the first port start
	 * that asks for them, freed at close (ethdev keeps the pointer in between).
	 */
	struct rte_intr_handle *rx_intr;
};

static inline struct vu_priv *
vu_priv(struct vionet_transport *t)
{
	return t->priv;
}

/* Whether a back end is connected; safe without p->lock. */
static inline bool
vu_connected(const struct vu_priv *p)
{
	return __atomic_load_n(&p->connected, __ATOMIC_ACQUIRE);
}

#endif /* TRANSPORT_VHOST_USER_PRIV_H */
