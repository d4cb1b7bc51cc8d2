/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands (5.1.6.5 Control Virtqueue): receive modes, MAC filter and
 * address, VLAN filter, number of queue pairs. They go to the transport's ctrl_command when it answers
 * them itself (vhost-user: the back end never serves the control virtqueue), else through the
 * device's control virtqueue (the last virtqueue, after every Rx/Tx pair). One command is waited for
 * at a time (hw->ctrl_lock); one that timed out keeps its buffer until the device answers it or
 * the queue stops. While the port is stopped (no DRIVER_OK, no control queue) receive modes and VLAN ids are recorded
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

/*
 * A control command: header, data and ack in one device-visible buffer (5.1.6.5 Control
 * Virtqueue). Each ring descriptor has a buffer of its own: a command the device has not answered
 * keeps its buffer, which no later command reuses while the device may still read or write it.
 */
#define CTRLQ_DATA_MAX 1024
#define CTRLQ_SIZE_MAX 64
/* Descriptors of one command: header, data, ack (a command without data takes two). */
#define CTRLQ_CMD_DESCS_MAX 3

struct vionet_ctrl_buf {
	uint8_t class;
	uint8_t cmd;
	uint8_t data[CTRLQ_DATA_MAX];
	uint8_t ack;
};

/* What the driver keeps of the command in a buffer while the device holds it. */
struct ctrlq_slot {
	bool posted; /* on the ring: the device may still read the command and write its ack */
	uint8_t class;
	uint8_t cmd;
};

