/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device layer against a scripted transport (no EAL): the initialisation sequence and status
 * bits, feature negotiation and its dependencies, refusals, config space, link state, and the bytes
 * of each control command handed to a transport's ctrl_command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "device/device.h"
#include "device/device_ctrl.h"
#include "device/device_vq.h"
#include "test_run_suite.h"

/* ---- A scripted device behind the transport ops ---- */

static struct fake {
	uint64_t offered;
	uint64_t written_features;
	uint8_t status;
	uint8_t status_log[16];
	unsigned int n_status;
	bool refuse_features_ok;
	uint8_t config[24];
	int link;
	/* last control command */
	uint8_t ctrl_class, ctrl_cmd;
	uint8_t ctrl_data[1024];
	size_t ctrl_len;
	int ctrl_answer;
	unsigned int ctrl_count;
	uint16_t queue_max; /* what every queue's size register says */
} fake;

static int
f_read_config(struct vionet_transport *hw, size_t off, void *dst, size_t len)
{
	(void)hw;
	if (off + len > sizeof(fake.config))
		return -EINVAL;
	memcpy(dst, fake.config + off, len);
	return 0;
}

static int
f_write_config(struct vionet_transport *hw, size_t off, const void *src, size_t len)
{
	(void)hw;
	if (off + len > sizeof(fake.config))
		return -EINVAL;
	memcpy(fake.config + off, src, len);
	return 0;
}

static uint64_t
f_get_features(struct vionet_transport *hw)
{
	(void)hw;
	return fake.offered;
}

static int
f_set_features(struct vionet_transport *hw, uint64_t f)
{
	(void)hw;
	fake.written_features = f;
	return 0;
}

static uint8_t
f_get_status(struct vionet_transport *hw)
{
	(void)hw;
	return fake.status;
}

static void
f_set_status(struct vionet_transport *hw, uint8_t s)
{
	(void)hw;
	if (fake.refuse_features_ok)
		s &= (uint8_t)~VIONET_STATUS_FEATURES_OK;
	fake.status = s;
	if (fake.n_status < sizeof(fake.status_log))
		fake.status_log[fake.n_status++] = s;
}

static int
f_reset(struct vionet_transport *hw)
{
	f_set_status(hw, 0);
	return 0;
}

static uint16_t
f_queue_max(struct vionet_transport *hw, uint16_t queue_index)
{
	(void)hw;
	(void)queue_index;
	return fake.queue_max;
}

static int
f_link_up(struct vionet_transport *hw)
{
	(void)hw;
	return fake.link;
}

static int
f_ctrl(struct vionet_transport *hw, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	(void)hw;
	fake.ctrl_class = class;
	fake.ctrl_cmd = cmd;
	fake.ctrl_len = len;
	memcpy(fake.ctrl_data, data, RTE_MIN(len, sizeof(fake.ctrl_data)));
	fake.ctrl_count++;
	return fake.ctrl_answer;
}

static const struct vionet_transport_ops fake_ops = {
	.name = "fake",
	.read_dev_config = f_read_config,
	.write_dev_config = f_write_config,
	.get_features = f_get_features,
	.set_features = f_set_features,
	.get_status = f_get_status,
	.set_status = f_set_status,
	.reset = f_reset,
	.get_queue_max_size = f_queue_max,
	.ctrl_command = f_ctrl,
	.link_up = f_link_up,
};

static struct vionet_hw hw;

#define B(x) VIRTQ_FEATURE(x)
#define ALL_OFFERED                                                                              \
	(B(VIONET_F_VERSION_1) | B(VIONET_NET_F_MAC) | B(VIONET_NET_F_STATUS) |                   \
	 B(VIONET_NET_F_MRG_RXBUF) | B(VIONET_NET_F_CTRL_VQ) | B(VIONET_NET_F_CTRL_RX) |          \
	 B(VIONET_NET_F_MQ) | B(VIONET_F_RING_PACKED) | B(VIONET_F_IN_ORDER) |                    \
	 B(VIONET_NET_F_CSUM) | B(VIONET_NET_F_HOST_TSO4) | B(VIONET_NET_F_GUEST_CSUM) |          \
	 B(VIONET_F_EVENT_IDX) | B(VIONET_NET_F_MTU) | B(VIONET_NET_F_SPEED_DUPLEX) |             \
	 UINT64_C(1) << 40 /* a bit we do not know */)

