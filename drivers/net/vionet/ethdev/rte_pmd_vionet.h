/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver-specific calls of the vionet ports (net_vionet, net_vionet_user), for applications that
 * need more than the ethdev API gives. Resolve them from the plugin with dlsym when it is loaded
 * with -d.
 */
#ifndef RTE_PMD_VIONET_H
#define RTE_PMD_VIONET_H

#include <stdint.h>

/*
 * Changes how many of the port's configured queue pairs the device serves, while the port runs
 * (virtio-net VIONET_CTRL_MQ_VQ_PAIRS_SET through the control path): the device stops using the
 * rings of the pairs above 'pairs' and uses them again when they are back in range.
 * Returns 0, -ENODEV (not a vionet port), -EINVAL (pairs 0 or above the configured pairs),
 * -EAGAIN (port stopped), -ENOTSUP (no multi-queue), -EBUSY (RSS is on: its indirection table
 * says which queues receive; change that with rte_eth_dev_rss_reta_update), -EIO (the device
 * refused), -E_RTE_SECONDARY
 * (called in a secondary process: only the primary drives the device).
 */
int rte_pmd_vionet_set_queue_pairs(uint16_t port_id, uint16_t pairs);

#endif /* RTE_PMD_VIONET_H */
