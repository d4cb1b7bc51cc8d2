/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands (virtio 1.x "Network Device: Control Virtqueue"): receive modes, MAC filter and
 * address, VLAN filter, number of queue pairs. They go to the transport's ctrl_command when it answers
 * them itself (vhost-user: the back end never serves the control virtqueue). A transport without
 * ctrl_command reaches a device whose control virtqueue this layer does not drive yet: commands
 * return -ENOTSUP there. One command is in flight at a time.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "vionet_device.h"
#include "vionet_log.h"

/* Classes and commands ("Control Virtqueue": 5.1.6.5). */
#define VIRTIO_NET_CTRL_RX 0
#define VIRTIO_NET_CTRL_RX_PROMISC 0
#define VIRTIO_NET_CTRL_RX_ALLMULTI 1
#define VIRTIO_NET_CTRL_MAC 1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET 0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET 1
#define VIRTIO_NET_CTRL_VLAN 2
#define VIRTIO_NET_CTRL_VLAN_ADD 0
#define VIRTIO_NET_CTRL_VLAN_DEL 1
#define VIRTIO_NET_CTRL_MQ 4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_OK 0

static int
send_command(struct vionet_hw *hw, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	int ret;

	rte_spinlock_lock(&hw->ctrl_lock);
	if (hw->ops->ctrl_command != NULL)
		ret = hw->ops->ctrl_command(hw, class, cmd, data, len);
	else
		ret = -ENOTSUP;
	rte_spinlock_unlock(&hw->ctrl_lock);

	if (ret > VIRTIO_NET_OK) {
		VIONET_LOG(ERR, "%s: device refused control command class %u cmd %u", hw->name, class,
			   cmd);
		return -EIO;
	}
	if (ret < 0 && ret != -ENOTSUP)
		VIONET_LOG(ERR, "%s: control command class %u cmd %u failed: %s", hw->name, class, cmd,
			   strerror(-ret));
	return ret;
}

int
vionet_ctrl_init(struct vionet_hw *hw)
{
	hw->ctrlq = NULL;
	return 0;
}

void
vionet_ctrl_release(struct vionet_hw *hw)
{
	hw->ctrlq = NULL;
}

/* The command class exists: the transport answers everything itself, else the feature says. */
static bool
ctrl_has(const struct vionet_hw *hw, unsigned int feature)
{
	return hw->ops->ctrl_command != NULL || vionet_has_feature(hw, feature);
}

static int
set_rx_mode(struct vionet_hw *hw, uint8_t cmd, bool on)
{
	uint8_t value = on ? 1 : 0;

	/* VIRTIO_NET_F_CTRL_RX carries the receive-mode class. */
	if (!ctrl_has(hw, VIONET_NET_F_CTRL_RX))
		return -ENOTSUP;
	return send_command(hw, VIRTIO_NET_CTRL_RX, cmd, &value, sizeof(value));
}

int
vionet_ctrl_set_promisc(struct vionet_hw *hw, bool on)
{
	int ret = set_rx_mode(hw, VIRTIO_NET_CTRL_RX_PROMISC, on);

	if (ret == 0)
		hw->promisc = on;
	return ret;
}

int
vionet_ctrl_set_allmulti(struct vionet_hw *hw, bool on)
{
	int ret = set_rx_mode(hw, VIRTIO_NET_CTRL_RX_ALLMULTI, on);

	if (ret == 0)
		hw->allmulti = on;
	return ret;
}

int
vionet_ctrl_set_queue_pairs(struct vionet_hw *hw, uint16_t pairs)
{
	/* struct virtio_net_ctrl_mq { le16 virtqueue_pairs; }: 1..max_virtqueue_pairs. */
	uint16_t value = rte_cpu_to_le_16(pairs);
	int ret;

	if (pairs == 0 || pairs > hw->max_queue_pairs)
		return -EINVAL;
	if (!vionet_has_feature(hw, VIONET_NET_F_MQ)) {
		/* Without MQ the device serves exactly one pair. */
		return pairs == 1 ? 0 : -ENOTSUP;
	}
	ret = send_command(hw, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &value,
			   sizeof(value));
	if (ret == 0)
		hw->active_queue_pairs = pairs;
	return ret;
}

int
vionet_ctrl_set_mac(struct vionet_hw *hw, const struct rte_ether_addr *mac)
{
	if (ctrl_has(hw, VIONET_NET_F_CTRL_MAC_ADDR))
		return send_command(hw, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac,
				    RTE_ETHER_ADDR_LEN);
	/* Legacy way ("Setting MAC Address Filtering"): write config space when there is no command. */
	if (vionet_has_feature(hw, VIONET_NET_F_MAC) &&
	    hw->ops->write_dev_config(hw, VIONET_CFG_MAC, mac, RTE_ETHER_ADDR_LEN) == 0)
		return 0;
	return -ENOTSUP;
}

int
vionet_ctrl_set_mac_table(struct vionet_hw *hw, const struct rte_ether_addr *uc, uint32_t n_uc,
			  const struct rte_ether_addr *mc, uint32_t n_mc)
{
	/* Two struct virtio_net_ctrl_mac { le32 entries; u8 macs[entries][6]; }: unicast, multicast. */
	uint8_t buf[2 * sizeof(uint32_t) + 2 * VIONET_MAC_TABLE_SIZE * RTE_ETHER_ADDR_LEN];
	uint32_t entries;
	size_t off = 0;

	if (!ctrl_has(hw, VIONET_NET_F_CTRL_RX))
		return -ENOTSUP;
	if (n_uc > VIONET_MAC_TABLE_SIZE || n_mc > VIONET_MAC_TABLE_SIZE)
		return -EINVAL;
	entries = rte_cpu_to_le_32(n_uc);
	memcpy(buf + off, &entries, sizeof(entries));
	off += sizeof(entries);
	memcpy(buf + off, uc, (size_t)n_uc * RTE_ETHER_ADDR_LEN);
	off += (size_t)n_uc * RTE_ETHER_ADDR_LEN;
	entries = rte_cpu_to_le_32(n_mc);
	memcpy(buf + off, &entries, sizeof(entries));
	off += sizeof(entries);
	memcpy(buf + off, mc, (size_t)n_mc * RTE_ETHER_ADDR_LEN);
	off += (size_t)n_mc * RTE_ETHER_ADDR_LEN;
	return send_command(hw, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, buf, off);
}

int
vionet_ctrl_vlan(struct vionet_hw *hw, uint16_t vlan_id, bool add)
{
	uint16_t value = rte_cpu_to_le_16(vlan_id);
	int ret;

	if (vlan_id >= VIONET_VLAN_IDS)
		return -EINVAL;
	if (!ctrl_has(hw, VIONET_NET_F_CTRL_VLAN))
		return -ENOTSUP;
	ret = send_command(hw, VIRTIO_NET_CTRL_VLAN, add ? VIRTIO_NET_CTRL_VLAN_ADD : VIRTIO_NET_CTRL_VLAN_DEL,
			   &value, sizeof(value));
	if (ret == 0) {
		if (add)
			hw->vlan_filter[vlan_id / 64] |= UINT64_C(1) << (vlan_id % 64);
		else
			hw->vlan_filter[vlan_id / 64] &= ~(UINT64_C(1) << (vlan_id % 64));
	}
	return ret;
}