/* What the device layer reported upward (struct vionet_dev_events). */
static struct {
	unsigned int link_events;
	bool last_up;
} reported;

static void
on_link_changed(struct vionet_hw *h, bool up)
{
	CU_ASSERT_PTR_EQUAL(h, &hw);
	reported.link_events++;
	reported.last_up = up;
}

static const struct vionet_dev_events test_events = {.link_changed = on_link_changed};

static void
setup_device(uint64_t offered, uint16_t max_pairs)
{
	static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint16_t v16;
	uint32_t v32 = 25000;

	memset(&fake, 0, sizeof(fake));
	fake.offered = offered;
	fake.link = 1;
	fake.queue_max = 256;
	memcpy(fake.config + VIONET_CFG_MAC, mac, 6);
	v16 = max_pairs;
	memcpy(fake.config + VIONET_CFG_MAX_VQ_PAIRS, &v16, 2);
	v16 = 4000;
	memcpy(fake.config + VIONET_CFG_MTU, &v16, 2);
	memcpy(fake.config + VIONET_CFG_SPEED, &v32, 4);
	fake.config[VIONET_CFG_DUPLEX] = 1;

	memset(&hw, 0, sizeof(hw));
	memset(&reported, 0, sizeof(reported));
	vionet_dev_prepare(&hw, "fake0", &(struct vionet_devargs){0}, 0, true, SOCKET_ID_ANY,
			   &test_events);
	hw.tp.ops = &fake_ops;
	hw.tp.devargs.queue_pairs = 1;
	hw.tp.devargs.in_order = true;
	hw.tp.devargs.mrg_rxbuf = true;
}

static void
test_init_sequence_and_features(void)
{
	setup_device(ALL_OFFERED, 4);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	/* virtio 1.x 3.1.1: reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, each adding to the last. */
	CU_ASSERT_EQUAL(fake.status_log[0], 0);
	/* (2.1: ACKNOWLEDGE 1, DRIVER 2, FEATURES_OK 8) */
	CU_ASSERT_EQUAL(fake.status_log[1], 1);
	CU_ASSERT_EQUAL(fake.status_log[2], 1 | 2);
	CU_ASSERT_EQUAL(fake.status_log[3], 1 | 2 | 8);
	CU_ASSERT_EQUAL(fake.written_features, hw.tp.features);
	/* devargs: no packed ring; in-order and mergeable wanted; unknown bits never accepted. */
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_F_RING_PACKED));
	CU_ASSERT_TRUE(vionet_has_feature(&hw, VIONET_F_IN_ORDER));
	CU_ASSERT_TRUE(vionet_has_feature(&hw, VIONET_NET_F_MRG_RXBUF));
	/* the offloads wait for the application's configuration (vionet_dev_set_offloads) */
	CU_ASSERT_EQUAL(hw.tp.features & VIONET_OFFLOAD_FEATURES, 0);
	CU_ASSERT_EQUAL(hw.tp.features & (UINT64_C(1) << 40), 0);
	CU_ASSERT_EQUAL(hw.tp.features & ~fake.offered, 0);
	CU_ASSERT_EQUAL(hw.net_hdr_size, 12);
}

/* The application's offloads decide the offload features: another set renegotiates from a reset,
 * the same set touches nothing; dev_info's view (offered) stays the device's. */
