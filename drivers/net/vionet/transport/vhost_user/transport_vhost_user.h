/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user transport: a vhost-user front end (QEMU docs/interop/vhost-user.rst) behind the
 * vionet transport ops table, for the net_vionet_user vdev.
 *
 * How the device layer uses it (every call but notify_queue may block on the socket):
 *   probe:   vionet_vhost_user_create(t)      connects (client) or waits for the back end (server),
 *                                              negotiates the protocol, sets t->ops and t->priv
 *            then the usual virtio init through t->ops: reset, set_status(ACK|DRIVER),
 *            get_features, set_features, set_status(FEATURES_OK), get_status, read_dev_config.
 *   start:   setup_queue for each Rx/Tx queue (the first one also sends the memory table),
 *            enable_queue for each, set_status(DRIVER_OK). The control queue is not given to the
 *            back end: send control commands with t->ops->ctrl_command instead.
 *   stop:    reset (stops every ring with GET_VRING_BASE), or stop_queue per queue.
 *   link:    when the back end goes away or comes back, the transport calls
 *            vionet_transport_link_changed(t) from its control thread (without holding its own
 *            lock, so the device layer may call any op from there); link_up() then tells which.
 *            After a reconnect the back end knows nothing: run the probe's negotiation and the
 *            start path again (reset, status, features, setup_queue, enable_queue, DRIVER_OK). Ops
 *            that need the back end return -ENOTCONN while it is away.
 *   close:   t->ops->close(t) stops the control thread and frees every fd, socket and mapping.
 *
 * Ring state on setup_queue: a split ring restarts at the used index found in its used ring (0 for
 * a fresh ring, the resume point after a reconnect); a packed ring always restarts at index 0 with
 * wrap counter 1, so the device layer re-initialises packed rings (reclaiming their buffers) before
 * it sets them up again.
 *
 * Features: get_features() reports the back end's virtio features without the vhost-user-only bits
 * (PROTOCOL_FEATURES, LOG_ALL, IOMMU_PLATFORM), plus what the transport serves itself: CTRL_VQ,
 * CTRL_RX, CTRL_VLAN, CTRL_MAC_ADDR (control commands) and, when the config space is synthesized,
 * MAC, STATUS and SPEED_DUPLEX. set_features() sends the back end only the bits it offered.
 */
#ifndef TRANSPORT_VHOST_USER_H
#define TRANSPORT_VHOST_USER_H

#include <stdint.h>

#include "transport/transport_ops.h"

struct vionet_transport;

extern const struct vionet_transport_ops vionet_vhost_user_ops;

/*
 * Creates the transport for t->devargs (path, server, queue_pairs, mac, speed) and attaches it:
 * t->ops = &vionet_vhost_user_ops, t->priv. Client mode: fails when nobody listens on
 * 'path'. Server mode: listens on 'path' and returns once a back end has connected.
 * Returns 0 or a negative errno (logged).
 */
int vionet_vhost_user_create(struct vionet_transport *t);

/*
 * The eventfd the back end writes when it has used buffers on 'queue_index' (the call fd): Rx
 * interrupts. It exists from create to close and survives reconnects, so it can go into an
 * rte_intr_handle once (rte_intr_efds_index_set, rte_intr_efd_counter_size_set(h,
 * sizeof(uint64_t)), type RTE_INTR_HANDLE_VDEV). The back end signals it unless
 * set_queue_vector(q, VIONET_MSI_NO_VECTOR) turned signalling off; the driver still suppresses
 * signals with the ring's own flags.
 * Returns the fd, or -EINVAL for a queue index that is not an Rx/Tx queue of this device.
 */
int vionet_vhost_user_queue_call_fd(struct vionet_transport *t, uint16_t queue_index);

/*
 * A secondary process attaches to the primary's port (t is the shared one): it fetches the kick
 * fds from the primary over rte_mp (transport_vhost_user_mp.h) and sets this process's part
 * (vionet_transport_proc: ops and the fds). Its ops kick, read the link and detach (closing the
 * fds); the rest is the primary's. Returns 0 or a negative errno (logged).
 */
int vionet_vhost_user_attach(struct vionet_transport *t);

#endif /* TRANSPORT_VHOST_USER_H */
