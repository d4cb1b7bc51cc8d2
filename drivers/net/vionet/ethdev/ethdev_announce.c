/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device's announce requests (VIRTIO_NET_F_GUEST_ANNOUNCE, 5.1.6.5.4 Gratuitous Packet
 * Sending). After a live migration the device sets VIRTIO_NET_S_ANNOUNCE and notifies a
 * configuration change: the network must learn where the port's addresses are now, and only the
 * driver knows them (the application may have changed the MAC address since the device was
 * created). The driver answers as the spec orders: the gratuitous packets first, then
 * VIRTIO_NET_CTRL_ANNOUNCE_ACK, which clears the bit (a device that announces in rounds sends the
 * next request after the acknowledgement).
 *
 * What is sent: one RARP frame for the port's MAC address (what a switch needs to learn the port's
 * new place, the frame QEMU sends for devices that cannot announce), on the first running Tx
 * queue, which the driver takes from the bursts for the one frame (its gate). Addresses only the
 * application knows (IP addresses for gratuitous ARP, further MAC addresses, VLANs) are its to
 * announce: callbacks it registered (rte_pmd_vionet_announce_callback_register) run before the
 * acknowledgement. ethdev has no event type for this, hence a driver-specific registration.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_arp.h>

#include "ethdev/ethdev.h"
#include "base/vionet_log.h"
#include "device/device_ctrl.h"
#include "device/device_vq_gate.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"

/*
 * The RARP frame on the first Tx queue the bursts may use (a queue the application stopped, or a
 * broken ring, keeps its gate closed and is passed over). Called under the lifecycle lock, with
 * the port started. Returns the queue used, or a negative errno.
 */
static int
send_rarp(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct vionet_rxq *rxq = dev->data->nb_rx_queues > 0 ? dev->data->rx_queues[0] : NULL;
	struct vionet_txq *txq = NULL;
	struct rte_mbuf *m;
	uint16_t q, sent;

	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		txq = dev->data->tx_queues[q];
		if (txq != NULL && __atomic_load_n(&txq->vq.gate.closed, __ATOMIC_RELAXED) == 0)
			break;
	}
	if (q == dev->data->nb_tx_queues)
		return -ENODEV;
	/* The Rx pool: the port's own mbufs (a Tx queue has no pool of its own). */
	m = rxq != NULL ? rte_net_make_rarp_packet(rxq->mp, &dev->data->mac_addrs[0]) : NULL;
	if (m == NULL)
		return -ENOMEM;
	vionet_vq_gate_hold(&txq->vq.gate);
	/* A burst that broke the ring before the gate closed keeps it closed: the frame stays ours. */
	if (vionet_dev_is_broken(hw)) {
		rte_pktmbuf_free(m);
		return -EIO;
	}
	sent = vionet_xmit_held(txq, &m, 1);
	vionet_vq_gate_open(&txq->vq.gate);
	if (sent == 0) {
		rte_pktmbuf_free(m);
		return -ENOSPC;
	}
	return q;
}

static const char *
no_frame_reason(int err)
{
	switch (err) {
	case -ENODEV:
		return "no RARP sent: no running Tx queue";
	case -ENOMEM:
		return "no RARP sent: no mbuf in Rx queue 0's pool";
	case -ENOSPC:
		return "no RARP sent: the Tx ring is full";
	default:
		return "no RARP sent: the port broke";
	}
}

/* The application's callbacks, from a copy taken under the lock (a callback may unregister). */
static unsigned int
call_application(struct rte_eth_dev *dev)
{
	struct vionet_announce_state *a = &vionet_hw_of(dev)->port.announce;
	struct vionet_announce_cb cb[VIONET_ANNOUNCE_CALLBACKS_MAX];
	unsigned int called = 0;

	rte_spinlock_lock(&a->lock);
	memcpy(cb, a->cb, sizeof(cb));
	rte_spinlock_unlock(&a->lock);
	for (unsigned int i = 0; i < RTE_DIM(cb); i++) {
		if (cb[i].fn == NULL)
			continue;
		cb[i].fn(dev->data->port_id, cb[i].arg);
		called++;
	}
	return called;
}

/* The device layer's event (struct vionet_dev_events.announce), on the EAL interrupt thread. */
void
vionet_ethdev_announce(struct vionet_hw *hw)
{
	struct rte_eth_dev *dev = hw->eth_dev;
	struct vionet_announce_state *a = &hw->port.announce;
	unsigned int called;
	int queue = -ENODEV, ack;
	bool started;

	if (dev == NULL) {
		vionet_dev_announce_done(hw);
		return;
	}
	pthread_mutex_lock(&hw->port.lifecycle_lock);
	started = hw->port.started && !vionet_dev_is_broken(hw);
	if (started)
		queue = send_rarp(dev);
	pthread_mutex_unlock(&hw->port.lifecycle_lock);
	if (!started) {
		/* A stop resets the device, which forgets the request; a broken port waits for its
		 * reset. Nothing to send, nobody to acknowledge to. */
		VIONET_LOG(INFO, "%s: the device asked for an announcement while the port is not running: "
			   "nothing sent", hw->tp.name);
		vionet_dev_announce_done(hw);
		return;
	}
	if (queue >= 0)
		__atomic_fetch_add(&a->frames_sent, 1, __ATOMIC_RELAXED);
	called = call_application(dev);
	ack = vionet_ctrl_announce_ack(hw);
	if (ack == 0)
		__atomic_fetch_add(&a->acked, 1, __ATOMIC_RELAXED);
	if (queue < 0 || ack != 0)
		__atomic_fetch_add(&a->failed, 1, __ATOMIC_RELAXED);
	if (queue >= 0 && ack == 0)
		VIONET_LOG(INFO, "%s: announced after the device's request: RARP for " RTE_ETHER_ADDR_PRT_FMT
			   " on Tx queue %d, %u application callback(s), acknowledged",
			   hw->tp.name, RTE_ETHER_ADDR_BYTES(&dev->data->mac_addrs[0]), queue, called);
	else
		VIONET_LOG(ERR, "%s: the device asked for an announcement: %s, %u application "
			   "callback(s), acknowledgement %s",
			   hw->tp.name, queue >= 0 ? "RARP sent" : no_frame_reason(queue), called,
			   ack == 0 ? "taken" : strerror(-ack));
	vionet_dev_announce_done(hw);
}
