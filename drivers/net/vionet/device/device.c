/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device initialisation (3.1 Device Initialization), feature negotiation, configuration space
 * and link state, through the transport ops table only.
 */
#include "device/device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pthread.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "base/vionet_log.h"

uint64_t
vionet_dev_wanted_features(const struct vionet_hw *hw)
{
	uint64_t want = VIRTQ_FEATURE(VIONET_F_VERSION_1) | VIRTQ_FEATURE(VIONET_NET_F_MAC) |
			VIRTQ_FEATURE(VIONET_NET_F_STATUS) | VIRTQ_FEATURE(VIONET_NET_F_MTU) |
			VIRTQ_FEATURE(VIONET_NET_F_CTRL_VQ) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_RX) |
			VIRTQ_FEATURE(VIONET_NET_F_CTRL_VLAN) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_MAC_ADDR) |
			VIRTQ_FEATURE(VIONET_NET_F_MQ) | VIRTQ_FEATURE(VIONET_F_EVENT_IDX) |
			VIRTQ_FEATURE(VIONET_F_INDIRECT_DESC) | VIRTQ_FEATURE(VIONET_NET_F_SPEED_DUPLEX);

	if (hw->tp.devargs.packed_vq)
		want |= VIRTQ_FEATURE(VIONET_F_RING_PACKED);
	if (hw->tp.devargs.in_order)
		want |= VIRTQ_FEATURE(VIONET_F_IN_ORDER);
	if (hw->tp.devargs.mrg_rxbuf)
		want |= VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF);
	/* One Rx or Tx queue stopped and started alone (rx/tx_queue_stop, deferred_start). */
	if (hw->tp.ops->reset_queue != NULL)
		want |= VIRTQ_FEATURE(VIONET_F_RING_RESET);
	/* RSS is set through the control virtqueue: not with a transport that answers commands
	 * itself (vhost-user), which could only pretend to steer. */
	if (hw->tp.ops->ctrl_command == NULL)
		want |= VIRTQ_FEATURE(VIONET_NET_F_RSS);
	/* The announce request comes in config status and is acknowledged on the control virtqueue:
	 * a transport that answers commands itself has no device that could ask (vhost-user). */
	if (hw->tp.ops->ctrl_command == NULL)
		want |= VIRTQ_FEATURE(VIONET_NET_F_GUEST_ANNOUNCE);
	/* The offloads only as the application configured them (vionet_dev_set_offloads). */
	return want | (hw->offload_features & VIONET_OFFLOAD_FEATURES);
}

uint64_t
vionet_dev_offload_features_for(uint64_t rx_offloads, uint64_t tx_offloads)
{
	uint64_t f = 0;

	/* 5.1.3.1 Feature bit requirements: GUEST_TSO4/6 need GUEST_CSUM, HOST_TSO4/6 need CSUM. */
	if (rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		f |= VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6) |
		     VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM);
	if (rx_offloads & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM))
		f |= VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM);
	if (tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO)
		f |= VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO6) |
		     VIRTQ_FEATURE(VIONET_NET_F_CSUM);
	if (tx_offloads & (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM))
		f |= VIRTQ_FEATURE(VIONET_NET_F_CSUM);
	/* the hash the device computed, reported in a longer header on every packet */
	if (rx_offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH)
		f |= VIRTQ_FEATURE(VIONET_NET_F_HASH_REPORT);
	return f;
}

uint64_t
vionet_dev_offload_features_offered(const struct vionet_hw *hw)
{
	uint64_t f = hw->device_features & VIONET_OFFLOAD_FEATURES;

	if (!(f & VIRTQ_FEATURE(VIONET_NET_F_CSUM)))
		f &= ~(VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO6));
	if (!(f & VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM)))
		f &= ~(VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6));
	/* The port sets the reported hash's key and types with RSS_CONFIG only (not HASH_CONFIG):
	 * hash report where RSS is, over a real control queue. */
	if (!(hw->device_features & VIRTQ_FEATURE(VIONET_NET_F_RSS)) ||
	    hw->tp.ops->ctrl_command != NULL)
		f &= ~VIRTQ_FEATURE(VIONET_NET_F_HASH_REPORT);
	return f;
}

