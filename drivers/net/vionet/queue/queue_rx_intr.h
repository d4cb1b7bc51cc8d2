/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx queue interrupts (ethdev intr_conf.rxq, rte_eth_dev_rx_intr_enable/disable): the ring's used
 * buffer notification suppression switched per queue, with the event fds that the transport
 * provides (vionet_transport_ops.rx_intr_setup) exposed to ethdev through dev->intr_handle.
 */
#ifndef VIONET_RX_INTR_H
#define VIONET_RX_INTR_H

#include <ethdev_driver.h>

#include "queue/queue.h"

/*
 * Port start, before the queues are set up (queue vectors must reach the device before DRIVER_OK):
 * when intr_conf.rxq is set, asks the transport for the event fds and sets dev->intr_handle. Every
 * queue starts with its interrupt disabled (ethdev's contract). Returns 0 or a negative errno.
 */
int vionet_rx_intr_start(struct rte_eth_dev *dev);
/* Port stop, after the queues are down: the transport drops the fds' epoll registrations. */
void vionet_rx_intr_stop(struct rte_eth_dev *dev);

/*
 * Turns used buffer notifications on for a ring the caller holds (vq.lock), and when used buffers
 * are already there signals the queue's event fd itself, so a waiter that enabled the interrupt
 * and then sleeps is never left asleep with frames waiting.
 */
void vionet_rxq_intr_arm(struct rte_eth_dev *dev, struct vionet_rxq *rxq);

int vionet_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t queue_id);
int vionet_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t queue_id);

#endif /* VIONET_RX_INTR_H */
