/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user transport's ops: features, status, queues and notifications mapped onto vhost-user
 * requests (QEMU docs/interop/vhost-user.rst). The top of the transport: below it are the
 * connection (transport_vhost_user_conn), one ring's requests (transport_vhost_user_vring), and
 * config space and control commands (transport_vhost_user_ctrl); see transport_vhost_user_priv.h.
 */
#include "transport/vhost_user/transport_vhost_user.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal_memconfig.h>
#include <rte_malloc.h>

#include "base/vionet_compat.h"
#include "base/vionet_log.h"
#include "transport/transport_ops.h"
#include "transport/vhost_user/transport_vhost_user_conn.h"
#include "transport/vhost_user/transport_vhost_user_ctrl.h"
#include "transport/vhost_user/transport_vhost_user_mp.h"
#include "transport/vhost_user/transport_vhost_user_priv.h"
#include "transport/vhost_user/transport_vhost_user_vring.h"

/* vhost feature bits that are not virtio-net's: protocol negotiation, dirty logging, IOTLB. */
#define VU_VHOST_ONLY_FEATURES                                                                   \
	(VIRTQ_FEATURE(VHOST_USER_F_PROTOCOL_FEATURES) | VIRTQ_FEATURE(VHOST_F_LOG_ALL) |        \
	 VIRTQ_FEATURE(VIONET_F_ACCESS_PLATFORM) /* would need IOTLB messages */)
/* Served by the transport: the back end never sees the control virtqueue. */
#define VU_CTRL_FEATURES                                                                         \
	(VIRTQ_FEATURE(VIONET_NET_F_CTRL_VQ) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_RX) |              \
	 VIRTQ_FEATURE(VIONET_NET_F_CTRL_VLAN) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_MAC_ADDR))
/* Served by the synthesized config space. */
#define VU_CONFIG_FEATURES                                                                       \
	(VIRTQ_FEATURE(VIONET_NET_F_MAC) | VIRTQ_FEATURE(VIONET_NET_F_STATUS) |                   \
	 VIRTQ_FEATURE(VIONET_NET_F_SPEED_DUPLEX))

static uint64_t
transport_features(const struct vu_priv *p)
{
	uint64_t f = VU_CTRL_FEATURES;

	/* VIONET_NET_F_MTU advises an MTU: without the back end's config space we have none. */
	if (!p->config_from_backend)
		f |= VU_CONFIG_FEATURES;
	return f;
}

static uint64_t
vu_get_features(struct vionet_transport *t)
{
	struct vu_priv *p = vu_priv(t);
	uint64_t f;

	pthread_mutex_lock(&p->lock);
	f = p->backend_features & ~VU_VHOST_ONLY_FEATURES;
	if (!p->config_from_backend)
		f &= ~VIRTQ_FEATURE(VIONET_NET_F_MTU);
	f |= transport_features(p);
	pthread_mutex_unlock(&p->lock);
	return f;
}

static int
vu_set_features(struct vionet_transport *t, uint64_t features)
{
	struct vu_priv *p = vu_priv(t);
	uint64_t to_backend;
	int ret;

	pthread_mutex_lock(&p->lock);
	if (!vu_connected(p)) {
		ret = -ENOTCONN;
		goto out;
	}
	/* Only what the back end offered, and nothing of what the transport serves itself. */
	to_backend = features & p->backend_features & ~VU_CTRL_FEATURES & ~VU_VHOST_ONLY_FEATURES;
	/* Kept: rings then start disabled until SET_VRING_ENABLE ("Ring states"). */
	to_backend |= p->backend_features & VIRTQ_FEATURE(VHOST_USER_F_PROTOCOL_FEATURES);
	ret = vhost_user_set_u64(&p->conn, VHOST_USER_SET_FEATURES, to_backend);
	if (ret < 0) {
		vu_conn_failed(p, "SET_FEATURES", ret);
		goto out;
	}
	p->acked_features = to_backend;
out:
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static bool
status_negotiated(const struct vu_priv *p)
{
	return p->protocol_features & VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_STATUS);
}

