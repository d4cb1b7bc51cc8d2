/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eth_dev_ops of both vionet drivers: configuration, start/stop, link, receive filters through the
 * control path, MTU, VLAN, stats and queue information. Transport-agnostic: only the device layer and
 * the queue layer are called from here.
 */
#include "ethdev/ethdev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "base/vionet_log.h"
#include "device/device_ctrl.h"
#include "device/device_rss.h"
#include "queue/queue.h"
#include "queue/queue_start.h"
#include "queue/queue_rx_intr.h"
#include "queue/queue_rx_monitor.h"
#include "rxtx/rxtx.h"
#include "rxtx/rxtx_ptype.h"

#define VIONET_DRIVER_VERSION "0.1.0"

static void link_log_summary(void *arg);

static int
ethdev_configure(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	const struct rte_eth_conf *conf = &dev->data->dev_conf;
	uint16_t pairs = RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	int ret;

	if (pairs > hw->max_queue_pairs) {
		VIONET_INIT_LOG(ERR, "%s: %u queues requested, the device has %u queue pairs", hw->tp.name,
				pairs, hw->max_queue_pairs);
		return -EINVAL;
	}
	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE && conf->rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		VIONET_INIT_LOG(ERR, "%s: Rx multi-queue mode %d not supported (NONE or RSS)",
				hw->tp.name, conf->rxmode.mq_mode);
		return -ENOTSUP;
	}
	if (conf->txmode.mq_mode != RTE_ETH_MQ_TX_NONE) {
		VIONET_INIT_LOG(ERR, "%s: Tx multi-queue mode %d not supported", hw->tp.name,
				conf->txmode.mq_mode);
		return -ENOTSUP;
	}
	if (dev->data->mtu > hw->max_mtu) {
		VIONET_INIT_LOG(ERR, "%s: MTU %u above the device's %u", hw->tp.name, dev->data->mtu,
				hw->max_mtu);
		return -EINVAL;
	}
	ret = vionet_ethdev_rss_configure(dev);
	if (ret < 0)
		return ret;
	hw->mtu = dev->data->mtu;
	/* What the device negotiates follows the offloads asked for (a reset when they change). */
	ret = vionet_dev_set_offloads(hw, vionet_dev_offload_features_for(conf->rxmode.offloads,
									   conf->txmode.offloads));
	if (ret < 0)
		VIONET_INIT_LOG(ERR, "%s: cannot negotiate the offload features again: %s",
				hw->tp.name, strerror(-ret));
	return ret;
}

/* The device runs: receive modes set while it was not, and the pairs the port uses. */
static int
after_driver_ok(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t pairs = RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	int ret;

	vionet_ctrl_device_ready(hw);
	/* With MQ the device starts with one pair active (5.1.6.5.5 Automatic receive steering in multiqueue mode). */
	if (hw->max_queue_pairs > 1) {
		ret = vionet_ctrl_set_queue_pairs(hw, pairs);
		if (ret < 0) {
			VIONET_INIT_LOG(ERR, "%s: cannot activate %u queue pairs: %s", hw->tp.name, pairs,
					strerror(-ret));
			return ret;
		}
	}
	/* after the pairs: a device may read VQ_PAIRS_SET as "steer automatically, RSS off" */
	ret = vionet_rss_apply(hw);
	if (ret < 0)
		VIONET_INIT_LOG(ERR, "%s: the device did not take the RSS settings: %s", hw->tp.name,
				strerror(-ret));
	return ret;
}

/*
 * What ethdev reports of every configured queue (rte_eth_rx_queue_info_get, queue start/stop):
 * 'state', but STOPPED for a queue set up with deferred_start (queue_start.c keeps it stopped).
 */
static void
set_queue_states(struct rte_eth_dev *dev, uint8_t state)
{
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[i];

		dev->data->rx_queue_state[i] = rxq != NULL && rxq->deferred_start
						       ? RTE_ETH_QUEUE_STATE_STOPPED
						       : state;
	}
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct vionet_txq *txq = dev->data->tx_queues[i];

		dev->data->tx_queue_state[i] = txq != NULL && txq->deferred_start
						       ? RTE_ETH_QUEUE_STATE_STOPPED
						       : state;
	}
}

static int
start_locked(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int ret;

	ret = vionet_rx_intr_start(dev);
	if (ret < 0)
		return ret;
	ret = vionet_queues_start(dev);
	if (ret == 0) {
		ret = after_driver_ok(dev);
		if (ret < 0)
			vionet_queues_stop(dev);
	}
	if (ret < 0) {
		vionet_rx_intr_stop(dev);
		return ret;
	}
	vionet_rxtx_select(dev);
	hw->port.started = true;
	/* With LSC ethdev reads the stored status: store it now and on every change. */
	vionet_link_update(dev, 0);
	set_queue_states(dev, RTE_ETH_QUEUE_STATE_STARTED);
	return 0;
}