static void
test_offloads_negotiated_on_demand(void)
{
	uint64_t tso = vionet_dev_offload_features_for(0, RTE_ETH_TX_OFFLOAD_TCP_TSO);
	uint64_t lro = vionet_dev_offload_features_for(RTE_ETH_RX_OFFLOAD_TCP_LRO, 0);
	uint64_t rx_csum = vionet_dev_offload_features_for(RTE_ETH_RX_OFFLOAD_UDP_CKSUM, 0);
	uint64_t tx_csum = vionet_dev_offload_features_for(0, RTE_ETH_TX_OFFLOAD_TCP_CKSUM);

	CU_ASSERT_EQUAL(tso, B(VIONET_NET_F_CSUM) | B(VIONET_NET_F_HOST_TSO4) | B(VIONET_NET_F_HOST_TSO6));
	CU_ASSERT_EQUAL(lro, B(VIONET_NET_F_GUEST_CSUM) | B(VIONET_NET_F_GUEST_TSO4) |
				     B(VIONET_NET_F_GUEST_TSO6));
	CU_ASSERT_EQUAL(rx_csum, B(VIONET_NET_F_GUEST_CSUM));
	CU_ASSERT_EQUAL(tx_csum, B(VIONET_NET_F_CSUM));
	CU_ASSERT_EQUAL(vionet_dev_offload_features_for(RTE_ETH_RX_OFFLOAD_VLAN_STRIP,
							RTE_ETH_TX_OFFLOAD_MULTI_SEGS), 0);

	setup_device(ALL_OFFERED, 1);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	/* ALL_OFFERED has CSUM, HOST_TSO4 and GUEST_CSUM (no HOST_TSO6, no GUEST_TSO) */
	CU_ASSERT_EQUAL(vionet_dev_offload_features_offered(&hw),
			B(VIONET_NET_F_CSUM) | B(VIONET_NET_F_HOST_TSO4) | B(VIONET_NET_F_GUEST_CSUM));
	fake.n_status = 0;
	CU_ASSERT_EQUAL(vionet_dev_set_offloads(&hw, tso | rx_csum), 0);
	CU_ASSERT_EQUAL(fake.status_log[0], 0); /* a reset first */
	CU_ASSERT_EQUAL(fake.status & VIONET_STATUS_FEATURES_OK, VIONET_STATUS_FEATURES_OK);
	CU_ASSERT_EQUAL(fake.written_features & VIONET_OFFLOAD_FEATURES,
			B(VIONET_NET_F_CSUM) | B(VIONET_NET_F_HOST_TSO4) | B(VIONET_NET_F_GUEST_CSUM));
	CU_ASSERT_FALSE(hw.needs_renegotiation);
	/* the same set: no reset */
	fake.n_status = 0;
	CU_ASSERT_EQUAL(vionet_dev_set_offloads(&hw, tso | rx_csum), 0);
	CU_ASSERT_EQUAL(fake.n_status, 0);
	/* fewer: renegotiated without them; the offered view unchanged */
	CU_ASSERT_EQUAL(vionet_dev_set_offloads(&hw, tx_csum), 0);
	CU_ASSERT_EQUAL(fake.status_log[0], 0);
	CU_ASSERT_EQUAL(fake.written_features & VIONET_OFFLOAD_FEATURES, B(VIONET_NET_F_CSUM));
	CU_ASSERT_EQUAL(vionet_dev_offload_features_offered(&hw),
			B(VIONET_NET_F_CSUM) | B(VIONET_NET_F_HOST_TSO4) | B(VIONET_NET_F_GUEST_CSUM));
	/* a renegotiation later (port start after stop, back end reconnect) keeps the set */
	CU_ASSERT_EQUAL(vionet_dev_renegotiate(&hw), 0);
	CU_ASSERT_EQUAL(fake.written_features & VIONET_OFFLOAD_FEATURES, B(VIONET_NET_F_CSUM));
}

static void
test_devargs_choose_layout(void)
{
	setup_device(ALL_OFFERED, 1);
	hw.tp.devargs.packed_vq = true;
	hw.tp.devargs.in_order = false;
	hw.tp.devargs.mrg_rxbuf = false;
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_TRUE(vionet_has_feature(&hw, VIONET_F_RING_PACKED));
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_F_IN_ORDER));
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_NET_F_MRG_RXBUF));
}

static void
test_feature_dependencies(void)
{
	/* HOST_TSO4 without CSUM, MQ and CTRL_RX without CTRL_VQ: dropped (virtio-net 5.1.3.1). */
	setup_device(B(VIONET_F_VERSION_1) | B(VIONET_NET_F_HOST_TSO4) | B(VIONET_NET_F_MQ) |
			     B(VIONET_NET_F_CTRL_RX),
		     4);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(vionet_dev_offload_features_offered(&hw), 0);
	CU_ASSERT_EQUAL(vionet_dev_set_offloads(&hw, vionet_dev_offload_features_for(
							     0, RTE_ETH_TX_OFFLOAD_TCP_TSO)),
			0);
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_NET_F_HOST_TSO4));
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_NET_F_MQ));
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_NET_F_CTRL_RX));
	/* Without MQ the device has one pair, whatever its config says. */
	CU_ASSERT_EQUAL(hw.max_queue_pairs, 1);
}

