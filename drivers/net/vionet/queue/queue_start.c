/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's queues brought up and down together: rings to the transport, Rx buffers in, queues
 * enabled, DRIVER_OK (start); the device stops and is reset, every mbuf back to its pool (stop);
 * both with the bursts held off the rings (restart after a back end came back). And one Rx or Tx
 * queue stopped and started alone, with VIRTIO_F_RING_RESET (2.6.1 Virtqueue Reset).
 */
#include "queue/queue_start.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/vionet_log.h"
#include "device/device_ctrl.h"
#include "queue/queue.h"
#include "queue/queue_rx_intr.h"

/* The queues of the port, in virtio order: receiveq0, transmitq0, receiveq1, ... */
static struct vionet_vq *
port_vq(struct rte_eth_dev *dev, uint16_t vq_index)
{
	uint16_t qid = vq_index / 2;

	if (vq_index % 2 == 0) {
		struct vionet_rxq *rxq = qid < dev->data->nb_rx_queues ? dev->data->rx_queues[qid] : NULL;

		return rxq != NULL ? &rxq->vq : NULL;
	}
	struct vionet_txq *txq = qid < dev->data->nb_tx_queues ? dev->data->tx_queues[qid] : NULL;

	return txq != NULL ? &txq->vq : NULL;
}

/*
 * Whether the ethdev configuration has the queue at vq_index. Rx and Tx counts may differ (testpmd
 * --rxq=2 --txq=1): the device has pairs for the larger count, and the half of a pair the other
 * count does not reach is neither set up nor enabled (the device sees no ring there).
 */
static bool
port_vq_configured(const struct rte_eth_dev *dev, uint16_t vq_index)
{
	uint16_t qid = vq_index / 2;

	return vq_index % 2 == 0 ? qid < dev->data->nb_rx_queues : qid < dev->data->nb_tx_queues;
}

static uint16_t
port_vq_count(struct rte_eth_dev *dev)
{
	return (uint16_t)(2 * RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues));
}

static const char *
port_vq_kind(uint16_t vq_index)
{
	return vq_index % 2 == 0 ? "Rx" : "Tx";
}

/*
 * Whether a configured queue stays stopped through a bring-up: at a port start, one set up with
 * deferred_start; at a restart (the device lost its state), one the application has stopped.
 */
static bool
port_vq_held_stopped(struct rte_eth_dev *dev, uint16_t vq_index, bool restart)
{
	uint16_t qid = vq_index / 2;

	if (vq_index % 2 == 0) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[qid];

		return restart ? dev->data->rx_queue_state[qid] == RTE_ETH_QUEUE_STATE_STOPPED
			       : rxq->deferred_start;
	}
	const struct vionet_txq *txq = dev->data->tx_queues[qid];

	return restart ? dev->data->tx_queue_state[qid] == RTE_ETH_QUEUE_STATE_STOPPED
		       : txq->deferred_start;
}

/*
 * The device resets one queue (VIRTIO_F_RING_RESET): it uses none of the ring's buffers after.
 * A device that does not finish leaves buffers it may still write: the port is reported broken
 * and the mbufs stay on the ring until the device reset of the port's stop.
 */
static int
reset_vq_at_device(struct vionet_hw *hw, const struct vionet_vq *vq)
{
	int ret;

	if (!vionet_has_feature(hw, VIONET_F_RING_RESET)) {
		vionet_dev_report_broken(hw,
					 "%s queue %u is to stay stopped but the device no longer "
					 "offers VIRTIO_F_RING_RESET",
					 port_vq_kind(vq->vq_index), vq->vq_index / 2);
		return -EPROTO;
	}
	ret = hw->tp.ops->reset_queue(&hw->tp, vq->vq_index);
	if (ret < 0)
		vionet_dev_report_broken(hw,
					 "%s queue %u (virtqueue %u): the device did not complete "
					 "its queue reset: %s",
					 port_vq_kind(vq->vq_index), vq->vq_index / 2, vq->vq_index,
					 strerror(-ret));
	return ret;
}