/* "GUEST_CSUM GUEST_TSO4 ..." for the offload bits in 'f'. */
static void
name_offload_features(uint64_t f, char *buf, size_t size)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{VIONET_NET_F_CSUM, "CSUM"},		 {VIONET_NET_F_GUEST_CSUM, "GUEST_CSUM"},
		{VIONET_NET_F_GUEST_TSO4, "GUEST_TSO4"}, {VIONET_NET_F_GUEST_TSO6, "GUEST_TSO6"},
		{VIONET_NET_F_HOST_TSO4, "HOST_TSO4"},	 {VIONET_NET_F_HOST_TSO6, "HOST_TSO6"},
	};
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < RTE_DIM(names) && len < size; i++)
		if (f & VIRTQ_FEATURE(names[i].bit))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "",
						names[i].name);
}

int
vionet_dev_set_offloads(struct vionet_hw *hw, uint64_t offload_features)
{
	uint64_t dropped;
	char names[96];
	int ret;

	offload_features &= VIONET_OFFLOAD_FEATURES;
	dropped = vionet_dev_offload_features_offered(hw) & ~offload_features;
	if (dropped != hw->offloads_dropped_logged) {
		name_offload_features(dropped, names, sizeof(names));
		VIONET_INIT_LOG(INFO, "%s: offload features the device offers and the application's "
				"offloads do not ask for, not negotiated: %s", hw->tp.name,
				dropped != 0 ? names : "none");
		hw->offloads_dropped_logged = dropped;
	}
	if (offload_features == hw->offload_features)
		return 0;
	/*
	 * Features are fixed from FEATURES_OK until a reset (3.1.1 Driver Requirements: Device
	 * Initialization): another set means negotiating again from the reset. The port is stopped
	 * (ethdev configures only then): the device has no queues to lose.
	 */
	hw->offload_features = offload_features;
	ret = vionet_dev_renegotiate(hw);
	/* A back end away for now (vhost-user): the start negotiates, as after any stop. */
	if (ret == -ENOTCONN) {
		hw->needs_renegotiation = true;
		return 0;
	}
	if (ret < 0)
		return ret;
	hw->needs_renegotiation = false;
	return 0;
}

void
vionet_dev_reset(struct vionet_hw *hw)
{
	if (hw->tp.ops->reset(&hw->tp) < 0)
		VIONET_INIT_LOG(WARNING, "%s: device reset did not complete", hw->tp.name);
}

static void
add_status(struct vionet_hw *hw, uint8_t bits)
{
	hw->tp.ops->set_status(&hw->tp, hw->tp.ops->get_status(&hw->tp) | bits);
}

/*
 * A configuration value the device gave that the driver cannot use: one line naming the field, the
 * value and what the driver uses instead, and the port's count of them (xstat
 * device_config_rejected). Each (re-)negotiation reads the fields again, so a device that keeps
 * the value is logged once per negotiation.
 */
void
vionet_dev_reject_config(struct vionet_hw *hw, const char *field, const char *fmt, ...)
{
	char said[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(said, sizeof(said), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&hw->config_rejected, 1, __ATOMIC_RELAXED);
	VIONET_INIT_LOG(WARNING, "%s: device config %s rejected: %s", hw->tp.name, field, said);
}

/*
 * The device's RSS limits (5.1.4, with VIRTIO_NET_F_RSS), read while features are chosen; values
 * below the spec's minimums (a key of 40 bytes, a table of 128 entries) cost the device the feature.
 */
static void
screen_config_rss(struct vionet_hw *hw)
{
	struct vionet_rss *rss = &hw->rss;
	uint8_t key_size;
	uint16_t table_len;
	uint32_t types;

	rss->key_size_max = 0;
	rss->table_size = 0;
	rss->hash_types_supported = 0;
	if (!vionet_has_feature(hw, VIONET_NET_F_RSS))
		return;
	if (hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_RSS_MAX_KEY_SIZE, &key_size, 1) < 0 ||
	    hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_RSS_MAX_TABLE_LEN, &table_len,
					sizeof(table_len)) < 0 ||
	    hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_SUPPORTED_HASH_TYPES, &types,
					sizeof(types)) < 0) {
		vionet_dev_reject_config(hw, "rss", "the RSS fields cannot be read; VIRTIO_NET_F_RSS "
					 "not accepted");
		hw->tp.features &= ~VIRTQ_FEATURE(VIONET_NET_F_RSS);
		return;
	}
	table_len = rte_le_to_cpu_16(table_len);
	types = rte_le_to_cpu_32(types);
	if (key_size < VIONET_RSS_SPEC_KEY_SIZE_MIN || table_len < VIONET_RSS_SPEC_TABLE_LEN_MIN) {
		vionet_dev_reject_config(hw, "rss", "key size %u and table length %u are below %u and "
					 "%u; VIRTIO_NET_F_RSS not accepted", key_size, table_len,
					 VIONET_RSS_SPEC_KEY_SIZE_MIN, VIONET_RSS_SPEC_TABLE_LEN_MIN);
		hw->tp.features &= ~VIRTQ_FEATURE(VIONET_NET_F_RSS);
		return;
	}
	if ((types & ~VIONET_HASH_TYPE_ALL) != 0)
		vionet_dev_reject_config(hw, "supported_hash_types", "0x%x has unknown bits; the "
					 "port uses 0x%x", types, types & VIONET_HASH_TYPE_ALL);
	rss->key_size_max = key_size;
	rss->table_size = (uint16_t)rte_align32prevpow2(RTE_MIN(table_len, VIONET_RSS_TABLE_MAX));
	rss->hash_types_supported = types & VIONET_HASH_TYPE_ALL;
}