/* fn's result (vionet_dev_init, vionet_dev_renegotiate), and whether what it logged names 'named'. */
static int
call_logging(int (*fn)(struct vionet_hw *), const char *named, bool *logged)
{
	char *text = NULL;
	size_t len = 0;
	FILE *log = open_memstream(&text, &len);
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	rte_openlog_stream(log);
	ret = fn(&hw);
	rte_openlog_stream(NULL);
	fclose(log);
	*logged = text != NULL && strstr(text, named) != NULL;
	if (!*logged)
		fprintf(stderr, "logged: %s\n", text != NULL ? text : "");
	free(text);
	return ret;
}

static int
init_logging(const char *named, bool *logged)
{
	return call_logging(vionet_dev_init, named, logged);
}

static void
test_refusals_write_failed(void)
{
	bool logged;

	setup_device(ALL_OFFERED, 1);
	fake.refuse_features_ok = true;
	CU_ASSERT_EQUAL(vionet_dev_init(&hw), -EIO);
	CU_ASSERT_TRUE(fake.status & VIONET_STATUS_FAILED);

	setup_device(ALL_OFFERED, 2);
	hw.tp.devargs.queue_pairs = 3; /* more than the device's max_virtqueue_pairs */
	CU_ASSERT_EQUAL(init_logging("queues=3", &logged), -EINVAL);
	CU_ASSERT_TRUE(logged);
	CU_ASSERT_TRUE(fake.status & VIONET_STATUS_FAILED);
}

static void
test_legacy_device(void)
{
	/* No VERSION_1: no FEATURES_OK step, no 1.x ring features, 10-byte header without MRG_RXBUF. */
	setup_device(B(VIONET_NET_F_MAC) | B(VIONET_F_RING_PACKED) | B(VIONET_F_IN_ORDER), 1);
	hw.tp.devargs.packed_vq = true;
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(fake.status & VIONET_STATUS_FEATURES_OK, 0);
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_F_RING_PACKED));
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_F_IN_ORDER));
	CU_ASSERT_EQUAL(hw.net_hdr_size, 10);

	setup_device(B(VIONET_NET_F_MAC) | B(VIONET_NET_F_MRG_RXBUF), 1);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(hw.net_hdr_size, 12);
}

static void
test_config_space(void)
{
	static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t devarg_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

	setup_device(ALL_OFFERED, 4);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(memcmp(hw.mac.addr_bytes, mac, 6), 0);
	CU_ASSERT_EQUAL(hw.max_queue_pairs, 4);
	CU_ASSERT_EQUAL(hw.max_mtu, 4000);
	CU_ASSERT_EQUAL(hw.mtu, 1500);
	CU_ASSERT_EQUAL(hw.speed_mbps, 25000);
	CU_ASSERT_TRUE(hw.speed_known);
	CU_ASSERT_TRUE(hw.full_duplex);

	setup_device(ALL_OFFERED, 4);
	hw.tp.devargs.mac_set = true;
	memcpy(hw.tp.devargs.mac.addr_bytes, devarg_mac, 6);
	hw.tp.devargs.speed_mbps = 1000;
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(memcmp(hw.mac.addr_bytes, devarg_mac, 6), 0);
	CU_ASSERT_EQUAL(hw.speed_mbps, 1000);
	CU_ASSERT_TRUE(hw.speed_known);

	/* No MAC feature: a random locally administered unicast address. */
	setup_device(B(VIONET_F_VERSION_1), 1);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_TRUE(rte_is_valid_assigned_ether_addr(&hw.mac));
	CU_ASSERT_TRUE(rte_is_local_admin_ether_addr(&hw.mac));
	/* Nor SPEED_DUPLEX: the default speed, which is no known speed. */
	CU_ASSERT_EQUAL(hw.speed_mbps, VIONET_DEFAULT_SPEED_MBPS);
	CU_ASSERT_FALSE(hw.speed_known);
}

static void
set_config16(size_t off, uint16_t v)
{
	v = rte_cpu_to_le_16(v);
	memcpy(fake.config + off, &v, sizeof(v));
}

static void
set_config32(size_t off, uint32_t v)
{
	v = rte_cpu_to_le_32(v);
	memcpy(fake.config + off, &v, sizeof(v));
}

