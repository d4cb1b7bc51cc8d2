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

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>

#include "base/vionet_log.h"

uint64_t
vionet_dev_wanted_features(const struct vionet_hw *hw)
{
	uint64_t want = VIRTQ_FEATURE(VIONET_F_VERSION_1) | VIRTQ_FEATURE(VIONET_NET_F_MAC) |
			VIRTQ_FEATURE(VIONET_NET_F_STATUS) | VIRTQ_FEATURE(VIONET_NET_F_MTU) |
			VIRTQ_FEATURE(VIONET_NET_F_CSUM) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM) |
			VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO6) |
			VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6) |
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
	return want;
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
static void __attribute__((format(printf, 3, 4)))
reject_config(struct vionet_hw *hw, const char *field, const char *fmt, ...)
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
	if (vionet_has_feature(hw, VIONET_NET_F_MQ) &&
	    hw->tp.ops->read_dev_config(&hw->tp, VIONET_CFG_MAX_VQ_PAIRS, &v16, sizeof(v16)) == 0) {
		v16 = rte_le_to_cpu_16(v16);
		if (v16 == 0 || v16 > VIONET_SPEC_QUEUE_PAIRS_MAX) {
			reject_config(hw, "max_virtqueue_pairs",
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
			reject_config(hw, "mtu",
				      "%u is below %u; VIRTIO_NET_F_MTU not accepted, maximum MTU %u",
				      v16, RTE_ETHER_MIN_MTU, VIONET_MAX_MTU);
			hw->tp.features &= ~VIRTQ_FEATURE(VIONET_NET_F_MTU);
		} else {
			hw->max_mtu = RTE_MIN(v16, VIONET_MAX_MTU);
		}
	}
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
		reject_config(hw, "mac", "%s is not a unicast address; the port uses %s%s", said,
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
			reject_config(hw, "speed", "%u Mbps is outside 1..%u; the port reports %u",
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
			reject_config(hw, "duplex", "0x%x is not 0, 1 or 0xff; the port reports full",
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
				  VIRTQ_FEATURE(VIONET_NET_F_MQ) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_MAC_ADDR));
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
	/* 5.1.6 Device Operation: num_buffers is there with VERSION_1 or MRG_RXBUF. */
	hw->net_hdr_size = vionet_has_feature(hw, VIONET_F_VERSION_1) ||
					   vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF)
				   ? 12
				   : 10;
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
	/* The alarm list's lock orders 'what' before the interrupt thread reads it. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		rte_eal_alarm_set(1, fault_alarm, hw);
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

/* The transport's upcall (struct vionet_transport.link_changed): re-read, report a change upward. */
static void
transport_link_changed(struct vionet_transport *t)
{
	struct vionet_hw *hw = container_of(t, struct vionet_hw, tp);
	bool up;

	check_needs_reset(hw);
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
}