/*
 * 5.1.4 Device configuration layout: max_virtqueue_pairs is 1..0x8000 with VIRTIO_NET_F_MQ, mtu at
 * least 68 with VIRTIO_NET_F_MTU. Read while the features are still being chosen (3.1.1 Driver
 * Requirements: Device Initialization step 4 lets the driver read the configuration before it
 * accepts a feature): a feature whose field is out of range is not accepted, as the field says
 * where the control queue is (5.1.2 Virtqueues: index 2N) and what the port may send.
 */
static void
screen_config_features(struct vionet_hw *hw)
{
	uint16_t v16;

	hw->max_queue_pairs = 1;
	/* max_virtqueue_pairs is there with MQ or RSS (5.1.4); the port uses it with MQ only */
	if (vionet_has_feature(hw, VIONET_NET_F_MQ) &&
	    hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_MAX_VQ_PAIRS, &v16, sizeof(v16)) == 0) {
		v16 = rte_le_to_cpu_16(v16);
		if (v16 == 0 || v16 > VIONET_SPEC_QUEUE_PAIRS_MAX) {
			vionet_dev_reject_config(hw, "max_virtqueue_pairs",
				      "%u is outside 1..%u; VIRTIO_NET_F_MQ not accepted, 1 queue pair",
				      v16, VIONET_SPEC_QUEUE_PAIRS_MAX);
			hw->tp.features &= ~VIRTQ_FEATURE(VIONET_NET_F_MQ);
		} else {
			hw->max_queue_pairs = RTE_MIN(v16, VIONET_QUEUE_PAIRS_MAX);
		}
	}
	hw->max_mtu = VIONET_MAX_MTU;
	if (vionet_has_feature(hw, VIONET_NET_F_MTU) &&
	    hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_MTU, &v16, sizeof(v16)) == 0) {
		v16 = rte_le_to_cpu_16(v16);
		if (v16 < RTE_ETHER_MIN_MTU) {
			vionet_dev_reject_config(hw, "mtu",
				      "%u is below %u; VIRTIO_NET_F_MTU not accepted, maximum MTU %u",
				      v16, RTE_ETHER_MIN_MTU, VIONET_MAX_MTU);
			hw->tp.features &= ~VIRTQ_FEATURE(VIONET_NET_F_MTU);
		} else {
			hw->max_mtu = RTE_MIN(v16, VIONET_MAX_MTU);
		}
	}
	screen_config_rss(hw);
}

/*
 * The port's address: the devarg, else the device's (5.1.4: valid with VIRTIO_NET_F_MAC) when it
 * is a unicast address, else a random one. At a re-negotiation the port keeps the address the
 * application knows (ethdev's mac_addrs[0]); a device that now offers another says so in the log.
 */