/* Appends "<feature> on|off (queues built with it off|on)" to 'buf' when the two differ. */
static void
name_change(char *buf, size_t size, const char *feature, bool now, bool built_for)
{
	size_t len = strlen(buf);

	if (now != built_for && len < size)
		snprintf(buf + len, size - len, "%s%s %s (queues built with it %s)", len ? ", " : "",
			 feature, now ? "on" : "off", built_for ? "on" : "off");
}

/*
 * After a renegotiation (a back end that came back, a start after a stop) the device may have
 * accepted other features than the ones the queues were built for: another ring layout
 * (RING_PACKED), Rx buffer scheme (MRG_RXBUF) or header size (VERSION_1, MRG_RXBUF). Such rings
 * must not run: the port is reported broken, naming what changed, and the application sets its
 * queues up again (rte_eth_dev_reset). IN_ORDER and INDIRECT_DESC live in the ring state, set
 * at ring set-up, so either value fits; Tx follows INDIRECT_DESC as negotiated now.
 */
static int
queues_fit_features(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	bool packed = vionet_has_feature(hw, VIONET_F_RING_PACKED);
	bool mrg = vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF);
	char changed[128] = "";

	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		name_change(changed, sizeof(changed), "RING_PACKED", packed, rxq->vq.packed_ring);
		name_change(changed, sizeof(changed), "MRG_RXBUF", mrg, rxq->mrg_rxbuf);
		name_change(changed, sizeof(changed), "12-byte header", hw->net_hdr_size == 12,
			    rxq->hdr_size == 12);
		if (changed[0] != '\0')
			break;
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues && changed[0] == '\0'; q++) {
		struct vionet_txq *txq = dev->data->tx_queues[q];

		if (txq == NULL)
			continue;
		name_change(changed, sizeof(changed), "RING_PACKED", packed, txq->vq.packed_ring);
		name_change(changed, sizeof(changed), "12-byte header", hw->net_hdr_size == 12,
			    txq->hdr_size == 12);
		vionet_txq_apply_features(txq, hw);
	}
	if (changed[0] == '\0')
		return 0;
	vionet_dev_report_broken(hw,
				 "the device accepted features 0x%" PRIx64 ", not those its queues were "
				 "set up for: %s",
				 hw->tp.features, changed);
	return -EPROTO;
}

/*
 * After a renegotiation the device's configuration was read again (a back end may come back
 * changed): the queue pairs and MTU the application configured must still be within the device's,
 * and the control queue where the device has it now (5.1.2 Virtqueues: index 2N). Otherwise the
 * queues must not run: the port is reported broken, naming what changed, and the application
 * resets it (rte_eth_dev_reset); its configure then says what the device allows.
 */
static int
port_fits_device_config(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t pairs = (uint16_t)(port_vq_count(dev) / 2);
	uint16_t ctrl_index;

	if (pairs > hw->max_queue_pairs)
		vionet_dev_report_broken(hw,
					 "the device now has %u queue pairs, the port is configured "
					 "for %u",
					 hw->max_queue_pairs, pairs);
	else if (hw->mtu > hw->max_mtu)
		vionet_dev_report_broken(hw,
					 "the device's maximum MTU is now %u, the port's MTU is %u",
					 hw->max_mtu, hw->mtu);
	else if (!vionet_ctrlq_fits(hw, &ctrl_index))
		vionet_dev_report_broken(hw,
					 "the device's control queue (%s %u for %u queue pairs) is not "
					 "the one the port set up",
					 vionet_has_feature(hw, VIONET_NET_F_CTRL_VQ) ? "queue" : "none, not",
					 ctrl_index, hw->max_queue_pairs);
	else
		return 0;
	return -EPROTO;
}

/*
 * Rings to the device, Rx buffers in, queues enabled, DRIVER_OK (3.1 Device Initialization
 * step 7-8: queue set-up and enable come before DRIVER_OK), then the kick for the Rx buffers.
 */
