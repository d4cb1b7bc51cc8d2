/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start, stop and restart of a port's queues (queue_start.c). Called by the ethdev layer with its
 * lifecycle lock held.
 */
#ifndef VIONET_QUEUE_START_H
#define VIONET_QUEUE_START_H

#include <ethdev_driver.h>

/*
 * Start: (re)initialise every ring, tell the transport where it is, fill the Rx rings, DRIVER_OK,
 * enable the queues. Stop: the device stops using the rings and is reset, and every mbuf still
 * posted returns to its mempool.
 */
int vionet_queues_start(struct rte_eth_dev *dev);
void vionet_queues_stop(struct rte_eth_dev *dev);
/*
 * After the back end came back: stop as above, negotiate again and start, with bursts held off.
 * -EPROTO when the device accepted other ring features than the queues were built for (the port
 * is then reported broken and its rings stay closed; start fails the same way).
 */
int vionet_queues_restart(struct rte_eth_dev *dev);

/*
 * One Rx (vq_index 2n) or Tx (2n+1) queue of a started port, alone (rx/tx_queue_stop and start).
 * Stop: bursts leave the ring and find it closed after (they return 0), the device resets the
 * queue, every mbuf on the ring and a half-assembled Rx packet go back to their pool. Start: a
 * fresh ring to the device, Rx buffers in, the queue enabled and kicked, bursts let in.
 * -ENOTSUP, with one line saying why, without VIRTIO_F_RING_RESET; the port is reported broken
 * when the device does not finish a queue reset. The queue's counters run on through both.
 */
int vionet_queue_stop_one(struct rte_eth_dev *dev, uint16_t vq_index);
int vionet_queue_start_one(struct rte_eth_dev *dev, uint16_t vq_index);

#endif /* VIONET_QUEUE_START_H */
