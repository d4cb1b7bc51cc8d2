/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands (5.1.6.5 Control Virtqueue): receive modes, MAC filter and
 * address, VLAN filter, number of queue pairs. They go to the transport's ctrl_command when it answers
 * them itself (vhost-user: the back end never serves the control virtqueue), else through the
 * device's control virtqueue (the last virtqueue, after every Rx/Tx pair). One command is in flight
 * at a time. While the port is stopped (no DRIVER_OK, no control queue) receive modes and VLAN ids are recorded
 * and sent at the next start.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "device/device_ctrl.h"

#include "base/vionet_log.h"
#include "device/device_vq.h"

/* Classes and commands ("Control Virtqueue": 5.1.6.5). */

/* A control command: header, data and ack in one device-visible buffer (virtio-net 5.1.6.5). */
#define CTRLQ_DATA_MAX 1024
#define CTRLQ_SIZE_MAX 64
#define CTRLQ_WAIT_US 2000000 /* a device that never answers fails the command, not the caller */

struct vionet_ctrl_buf {
	uint8_t class;
	uint8_t cmd;
	uint8_t data[CTRLQ_DATA_MAX];
	uint8_t ack;
};

struct vionet_ctrlq {
	struct vionet_vq vq;
	const struct rte_memzone *buf_mz;
	struct vionet_ctrl_buf *buf;
	uint64_t buf_dev_addr;
	bool live; /* set up at the device and DRIVER_OK written */
};

static int
ctrlq_alloc(struct vionet_hw *hw)
{
	uint16_t index = (uint16_t)(2 * hw->max_queue_pairs);
	uint16_t device_max = hw->tp.ops->get_queue_max_size(&hw->tp, index);
	uint16_t size = vionet_vq_size_fit(hw, CTRLQ_SIZE_MAX, device_max);
	char name[RTE_MEMZONE_NAMESIZE];
	struct vionet_ctrlq *cq;
	int ret;

	if (device_max == 0) {
		VIONET_INIT_LOG(ERR, "%s: control queue %u does not exist", hw->tp.name, index);
		return -ENODEV;
	}
	cq = rte_zmalloc_socket("vionet_ctrlq", sizeof(*cq), RTE_CACHE_LINE_SIZE, hw->tp.numa_node);
	if (cq == NULL)
		return -ENOMEM;
	ret = vionet_vq_alloc(&cq->vq, hw, index, size, hw->tp.numa_node);
	if (ret < 0) {
		rte_free(cq);
		return ret;
	}
	snprintf(name, sizeof(name), "vionet_p%u_ctrlbuf", hw->eth_dev->data->port_id);
	cq->buf_mz = rte_memzone_reserve(name, sizeof(*cq->buf), hw->tp.numa_node,
					 RTE_MEMZONE_IOVA_CONTIG);
	if (cq->buf_mz == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot reserve the control buffer", hw->tp.name);
		vionet_vq_free(&cq->vq);
		rte_free(cq);
		return -ENOMEM;
	}
	cq->buf = cq->buf_mz->addr;
	cq->buf_dev_addr = vionet_dev_mem_addr(hw, cq->buf_mz);
	hw->ctrlq = cq;
	return 0;
}

int
vionet_ctrlq_start(struct vionet_hw *hw)
{
	struct vionet_ctrlq *cq = hw->ctrlq;
	int ret;

	if (cq == NULL)
		return 0;
	ret = vionet_vq_setup_at_transport(hw, &cq->vq);
	if (ret == 0)
		ret = hw->tp.ops->enable_queue(&hw->tp, cq->vq.vq_index);
	if (ret < 0)
		VIONET_INIT_LOG(ERR, "%s: control queue set-up failed: %s", hw->tp.name, strerror(-ret));
	return ret;
}

void
vionet_ctrlq_stop(struct vionet_hw *hw, bool device_has_queue)
{
	struct vionet_ctrlq *cq = hw->ctrlq;

	if (cq == NULL)
		return;
	cq->live = false;
	if (device_has_queue) {
		hw->tp.ops->stop_queue(&hw->tp, cq->vq.vq_index);
	}
	while (vionet_vq_detach_unused(&cq->vq) != NULL)
		;
}

