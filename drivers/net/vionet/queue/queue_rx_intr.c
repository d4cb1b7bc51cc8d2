/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx queue interrupts. The wake-up path is the device's used buffer notification (virtio 1.x 2.7.7
 * for split rings, 2.8.10 "Event Suppression" for packed): an eventfd per Rx queue (vhost-user call
 * fd, or the MSI-X vector's eventfd under VFIO) that the application waits on through
 * rte_eth_dev_rx_intr_ctl_q + rte_epoll_wait. Polling keeps notifications off; enable turns them on
 * for one queue until the application disables them again after its wake-up.
 */
#include "queue/queue_rx_intr.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/vionet_compat.h"
#include "device/device.h"
#include "base/vionet_log.h"

int
vionet_rx_intr_start(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct rte_intr_handle *handle = NULL;
	int ret;

	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vionet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			rxq->intr_enabled = false;
	}
	if (!dev->data->dev_conf.intr_conf.rxq)
		return 0;
	if (hw->tp.ops->rx_intr_setup == NULL) {
		VIONET_INIT_LOG(ERR, "%s: transport %s has no Rx queue interrupts", hw->tp.name,
				hw->tp.ops->name);
		return -ENOTSUP;
	}
	ret = hw->tp.ops->rx_intr_setup(&hw->tp, dev->data->nb_rx_queues, &handle);
	if (ret < 0)
		return ret;
	dev->intr_handle = handle;
	return 0;
}

void
vionet_rx_intr_stop(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	if (dev->data->dev_conf.intr_conf.rxq && hw->tp.ops->rx_intr_release != NULL)
		hw->tp.ops->rx_intr_release(&hw->tp);
}

/* An eventfd counts writes: one more wakes an epoll waiter (edge-triggered) exactly once. */
static void
signal_queue_fd(struct rte_eth_dev *dev, struct vionet_rxq *rxq)
{
	uint64_t one = 1;
	int fd = dev->intr_handle != NULL ? vionet_intr_rx_queue_fd(dev->intr_handle, rxq->queue_id)
					   : -1;

	if (fd < 0)
		return;
	/* A full counter (EAGAIN) already means "wake up": nothing is lost by ignoring it. */
	if (write(fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		rxq->stats.intr_self_signalled++;
}

void
vionet_rxq_intr_arm(struct rte_eth_dev *dev, struct vionet_rxq *rxq)
{
	struct vionet_vq *vq = &rxq->vq;
	bool pending;

	/* The enable functions fence the suppression store before re-reading the ring (2.7.14). */
	if (vq->packed_ring)
		pending = virtq_packed_drv_enable_used_notify(&vq->packed);
	else
		pending = virtq_split_drv_enable_used_notify(&vq->split);
	/* The device may have used these before it could see the flag: it will not signal them. */
	if (pending)
		signal_queue_fd(dev, rxq);
}

static struct vionet_rxq *
intr_queue(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	if (!dev->data->dev_conf.intr_conf.rxq || dev->intr_handle == NULL) {
		VIONET_LOG(ERR, "%s: Rx queue %u: interrupts need intr_conf.rxq at configure", hw->tp.name,
			   queue_id);
		return NULL;
	}
	return dev->data->rx_queues[queue_id];
}

int
vionet_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct vionet_rxq *rxq = intr_queue(dev, queue_id);

	if (rxq == NULL)
		return -ENOTSUP;
	/* The control path re-creates the ring (stop, reconnect) under this lock; an enable during a
	 * re-creation waits for it, so the new ring is armed too. */
	rte_spinlock_lock(&rxq->vq.intr_lock);
	rxq->intr_enabled = true;
	vionet_rxq_intr_arm(dev, rxq);
	rte_spinlock_unlock(&rxq->vq.intr_lock);
	return 0;
}

int
vionet_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct vionet_rxq *rxq = intr_queue(dev, queue_id);

	if (rxq == NULL)
		return -ENOTSUP;
	rte_spinlock_lock(&rxq->vq.intr_lock);
	rxq->intr_enabled = false;
	if (rxq->vq.packed_ring)
		virtq_packed_drv_disable_used_notify(&rxq->vq.packed);
	else
		virtq_split_drv_disable_used_notify(&rxq->vq.split);
	rte_spinlock_unlock(&rxq->vq.intr_lock);
	return 0;
}