static void
read_mac(struct vionet_hw *hw, bool first)
{
	char said[RTE_ETHER_ADDR_FMT_SIZE], port[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_ether_addr mac;

	if (hw->tp.devargs.mac_set) {
		hw->mac = hw->tp.devargs.mac;
		return;
	}
	if (first)
		rte_eth_random_addr(hw->mac.addr_bytes);
	if (!vionet_has_feature(hw, VIONET_NET_F_MAC) ||
	    hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_MAC, &mac, RTE_ETHER_ADDR_LEN) < 0)
		return;
	rte_ether_format_addr(said, sizeof(said), &mac);
	rte_ether_format_addr(port, sizeof(port), &hw->mac);
	if (!rte_is_valid_assigned_ether_addr(&mac))
		vionet_dev_reject_config(hw, "mac", "%s is not a unicast address; the port uses %s%s", said,
			      first ? "the random " : "its ", port);
	else if (first)
		hw->mac = mac;
	else if (!rte_is_same_ether_addr(&mac, &hw->mac))
		VIONET_INIT_LOG(NOTICE, "%s: the device now offers MAC %s; the port keeps %s",
				hw->tp.name, said, port);
}

/*
 * 5.1.4: speed in Mbps (0xffffffff unknown), duplex 0 half, 1 full, 0xff unknown; valid with
 * VIRTIO_NET_F_SPEED_DUPLEX. A devarg speed overrides both. Unknown or rejected: the default.
 */
static void
read_speed_duplex(struct vionet_hw *hw)
{
	uint32_t speed;
	uint8_t duplex;

	hw->speed_mbps = hw->tp.devargs.speed_mbps != 0 ? hw->tp.devargs.speed_mbps
						       : VIONET_DEFAULT_SPEED_MBPS;
	hw->speed_known = hw->tp.devargs.speed_mbps != 0;
	hw->full_duplex = true;
	if (hw->tp.devargs.speed_mbps != 0 || !vionet_has_feature(hw, VIONET_NET_F_SPEED_DUPLEX))
		return;
	if (hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_SPEED, &speed, sizeof(speed)) == 0) {
		speed = rte_le_to_cpu_32(speed);
		if (speed == 0 || (speed > VIONET_SPEED_MAX_MBPS && speed != VIONET_SPEED_UNKNOWN))
			vionet_dev_reject_config(hw, "speed", "%u Mbps is outside 1..%u; the port reports %u",
				      speed, VIONET_SPEED_MAX_MBPS, VIONET_DEFAULT_SPEED_MBPS);
		else if (speed != VIONET_SPEED_UNKNOWN) {
			hw->speed_mbps = speed;
			hw->speed_known = true;
		}
	}
	if (hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_DUPLEX, &duplex, 1) == 0) {
		if (duplex == VIONET_NET_DUPLEX_HALF)
			hw->full_duplex = false;
		else if (duplex != VIONET_NET_DUPLEX_FULL && duplex != VIONET_NET_DUPLEX_UNKNOWN)
			vionet_dev_reject_config(hw, "duplex", "0x%x is not 0, 1 or 0xff; the port reports full",
				      duplex);
	}
}

/* The fields not screened with the features (screen_config_features), after FEATURES_OK. */
static void
read_config(struct vionet_hw *hw, bool first)
{
	read_mac(hw, first);
	/* The port's MTU is the application's after the first read (ethdev configure, mtu_set). */
	if (first && (hw->mtu == 0 || hw->mtu > hw->max_mtu))
		hw->mtu = RTE_MIN(RTE_ETHER_MTU, hw->max_mtu);
	read_speed_duplex(hw);
}