void
vionet_ethdev_recover(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	pthread_mutex_lock(&hw->port.lifecycle_lock);
	/* A broken port waits for the application's reset (or stop and start), reconnect or not. */
	if (hw->port.started && !vionet_dev_is_broken(hw) &&
	    (hw->tp.ops->get_status(&hw->tp) & VIONET_STATUS_DRIVER_OK) == 0) {
		int ret;

		VIONET_LOG(INFO, "%s: device lost its state: setting the queues up again", hw->tp.name);
		ret = vionet_queues_restart(dev);
		if (ret == 0)
			ret = after_driver_ok(dev);
		/* -EPROTO: other ring features; the break's own report says which. */
		if (ret < 0 && ret != -EPROTO)
			VIONET_LOG(ERR, "%s: cannot set the queues up again", hw->tp.name);
	}
	pthread_mutex_unlock(&hw->port.lifecycle_lock);
}

/* A start or stop, serialised with the recovery a back end's return triggers (transport thread). */
static int
with_lifecycle_lock(struct rte_eth_dev *dev, int (*step)(struct rte_eth_dev *dev))
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int ret;

	pthread_mutex_lock(&hw->port.lifecycle_lock);
	ret = step(dev);
	pthread_mutex_unlock(&hw->port.lifecycle_lock);
	return ret;
}

static int
ethdev_start(struct rte_eth_dev *dev)
{
	return with_lifecycle_lock(dev, start_locked);
}

static int
stop_locked(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	if (!hw->port.started)
		return 0;
	hw->port.started = false;
	dev->data->dev_started = 0;
	vionet_queues_stop(dev);
	vionet_rx_intr_stop(dev);
	vionet_link_update(dev, 0);
	set_queue_states(dev, RTE_ETH_QUEUE_STATE_STOPPED);
	return 0;
}

static int
ethdev_stop(struct rte_eth_dev *dev)
{
	/* Not under the lifecycle lock: the announce handler takes it, and this waits for it. */
	vionet_dev_announce_cancel(vionet_hw_of(dev));
	return with_lifecycle_lock(dev, stop_locked);
}

/*
 * One queue stopped or started alone (VIRTIO_F_RING_RESET), serialised with port start, stop and
 * recovery. Its state changes only when the device did what was asked.
 */
static int
queue_state_change(struct rte_eth_dev *dev, uint16_t vq_index, bool start)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t qid = vq_index / 2;
	uint8_t *state = vq_index % 2 == 0 ? &dev->data->rx_queue_state[qid]
					   : &dev->data->tx_queue_state[qid];
	int ret;

	/* the device and the transport's ops are the primary's */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;
	pthread_mutex_lock(&hw->port.lifecycle_lock);
	ret = start ? vionet_queue_start_one(dev, vq_index) : vionet_queue_stop_one(dev, vq_index);
	if (ret == 0)
		*state = start ? RTE_ETH_QUEUE_STATE_STARTED : RTE_ETH_QUEUE_STATE_STOPPED;
	pthread_mutex_unlock(&hw->port.lifecycle_lock);
	return ret;
}

static int
ethdev_rx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	return queue_state_change(dev, (uint16_t)(2 * queue_id), true);
}

static int
ethdev_rx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	return queue_state_change(dev, (uint16_t)(2 * queue_id), false);
}

static int
ethdev_tx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	return queue_state_change(dev, (uint16_t)(2 * queue_id + 1), true);
}

static int
ethdev_tx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	return queue_state_change(dev, (uint16_t)(2 * queue_id + 1), false);
}

static int
ethdev_close(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	ethdev_stop(dev);
	vionet_dev_fault_cancel(hw);
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		vionet_rx_queue_release(dev, i);
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		vionet_tx_queue_release(dev, i);
	vionet_ctrl_release(hw);
	vionet_dev_reset(hw);
	/* The transport frees the Rx interrupt handle (vhost-user) or the PCI bus owns it. */
	dev->intr_handle = NULL;
	/* Not under the lifecycle lock: close joins the transport thread, which may wait for it. */
	hw->tp.ops->close(&hw->tp);
	/* No more configuration changes: a request scheduled since the stop goes with the port. */
	vionet_dev_announce_cancel(hw);
	/* No more link changes: a summary still due goes with the port (waits if it is running). */
	rte_eal_alarm_cancel(link_log_summary, hw);
	vionet_ethdev_proc_free(dev);
	hw->eth_dev = NULL;
	pthread_mutex_destroy(&hw->port.lifecycle_lock);
	pthread_mutex_destroy(&hw->ctrl_lock);
	return 0;
}

