/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Rx queue's wake-up condition for DPDK's power management in monitor mode
 * (rte_eth_get_monitor_addr, rte_power_monitor, RTE_POWER_MGMT_TYPE_MONITOR): the one place in the
 * ring where the device's next used buffer shows, and the test on its value that says whether one
 * is there. The lcore sleeps on the address (UMWAIT) and the device's write wakes it.
 */
#ifndef VIONET_RX_MONITOR_H
#define VIONET_RX_MONITOR_H

#include <rte_power_intrinsics.h>

/*
 * eth_dev_ops.get_monitor_addr for an Rx queue (struct vionet_rxq) of either layout: split, used.idx
 * (2.7.8 The Virtqueue Used Ring: it moves when the device adds a used entry); packed, the flags of
 * the descriptor at the next used position (2.8.1 Driver and Device Ring Wrap Counters: AVAIL and
 * USED both equal to the used wrap counter mark it used). The condition is the state of the queue
 * at the call: rte_power calls this before each sleep. Returns 0.
 */
int vionet_rx_queue_monitor_addr(void *rx_queue, struct rte_power_monitor_cond *pmc);

#endif /* VIONET_RX_MONITOR_H */