static int
bring_up_queues(struct rte_eth_dev *dev, bool restart)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t n = port_vq_count(dev);
	int ret;

	/* After a reset (port stop, back end reconnect) the device knows nothing: negotiate again. */
	if (hw->needs_renegotiation) {
		ret = vionet_dev_renegotiate(hw);
		if (ret < 0)
			return ret;
		hw->needs_renegotiation = false;
	}
	ret = queues_fit_features(dev);
	if (ret == 0)
		ret = port_fits_device_config(dev);
	if (ret < 0)
		return ret;
	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (!port_vq_configured(dev, i))
			continue;
		if (vq == NULL) {
			VIONET_INIT_LOG(ERR, "%s: %s queue %u is configured but not set up", hw->tp.name,
					i % 2 == 0 ? "Rx" : "Tx", i / 2);
			return -EINVAL;
		}
		ret = vionet_vq_setup_at_transport(hw, vq);
		if (ret < 0)
			return ret;
	}
	ret = vionet_ctrlq_start(hw);
	if (ret < 0)
		return ret;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vionet_rxq *rxq = dev->data->rx_queues[q];

		/* nothing is half assembled after a take-down; should a packet be, it goes back */
		vionet_rxq_drop_partial(rxq);
		vionet_rxq_apply_offloads(rxq, hw, dev->data->dev_conf.rxmode.offloads);
		/* a queue held stopped gets its buffers at its own start */
		if (port_vq_held_stopped(dev, (uint16_t)(2 * q), restart))
			continue;
		if (vionet_rxq_refill(rxq, rxq->vq.packed_ring, false) == 0) {
			VIONET_INIT_LOG(ERR, "%s: Rx queue %u: no mbuf to post", hw->tp.name, q);
			return -ENOMEM;
		}
		/* A fresh ring starts with notifications off; a waiter from before a reconnect needs them. */
		if (rxq->intr_enabled)
			vionet_rxq_intr_arm(dev, rxq);
	}
	for (uint16_t i = 0; i < n; i++) {
		if (!port_vq_configured(dev, i))
			continue;
		ret = hw->tp.ops->enable_queue(&hw->tp, i);
		if (ret < 0) {
			VIONET_INIT_LOG(ERR, "%s: cannot enable queue %u: %s", hw->tp.name, i,
					strerror(-ret));
			return ret;
		}
	}
	ret = vionet_dev_driver_ok(hw);
	if (ret < 0)
		return ret;
	/* The Rx buffers were published before DRIVER_OK, when notifying is not allowed (3.1.1): tell
	 * the device now that they are there. */
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		if (!port_vq_held_stopped(dev, (uint16_t)(2 * q), restart))
			hw->tp.ops->notify_queue(&hw->tp, (uint16_t)(2 * q));
	/*
	 * A queue held stopped was set up and enabled above with an empty ring, and is reset now.
	 * Why not leave it disabled until its start: the spec lets a driver enable a queue after
	 * DRIVER_OK only as the re-enable that follows a queue reset (4.1.4.3.2: "MAY re-enable the
	 * queue by writing 1 to queue_enable" after queue_reset; 3.1.1 sets every queue up before
	 * DRIVER_OK). An empty ring gives the device nothing to use in between.
	 */
	for (uint16_t i = 0; i < n; i++) {
		if (!port_vq_configured(dev, i) || !port_vq_held_stopped(dev, i, restart))
			continue;
		ret = reset_vq_at_device(hw, port_vq(dev, i));
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * The device stops using each ring and is reset (skipped for a device that never saw them: a back
 * end that just came back), and every mbuf it held comes back to its pool. The control queue is
 * stopped before (vionet_ctrlq_stop), outside hold_queues().
 */
static void
take_down_queues(struct rte_eth_dev *dev, bool device_has_queues)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t n = port_vq_count(dev);

	for (uint16_t i = 0; i < n && device_has_queues; i++) {
		if (port_vq(dev, i) == NULL)
			continue;
		hw->tp.ops->stop_queue(&hw->tp, i);
	}
	if (device_has_queues)
		vionet_dev_reset(hw);
	hw->needs_renegotiation = true;
	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq != NULL)
			vionet_queue_drain(vq);
	}
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vionet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			vionet_rxq_drop_partial(rxq);
	}
}