static int
negotiate(struct vionet_hw *hw)
{
	uint64_t want = vionet_dev_wanted_features(hw);
	int ret;

	/* Steps 1-3: reset, ACKNOWLEDGE (we noticed the device), DRIVER (we can drive it). */
	vionet_dev_reset(hw);
	add_status(hw, VIONET_STATUS_ACKNOWLEDGE);
	add_status(hw, VIONET_STATUS_DRIVER);

	/* Step 4: read the device's features, write the subset we understand. */
	hw->device_features = hw->tp.ops->get_features(&hw->tp);
	hw->tp.features = hw->device_features & want;
	/* A legacy (pre-1.0) device: the rings and header of "Legacy Interface" sections. */
	if (!vionet_has_feature(hw, VIONET_F_VERSION_1))
		VIONET_INIT_LOG(INFO, "%s: legacy device (no VIRTIO_F_VERSION_1, features 0x%" PRIx64 ")",
				hw->tp.name, hw->device_features);
	/* Dependencies (5.1.3.1 Feature bit requirements; ring layouts of 1.x need VERSION_1). */
	if (!vionet_has_feature(hw, VIONET_F_VERSION_1))
		hw->tp.features &= ~(VIRTQ_FEATURE(VIONET_F_RING_PACKED) | VIRTQ_FEATURE(VIONET_F_IN_ORDER));
	if (!vionet_has_feature(hw, VIONET_NET_F_CTRL_VQ))
		hw->tp.features &= ~(VIRTQ_FEATURE(VIONET_NET_F_CTRL_RX) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_VLAN) |
				  VIRTQ_FEATURE(VIONET_NET_F_MQ) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_MAC_ADDR) |
				  VIRTQ_FEATURE(VIONET_NET_F_RSS) | VIRTQ_FEATURE(VIONET_NET_F_HASH_REPORT) |
				  VIRTQ_FEATURE(VIONET_NET_F_GUEST_ANNOUNCE));
	/* The request is a bit of config status: no status field, no request. */
	if (!vionet_has_feature(hw, VIONET_NET_F_STATUS))
		hw->tp.features &= ~VIRTQ_FEATURE(VIONET_NET_F_GUEST_ANNOUNCE);
	if (!vionet_has_feature(hw, VIONET_NET_F_RSS))
		hw->tp.features &= ~VIRTQ_FEATURE(VIONET_NET_F_HASH_REPORT);
	if (!vionet_has_feature(hw, VIONET_NET_F_CSUM))
		hw->tp.features &= ~(VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO6));
	if (!vionet_has_feature(hw, VIONET_NET_F_GUEST_CSUM))
		hw->tp.features &= ~(VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6));
	screen_config_features(hw);
	ret = hw->tp.ops->set_features(&hw->tp, hw->tp.features);
	if (ret < 0) {
		VIONET_INIT_LOG(ERR, "%s: cannot write features 0x%" PRIx64 ": %s", hw->tp.name, hw->tp.features,
				strerror(-ret));
		return ret;
	}

	/* Steps 5-6: FEATURES_OK, then re-read it: the device clears it when it refuses the subset.
	 * Legacy devices have no FEATURES_OK (3.1.2 Legacy Interface: Device Initialization). */
	if (vionet_has_feature(hw, VIONET_F_VERSION_1)) {
		add_status(hw, VIONET_STATUS_FEATURES_OK);
		if ((hw->tp.ops->get_status(&hw->tp) & VIONET_STATUS_FEATURES_OK) == 0) {
			VIONET_INIT_LOG(ERR, "%s: device refused features 0x%" PRIx64, hw->tp.name,
					hw->tp.features);
			return -EIO;
		}
	}
	/* 5.1.6 Device Operation: num_buffers is there with VERSION_1 or MRG_RXBUF; the hash fields
	 * with HASH_REPORT. */
	hw->net_hdr_size = vionet_has_feature(hw, VIONET_NET_F_HASH_REPORT) ? VIONET_NET_HDR_LEN_HASH
			   : vionet_has_feature(hw, VIONET_F_VERSION_1) ||
					   vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF)
				   ? VIONET_NET_HDR_LEN
				   : VIONET_NET_HDR_LEN_LEGACY;
	return 0;
}

/* Negotiation, then the configuration read and checked again: a device may change between connections. */
static int
negotiate_and_read(struct vionet_hw *hw, bool first)
{
	int ret = negotiate(hw);

	if (ret < 0) {
		add_status(hw, VIONET_STATUS_FAILED);
		return ret;
	}
	read_config(hw, first);
	if (first && vionet_has_feature(hw, VIONET_F_RING_RESET))
		VIONET_INIT_LOG(INFO, "%s: VIRTIO_F_RING_RESET negotiated: Rx and Tx queues stop and "
				"start one at a time", hw->tp.name);
	return 0;
}

int
vionet_dev_renegotiate(struct vionet_hw *hw)
{
	return negotiate_and_read(hw, false);
}

/*
 * Whether receiveq0, the queue every port has, is one the driver can use: the device gives it a
 * size (a queue_size of 0 means the queue is unavailable: 4.1.4.3 Common configuration structure
 * layout), at least our minimum, and at least the devarg queue_size. Every queue's size is
 * checked again when it is set up; this is the probe's clear refusal.
 */