/* ethdev "reset": back to the state after probe; the application configures the port again. */
static int
ethdev_reset(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int ret;

	ethdev_stop(dev);
	vionet_ctrl_release(hw);
	ret = vionet_dev_renegotiate(hw);
	if (ret < 0)
		return ret;
	return vionet_ctrl_init(hw);
}

/* Stores the port's link for ethdev: up when the device says so and the port is started. */
static int
store_link(struct rte_eth_dev *dev, bool device_link_up)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct rte_eth_link link = {
		.link_speed = hw->speed_mbps,
		.link_duplex = hw->full_duplex ? RTE_ETH_LINK_FULL_DUPLEX : RTE_ETH_LINK_HALF_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};

	/* A broken port is down whatever the device says, until the application starts it again. */
	link.link_status = hw->port.started && device_link_up && !vionet_dev_is_broken(hw)
				   ? RTE_ETH_LINK_UP
				   : RTE_ETH_LINK_DOWN;
	if (link.link_status == RTE_ETH_LINK_DOWN)
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	return rte_eth_linkstatus_set(dev, &link);
}

int
vionet_link_update(struct rte_eth_dev *dev, int wait_to_complete __rte_unused)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	hw->link_up = vionet_dev_read_link(hw, hw->tp.ops);
	return store_link(dev, hw->link_up);
}

/*
 * The one speed the link runs at, without autonegotiation: the bit of a speed ethdev names, from
 * the devarg or the device's config (5.1.4 speed, with VIRTIO_NET_F_SPEED_DUPLEX). The default
 * speed the port reports when neither says, or a speed ethdev has no bit for, claims none.
 */
static uint32_t
ethdev_speed_capa(const struct vionet_hw *hw)
{
	uint32_t capa = RTE_ETH_LINK_SPEED_FIXED;

	if (hw->speed_known)
		capa |= rte_eth_speed_bitflag(hw->speed_mbps, hw->full_duplex ? RTE_ETH_LINK_FULL_DUPLEX
									    : RTE_ETH_LINK_HALF_DUPLEX);
	return capa;
}

static int
ethdev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	uint16_t max_ring = hw->queue_size_max;
	uint16_t default_ring = hw->queue_size_default;
	uint64_t offered;

	info->max_rx_queues = hw->max_queue_pairs;
	info->max_tx_queues = hw->max_queue_pairs;
	info->max_mac_addrs = VIONET_MAC_TABLE_SIZE;
	/* One Rx buffer holds the virtio-net header and at least a minimal frame. */
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN + hw->net_hdr_size;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = hw->max_mtu;
	info->max_rx_pktlen = (uint32_t)hw->max_mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
	info->max_lro_pkt_size = UINT16_MAX;

	/* The offloads the device offers, negotiated when the application asks (ethdev_configure). */
	offered = vionet_dev_offload_features_offered(hw);
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
	if (vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (offered & VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	if (offered & (VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6)))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	if (offered & VIRTQ_FEATURE(VIONET_NET_F_HASH_REPORT))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_RSS_HASH;

	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (offered & VIRTQ_FEATURE(VIONET_NET_F_CSUM))
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (offered & (VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO6)))
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	info->flow_type_rss_offloads = 0;
	info->reta_size = 0;
	info->hash_key_size = 0;
	vionet_ethdev_rss_info(hw, info);

	info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = max_ring,
		.nb_min = VIONET_QUEUE_SIZE_MIN,
		.nb_align = 1,
	};
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = default_ring;
	info->default_txportconf.ring_size = default_ring;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->default_rxportconf.burst_size = VIONET_BURST_MAX;
	info->default_txportconf.burst_size = VIONET_BURST_MAX;
	/* rx_free_thresh and tx_free_thresh stay 0 in the default confs: 0 asks for the queue's
	 * own default (a quarter of the ring, at most 64), which suits every
	 * ring size. */
	info->speed_capa = ethdev_speed_capa(hw);
	info->dev_capa = 0;
	return 0;
}

static int
ethdev_fw_version_get(struct rte_eth_dev *dev, char *fw_version, size_t fw_size)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int len;

	/* No firmware: the driver version, the transport and the negotiated feature bits. */
	len = snprintf(fw_version, fw_size, "vionet %s %s features 0x%" PRIx64,
		       VIONET_DRIVER_VERSION, vionet_transport_proc_of(&hw->tp)->ops->name, hw->tp.features);
	if (len < 0)
		return -EINVAL;
	return (size_t)len + 1 > fw_size ? len + 1 : 0;
}

static int
ethdev_promiscuous_enable(struct rte_eth_dev *dev)
{
	return vionet_ctrl_set_promisc(vionet_hw_of(dev), true);
}

