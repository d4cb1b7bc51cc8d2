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

/*
 * Called when the device asks the port to announce itself to the network (virtio-net
 * VIRTIO_NET_F_GUEST_ANNOUNCE: after a live migration the switch must learn where the port is now).
 * The driver sends a RARP frame for the port's MAC address on its first running Tx queue by itself;
 * addresses only the application knows (gratuitous ARP for its IP addresses, other MAC addresses or
 * VLANs) are the application's to send from its callback, which runs on the EAL interrupt thread
 * before the driver acknowledges the request to the device. A callback must not block long (the
 * device waits for the acknowledgement) and may not stop or close the port.
 */
typedef void (*rte_pmd_vionet_announce_cb_t)(uint16_t port_id, void *arg);

/*
 * Registers 'cb' with 'arg' for the port's announce requests (at most 4 per port). Returns 0,
 * -ENODEV (not a vionet port), -EINVAL (cb NULL), -EEXIST (already registered with 'arg'), -ENOSPC
 * (4 registered), -E_RTE_SECONDARY (in a secondary process: the primary handles the device).
 */
int rte_pmd_vionet_announce_callback_register(uint16_t port_id, rte_pmd_vionet_announce_cb_t cb,
					      void *arg);
/* Undoes the registration of 'cb' with 'arg'. Returns 0, -ENODEV, -ENOENT, -E_RTE_SECONDARY. */
int rte_pmd_vionet_announce_callback_unregister(uint16_t port_id, rte_pmd_vionet_announce_cb_t cb,
						void *arg);

#endif /* RTE_PMD_VIONET_H */
