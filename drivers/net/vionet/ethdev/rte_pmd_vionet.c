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

int
rte_pmd_vionet_announce_callback_register(uint16_t port_id, rte_pmd_vionet_announce_cb_t cb,
					  void *arg)
{
	struct vionet_announce_state *a;
	struct rte_eth_dev *dev;
	int ret = vionet_ethdev_of_port(port_id, &dev);

	if (ret < 0)
		return ret;
	if (cb == NULL)
		return -EINVAL;
	a = &vionet_hw_of(dev)->port.announce;
	ret = -ENOSPC;
	rte_spinlock_lock(&a->lock);
	for (unsigned int i = 0; i < RTE_DIM(a->cb); i++) {
		if (a->cb[i].fn == cb && a->cb[i].arg == arg) {
			ret = -EEXIST;
			break;
		}
	}
	for (unsigned int i = 0; i < RTE_DIM(a->cb) && ret == -ENOSPC; i++) {
		if (a->cb[i].fn == NULL) {
			a->cb[i].fn = cb;
			a->cb[i].arg = arg;
			ret = 0;
		}
	}
	rte_spinlock_unlock(&a->lock);
	return ret;
}

int
rte_pmd_vionet_announce_callback_unregister(uint16_t port_id, rte_pmd_vionet_announce_cb_t cb,
					    void *arg)
{
	struct vionet_announce_state *a;
	struct rte_eth_dev *dev;
	int ret = vionet_ethdev_of_port(port_id, &dev);

	if (ret < 0)
		return ret;
	a = &vionet_hw_of(dev)->port.announce;
	ret = -ENOENT;
	rte_spinlock_lock(&a->lock);
	for (unsigned int i = 0; i < RTE_DIM(a->cb); i++) {
		if (a->cb[i].fn == cb && a->cb[i].arg == arg) {
			a->cb[i].fn = NULL;
			a->cb[i].arg = NULL;
			ret = 0;
		}
	}
	rte_spinlock_unlock(&a->lock);
	return ret;
}