static int
ethdev_promiscuous_disable(struct rte_eth_dev *dev)
{
	return vionet_ctrl_set_promisc(vionet_hw_of(dev), false);
}

static int
ethdev_allmulticast_enable(struct rte_eth_dev *dev)
{
	return vionet_ctrl_set_allmulti(vionet_hw_of(dev), true);
}

static int
ethdev_allmulticast_disable(struct rte_eth_dev *dev)
{
	return vionet_ctrl_set_allmulti(vionet_hw_of(dev), false);
}

/*
 * The device's MAC filter is one table of unicast and multicast addresses (VIONET_CTRL_MAC_TABLE_SET),
 * so every change sends the whole table: the port's addresses with 'skip' left out and 'add' put at
 * 'add_index'.
 */
static int
send_mac_table(struct rte_eth_dev *dev, uint32_t skip, const struct rte_ether_addr *add,
	       uint32_t add_index)
{
	struct rte_ether_addr uc[VIONET_MAC_TABLE_SIZE], mc[VIONET_MAC_TABLE_SIZE];
	uint32_t n_uc = 0, n_mc = 0;

	for (uint32_t i = 1; i < VIONET_MAC_TABLE_SIZE; i++) {
		const struct rte_ether_addr *a = &dev->data->mac_addrs[i];

		if (i == skip)
			continue;
		if (add != NULL && i == add_index)
			a = add;
		if (rte_is_zero_ether_addr(a))
			continue;
		if (rte_is_multicast_ether_addr(a))
			mc[n_mc++] = *a;
		else
			uc[n_uc++] = *a;
	}
	return vionet_ctrl_set_mac_table(vionet_hw_of(dev), uc, n_uc, mc, n_mc);
}

static int
ethdev_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index,
		    uint32_t vmdq __rte_unused)
{
	if (index == 0 || index >= VIONET_MAC_TABLE_SIZE)
		return -EINVAL;
	return send_mac_table(dev, UINT32_MAX, mac, index);
}

static void
ethdev_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	if (index == 0 || index >= VIONET_MAC_TABLE_SIZE)
		return;
	send_mac_table(dev, index, NULL, 0);
}

static int
ethdev_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int ret = vionet_ctrl_set_mac(hw, mac);

	/* A device that cannot be told keeps its filter; the port still sends from the new address. */
	if (ret == 0 || ret == -ENOTSUP) {
		hw->mac = *mac;
		return 0;
	}
	return ret;
}

static int
ethdev_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	if (mtu < RTE_ETHER_MIN_MTU || mtu > hw->max_mtu) {
		VIONET_LOG(ERR, "%s: MTU %u outside %u..%u", hw->tp.name, mtu, RTE_ETHER_MIN_MTU,
			   hw->max_mtu);
		return -EINVAL;
	}
	/* Without mergeable buffers one Rx buffer must hold a whole frame. */
	if (!vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF) && !vionet_rx_buffers_fit(dev, mtu)) {
		VIONET_LOG(ERR, "%s: MTU %u does not fit one Rx buffer and mrg_rxbuf is off", hw->tp.name,
			   mtu);
		return -EINVAL;
	}
	hw->mtu = mtu;
	return 0;
}

static int
ethdev_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vlan_id, int on)
{
	return vionet_ctrl_vlan(vionet_hw_of(dev), vlan_id, on != 0);
}

/* VLAN strip is done in software on Rx (as virtio users expect); the queues read the flag at start. */
static int
ethdev_vlan_offload_set(struct rte_eth_dev *dev, int mask)
{
	const struct rte_eth_rxmode *rxmode = &dev->data->dev_conf.rxmode;

	if (mask & RTE_ETH_VLAN_STRIP_MASK) {
		bool strip = (rxmode->offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) != 0;

		for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
			struct vionet_rxq *rxq = dev->data->rx_queues[i];

			if (rxq != NULL)
				rxq->vlan_strip = strip;
		}
	}
	return 0;
}

/* The q_* counter of rte_eth_stats queue 'q' adds to, or RTE_ETHDEV_QUEUE_STAT_CNTRS for none. */
static unsigned int
stats_counter(const uint8_t *mapped, uint16_t q)
{
	if (q < VIONET_QUEUE_PAIRS_MAX && mapped[q] != 0)
		return mapped[q] - 1u;
	return q < RTE_ETHDEV_QUEUE_STAT_CNTRS ? q : RTE_ETHDEV_QUEUE_STAT_CNTRS;
}