static uint8_t
vu_get_status(struct vionet_transport *t)
{
	struct vu_priv *p = vu_priv(t);
	uint64_t status;
	uint8_t ret;

	pthread_mutex_lock(&p->lock);
	ret = p->status;
	/*
	 * The back end clears FEATURES_OK when it refuses the features (3.1.1 Driver Requirements:
	 * Device Initialization, step 6).
	 */
	if (vu_connected(p) && status_negotiated(p)) {
		int err = vhost_user_get_u64(&p->conn, VHOST_USER_GET_STATUS, &status);

		if (err == 0)
			ret = (uint8_t)status;
		else
			vu_conn_failed(p, "GET_STATUS", err);
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static void
vu_set_status(struct vionet_transport *t, uint8_t status)
{
	struct vu_priv *p = vu_priv(t);

	pthread_mutex_lock(&p->lock);
	p->status = status;
	/* With STATUS the back end waits for DRIVER_OK before it starts ("SET_STATUS"). */
	if (vu_connected(p) && status_negotiated(p)) {
		int err = vhost_user_set_u64(&p->conn, VHOST_USER_SET_STATUS, status);

		if (err < 0)
			vu_conn_failed(p, "SET_STATUS", err);
	}
	pthread_mutex_unlock(&p->lock);
}

static int
vu_reset(struct vionet_transport *t)
{
	struct vu_priv *p = vu_priv(t);
	uint16_t q;

	pthread_mutex_lock(&p->lock);
	for (q = 0; q < VU_QUEUES_MAX; q++)
		vu_vring_stop_locked(p, q);
	if (vu_connected(p) && status_negotiated(p)) {
		int err = vhost_user_set_u64(&p->conn, VHOST_USER_SET_STATUS, 0);

		if (err < 0)
			vu_conn_failed(p, "SET_STATUS(reset)", err);
	}
	p->status = 0;
	p->acked_features = 0;
	pthread_mutex_unlock(&p->lock);
	/* A back end that is gone is as reset as it gets: reset never fails here. */
	return 0;
}

/* The control queue: queue index 2 * max_virtqueue_pairs (5.1.2 Virtqueues). */
static bool
is_ctrl_queue(const struct vu_priv *p, uint16_t q)
{
	return q == p->nb_queues;
}

static uint16_t
vu_get_queue_max_size(struct vionet_transport *t, uint16_t queue_index)
{
	struct vu_priv *p = vu_priv(t);

	/* vhost-user has no per-queue limit but the virtio one. */
	return queue_index <= p->nb_queues ? VIONET_QUEUE_SIZE_MAX : 0;
}

static int
vu_setup_queue(struct vionet_transport *t, const struct vionet_vq_ring_addrs *ring)
{
	struct vu_priv *p = vu_priv(t);
	uint16_t q = ring->queue_index;
	int ret;

	if (is_ctrl_queue(p, q))
		return 0; /* answered by ctrl_command, never shown to the back end */
	if (q >= p->nb_queues) {
		VIONET_USER_LOG(ERR, "%s: queue %u does not exist (%u Rx/Tx queues)", t->name, q,
				p->nb_queues);
		return -EINVAL;
	}
	/* Memory hotplug lock before ours: the memory table is built from EAL's segment lists. */
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&p->lock);
	if (!vu_connected(p)) {
		ret = -ENOTCONN;
		goto out;
	}
	ret = vu_mem_table_send_locked(p, NULL, 0);
	if (ret == 0)
		ret = vu_vring_setup_locked(p, ring);
out:
	pthread_mutex_unlock(&p->lock);
	rte_mcfg_mem_read_unlock();
	return ret;
}

static int
vu_enable_queue(struct vionet_transport *t, uint16_t queue_index)
{
	struct vu_priv *p = vu_priv(t);
	int ret;

	if (is_ctrl_queue(p, queue_index))
		return 0;
	if (queue_index >= p->nb_queues)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	ret = vu_vring_enable_locked(p, queue_index, true);
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static void
vu_stop_queue(struct vionet_transport *t, uint16_t queue_index)
{
	struct vu_priv *p = vu_priv(t);

	if (is_ctrl_queue(p, queue_index) || queue_index >= p->nb_queues)
		return;
	pthread_mutex_lock(&p->lock);
	/* Disabled first, so the back end stops before it hands the ring's state over. */
	if (p->queues[queue_index].enabled)
		vu_vring_enable_locked(p, queue_index, false);
	vu_vring_stop_locked(p, queue_index);
	pthread_mutex_unlock(&p->lock);
}

/*
 * The fast-path kick: one eventfd write. The fd lives from create to close, so no lock is needed;
 * a kick while the back end is away only raises the counter nobody reads. A full counter
 * (EAGAIN) means the back end has an unread kick pending already, which is all a kick says.
 */
static void
vu_notify_queue(struct vionet_transport *t, uint16_t queue_index)
{
	struct vu_priv *p = t->priv;
	uint64_t one = 1;
	ssize_t n;

	n = write(p->queues[queue_index].kick_fd, &one, sizeof(one));
	RTE_SET_USED(n);
}

static int
vu_set_config_vector(struct vionet_transport *t, uint16_t vector)
{
	RTE_SET_USED(t);
	RTE_SET_USED(vector);
	return 0; /* link changes come from the socket, not a vector */
}

static int
vu_set_queue_vector(struct vionet_transport *t, uint16_t queue_index, uint16_t vector)
{
	struct vu_priv *p = vu_priv(t);
	int ret;

	if (queue_index >= p->nb_queues)
		return is_ctrl_queue(p, queue_index) ? 0 : -EINVAL;
	pthread_mutex_lock(&p->lock);
	ret = vu_vring_set_call_locked(p, queue_index, vector == VIONET_MSI_NO_VECTOR);
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/*
 * Rx interrupts are the Rx queues' call fds, which the back end writes when the driver's ring flags
 * allow it (SET_VRING_CALL gave them at setup_queue). They live from create to close and survive
 * reconnects, so one handle serves every start; only its vector list is rebuilt.
 */
static int
vu_rx_intr_setup(struct vionet_transport *t, uint16_t nb_rx_queues,
		 struct rte_intr_handle **handle)
{
	struct vu_priv *p = vu_priv(t);
	int fds[VU_QUEUES_MAX / 2];
	int ret;

	if (nb_rx_queues == 0 || 2 * nb_rx_queues > p->nb_queues) {
		VIONET_USER_LOG(ERR, "%s: Rx interrupts for %u queues, the device has %u pairs",
				t->name, nb_rx_queues, p->nb_queues / 2);
		return -EINVAL;
	}
	if (p->rx_intr == NULL) {
		p->rx_intr = vionet_intr_vdev_handle_alloc();
		if (p->rx_intr == NULL) {
			VIONET_USER_LOG(ERR, "%s: cannot allocate the Rx interrupt handle: %s",
					t->name, rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	for (uint16_t q = 0; q < nb_rx_queues; q++)
		fds[q] = p->queues[2 * q].call_fd;
	ret = vionet_intr_vdev_handle_set_efds(p->rx_intr, fds, nb_rx_queues);
	if (ret == 0)
		ret = vionet_intr_map_rx_queues(p->rx_intr, nb_rx_queues, nb_rx_queues);
	if (ret < 0) {
		VIONET_USER_LOG(ERR, "%s: cannot fill the Rx interrupt handle: %s", t->name,
				strerror(-ret));
		rte_intr_vec_list_free(p->rx_intr);
		return ret;
	}
	*handle = p->rx_intr;
	return 0;
}

static void
vu_rx_intr_release(struct vionet_transport *t)
{
	struct vu_priv *p = vu_priv(t);

	if (p == NULL || p->rx_intr == NULL)
		return;
	/* Not rte_intr_efd_disable: the call fds stay ours until close. */
	rte_intr_free_epoll_fd(p->rx_intr);
	rte_intr_vec_list_free(p->rx_intr);
	rte_intr_nb_efd_set(p->rx_intr, 0);
}

static uint8_t
vu_read_isr(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	return 0; /* no ISR over vhost-user: each queue has its own call fd */
}

static int
vu_read_dev_config(struct vionet_transport *t, size_t offset, void *dst, size_t len)
{
	return vu_config_read(vu_priv(t), offset, dst, len);
}

static int
vu_write_dev_config(struct vionet_transport *t, size_t offset, const void *src, size_t len)
{
	return vu_config_write(vu_priv(t), offset, src, len);
}

static int
vu_ctrl(struct vionet_transport *t, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	return vu_ctrl_command(vu_priv(t), class, cmd, data, len);
}

static int
vu_link_up(struct vionet_transport *t)
{
	return vu_connected(vu_priv(t)) ? 1 : 0;
}

static void
free_priv(struct vu_priv *p)
{
	uint16_t q;

	for (q = 0; q < VU_QUEUES_MAX; q++) {
		if (p->queues[q].kick_fd >= 0)
			close(p->queues[q].kick_fd);
		if (p->queues[q].call_fd >= 0)
			close(p->queues[q].call_fd);
	}
	if (p->stop_fd >= 0)
		close(p->stop_fd);
	pthread_mutex_destroy(&p->lock);
	rte_free(p);
}

static void
vu_close(struct vionet_transport *t)
{
	struct vu_priv *p = vu_priv(t);

	if (p == NULL)
		return;
	/* First: no answer to a secondary may carry an fd closed below. */
	vu_mp_unserve(p);
	vu_conn_stop_thread(p);
	vu_mem_events_unregister(p);
	vu_reset(t);
	vu_conn_close(p);
	vu_rx_intr_release(t);
	rte_intr_instance_free(p->rx_intr);
	free_priv(p);
	t->priv = NULL;
}

const struct vionet_transport_ops vionet_vhost_user_ops = {
	.name = "vhost-user",
	.read_dev_config = vu_read_dev_config,
	.write_dev_config = vu_write_dev_config,
	.get_features = vu_get_features,
	.set_features = vu_set_features,
	.get_status = vu_get_status,
	.set_status = vu_set_status,
	.reset = vu_reset,
	.get_queue_max_size = vu_get_queue_max_size,
	.setup_queue = vu_setup_queue,
	.enable_queue = vu_enable_queue,
	.stop_queue = vu_stop_queue,
	.no_queue_reset = "vhost-user back ends do not offer it",
	.notify_queue = vu_notify_queue,
	.set_config_vector = vu_set_config_vector,
	.set_queue_vector = vu_set_queue_vector,
	.read_isr = vu_read_isr,
	.rx_intr_setup = vu_rx_intr_setup,
	.rx_intr_release = vu_rx_intr_release,
	.ctrl_command = vu_ctrl,
	.link_up = vu_link_up,
	.close = vu_close,
};

static struct vu_priv *
alloc_priv(struct vionet_transport *t)
{
	struct vu_priv *p = rte_zmalloc("vionet_vhost_user", sizeof(*p), RTE_CACHE_LINE_SIZE);
	uint16_t q;

	if (p == NULL)
		return NULL;
	p->t = t;
	p->conn.fd = -1;
	p->listen_fd = -1;
	p->nb_queues = (uint16_t)(2 * t->devargs.queue_pairs);
	for (q = 0; q < VU_QUEUES_MAX; q++) {
		p->queues[q].kick_fd = -1;
		p->queues[q].call_fd = -1;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->stop_fd < 0)
		goto fail;
	/* Non-blocking: neither side may stall on a full counter (see vu_notify_queue). */
	for (q = 0; q < p->nb_queues; q++) {
		p->queues[q].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		p->queues[q].call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (p->queues[q].kick_fd < 0 || p->queues[q].call_fd < 0)
			goto fail;
	}
	return p;
fail:
	VIONET_USER_LOG(ERR, "%s: cannot create eventfds: %s", t->name, strerror(errno));
	free_priv(p);
	return NULL;
}

int
vionet_vhost_user_create(struct vionet_transport *t)
{
	struct vu_priv *p;
	int ret;

	if (t->devargs.path[0] == '\0') {
		VIONET_USER_LOG(ERR, "%s: devarg path is required: the vhost-user socket", t->name);
		return -EINVAL;
	}
	p = alloc_priv(t);
	if (p == NULL)
		return -ENOMEM;
	t->priv = p;
	vu_config_init(p);
	/* Before the control thread: a back end that hangs up at once makes it call link_changed. */
	t->ops = &vionet_vhost_user_ops;
	ret = vu_conn_first(p);
	if (ret == 0)
		ret = vu_mem_events_register(p);
	if (ret == 0)
		ret = vu_conn_start_thread(p);
	if (ret == 0)
		ret = vu_mp_serve(p);
	if (ret < 0) {
		vu_conn_stop_thread(p);
		vu_mem_events_unregister(p);
		vu_conn_close(p);
		free_priv(p);
		t->priv = NULL;
		t->ops = NULL;
		return ret;
	}
	return 0;
}

int
vionet_vhost_user_queue_call_fd(struct vionet_transport *t, uint16_t queue_index)
{
	struct vu_priv *p = vu_priv(t);

	if (p == NULL || queue_index >= p->nb_queues)
		return -EINVAL;
	return p->queues[queue_index].call_fd;
}

/* ---- A secondary process: kicks through its own copies of the kick fds ---- */

/* What a secondary holds of the port's transport (vionet_transport_proc.local). */
struct vu_secondary {
	uint16_t nb_queues;
	int kick_fds[VU_QUEUES_MAX - 1]; /* this process's descriptors, one per Rx/Tx queue */
};

static struct vu_secondary *
vu_secondary_of(struct vionet_transport *t)
{
	return vionet_transport_proc_of(t)->local;
}

/* As vu_notify_queue, on this process's fd (the primary's numbers mean nothing here). */
static void
vu_secondary_notify_queue(struct vionet_transport *t, uint16_t queue_index)
{
	struct vu_secondary *s = vu_secondary_of(t);
	uint64_t one = 1;
	ssize_t n;

	if (queue_index >= s->nb_queues)
		return;
	n = write(s->kick_fds[queue_index], &one, sizeof(one));
	RTE_SET_USED(n);
}

static void
vu_secondary_detach(struct vionet_transport *t)
{
	struct vionet_transport_proc *proc = vionet_transport_proc_of(t);
	struct vu_secondary *s = proc->local;

	if (s == NULL)
		return;
	for (uint16_t q = 0; q < s->nb_queues; q++)
		close(s->kick_fds[q]);
	rte_free(s);
	proc->local = NULL;
}

/*
 * What a secondary calls (doc/pci.md, "Multi-process"): the kick of its bursts, the link (the
 * primary's connection state, in shared memory), and its detach. Everything else talks to the back
 * end over the primary's socket and is the primary's.
 */
static const struct vionet_transport_ops vu_secondary_ops = {
	.name = "vhost-user",
	.notify_queue = vu_secondary_notify_queue,
	.link_up = vu_link_up,
	.detach = vu_secondary_detach,
};

int
vionet_vhost_user_attach(struct vionet_transport *t)
{
	struct vionet_transport_proc *proc = vionet_transport_proc_of(t);
	struct vu_secondary *s;
	int ret;

	s = rte_zmalloc("vionet_vhost_user_secondary", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL) {
		VIONET_USER_LOG(ERR, "%s: no memory for this process's part of the port", t->name);
		return -ENOMEM;
	}
	ret = vu_mp_fetch_kick_fds(t->name, s->kick_fds, RTE_DIM(s->kick_fds), &s->nb_queues);
	if (ret < 0) {
		rte_free(s);
		return ret;
	}
	proc->ops = &vu_secondary_ops;
	proc->local = s;
	VIONET_USER_LOG(INFO, "%s: %u kick fds from the primary", t->name, s->nb_queues);
	return 0;
}