/* Sends one command on the control virtqueue and waits for the device to use it (5.1.6.5). */
static int
ctrlq_command(struct vionet_hw *hw, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	struct vionet_ctrlq *cq = hw->ctrlq;
	struct vionet_vq *vq = &cq->vq;
	struct virtq_sg sg[3];
	uint16_t n = 0;
	void *cookie;
	uint32_t used_len;
	int ret;

	if (len > CTRLQ_DATA_MAX)
		return -EINVAL;
	cq->buf->class = class;
	cq->buf->cmd = cmd;
	memcpy(cq->buf->data, data, len);
	cq->buf->ack = 0xff;
	sg[n++] = (struct virtq_sg){cq->buf_dev_addr + offsetof(struct vionet_ctrl_buf, class), 2};
	if (len > 0)
		sg[n++] = (struct virtq_sg){cq->buf_dev_addr + offsetof(struct vionet_ctrl_buf, data),
					    (uint32_t)len};
	sg[n++] = (struct virtq_sg){cq->buf_dev_addr + offsetof(struct vionet_ctrl_buf, ack), 1};
	ret = vionet_vq_add_chain(vq, vq->packed_ring, sg, (uint16_t)(n - 1), 1, cq->buf);
	if (ret < 0)
		return ret;
	if (vionet_vq_publish(vq, vq->packed_ring))
		vionet_vq_kick(vq);
	for (unsigned int waited_us = 0;; waited_us += 10) {
		ret = vionet_vq_get_used(vq, vq->packed_ring, &cookie, &used_len);
		if (ret == 0 || ret == -EMSGSIZE)
			break;
		if (ret != -EAGAIN || waited_us >= CTRLQ_WAIT_US) {
			VIONET_LOG(ERR, "%s: control queue: no answer to class %u cmd %u (%d)", hw->tp.name,
				   class, cmd, ret);
			/* Whether the device applied it is unknown, and the buffer may still be written. */
			vionet_dev_report_broken(hw, "control queue: no answer to class %u cmd %u (%s)",
						 class, cmd, ret == -EAGAIN ? "timeout" : "ring broken");
			return ret == -EAGAIN ? -ETIMEDOUT : -EIO;
		}
		rte_delay_us_sleep(10);
	}
	/* The ack byte is valid once the buffer is used (acquire in get_used orders the read). */
	return cq->buf->ack;
}

static int
send_command(struct vionet_hw *hw, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	int ret;

	pthread_mutex_lock(&hw->ctrl_lock);
	if (hw->tp.ops->ctrl_command != NULL)
		ret = hw->tp.ops->ctrl_command(&hw->tp, class, cmd, data, len);
	else if (hw->ctrlq != NULL && hw->ctrlq->live)
		ret = ctrlq_command(hw, class, cmd, data, len);
	else if (hw->ctrlq != NULL)
		ret = -EAGAIN;
	else
		ret = -ENOTSUP;
	pthread_mutex_unlock(&hw->ctrl_lock);

	if (ret > VIONET_CTRL_OK) {
		VIONET_LOG(ERR, "%s: device refused control command class %u cmd %u", hw->tp.name, class,
			   cmd);
		return -EIO;
	}
	if (ret < 0 && ret != -ENOTSUP && ret != -EAGAIN)
		VIONET_LOG(ERR, "%s: control command class %u cmd %u failed: %s", hw->tp.name, class, cmd,
			   strerror(-ret));
	return ret;
}

int
vionet_ctrl_init(struct vionet_hw *hw)
{
	if (hw->tp.ops->ctrl_command != NULL || !vionet_has_feature(hw, VIONET_NET_F_CTRL_VQ))
		return 0;
	return ctrlq_alloc(hw);
}

void
vionet_ctrl_release(struct vionet_hw *hw)
{
	struct vionet_ctrlq *cq = hw->ctrlq;

	if (cq == NULL)
		return;
	hw->ctrlq = NULL;
	rte_memzone_free(cq->buf_mz);
	vionet_vq_free(&cq->vq);
	rte_free(cq);
}

/* The command class exists: the transport answers everything itself, else the feature says. */
static bool
ctrl_has(const struct vionet_hw *hw, unsigned int feature)
{
	return hw->tp.ops->ctrl_command != NULL || vionet_has_feature(hw, feature);
}

static int
set_rx_mode(struct vionet_hw *hw, uint8_t cmd, bool on)
{
	uint8_t value = on ? 1 : 0;

	/* VIONET_NET_F_CTRL_RX carries the receive-mode class. */
	if (!ctrl_has(hw, VIONET_NET_F_CTRL_RX))
		return -ENOTSUP;
	return send_command(hw, VIONET_CTRL_RX, cmd, &value, sizeof(value));
}