/*
 * Takes the port's rings from the bursts (running on other lcores, or in a secondary process) and
 * from Rx interrupt arming: on return the control path may re-create them. They stay closed until
 * unhold_queues(dev, true), which only a successful start calls.
 */
static void
hold_queues(struct rte_eth_dev *dev)
{
	uint16_t n = port_vq_count(dev);
	bool fenced_bursts = false;

	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq == NULL)
			continue;
		rte_spinlock_lock(&vq->intr_lock);
		vionet_vq_gate_close(&vq->gate);
		fenced_bursts |= vq->gate.fence_needed;
	}
	vionet_vq_gates_sync(fenced_bursts);
	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq != NULL)
			vionet_vq_gate_wait(&vq->gate);
	}
}

/*
 * Ends what hold_queues() began; 'open': the rings are live again (else they stay closed), but
 * for the queues the application stopped (restart: held stopped).
 */
static void
unhold_queues(struct rte_eth_dev *dev, bool open)
{
	uint16_t n = port_vq_count(dev);

	for (uint16_t i = 0; i < n; i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq == NULL)
			continue;
		if (open && port_vq_configured(dev, i) && !port_vq_held_stopped(dev, i, true))
			vionet_vq_gate_open(&vq->gate);
		rte_spinlock_unlock(&vq->intr_lock);
	}
}

int
vionet_queues_start(struct rte_eth_dev *dev)
{
	int ret = bring_up_queues(dev, false);

	if (ret < 0) {
		vionet_ctrlq_stop(vionet_hw_of(dev), true);
		take_down_queues(dev, true);
		return ret;
	}
	/* Fresh rings: a break recorded before this start is history (before any burst can report). */
	vionet_dev_fault_clear(vionet_hw_of(dev));
	/* The gates are closed (since allocation or the last stop): bursts may now use the rings. */
	for (uint16_t i = 0; i < port_vq_count(dev); i++) {
		struct vionet_vq *vq = port_vq(dev, i);

		if (vq != NULL && !(port_vq_configured(dev, i) && port_vq_held_stopped(dev, i, false)))
			vionet_vq_gate_open(&vq->gate);
	}
	return 0;
}

void
vionet_queues_stop(struct rte_eth_dev *dev)
{
	/*
	 * The control queue first: its stop waits for a command in flight (up to the command
	 * timeout), which must not happen under hold_queues()' Rx interrupt spinlocks, where an
	 * lcore enabling its queue's interrupt would spin for as long.
	 */
	vionet_ctrlq_stop(vionet_hw_of(dev), true);
	/* Bursts on other lcores end before their rings are taken away. */
	hold_queues(dev);
	take_down_queues(dev, true);
	unhold_queues(dev, false);
}

int
vionet_queues_restart(struct rte_eth_dev *dev)
{
	int ret;

	vionet_ctrlq_stop(vionet_hw_of(dev), false);
	hold_queues(dev);
	take_down_queues(dev, false);
	ret = bring_up_queues(dev, true);
	/* A failed restart leaves the rings closed: bursts return nothing instead of using them. */
	unhold_queues(dev, ret == 0);
	return ret;
}

/* One line saying why a queue cannot stop or start alone; -ENOTSUP. */
static int
queue_reset_available(struct vionet_hw *hw, uint16_t vq_index, const char *action)
{
	const char *why = hw->tp.ops->no_queue_reset;

	if (vionet_has_feature(hw, VIONET_F_RING_RESET))
		return 0;
	VIONET_LOG(ERR,
		   "%s: %s queue %u cannot be %s alone: the device did not offer "
		   "VIRTIO_F_RING_RESET%s%s%s",
		   hw->tp.name, port_vq_kind(vq_index), vq_index / 2, action,
		   why != NULL ? " (" : "", why != NULL ? why : "", why != NULL ? ")" : "");
	return -ENOTSUP;
}