struct vionet_ctrlq {
	struct vionet_vq vq;
	const struct rte_memzone *buf_mz;
	struct vionet_ctrl_buf *bufs; /* [nb_slots]; the cookie of a command is its buffer */
	uint64_t bufs_dev_addr;
	uint16_t nb_slots; /* the ring's size: never fewer buffers than commands it can hold */
	uint16_t posted;   /* commands on the ring: the one waited for and those that timed out */
	struct ctrlq_slot slots[CTRLQ_SIZE_MAX];
	bool live; /* set up at the device and DRIVER_OK written; under hw->ctrl_lock */
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
	if (size < CTRLQ_CMD_DESCS_MAX) {
		VIONET_INIT_LOG(ERR,
				"%s: control queue %u holds %u descriptors, a command takes %u",
				hw->tp.name, index, size, CTRLQ_CMD_DESCS_MAX);
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
	cq->buf_mz = rte_memzone_reserve(name, sizeof(*cq->bufs) * size, hw->tp.numa_node,
					 RTE_MEMZONE_IOVA_CONTIG);
	if (cq->buf_mz == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot reserve the control buffers", hw->tp.name);
		vionet_vq_free(&cq->vq);
		rte_free(cq);
		return -ENOMEM;
	}
	cq->bufs = cq->buf_mz->addr;
	cq->bufs_dev_addr = vionet_dev_mem_addr(hw, cq->buf_mz);
	cq->nb_slots = size;
	hw->ctrlq = cq;
	return 0;
}

/* The device gave a buffer back: nothing of it is written any more, it takes a new command. */
static void
ctrlq_slot_release(struct vionet_ctrlq *cq, uint16_t slot)
{
	cq->slots[slot].posted = false;
	cq->posted--;
}

/* The slot of a cookie lib/virtq handed back: one of our buffers, posted (it checks both too). */
static int
ctrlq_slot_of(const struct vionet_ctrlq *cq, const void *cookie)
{
	uintptr_t off = (uintptr_t)cookie - (uintptr_t)cq->bufs;
	uint16_t slot;

	if ((uintptr_t)cookie < (uintptr_t)cq->bufs || off % sizeof(*cq->bufs) != 0 ||
	    off / sizeof(*cq->bufs) >= cq->nb_slots)
		return -1;
	slot = (uint16_t)(off / sizeof(*cq->bufs));
	return cq->slots[slot].posted ? slot : -1;
}

/*
 * The device forgot the ring (stop, reset): every buffer is ours again. lib/virtq's own state is
 * fresh at the next set-up.
 */
static void
ctrlq_forget_posted(struct vionet_ctrlq *cq)
{
	while (vionet_vq_detach_unused(&cq->vq) != NULL)
		;
	memset(cq->slots, 0, sizeof(cq->slots));
	cq->posted = 0;
}

int
vionet_ctrlq_start(struct vionet_hw *hw)
{
	struct vionet_ctrlq *cq = hw->ctrlq;
	int ret;

	if (cq == NULL)
		return 0;
	/* A command never runs while its ring is being set up. */
	pthread_mutex_lock(&hw->ctrl_lock);
	/* A fresh ring: no buffer is the device's (the stop before took them all back). */
	memset(cq->slots, 0, sizeof(cq->slots));
	cq->posted = 0;
	ret = vionet_vq_setup_at_transport(hw, &cq->vq);
	if (ret == 0)
		ret = hw->tp.ops->enable_queue(&hw->tp, cq->vq.vq_index);
	pthread_mutex_unlock(&hw->ctrl_lock);
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
	/*
	 * Waits for a command in flight (bounded by its timeout): it would otherwise ring a
	 * doorbell that stop_queue cleared, or read a ring the device no longer serves.
	 */
	pthread_mutex_lock(&hw->ctrl_lock);
	cq->live = false;
	if (device_has_queue)
		hw->tp.ops->stop_queue(&hw->tp, cq->vq.vq_index);
	ctrlq_forget_posted(cq);
	pthread_mutex_unlock(&hw->ctrl_lock);
}

bool
vionet_ctrlq_fits(const struct vionet_hw *hw, uint16_t *index)
{
	bool device_has = hw->tp.ops->ctrl_command == NULL && vionet_has_feature(hw, VIONET_NET_F_CTRL_VQ);

	*index = (uint16_t)(2 * hw->max_queue_pairs);
	if (hw->ctrlq == NULL)
		return !device_has;
	return device_has && hw->ctrlq->vq.vq_index == *index;
}

/* The wait of a command, in timer cycles: sleeps make a count of polls far off real time. */
static uint64_t
ctrl_timeout_cycles(const struct vionet_hw *hw)
{
	uint32_t ms = hw->ctrl_timeout_ms != 0 ? hw->ctrl_timeout_ms : VIONET_CTRL_TIMEOUT_MS;

	return rte_get_timer_hz() / 1000 * ms;
}

/*
 * Takes one used buffer from the ring. Returns the slot it held; -EAGAIN when there is none;
 * -EBADMSG for a used entry lib/virtq rejected (counted there, skipped); -EIO when the ring is
 * broken. An answer to another command than 'waited_slot' is to one that timed out: discarded, its
 * buffer free again.
 */
static int
ctrlq_reap_one(struct vionet_hw *hw, struct vionet_ctrlq *cq, int waited_slot)
{
	struct vionet_vq *vq = &cq->vq;
	void *cookie;
	uint32_t used_len;
	int ret, slot;

	ret = vionet_vq_get_used(vq, vq->packed_ring, &cookie, &used_len);
	if (ret == -EAGAIN || ret == -EBADMSG)
		return ret;
	if (ret != 0 && ret != -EMSGSIZE)
		return -EIO;
	slot = ctrlq_slot_of(cq, cookie);
	if (slot < 0)
		return -EBADMSG;
	if (slot != waited_slot)
		VIONET_LOG(WARNING,
			   "%s: control queue: late answer to class %u cmd %u (timed out before) "
			   "discarded",
			   hw->tp.name, cq->slots[slot].class, cq->slots[slot].cmd);
	ctrlq_slot_release(cq, (uint16_t)slot);
	return slot;
}

/*
 * A buffer the device does not hold, with room on the ring for a command of 'ndescs'
 * descriptors; -EBUSY (logged) when commands that timed out still hold the ring.
 */
static int
ctrlq_free_slot(struct vionet_hw *hw, struct vionet_ctrlq *cq, uint16_t ndescs)
{
	struct vionet_vq *vq = &cq->vq;

	/* Answers that came after their commands timed out give their buffers back first; a ring's
	 * worth of entries at most, whatever the device keeps writing. */
	for (uint16_t i = 0; i < 2 * cq->nb_slots && cq->posted > 0; i++) {
		int ret = ctrlq_reap_one(hw, cq, -1);

		if (ret == -EAGAIN || ret == -EIO)
			break;
	}
	if (vionet_vq_free_count(vq, vq->packed_ring) >= ndescs) {
		for (uint16_t slot = 0; slot < cq->nb_slots; slot++)
			if (!cq->slots[slot].posted)
				return slot;
	}
	VIONET_LOG(ERR,
		   "%s: control queue full: %u commands the device never answered hold its %u "
		   "descriptors; commands are refused until it answers or the port restarts",
		   hw->tp.name, cq->posted, cq->nb_slots);
	return -EBUSY;
}

/*
 * Sends one command on the control virtqueue and waits for the device to use it (5.1.6.5
 * Control Virtqueue). Called under hw->ctrl_lock; logs its own failures.
 */
static int
ctrlq_command(struct vionet_hw *hw, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	struct vionet_ctrlq *cq = hw->ctrlq;
	struct vionet_vq *vq = &cq->vq;
	struct vionet_ctrl_buf *buf;
	struct virtq_sg sg[CTRLQ_CMD_DESCS_MAX];
	uint64_t buf_addr, deadline;
	uint16_t n = 0;
	int slot, ret;

	if (len > CTRLQ_DATA_MAX)
		return -EINVAL;
	slot = ctrlq_free_slot(hw, cq, len > 0 ? 3 : 2);
	if (slot < 0)
		return slot;
	buf = &cq->bufs[slot];
	buf_addr = cq->bufs_dev_addr + (uint64_t)slot * sizeof(*buf);
	buf->class = class;
	buf->cmd = cmd;
	memcpy(buf->data, data, len);
	buf->ack = 0xff; /* neither VIONET_CTRL_OK nor _ERR: a device that writes nothing refused */
	sg[n++] = (struct virtq_sg){buf_addr + offsetof(struct vionet_ctrl_buf, class), 2};
	if (len > 0)
		sg[n++] = (struct virtq_sg){buf_addr + offsetof(struct vionet_ctrl_buf, data),
					    (uint32_t)len};
	sg[n++] = (struct virtq_sg){buf_addr + offsetof(struct vionet_ctrl_buf, ack), 1};
	ret = vionet_vq_add_chain(vq, vq->packed_ring, sg, (uint16_t)(n - 1), 1, buf);
	if (ret < 0) {
		VIONET_LOG(ERR, "%s: control queue refused class %u cmd %u: %s", hw->tp.name, class,
			   cmd, strerror(-ret));
		return ret;
	}
	cq->slots[slot] = (struct ctrlq_slot){.posted = true, .class = class, .cmd = cmd};
	cq->posted++;
	if (vionet_vq_publish(vq, vq->packed_ring))
		vionet_vq_kick(vq);
	deadline = rte_get_timer_cycles() + ctrl_timeout_cycles(hw);
	for (;;) {
		ret = ctrlq_reap_one(hw, cq, slot);
		if (ret == slot)
			break;
		if (ret == -EIO) {
			VIONET_LOG(ERR,
				   "%s: control queue broken (bad used entry) waiting for class %u "
				   "cmd %u",
				   hw->tp.name, class, cmd);
			vionet_dev_report_broken(hw, "control queue: no answer to class %u cmd %u (%s)",
						 class, cmd, "ring broken");
			return -EIO;
		}
		if (rte_get_timer_cycles() >= deadline) {
			/* The buffer stays posted: the device may still answer into it. */
			VIONET_LOG(ERR,
				   "%s: control queue: no answer to class %u cmd %u within %u ms",
				   hw->tp.name, class, cmd,
				   hw->ctrl_timeout_ms != 0 ? hw->ctrl_timeout_ms
							    : VIONET_CTRL_TIMEOUT_MS);
			/* Whether the device applied it is unknown: the port is broken until reset. */
			vionet_dev_report_broken(hw, "control queue: no answer to class %u cmd %u (%s)",
						 class, cmd, "timeout");
			return -ETIMEDOUT;
		}
		/* A late answer or a bad entry: look again at once. */
		if (ret == -EAGAIN)
			rte_delay_us_sleep(10);
	}
	/* The ack byte is valid once the buffer is used (acquire in get_used orders the read). */
	return buf->ack;
}

static int
send_command(struct vionet_hw *hw, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	bool logged = false;
	int ret;

	pthread_mutex_lock(&hw->ctrl_lock);
	if (hw->tp.ops->ctrl_command != NULL) {
		ret = hw->tp.ops->ctrl_command(&hw->tp, class, cmd, data, len);
	} else if (hw->ctrlq != NULL && hw->ctrlq->live) {
		ret = ctrlq_command(hw, class, cmd, data, len);
		logged = true;
	} else if (hw->ctrlq != NULL) {
		ret = -EAGAIN;
	} else {
		ret = -ENOTSUP;
	}
	pthread_mutex_unlock(&hw->ctrl_lock);

	if (ret > VIONET_CTRL_OK) {
		VIONET_LOG(ERR, "%s: device refused control command class %u cmd %u", hw->tp.name, class,
			   cmd);
		return -EIO;
	}
	if (ret < 0 && ret != -ENOTSUP && ret != -EAGAIN && !logged)
		VIONET_LOG(ERR, "%s: control command class %u cmd %u failed: %s", hw->tp.name, class,
			   cmd, strerror(-ret));
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
	pthread_mutex_lock(&hw->ctrl_lock);
	hw->ctrlq = NULL;
	pthread_mutex_unlock(&hw->ctrl_lock);
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
vionet_ctrl_rss_config(struct vionet_hw *hw, const void *config, size_t len)
{
	if (!vionet_has_feature(hw, VIONET_NET_F_RSS) || hw->tp.ops->ctrl_command != NULL)
		return -ENOTSUP;
	return send_command(hw, VIONET_CTRL_MQ, VIONET_CTRL_MQ_RSS_CONFIG, config, len);
}

int
vionet_ctrl_announce_ack(struct vionet_hw *hw)
{
	if (!vionet_has_feature(hw, VIONET_NET_F_GUEST_ANNOUNCE))
		return -ENOTSUP;
	return send_command(hw, VIONET_CTRL_ANNOUNCE, VIONET_CTRL_ANNOUNCE_ACK, NULL, 0);
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
	pthread_mutex_lock(&hw->ctrl_lock);
	if (hw->ctrlq != NULL)
		hw->ctrlq->live = true;
	pthread_mutex_unlock(&hw->ctrl_lock);
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