int
vionet_ctrl_set_promisc(struct vionet_hw *hw, bool on)
{
	int ret = set_rx_mode(hw, VIONET_CTRL_RX_PROMISC, on);

	if (ret == 0 || ret == -EAGAIN)
		hw->filters.promisc = on;
	return ret == -EAGAIN ? 0 : ret;
}

int
vionet_ctrl_set_allmulti(struct vionet_hw *hw, bool on)
{
	int ret = set_rx_mode(hw, VIONET_CTRL_RX_ALLMULTI, on);

	if (ret == 0 || ret == -EAGAIN)
		hw->filters.allmulti = on;
	return ret == -EAGAIN ? 0 : ret;
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
	ret = send_command(hw, VIONET_CTRL_MQ, VIONET_CTRL_MQ_VQ_PAIRS_SET, &value,
			   sizeof(value));
	if (ret == 0)
		hw->active_queue_pairs = pairs;
	return ret;
}

int
vionet_ctrl_set_mac(struct vionet_hw *hw, const struct rte_ether_addr *mac)
{
	if (ctrl_has(hw, VIONET_NET_F_CTRL_MAC_ADDR))
		return send_command(hw, VIONET_CTRL_MAC, VIONET_CTRL_MAC_ADDR_SET, mac,
				    RTE_ETHER_ADDR_LEN);
	/* Legacy way (5.1.6.5.2 Setting MAC Address Filtering): write config space when there is no command. */
	if (vionet_has_feature(hw, VIONET_NET_F_MAC) &&
	    hw->tp.ops->write_dev_config(&hw->tp, VIONET_CFG_MAC, mac, RTE_ETHER_ADDR_LEN) == 0)
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
	return send_command(hw, VIONET_CTRL_MAC, VIONET_CTRL_MAC_TABLE_SET, buf, off);
}

static int
send_vlan(struct vionet_hw *hw, uint16_t vlan_id, bool add)
{
	/* VIONET_CTRL_VLAN_ADD / _DEL carry one le16 VLAN id (5.1.6.5.3). */
	uint16_t value = rte_cpu_to_le_16(vlan_id);

	return send_command(hw, VIONET_CTRL_VLAN, add ? VIONET_CTRL_VLAN_ADD : VIONET_CTRL_VLAN_DEL,
			    &value, sizeof(value));
}

int
vionet_ctrl_vlan(struct vionet_hw *hw, uint16_t vlan_id, bool add)
{
	int ret;

	if (vlan_id >= VIONET_VLAN_IDS)
		return -EINVAL;
	if (!ctrl_has(hw, VIONET_NET_F_CTRL_VLAN))
		return -ENOTSUP;
	/* While stopped the id is only recorded: vionet_ctrl_device_ready sends the table at start. */
	ret = send_vlan(hw, vlan_id, add);
	if (ret == 0 || ret == -EAGAIN) {
		if (add)
			hw->filters.vlan[vlan_id / 64] |= UINT64_C(1) << (vlan_id % 64);
		else
			hw->filters.vlan[vlan_id / 64] &= ~(UINT64_C(1) << (vlan_id % 64));
	}
	return ret == -EAGAIN ? 0 : ret;
}

/* Sends every recorded VLAN id again; a failure is logged by send_command and leaves the rest. */
static void
replay_vlans(struct vionet_hw *hw)
{
	for (uint16_t word = 0; word < VIONET_VLAN_IDS / 64; word++) {
		uint64_t bits = hw->filters.vlan[word];

		while (bits != 0) {
			send_vlan(hw, (uint16_t)(word * 64 + rte_bsf64(bits)), true);
			bits &= bits - 1;
		}
	}
}

void
vionet_ctrl_device_ready(struct vionet_hw *hw)
{
	if (hw->ctrlq != NULL)
		hw->ctrlq->live = true;
	/* Receive modes set while stopped; a device starts promiscuous-off, allmulti-off (5.1.6.5.1). */
	if (hw->filters.promisc)
		vionet_ctrl_set_promisc(hw, true);
	if (hw->filters.allmulti)
		vionet_ctrl_set_allmulti(hw, true);
	/* The VLAN table does not survive a reset: QEMU empties it when CTRL_VLAN is negotiated, so
	 * every tagged frame would be dropped (promiscuous off) until the ids are added again. */
	if (ctrl_has(hw, VIONET_NET_F_CTRL_VLAN))
		replay_vlans(hw);
}