int
vionet_queue_stop_one(struct rte_eth_dev *dev, uint16_t vq_index)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct vionet_vq *vq = port_vq(dev, vq_index);
	int ret = queue_reset_available(hw, vq_index, "stopped");

	if (ret < 0)
		return ret;
	/* A stopped port's rings are with no device and its gates closed already. */
	if (vq == NULL || !hw->port.started)
		return 0;
	/* As hold_queues(), for one ring: bursts leave it, Rx interrupt arming waits. */
	rte_spinlock_lock(&vq->intr_lock);
	vionet_vq_gate_hold(&vq->gate);
	ret = reset_vq_at_device(hw, vq);
	if (ret == 0)
		vionet_queue_drain(vq);
	/* a packet half assembled lost its tail with the ring: its head goes back too */
	if (vq_index % 2 == 0)
		vionet_rxq_drop_partial(dev->data->rx_queues[vq_index / 2]);
	rte_spinlock_unlock(&vq->intr_lock);
	if (ret == 0)
		VIONET_LOG(INFO, "%s: %s queue %u stopped (queue reset)", hw->tp.name,
			   port_vq_kind(vq_index), vq_index / 2);
	return ret;
}

/*
 * 2.6.1.2 Virtqueue Re-enable: the queue is configured as at the device's initialisation. The
 * device's side of the ring starts from zero after the reset (indexes 0, packed wrap counters 1),
 * so ours does too (vionet_vq_setup_at_transport); setup_queue gives the queue its MSI-X vector
 * again (Rx interrupts), which the reset cleared.
 */
static int
bring_up_one(struct rte_eth_dev *dev, struct vionet_vq *vq)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t vq_index = vq->vq_index;
	int ret = vionet_vq_setup_at_transport(hw, vq);

	if (ret < 0)
		return ret;
	if (vq_index % 2 == 0) {
		struct vionet_rxq *rxq = dev->data->rx_queues[vq_index / 2];

		/* no kick before the queue is enabled: the notification below tells the device */
		if (vionet_rxq_refill(rxq, vq->packed_ring, false) == 0) {
			VIONET_LOG(ERR, "%s: Rx queue %u: no mbuf to post", hw->tp.name, vq_index / 2);
			return -ENOMEM;
		}
		if (rxq->intr_enabled)
			vionet_rxq_intr_arm(dev, rxq);
	}
	ret = hw->tp.ops->enable_queue(&hw->tp, vq_index);
	if (ret < 0) {
		VIONET_LOG(ERR, "%s: cannot enable queue %u: %s", hw->tp.name, vq_index,
			   strerror(-ret));
		return ret;
	}
	if (vq_index % 2 == 0)
		hw->tp.ops->notify_queue(&hw->tp, vq_index);
	return 0;
}

int
vionet_queue_start_one(struct rte_eth_dev *dev, uint16_t vq_index)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct vionet_vq *vq = port_vq(dev, vq_index);
	int ret = queue_reset_available(hw, vq_index, "started");

	if (ret < 0)
		return ret;
	if (vq == NULL)
		return -EINVAL;
	if (!hw->port.started) {
		VIONET_LOG(ERR, "%s: %s queue %u: the port is not started", hw->tp.name,
			   port_vq_kind(vq_index), vq_index / 2);
		return -EIO;
	}
	/* The gate has been closed since the stop (or the port start, deferred): no burst is in. */
	rte_spinlock_lock(&vq->intr_lock);
	ret = bring_up_one(dev, vq);
	if (ret == 0) {
		vionet_vq_gate_open(&vq->gate);
	} else if (reset_vq_at_device(hw, vq) == 0) {
		/* back to stopped: what was posted returns to the pool */
		vionet_queue_drain(vq);
	}
	rte_spinlock_unlock(&vq->intr_lock);
	if (ret == 0)
		VIONET_LOG(INFO, "%s: %s queue %u started", hw->tp.name, port_vq_kind(vq_index),
			   vq_index / 2);
	return ret;
}