/* A probe over a device with one config field as given: whether it logged 'named', and the count. */
static void
probe_with_logged(const char *named, uint64_t rejected)
{
	bool logged;

	CU_ASSERT_EQUAL(init_logging(named, &logged), 0);
	CU_ASSERT_TRUE(logged);
	CU_ASSERT_EQUAL(hw.config_rejected, rejected);
}

/*
 * 5.1.4 Device configuration layout: a value the driver cannot use is not used, said in one line
 * naming the field, the value and what is used instead, and counted; the probe goes on. Values at
 * the edges of the ranges, and "unknown" speed and duplex, are not rejected.
 */
static void
test_config_values_rejected(void)
{
	static const uint8_t multicast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

	setup_device(ALL_OFFERED, 4);
	memcpy(fake.config + VIONET_CFG_MAC, multicast, 6);
	probe_with_logged("mac rejected: 01:00:5E:00:00:01", 1);
	CU_ASSERT_TRUE(rte_is_valid_assigned_ether_addr(&hw.mac));

	setup_device(ALL_OFFERED, 4);
	memset(fake.config + VIONET_CFG_MAC, 0, 6);
	probe_with_logged("mac rejected: 00:00:00:00:00:00", 1);
	CU_ASSERT_TRUE(rte_is_valid_assigned_ether_addr(&hw.mac));

	/* max_virtqueue_pairs outside 1..0x8000: MQ is not accepted, so the control queue is at 2. */
	setup_device(ALL_OFFERED, 0);
	probe_with_logged("max_virtqueue_pairs rejected: 0 is outside 1..32768", 1);
	CU_ASSERT_EQUAL(hw.max_queue_pairs, 1);
	CU_ASSERT_EQUAL(fake.written_features & B(VIONET_NET_F_MQ), 0);
	setup_device(ALL_OFFERED, 0x8001);
	probe_with_logged("max_virtqueue_pairs rejected: 32769", 1);
	CU_ASSERT_EQUAL(hw.max_queue_pairs, 1);
	setup_device(ALL_OFFERED, 0x8000);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(hw.max_queue_pairs, VIONET_QUEUE_PAIRS_MAX);
	CU_ASSERT_TRUE(vionet_has_feature(&hw, VIONET_NET_F_MQ));
	CU_ASSERT_EQUAL(hw.config_rejected, 0);

	/* mtu below 68: MTU is not accepted, the driver's own maximum. */
	setup_device(ALL_OFFERED, 1);
	set_config16(VIONET_CFG_MTU, 67);
	probe_with_logged("mtu rejected: 67 is below 68", 1);
	CU_ASSERT_EQUAL(hw.max_mtu, VIONET_MAX_MTU);
	CU_ASSERT_EQUAL(fake.written_features & B(VIONET_NET_F_MTU), 0);
	setup_device(ALL_OFFERED, 1);
	set_config16(VIONET_CFG_MTU, 68);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(hw.max_mtu, 68);
	CU_ASSERT_EQUAL(hw.config_rejected, 0);

	/* speed 0 or above any link: the default; 0xffffffff is "unknown", not an error. */
	setup_device(ALL_OFFERED, 1);
	set_config32(VIONET_CFG_SPEED, 0);
	probe_with_logged("speed rejected: 0 Mbps", 1);
	CU_ASSERT_EQUAL(hw.speed_mbps, VIONET_DEFAULT_SPEED_MBPS);
	CU_ASSERT_FALSE(hw.speed_known);
	setup_device(ALL_OFFERED, 1);
	set_config32(VIONET_CFG_SPEED, VIONET_SPEED_MAX_MBPS + 1);
	probe_with_logged("speed rejected: 400001 Mbps", 1);
	CU_ASSERT_EQUAL(hw.speed_mbps, VIONET_DEFAULT_SPEED_MBPS);
	setup_device(ALL_OFFERED, 1);
	set_config32(VIONET_CFG_SPEED, UINT32_MAX);
	fake.config[VIONET_CFG_DUPLEX] = 0xff;
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(hw.speed_mbps, VIONET_DEFAULT_SPEED_MBPS);
	CU_ASSERT_FALSE(hw.speed_known);
	CU_ASSERT_TRUE(hw.full_duplex);
	CU_ASSERT_EQUAL(hw.config_rejected, 0);

	/* duplex other than 0, 1, 0xff: full. */
	setup_device(ALL_OFFERED, 1);
	fake.config[VIONET_CFG_DUPLEX] = 2;
	probe_with_logged("duplex rejected: 0x2", 1);
	CU_ASSERT_TRUE(hw.full_duplex);
	setup_device(ALL_OFFERED, 1);
	fake.config[VIONET_CFG_DUPLEX] = 0;
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_FALSE(hw.full_duplex);

	/* All at once: one count each. */
	setup_device(ALL_OFFERED, 0);
	memcpy(fake.config + VIONET_CFG_MAC, multicast, 6);
	set_config16(VIONET_CFG_MTU, 1);
	set_config32(VIONET_CFG_SPEED, 0);
	fake.config[VIONET_CFG_DUPLEX] = 7;
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(hw.config_rejected, 5);
}