/* ethdev zeroes 'stats' first; queues mapped to one counter add up there. */
static int
ethdev_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	const struct vionet_port_state *port = &vionet_hw_of(dev)->port;

	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[i];
		unsigned int c = stats_counter(port->rx_stats_counter, i);

		if (rxq == NULL)
			continue;
		stats->ipackets += rxq->stats.packets;
		stats->ibytes += rxq->stats.bytes;
		stats->ierrors += rxq->stats.errors;
		stats->rx_nombuf += rxq->stats.mbuf_alloc_failed;
		if (c < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_ipackets[c] += rxq->stats.packets;
			stats->q_ibytes[c] += rxq->stats.bytes;
			stats->q_errors[c] += rxq->stats.errors;
		}
	}
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct vionet_txq *txq = dev->data->tx_queues[i];
		unsigned int c = stats_counter(port->tx_stats_counter, i);

		if (txq == NULL)
			continue;
		stats->opackets += txq->stats.packets;
		stats->obytes += txq->stats.bytes;
		stats->oerrors += txq->stats.errors;
		if (c < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_opackets[c] += txq->stats.packets;
			stats->q_obytes[c] += txq->stats.bytes;
		}
	}
	return 0;
}

/* ethdev checked the queue against the port's, the counter against RTE_ETHDEV_QUEUE_STAT_CNTRS. */
static int
ethdev_queue_stats_mapping_set(struct rte_eth_dev *dev, uint16_t queue_id, uint8_t stat_idx,
			       uint8_t is_rx)
{
	struct vionet_port_state *port = &vionet_hw_of(dev)->port;

	if (queue_id >= VIONET_QUEUE_PAIRS_MAX || stat_idx >= RTE_ETHDEV_QUEUE_STAT_CNTRS)
		return -EINVAL;
	if (is_rx)
		port->rx_stats_counter[queue_id] = stat_idx + 1;
	else
		port->tx_stats_counter[queue_id] = stat_idx + 1;
	return 0;
}

static int
ethdev_stats_reset(struct rte_eth_dev *dev)
{
	return vionet_xstats_reset(dev);
}

static void
ethdev_rxq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_rxq_info *info)
{
	const struct vionet_rxq *rxq = dev->data->rx_queues[queue_id];

	info->mp = rxq->mp;
	info->nb_desc = rxq->ring_size;
	info->scattered_rx = rxq->mrg_rxbuf;
	info->rx_buf_size = rxq->buf_len;
	info->conf.rx_free_thresh = rxq->refill_thresh;
	info->conf.rx_deferred_start = rxq->deferred_start;
	info->conf.offloads = dev->data->dev_conf.rxmode.offloads;
}

static void
ethdev_txq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_txq_info *info)
{
	const struct vionet_txq *txq = dev->data->tx_queues[queue_id];

	info->nb_desc = txq->ring_size;
	info->conf.tx_free_thresh = txq->free_thresh;
	info->conf.tx_deferred_start = txq->deferred_start;
	info->conf.offloads = dev->data->dev_conf.txmode.offloads;
}

static int
ethdev_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t queue_id __rte_unused,
			 struct rte_eth_burst_mode *mode)
{
	snprintf(mode->info, sizeof(mode->info), "%s", vionet_rx_path_name(dev));
	return 0;
}

static int
ethdev_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t queue_id __rte_unused,
			 struct rte_eth_burst_mode *mode)
{
	snprintf(mode->info, sizeof(mode->info), "%s", vionet_tx_path_name(dev));
	return 0;
}

/* What the scalar Rx paths parse once asked (ethdev_ptypes_set); listed whatever the port runs
 * now, as rte_eth_dev_set_ptypes asks for the list before it sets a mask. */
static VIONET_SUPPORTED_PTYPES_GET(ethdev_supported_ptypes_get)
{
	const uint32_t *list = vionet_rx_ptypes_supported();
	size_t n = 0;

	RTE_SET_USED(dev);
	while (list[n] != RTE_PTYPE_UNKNOWN)
		n++;
	VIONET_SUPPORTED_PTYPES_RETURN(list, n);
}

/*
 * rte_eth_dev_set_ptypes: a non-empty mask turns the Rx frame parse on (off by default: it reads
 * every frame's headers), and the next start picks a scalar Rx path (rxtx_select.c); 0 turns it
 * off. A started port's scalar path parses from the next burst; a vector one from the next start.
 */
static int
ethdev_ptypes_set(struct rte_eth_dev *dev, uint32_t ptype_mask)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	hw->port.rx_ptype_mask = ptype_mask;
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		struct vionet_rxq *rxq = dev->data->rx_queues[i];

		if (rxq != NULL)
			rxq->ptype_mask = ptype_mask;
	}
	if (hw->port.started)
		VIONET_LOG(INFO, "%s: port %u: Rx packet types 0x%x (Rx burst function %s; a vector "
			   "Rx path follows at the next start)", hw->tp.name, dev->data->port_id,
			   ptype_mask, vionet_rx_path_name(dev));
	return 0;
}

