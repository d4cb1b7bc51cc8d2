/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver-specific calls applications make (rte_pmd_vionet.h): the port checked as ours and the
 * primary's, then the ethdev layer's state or the control path.
 */
#include "ethdev/rte_pmd_vionet.h"

#include <errno.h>

#include <rte_errno.h>
#include <rte_spinlock.h>

#include "ethdev/ethdev.h"
#include "device/device_ctrl.h"

int
rte_pmd_vionet_set_queue_pairs(uint16_t port_id, uint16_t pairs)
{
	struct rte_eth_dev *dev;
	struct vionet_hw *hw;
	int ret = vionet_ethdev_of_port(port_id, &dev);

	if (ret < 0)
		return ret;
	hw = vionet_hw_of(dev);
	if (pairs == 0 || pairs > RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues))
		return -EINVAL;
	/* the indirection table names the queues RSS uses: change it with reta_update instead */
	if (hw->rss.on)
		return -EBUSY;
	pthread_mutex_lock(&hw->port.lifecycle_lock);
	ret = hw->port.started ? vionet_ctrl_set_queue_pairs(hw, pairs) : -EAGAIN;
	pthread_mutex_unlock(&hw->port.lifecycle_lock);
	return ret;
}

/* The announce state of a port of ours, in the primary (vionet_ethdev_of_port's errors). */
static int
announce_state_of(uint16_t port_id, struct vionet_announce_state **a)
{
	struct rte_eth_dev *dev;
	int ret = vionet_ethdev_of_port(port_id, &dev);

	if (ret == 0)
		*a = &vionet_hw_of(dev)->port.announce;
	return ret;
}

/* The slot holding 'fn' with 'arg', or -1. With both NULL: a free slot (cleared ones are both). */
static int
find_slot(const struct vionet_announce_state *a, rte_pmd_vionet_announce_cb_t fn, void *arg)
{
	for (unsigned int i = 0; i < RTE_DIM(a->cb); i++)
		if (a->cb[i].fn == fn && a->cb[i].arg == arg)
			return (int)i;
	return -1;
}

int
rte_pmd_vionet_announce_callback_register(uint16_t port_id, rte_pmd_vionet_announce_cb_t cb,
					  void *arg)
{
	struct vionet_announce_state *a = NULL;
	int ret = announce_state_of(port_id, &a);
	int slot;

	if (ret < 0)
		return ret;
	if (cb == NULL)
		return -EINVAL;
	rte_spinlock_lock(&a->lock);
	if (find_slot(a, cb, arg) >= 0) {
		ret = -EEXIST;
	} else if ((slot = find_slot(a, NULL, NULL)) < 0) {
		ret = -ENOSPC;
	} else {
		a->cb[slot].fn = cb;
		a->cb[slot].arg = arg;
	}
	rte_spinlock_unlock(&a->lock);
	return ret;
}

int
rte_pmd_vionet_announce_callback_unregister(uint16_t port_id, rte_pmd_vionet_announce_cb_t cb,
					    void *arg)
{
	struct vionet_announce_state *a = NULL;
	int ret = announce_state_of(port_id, &a);
	int slot;

	if (ret < 0)
		return ret;
	if (cb == NULL)
		return -ENOENT;
	rte_spinlock_lock(&a->lock);
	slot = find_slot(a, cb, arg);
	if (slot >= 0) {
		a->cb[slot].fn = NULL;
		a->cb[slot].arg = NULL;
	}
	rte_spinlock_unlock(&a->lock);
	return slot >= 0 ? 0 : -ENOENT;
}