/*
 * A device that comes back changed (after a reset or a back end's reconnect): each negotiation reads
 * the configuration again. The device's limits and link take the new values; the port keeps the
 * MAC and MTU the application knows; bad values are rejected and counted again.
 */
static void
test_config_read_again_at_renegotiation(void)
{
	static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t other_mac[6] = {0x02, 0x99, 0x88, 0x77, 0x66, 0x55};
	bool logged;

	setup_device(ALL_OFFERED, 4);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	set_config16(VIONET_CFG_MAX_VQ_PAIRS, 2);
	set_config16(VIONET_CFG_MTU, 3000);
	set_config32(VIONET_CFG_SPEED, 1000);
	fake.config[VIONET_CFG_DUPLEX] = 0;
	memcpy(fake.config + VIONET_CFG_MAC, other_mac, 6);
	CU_ASSERT_EQUAL(call_logging(vionet_dev_renegotiate, "now offers MAC 02:99:88:77:66:55; "
					"the port keeps 02:11:22:33:44:55", &logged), 0);
	CU_ASSERT_TRUE(logged);
	CU_ASSERT_EQUAL(hw.max_queue_pairs, 2);
	CU_ASSERT_EQUAL(hw.max_mtu, 3000);
	CU_ASSERT_EQUAL(hw.mtu, 1500);
	CU_ASSERT_EQUAL(hw.speed_mbps, 1000);
	CU_ASSERT_FALSE(hw.full_duplex);
	CU_ASSERT_EQUAL(memcmp(hw.mac.addr_bytes, mac, 6), 0);
	CU_ASSERT_EQUAL(hw.config_rejected, 0);

	set_config16(VIONET_CFG_MAX_VQ_PAIRS, 0);
	set_config16(VIONET_CFG_MTU, 20);
	CU_ASSERT_EQUAL(call_logging(vionet_dev_renegotiate, "mtu rejected: 20", &logged), 0);
	CU_ASSERT_TRUE(logged);
	CU_ASSERT_EQUAL(hw.config_rejected, 2);
	CU_ASSERT_EQUAL(hw.max_queue_pairs, 1);
	CU_ASSERT_EQUAL(hw.max_mtu, VIONET_MAX_MTU);
	CU_ASSERT_FALSE(vionet_has_feature(&hw, VIONET_NET_F_MQ));
	CU_ASSERT_EQUAL(memcmp(hw.mac.addr_bytes, mac, 6), 0);
}

/* The transport's upcall goes up as one event per change, with the new state; no event without one. */
static void
test_link_state(void)
{
	setup_device(ALL_OFFERED, 1);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_TRUE(hw.link_up);
	vionet_transport_link_changed(&hw.tp);
	CU_ASSERT_EQUAL(reported.link_events, 0);
	fake.link = 0;
	vionet_transport_link_changed(&hw.tp);
	CU_ASSERT_FALSE(hw.link_up);
	CU_ASSERT_EQUAL(reported.link_events, 1);
	CU_ASSERT_FALSE(reported.last_up);
	fake.link = 1;
	vionet_transport_link_changed(&hw.tp);
	CU_ASSERT_TRUE(hw.link_up);
	CU_ASSERT_EQUAL(reported.link_events, 2);
	CU_ASSERT_TRUE(reported.last_up);
}

static void
test_driver_ok_and_reset(void)
{
	setup_device(ALL_OFFERED, 1);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	CU_ASSERT_EQUAL(vionet_dev_driver_ok(&hw), 0);
	CU_ASSERT_TRUE(fake.status & VIONET_STATUS_DRIVER_OK);
	CU_ASSERT_TRUE(fake.status & VIONET_STATUS_FEATURES_OK);
	vionet_dev_reset(&hw);
	CU_ASSERT_EQUAL(fake.status, 0);
	CU_ASSERT_EQUAL(vionet_dev_renegotiate(&hw), 0);
	CU_ASSERT_TRUE(fake.status & VIONET_STATUS_FEATURES_OK);
}