const struct eth_dev_ops vionet_eth_dev_ops = {
	.dev_configure = ethdev_configure,
	.dev_start = ethdev_start,
	.dev_stop = ethdev_stop,
	.dev_close = ethdev_close,
	.dev_reset = ethdev_reset,
	.link_update = vionet_link_update,
	.promiscuous_enable = ethdev_promiscuous_enable,
	.promiscuous_disable = ethdev_promiscuous_disable,
	.allmulticast_enable = ethdev_allmulticast_enable,
	.allmulticast_disable = ethdev_allmulticast_disable,
	.mac_addr_add = ethdev_mac_addr_add,
	.mac_addr_remove = ethdev_mac_addr_remove,
	.mac_addr_set = ethdev_mac_addr_set,
	.mtu_set = ethdev_mtu_set,
	.stats_get = ethdev_stats_get,
	.stats_reset = ethdev_stats_reset,
	.queue_stats_mapping_set = ethdev_queue_stats_mapping_set,
	.xstats_get = vionet_xstats_get,
	.xstats_get_names = vionet_xstats_get_names,
	.xstats_reset = vionet_xstats_reset,
	.dev_infos_get = ethdev_infos_get,
	.rss_hash_update = vionet_ethdev_rss_hash_update,
	.rss_hash_conf_get = vionet_ethdev_rss_hash_conf_get,
	.reta_update = vionet_ethdev_reta_update,
	.reta_query = vionet_ethdev_reta_query,
	.fw_version_get = ethdev_fw_version_get,
	.rxq_info_get = ethdev_rxq_info_get,
	.txq_info_get = ethdev_txq_info_get,
	.rx_burst_mode_get = ethdev_rx_burst_mode_get,
	.tx_burst_mode_get = ethdev_tx_burst_mode_get,
	.vlan_filter_set = ethdev_vlan_filter_set,
	.vlan_offload_set = ethdev_vlan_offload_set,
	.dev_supported_ptypes_get = ethdev_supported_ptypes_get,
	.dev_ptypes_set = ethdev_ptypes_set,
	.rx_queue_start = ethdev_rx_queue_start,
	.rx_queue_stop = ethdev_rx_queue_stop,
	.tx_queue_start = ethdev_tx_queue_start,
	.tx_queue_stop = ethdev_tx_queue_stop,
	.rx_queue_setup = vionet_rx_queue_setup,
	.rx_queue_release = vionet_rx_queue_release,
	.tx_queue_setup = vionet_tx_queue_setup,
	.tx_queue_release = vionet_tx_queue_release,
	.tx_done_cleanup = vionet_tx_done_cleanup,
	.rx_queue_intr_enable = vionet_rx_queue_intr_enable,
	.rx_queue_intr_disable = vionet_rx_queue_intr_disable,
	.get_monitor_addr = vionet_rx_queue_monitor_addr,
};

/*
 * An EAL alarm, VIONET_LOG_RATELIMIT_INTERVAL_MS after the first line held back: the summary of a
 * burst of link changes, with the state it ended in (users grep for "link up" / "link down").
 */
static void
link_log_summary(void *arg)
{
	struct vionet_hw *hw = arg;
	uint32_t suppressed;

	rte_spinlock_lock(&hw->port.link_log_lock);
	hw->port.link_log_summary_armed = false;
	suppressed = vionet_log_ratelimit_take_suppressed(&hw->port.link_log);
	rte_spinlock_unlock(&hw->port.link_log_lock);
	if (suppressed > 0)
		VIONET_LOG(INFO, "%s: %u link changes suppressed; link %s", hw->tp.name, suppressed,
			   hw->link_up ? "up" : "down");
}

/* "link up/down", the first lines of a burst of changes; the rest counted for a summary. */
static void
log_link_change(struct vionet_hw *hw, bool up)
{
	uint64_t now_ms = rte_get_timer_cycles() / (rte_get_timer_hz() / 1000);
	uint32_t suppressed;
	bool log;

	rte_spinlock_lock(&hw->port.link_log_lock);
	log = vionet_log_ratelimit_allow(&hw->port.link_log, now_ms, &suppressed);
	if (!log && !hw->port.link_log_summary_armed)
		hw->port.link_log_summary_armed =
			rte_eal_alarm_set(VIONET_LOG_RATELIMIT_INTERVAL_MS * 1000ULL,
					  link_log_summary, hw) == 0;
	rte_spinlock_unlock(&hw->port.link_log_lock);
	if (suppressed > 0)
		VIONET_LOG(INFO, "%s: %u link changes suppressed", hw->tp.name, suppressed);
	/* A broken port stays down for the application whatever the device says: say both. */
	if (log)
		VIONET_LOG(INFO, "%s: link %s%s", hw->tp.name, up ? "up" : "down",
			   up && vionet_dev_is_broken(hw) ? " (the port stays down: broken, waiting for "
							     "the application's reset)"
							   : "");
}