static int
check_queue_size(struct vionet_hw *hw)
{
	uint16_t max = hw->tp.ops->get_queue_max_size(&hw->tp, 0);

	if (max == 0) {
		VIONET_INIT_LOG(ERR,
				"%s: the device reports size 0 for queue 0: it is unavailable",
				hw->tp.name);
		return -ENODEV;
	}
	if (max < VIONET_QUEUE_SIZE_MIN) {
		VIONET_INIT_LOG(ERR,
				"%s: the device's queue 0 holds at most %u descriptors, below the "
				"%u this driver needs",
				hw->tp.name, max, VIONET_QUEUE_SIZE_MIN);
		return -ENODEV;
	}
	if (hw->tp.devargs.queue_size > max) {
		VIONET_INIT_LOG(ERR, "%s: devarg queue_size=%u above the device's queue maximum %u",
				hw->tp.name, hw->tp.devargs.queue_size, max);
		return -EINVAL;
	}
	return 0;
}

int
vionet_dev_init(struct vionet_hw *hw)
{
	int ret;

	ret = negotiate_and_read(hw, true);
	if (ret < 0)
		return ret;
	if (hw->tp.devargs.queue_pairs > hw->max_queue_pairs) {
		VIONET_INIT_LOG(ERR, "%s: devarg queues=%u exceeds the device's %u queue pairs", hw->tp.name,
				hw->tp.devargs.queue_pairs, hw->max_queue_pairs);
		add_status(hw, VIONET_STATUS_FAILED);
		return -EINVAL;
	}
	ret = check_queue_size(hw);
	if (ret < 0) {
		add_status(hw, VIONET_STATUS_FAILED);
		return ret;
	}
	hw->active_queue_pairs = hw->max_queue_pairs;
	hw->link_up = vionet_dev_read_link(hw, hw->tp.ops);
	VIONET_INIT_LOG(INFO,
			"%s: transport %s, features 0x%" PRIx64 " (device 0x%" PRIx64
			"), %u queue pairs, mtu %u, mac " RTE_ETHER_ADDR_PRT_FMT ", link %s",
			hw->tp.name, hw->tp.ops->name, hw->tp.features, hw->device_features, hw->max_queue_pairs,
			hw->mtu, RTE_ETHER_ADDR_BYTES(&hw->mac), hw->link_up ? "up" : "down");
	return 0;
}

int
vionet_dev_driver_ok(struct vionet_hw *hw)
{
	/* Step 8: queues are set up; from here the device may use them. */
	add_status(hw, VIONET_STATUS_DRIVER_OK);
	if (hw->tp.ops->get_status(&hw->tp) & (VIONET_STATUS_FAILED | VIONET_STATUS_DEVICE_NEEDS_RESET)) {
		VIONET_INIT_LOG(ERR, "%s: device status 0x%x after DRIVER_OK", hw->tp.name,
				hw->tp.ops->get_status(&hw->tp));
		return -EIO;
	}
	return 0;
}

bool
vionet_dev_read_link(struct vionet_hw *hw, const struct vionet_transport_ops *ops)
{
	uint16_t status;

	if (ops->link_up != NULL)
		return ops->link_up(&hw->tp) > 0;
	/* 5.1.4: "status" is valid iff VIONET_NET_F_STATUS; without it the link is up. */
	if (!vionet_has_feature(hw, VIONET_NET_F_STATUS))
		return true;
	if (ops->read_dev_config(&hw->tp, VIONET_CFG_STATUS, &status, sizeof(status)) < 0)
		return false;
	return (rte_le_to_cpu_16(status) & VIONET_NET_S_LINK_UP) != 0;
}

/* ---- A port the device broke ---- */

/* On the EAL interrupt thread: the layer above reports the break (or, with none registered, a log). */
static void
fault_alarm(void *arg)
{
	struct vionet_hw *hw = arg;

	if (hw->events.broken != NULL)
		hw->events.broken(hw);
	else if (vionet_dev_fault_take(hw))
		VIONET_LOG(ERR, "%s: device broken: %s", hw->tp.name, hw->fault.what);
}

/*
 * A break a secondary process saw: it records it in the shared hw->fault like the primary, but the
 * events (and the alarm that raises them) are the primary's, so it names the port in a one-way
 * rte_mp message and the primary's handler sets the alarm as its own report would have. The lock
 * orders the handler against vionet_dev_fault_cancel at close: once that ran, no alarm is set.
 */