static void
test_control_commands(void)
{
	struct rte_ether_addr uc[2] = {{{0x02, 1, 2, 3, 4, 5}}, {{0x02, 1, 2, 3, 4, 6}}};
	struct rte_ether_addr mc[1] = {{{0x01, 0, 0x5e, 0, 0, 1}}};
	uint32_t entries;
	uint16_t v16;

	setup_device(ALL_OFFERED, 4);
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);

	/* VIONET_CTRL_RX (0), PROMISC (0): one byte, 1 = on */
	CU_ASSERT_EQUAL(vionet_ctrl_set_promisc(&hw, true), 0);
	CU_ASSERT_EQUAL(fake.ctrl_class, 0);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 0);
	CU_ASSERT_EQUAL(fake.ctrl_len, 1);
	CU_ASSERT_EQUAL(fake.ctrl_data[0], 1);
	CU_ASSERT_TRUE(hw.filters.promisc);
	/* ALLMULTI (1), off */
	CU_ASSERT_EQUAL(vionet_ctrl_set_allmulti(&hw, false), 0);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 1);
	CU_ASSERT_EQUAL(fake.ctrl_data[0], 0);

	/* VIONET_CTRL_MQ (4), VQ_PAIRS_SET (0): le16 */
	CU_ASSERT_EQUAL(vionet_ctrl_set_queue_pairs(&hw, 3), 0);
	CU_ASSERT_EQUAL(fake.ctrl_class, 4);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 0);
	memcpy(&v16, fake.ctrl_data, 2);
	CU_ASSERT_EQUAL(rte_le_to_cpu_16(v16), 3);
	CU_ASSERT_EQUAL(hw.active_queue_pairs, 3);
	CU_ASSERT_EQUAL(vionet_ctrl_set_queue_pairs(&hw, 0), -EINVAL);
	CU_ASSERT_EQUAL(vionet_ctrl_set_queue_pairs(&hw, 5), -EINVAL);

	/* VIONET_CTRL_MAC (1), TABLE_SET (0): le32 n + macs, unicast then multicast */
	CU_ASSERT_EQUAL(vionet_ctrl_set_mac_table(&hw, uc, 2, mc, 1), 0);
	CU_ASSERT_EQUAL(fake.ctrl_class, 1);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 0);
	CU_ASSERT_EQUAL(fake.ctrl_len, 4 + 12 + 4 + 6);
	memcpy(&entries, fake.ctrl_data, 4);
	CU_ASSERT_EQUAL(rte_le_to_cpu_32(entries), 2);
	CU_ASSERT_EQUAL(memcmp(fake.ctrl_data + 4, uc, 12), 0);
	memcpy(&entries, fake.ctrl_data + 16, 4);
	CU_ASSERT_EQUAL(rte_le_to_cpu_32(entries), 1);
	CU_ASSERT_EQUAL(memcmp(fake.ctrl_data + 20, mc, 6), 0);

	/* MAC ADDR_SET (1): 6 bytes */
	CU_ASSERT_EQUAL(vionet_ctrl_set_mac(&hw, &uc[1]), 0);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 1);
	CU_ASSERT_EQUAL(fake.ctrl_len, 6);

	/* VIONET_CTRL_VLAN (2), ADD (0) / DEL (1): le16 id; recorded */
	CU_ASSERT_EQUAL(vionet_ctrl_vlan(&hw, 100, true), 0);
	CU_ASSERT_EQUAL(fake.ctrl_class, 2);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 0);
	CU_ASSERT_TRUE((hw.filters.vlan[100 / 64] & (UINT64_C(1) << (100 % 64))) != 0);
	CU_ASSERT_EQUAL(vionet_ctrl_vlan(&hw, 100, false), 0);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 1);
	CU_ASSERT_FALSE((hw.filters.vlan[100 / 64] & (UINT64_C(1) << (100 % 64))) != 0);
	CU_ASSERT_EQUAL(vionet_ctrl_vlan(&hw, 4096, true), -EINVAL);
	/* Stopped (no live control queue: -EAGAIN): recorded, and sent again once the device runs,
	 * as after a reset the device's table is empty. */
	fake.ctrl_answer = -EAGAIN;
	CU_ASSERT_EQUAL(vionet_ctrl_vlan(&hw, 300, true), 0);
	CU_ASSERT_TRUE((hw.filters.vlan[300 / 64] & (UINT64_C(1) << (300 % 64))) != 0);
	fake.ctrl_answer = 0;
	fake.ctrl_count = 0;
	vionet_ctrl_device_ready(&hw);
	CU_ASSERT_EQUAL(fake.ctrl_count, 2); /* promiscuous (on above), then VLAN 300; not 100 */
	CU_ASSERT_EQUAL(fake.ctrl_class, 2);
	CU_ASSERT_EQUAL(fake.ctrl_cmd, 0);
	memcpy(&v16, fake.ctrl_data, 2);
	CU_ASSERT_EQUAL(rte_le_to_cpu_16(v16), 300);

	/* The device says VIONET_CTRL_ERR: -EIO, state unchanged. */
	fake.ctrl_answer = 1;
	CU_ASSERT_EQUAL(vionet_ctrl_set_promisc(&hw, false), -EIO);
	CU_ASSERT_TRUE(hw.filters.promisc);
}