/*
 * The device layer's report of a link change. A device that comes back without DRIVER_OK (vhost-user
 * back end restarted) knows nothing of our rings: a started port negotiates and sets its queues up
 * again. A link that only flapped (PCI config status) keeps its rings.
 */
static void
ethdev_link_changed(struct vionet_hw *hw, bool up)
{
	struct rte_eth_dev *dev = hw->eth_dev;

	if (up && dev != NULL)
		vionet_ethdev_recover(dev);
	/* Said once the port can carry traffic again. */
	log_link_change(hw, up);
	if (dev == NULL)
		return;
	vionet_link_update(dev, 0);
	if (dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/*
 * The device layer's report that the device broke the port (on the interrupt thread, from an
 * alarm): one log line with what the device did, the link down, then RTE_ETH_EVENT_INTR_RESET. A
 * broken ring's own gate is closed already (its bursts return 0); the other queues keep running
 * until the application acts. The application answers with rte_eth_dev_reset (then configure, queue
 * set-up, start) or a stop and start; either returns every mbuf to its pool. Nothing touches hw
 * after the event: the application's callback may close the port.
 */
static void
ethdev_device_broken(struct vionet_hw *hw)
{
	struct rte_eth_dev *dev = hw->eth_dev;
	bool lsc;

	if (dev == NULL)
		return;
	pthread_mutex_lock(&hw->port.lifecycle_lock);
	if (!vionet_dev_fault_take(hw)) {
		pthread_mutex_unlock(&hw->port.lifecycle_lock);
		return;
	}
	VIONET_LOG(ERR, "%s: port %u broken: %s; link down until the application stops and starts "
		   "the port or resets it (rte_eth_dev_reset)",
		   hw->tp.name, dev->data->port_id, hw->fault.what);
	vionet_link_update(dev, 0);
	lsc = dev->data->dev_conf.intr_conf.lsc != 0;
	pthread_mutex_unlock(&hw->port.lifecycle_lock);
	if (lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RESET, NULL);
}

static const struct vionet_dev_events ethdev_events = {
	.link_changed = ethdev_link_changed,
	.broken = ethdev_device_broken,
	.announce = vionet_ethdev_announce,
};

struct vionet_hw *
vionet_ethdev_hw_prepare(struct rte_eth_dev *eth_dev, const char *name,
			 const struct vionet_devargs *devargs, bool use_va, int numa_node)
{
	struct vionet_hw *hw = vionet_hw_of(eth_dev);

	vionet_dev_prepare(hw, name, devargs, eth_dev->data->port_id, use_va, numa_node,
			   &ethdev_events);
	hw->eth_dev = eth_dev;
	pthread_mutex_init(&hw->port.lifecycle_lock, NULL);
	rte_spinlock_init(&hw->port.link_log_lock);
	rte_spinlock_init(&hw->port.announce.lock);
	return hw;
}

struct vionet_transport_proc *
vionet_ethdev_proc_attach(struct rte_eth_dev *eth_dev)
{
	struct vionet_transport_proc *proc = eth_dev->process_private;

	if (proc != NULL)
		return proc;
	proc = rte_zmalloc_socket("vionet_proc", sizeof(*proc), RTE_CACHE_LINE_SIZE,
				  eth_dev->device != NULL ? eth_dev->device->numa_node : SOCKET_ID_ANY);
	if (proc == NULL) {
		VIONET_INIT_LOG(ERR, "%s: no memory for the per-process part of port %u",
				eth_dev->data->name, eth_dev->data->port_id);
		return NULL;
	}
	eth_dev->process_private = proc;
	return proc;
}

void
vionet_ethdev_proc_free(struct rte_eth_dev *eth_dev)
{
	rte_free(eth_dev->process_private);
	eth_dev->process_private = NULL;
}

int
vionet_ethdev_init(struct rte_eth_dev *eth_dev)
{
	struct vionet_hw *hw = vionet_hw_of(eth_dev);
	/* The PCI probe made it already (its transport keeps per-process state); the vdev's is made here. */
	bool own_proc = eth_dev->process_private == NULL;
	struct vionet_transport_proc *proc = vionet_ethdev_proc_attach(eth_dev);
	int ret;

	if (proc == NULL)
		return -ENOMEM;
	proc->ops = hw->tp.ops;
	ret = vionet_dev_init(hw);
	if (ret < 0)
		goto fail;
	ret = vionet_ctrl_init(hw);
	if (ret < 0)
		goto fail;
	eth_dev->data->mac_addrs = rte_zmalloc_socket(hw->tp.name,
						      VIONET_MAC_TABLE_SIZE * RTE_ETHER_ADDR_LEN, 0,
						      hw->tp.numa_node);
	if (eth_dev->data->mac_addrs == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot allocate the MAC address table", hw->tp.name);
		vionet_ctrl_release(hw);
		ret = -ENOMEM;
		goto fail;
	}
	hw->queue_size_max = vionet_queue_max_size(hw);
	hw->queue_size_default = vionet_queue_default_size(hw);
	rte_ether_addr_copy(&hw->mac, &eth_dev->data->mac_addrs[0]);
	eth_dev->data->mtu = hw->mtu;
	eth_dev->dev_ops = &vionet_eth_dev_ops;
	eth_dev->rx_queue_count = vionet_rx_queue_count;
	eth_dev->rx_pkt_burst = vionet_rx_burst_stopped;
	eth_dev->tx_pkt_burst = vionet_tx_burst_stopped;
	eth_dev->tx_pkt_prepare = vionet_tx_prepare;
	/* LSC: transports call vionet_dev_link_changed(); AUTOFILL_QUEUE_XSTATS off: ours are richer. */
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	hw->eth_dev = eth_dev;
	rte_eth_dev_probing_finish(eth_dev);
	return 0;
fail:
	if (own_proc)
		vionet_ethdev_proc_free(eth_dev);
	return ret;
}

/* ---- A secondary process: bursts on the primary's queues, reads, nothing that configures ---- */

/*
 * Reads the device's link through this process's transport ops and stores it in the shared port
 * data, as the primary would. hw->link_up is left alone: it is the primary's memory of what it last
 * reported, which decides whether its config-change interrupt raises an LSC event.
 */
static int
ethdev_secondary_link_update(struct rte_eth_dev *dev, int wait_to_complete __rte_unused)
{
	struct vionet_hw *hw = vionet_hw_of(dev);

	return store_link(dev, vionet_dev_read_link(hw, vionet_transport_proc_of(&hw->tp)->ops));
}

/* Undoes this process's attach only (its BAR and I/O port mappings): the device keeps running. */
static int
ethdev_secondary_close(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct vionet_transport_proc *proc = dev->process_private;

	if (proc != NULL && proc->ops != NULL && proc->ops->detach != NULL)
		proc->ops->detach(&hw->tp);
	vionet_ethdev_proc_free(dev);
	return 0;
}

/*
 * What a secondary may call. Everything that configures the port or the device (configure, start,
 * stop, queue set-up, receive filters, MTU, resets, Rx interrupts) is absent, so ethdev answers
 * -ENOTSUP: the primary owns the device and its queues.
 */
static const struct eth_dev_ops vionet_eth_dev_secondary_ops = {
	.dev_close = ethdev_secondary_close,
	.link_update = ethdev_secondary_link_update,
	.stats_get = ethdev_stats_get,
	.xstats_get = vionet_xstats_get,
	.xstats_get_names = vionet_xstats_get_names,
	.dev_infos_get = ethdev_infos_get,
	.fw_version_get = ethdev_fw_version_get,
	.rxq_info_get = ethdev_rxq_info_get,
	.txq_info_get = ethdev_txq_info_get,
	.rx_burst_mode_get = ethdev_rx_burst_mode_get,
	.tx_burst_mode_get = ethdev_tx_burst_mode_get,
	.tx_done_cleanup = vionet_tx_done_cleanup,
	.get_monitor_addr = vionet_rx_queue_monitor_addr,
};

int
vionet_ethdev_attach_secondary(struct rte_eth_dev *eth_dev)
{
	eth_dev->dev_ops = &vionet_eth_dev_secondary_ops;
	eth_dev->rx_queue_count = vionet_rx_queue_count;
	eth_dev->tx_pkt_prepare = vionet_tx_prepare;
	vionet_rxtx_attach(eth_dev);
	rte_eth_dev_probing_finish(eth_dev);
	return 0;
}

int
vionet_ethdev_of_port(uint16_t port_id, struct rte_eth_dev **dev)
{
	if (!rte_eth_dev_is_valid_port(port_id))
		return -ENODEV;
	*dev = &rte_eth_devices[port_id];
	if ((*dev)->dev_ops == &vionet_eth_dev_secondary_ops)
		return -E_RTE_SECONDARY; /* the device is the primary's to drive */
	if ((*dev)->dev_ops != &vionet_eth_dev_ops)
		return -ENODEV;
	return 0;
}
