/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One ring's vhost-user requests on the current connection: what setup_queue, enable_queue,
 * stop_queue and set_queue_vector send, and what VQ_PAIRS_SET turns into (SET_VRING_ENABLE).
 */
#include "transport/vhost_user/transport_vhost_user_vring.h"

#include <errno.h>

#include <rte_byteorder.h>

#include "base/vionet_log.h"
#include "transport/vhost_user/transport_vhost_user_conn.h"

/*
 * Where a split ring resumes: the used index the (previous) device left in the used ring, so
 * buffers it never used are processed again (0 for a fresh ring). Packed rings restart from the
 * beginning: index 0, wrap counter 1 (2.8.1 Driver and Device Ring Wrap Counters).
 */
static uint32_t
ring_base(const struct vionet_vq_ring_addrs *ring)
{
	const volatile struct virtq_split_used *used;

	if (ring->packed)
		return UINT32_C(1) << VHOST_USER_PACKED_WRAP_BIT;
	if (ring->device_area_va == NULL)
		return 0;
	/* The used ring's idx (2.7.8 The Virtqueue Used Ring): no device writes while stopped. */
	used = ring->device_area_va;
	return rte_le_to_cpu_16(used->idx);
}

int
vu_vring_setup_locked(struct vu_priv *p, const struct vionet_vq_ring_addrs *ring)
{
	uint16_t q = ring->queue_index;
	struct vu_queue *vq = &p->queues[q];
	const char *step;
	int ret;

	if (vq->set_up)
		vu_vring_stop_locked(p, q);
	step = "SET_VRING_NUM";
	ret = vhost_user_set_vring_state(&p->conn, VHOST_USER_SET_VRING_NUM, q, ring->size);
	if (ret == 0) {
		step = "SET_VRING_BASE";
		ret = vhost_user_set_vring_state(&p->conn, VHOST_USER_SET_VRING_BASE, q,
						 ring_base(ring));
	}
	if (ret == 0) {
		step = "SET_VRING_ADDR";
		ret = vhost_user_set_vring_addr(&p->conn, q, ring->desc_addr,
						ring->driver_area_addr, ring->device_area_addr);
	}
	if (ret == 0) {
		step = "SET_VRING_KICK";
		ret = vhost_user_set_vring_fd(&p->conn, VHOST_USER_SET_VRING_KICK, q, vq->kick_fd);
	}
	if (ret == 0) {
		step = "SET_VRING_CALL";
		ret = vhost_user_set_vring_fd(&p->conn, VHOST_USER_SET_VRING_CALL, q,
					      vq->call_off ? -1 : vq->call_fd);
	}
	if (ret < 0) {
		vu_conn_failed(p, step, ret);
		return ret;
	}
	vq->set_up = true;
	vq->size = ring->size;
	vq->packed = ring->packed;
	/* Without PROTOCOL_FEATURES a ring is enabled as soon as it is kicked ("Ring states"). */
	vq->enabled = !(p->acked_features & VIRTQ_FEATURE(VHOST_USER_F_PROTOCOL_FEATURES));
	return 0;
}

int
vu_vring_enable_locked(struct vu_priv *p, uint16_t q, bool enable)
{
	struct vu_queue *vq = &p->queues[q];
	int ret;

	if (!vu_connected(p))
		return -ENOTCONN;
	if (!vq->set_up) {
		VIONET_USER_LOG(ERR, "%s: queue %u: enable before setup", p->t->name, q);
		return -EINVAL;
	}
	if (!(p->acked_features & VIRTQ_FEATURE(VHOST_USER_F_PROTOCOL_FEATURES))) {
		if (enable)
			return 0;
		VIONET_USER_LOG(ERR, "%s: queue %u: the back end cannot disable a ring without "
				"protocol features", p->t->name, q);
		return -ENOTSUP;
	}
	ret = vhost_user_set_vring_state(&p->conn, VHOST_USER_SET_VRING_ENABLE, q, enable ? 1 : 0);
	if (ret < 0) {
		vu_conn_failed(p, "SET_VRING_ENABLE", ret);
		return ret;
	}
	vq->enabled = enable;
	return 0;
}

/*
 * Whether GET_VRING_BASE's index can be where the ring stopped: split, a 16-bit free-running
 * index; packed, an index inside the ring and its wrap counter in bit 15 ("SET_VRING_BASE").
 */
static int
check_vring_base(struct vu_priv *p, const struct vu_queue *vq, uint32_t base)
{
	uint32_t index = base & ~(UINT32_C(1) << VHOST_USER_PACKED_WRAP_BIT);

	if (!vq->packed && base > UINT16_MAX)
		return vhost_user_refuse(&p->conn, "ring index 0x%x does not fit 16 bits", base);
	if (vq->packed && (base > UINT16_MAX || index >= vq->size))
		return vhost_user_refuse(&p->conn, "ring index 0x%x is beyond the %u-entry ring",
					 index, vq->size);
	return 0;
}

void
vu_vring_stop_locked(struct vu_priv *p, uint16_t q)
{
	struct vu_queue *vq = &p->queues[q];
	uint32_t base;
	int ret;

	if (!vq->set_up)
		return;
	vq->set_up = false;
	vq->enabled = false;
	if (!vu_connected(p))
		return;
	ret = vhost_user_get_vring_base(&p->conn, q, &base);
	if (ret == 0)
		ret = check_vring_base(p, vq, base);
	if (ret < 0)
		vu_conn_failed(p, "GET_VRING_BASE", ret);
	else
		VIONET_USER_LOG(DEBUG, "%s: queue %u stopped at index 0x%x", p->t->name, q, base);
}

int
vu_vring_set_call_locked(struct vu_priv *p, uint16_t q, bool off)
{
	struct vu_queue *vq = &p->queues[q];
	int ret = 0;

	vq->call_off = off;
	if (vq->set_up && vu_connected(p)) {
		ret = vhost_user_set_vring_fd(&p->conn, VHOST_USER_SET_VRING_CALL, q,
					      vq->call_off ? -1 : vq->call_fd);
		if (ret < 0)
			vu_conn_failed(p, "SET_VRING_CALL", ret);
	}
	return ret;
}