/*
 * Queue sizes come from the device: a queue 0 of size 0 is unavailable (4.1.4.3 Common configuration
 * structure layout) and refuses the probe, as do one below the driver's minimum and a devarg
 * queue_size above the device's maximum; a size is never made up where the device gave none.
 */
static void
test_queue_sizes_from_the_device(void)
{
	bool logged;

	setup_device(ALL_OFFERED, 1);
	fake.queue_max = 0;
	CU_ASSERT_EQUAL(vionet_dev_init(&hw), -ENODEV);
	CU_ASSERT_TRUE(fake.status & VIONET_STATUS_FAILED);

	setup_device(ALL_OFFERED, 1);
	fake.queue_max = VIONET_QUEUE_SIZE_MIN / 2;
	CU_ASSERT_EQUAL(vionet_dev_init(&hw), -ENODEV);

	setup_device(ALL_OFFERED, 1);
	hw.tp.devargs.queue_size = 512;
	CU_ASSERT_EQUAL(init_logging("queue_size=512", &logged), -EINVAL);
	CU_ASSERT_TRUE(logged);
	CU_ASSERT_TRUE(fake.status & VIONET_STATUS_FAILED);

	setup_device(ALL_OFFERED, 1);
	hw.tp.devargs.queue_size = 256;
	CU_ASSERT_EQUAL_FATAL(vionet_dev_init(&hw), 0);
	/* Split ring (packed_vq off): clamped to the device, rounded down to a power of two. */
	CU_ASSERT_EQUAL(vionet_vq_size_fit(&hw, VIONET_QUEUE_SIZE_MAX, 256), 256);
	CU_ASSERT_EQUAL(vionet_vq_size_fit(&hw, VIONET_QUEUE_SIZE_MAX, 1000), 512);
	CU_ASSERT_EQUAL(vionet_vq_size_fit(&hw, 64, 256), 64);
	CU_ASSERT_EQUAL(vionet_vq_size_fit(&hw, VIONET_QUEUE_SIZE_MAX, UINT16_MAX), 32768);
	/* A queue the device has no size for has none: not the spec's 32768. */
	CU_ASSERT_EQUAL(vionet_vq_size_fit(&hw, VIONET_QUEUE_SIZE_MAX, 0), 0);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"init sequence and features", test_init_sequence_and_features},
	        {"offload features negotiated from the application's offloads",
	         test_offloads_negotiated_on_demand},
	        {"devargs choose ring layout and buffers", test_devargs_choose_layout},
	        {"feature dependencies", test_feature_dependencies},
	        {"refusals write FAILED", test_refusals_write_failed},
	        {"legacy device", test_legacy_device},
	        {"config space and devarg overrides", test_config_space},
	        {"config values the driver cannot use", test_config_values_rejected},
	        {"config read again at renegotiation", test_config_read_again_at_renegotiation},
	        {"link state from the transport", test_link_state},
	        {"DRIVER_OK, reset, renegotiation", test_driver_ok_and_reset},
	        {"control command encoding", test_control_commands},
	        {"queue sizes from the device", test_queue_sizes_from_the_device},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("vionet_device", tests);
}