#define FAULT_MP_ACTION "vionet_broken"

static pthread_mutex_t fault_mp_lock = PTHREAD_MUTEX_INITIALIZER;

/* Ports of this driver only: their dev_private is a struct vionet_hw. */
static struct vionet_hw *
fault_mp_port(const char *name)
{
	const struct rte_eth_dev *dev;
	uint16_t port;

	if (rte_eth_dev_get_port_by_name(name, &port) != 0)
		return NULL;
	dev = &rte_eth_devices[port];
	if (dev->device == NULL || dev->device->driver == NULL ||
	    strncmp(dev->device->driver->name, "net_vionet", strlen("net_vionet")) != 0)
		return NULL;
	return dev->data->dev_private;
}

/* On the primary's rte_mp thread. */
static int
fault_mp_handle(const struct rte_mp_msg *msg, const void *peer __rte_unused)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	struct vionet_hw *hw;

	if (msg->len_param <= 0 || msg->len_param > (int)sizeof(name))
		return 0;
	memcpy(name, msg->param, (size_t)msg->len_param);
	name[msg->len_param - 1] = '\0';
	pthread_mutex_lock(&fault_mp_lock);
	hw = fault_mp_port(name);
	if (hw != NULL &&
	    __atomic_load_n(&hw->fault.state, __ATOMIC_ACQUIRE) == VIONET_FAULT_PENDING)
		rte_eal_alarm_set(1, fault_alarm, hw);
	pthread_mutex_unlock(&fault_mp_lock);
	return 0;
}

/* The primary listens from its first device on; rte_eal_cleanup drops the action. */
static void
fault_mp_listen(void)
{
	static bool listening;

	pthread_mutex_lock(&fault_mp_lock);
	/* ENOTSUP: no multi-process channel (--in-memory), so no secondary either. */
	if (!listening && (rte_mp_action_register(FAULT_MP_ACTION, fault_mp_handle) == 0 ||
			   rte_errno == EEXIST))
		listening = true;
	pthread_mutex_unlock(&fault_mp_lock);
}

/* In a secondary: tells the primary (one datagram; the burst that noticed goes on at once). */
static void
fault_mp_tell_primary(const struct vionet_hw *hw)
{
	struct rte_mp_msg msg;

	memset(&msg, 0, sizeof(msg));
	snprintf(msg.name, sizeof(msg.name), "%s", FAULT_MP_ACTION);
	msg.len_param = (int)strlen(hw->tp.name) + 1;
	memcpy(msg.param, hw->tp.name, (size_t)msg.len_param);
	rte_mp_sendmsg(&msg);
}

void
vionet_dev_report_broken(struct vionet_hw *hw, const char *fmt, ...)
{
	uint32_t healthy = VIONET_FAULT_NONE;
	va_list ap;

	/* acquire: our 'what' is written after any earlier report's reader is done with it */
	if (!__atomic_compare_exchange_n(&hw->fault.state, &healthy, VIONET_FAULT_PENDING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(hw->fault.what, sizeof(hw->fault.what), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&hw->fault.count, 1, __ATOMIC_RELAXED);
	/* The alarm list's lock (or the message) orders 'what' before the interrupt thread reads it. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		rte_eal_alarm_set(1, fault_alarm, hw);
	else
		fault_mp_tell_primary(hw);
}

bool
vionet_dev_fault_take(struct vionet_hw *hw)
{
	uint32_t pending = VIONET_FAULT_PENDING;

	return __atomic_compare_exchange_n(&hw->fault.state, &pending, VIONET_FAULT_REPORTED, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

void
vionet_dev_fault_clear(struct vionet_hw *hw)
{
	__atomic_store_n(&hw->fault.state, VIONET_FAULT_NONE, __ATOMIC_RELEASE);
}

void
vionet_dev_fault_cancel(struct vionet_hw *hw)
{
	uint32_t pending = VIONET_FAULT_PENDING;

	pthread_mutex_lock(&fault_mp_lock);
	/* A secondary's report that arrives from now on finds nothing pending: no alarm. */
	__atomic_compare_exchange_n(&hw->fault.state, &pending, VIONET_FAULT_REPORTED, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&fault_mp_lock);
	rte_eal_alarm_cancel(fault_alarm, hw);
}

/*
 * A configuration change notification may say the device needs a reset (2.1.2 Device Requirements:
 * Device Status Field: it sets DEVICE_NEEDS_RESET and notifies). Only a live device (DRIVER_OK)
 * can have broken the port.
 */
static void
check_needs_reset(struct vionet_hw *hw)
{
	uint8_t status = hw->tp.ops->get_status(&hw->tp);

	if ((status & VIONET_STATUS_DRIVER_OK) && (status & VIONET_STATUS_DEVICE_NEEDS_RESET))
		vionet_dev_report_broken(hw, "the device set DEVICE_NEEDS_RESET (status 0x%x)", status);
}

/* ---- Gratuitous packets after a migration (5.1.6.5.4 Gratuitous Packet Sending) ---- */

/* On the EAL interrupt thread: the layer above sends and acknowledges. */
static void
announce_alarm(void *arg)
{
	struct vionet_hw *hw = arg;

	if (hw->events.announce != NULL) {
		hw->events.announce(hw);
	} else {
		__atomic_store_n(&hw->announce_pending, 0, __ATOMIC_RELEASE);
		VIONET_LOG(INFO, "%s: the device asked for an announcement; nobody to send it",
			   hw->tp.name);
	}
}

/*
 * A configuration change notification may carry VIRTIO_NET_S_ANNOUNCE: the device moved (live
 * migration) and asks the driver to announce its addresses to the network, then to acknowledge.
 * The work (frames, application callbacks, the control command that waits for the device) runs
 * in an alarm, off the transport's notification path; a request that arrives while one is
 * pending is the same request (the bit stays set until the acknowledgement).
 */
static void
check_announce(struct vionet_hw *hw)
{
	uint16_t status;

	if (!vionet_has_feature(hw, VIONET_NET_F_GUEST_ANNOUNCE) ||
	    (hw->tp.ops->get_status(&hw->tp) & VIONET_STATUS_DRIVER_OK) == 0 ||
	    hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_STATUS, &status, sizeof(status)) < 0 ||
	    (rte_le_to_cpu_16(status) & VIONET_NET_S_ANNOUNCE) == 0)
		return;
	__atomic_fetch_add(&hw->announce_requests, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&hw->announce_pending, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (rte_eal_alarm_set(1, announce_alarm, hw) != 0) {
		__atomic_store_n(&hw->announce_pending, 0, __ATOMIC_RELEASE);
		VIONET_LOG(ERR, "%s: the device asked for an announcement; cannot schedule it",
			   hw->tp.name);
	}
}

void
vionet_dev_announce_done(struct vionet_hw *hw)
{
	__atomic_store_n(&hw->announce_pending, 0, __ATOMIC_RELEASE);
}

void
vionet_dev_announce_cancel(struct vionet_hw *hw)
{
	rte_eal_alarm_cancel(announce_alarm, hw);
	__atomic_store_n(&hw->announce_pending, 0, __ATOMIC_RELEASE);
}

/* The transport's upcall (struct vionet_transport.link_changed): re-read, report a change upward. */
static void
transport_link_changed(struct vionet_transport *t)
{
	struct vionet_hw *hw = container_of(t, struct vionet_hw, tp);
	bool up;

	check_needs_reset(hw);
	check_announce(hw);
	up = vionet_dev_read_link(hw, hw->tp.ops);

	if (up == hw->link_up)
		return;
	hw->link_up = up;
	if (hw->events.link_changed != NULL)
		hw->events.link_changed(hw, up);
	else
		VIONET_LOG(INFO, "%s: link %s", hw->tp.name, up ? "up" : "down");
}

void
vionet_dev_prepare(struct vionet_hw *hw, const char *name, const struct vionet_devargs *devargs,
		   uint16_t port_id, bool use_va, int numa_node, const struct vionet_dev_events *events)
{
	snprintf(hw->tp.name, sizeof(hw->tp.name), "%s", name);
	hw->tp.devargs = *devargs;
	hw->tp.port_id = port_id;
	hw->tp.use_va = use_va;
	hw->tp.numa_node = numa_node;
	hw->tp.link_changed = transport_link_changed;
	hw->events = *events;
	pthread_mutex_init(&hw->ctrl_lock, NULL);
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		fault_mp_listen();
}
