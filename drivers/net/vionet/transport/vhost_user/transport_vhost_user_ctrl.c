/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a vhost-user back end does not do for a virtio-net driver, done by the transport:
 * - the device configuration space (5.1.4 Device configuration layout), synthesized unless the
 *   back end offers VHOST_USER_PROTOCOL_F_CONFIG and answers GET_CONFIG;
 * - the control virtqueue (5.1.6.5 Control Virtqueue): a back end never serves it (the front end
 *   owns it), so commands are answered here. Queue pair changes become SET_VRING_ENABLE;
 *   receive-mode, MAC and VLAN commands are recorded and acknowledged, since the back end has no
 *   filter to program.
 */
#include "transport/vhost_user/transport_vhost_user_ctrl.h"

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "base/vionet_log.h"
#include "transport/vhost_user/transport_vhost_user_conn.h"
#include "transport/vhost_user/transport_vhost_user_vring.h"

void
vu_config_init(struct vu_priv *p)
{
	const struct vionet_devargs *da = &p->t->devargs;
	struct vionet_net_config *cfg = &p->config;
	struct rte_ether_addr mac;

	memset(cfg, 0, sizeof(*cfg));
	/* A random address is unicast and locally administered (rte_eth_random_addr). */
	if (da->mac_set)
		mac = da->mac;
	else
		rte_eth_random_addr(mac.addr_bytes);
	memcpy(cfg->mac, mac.addr_bytes, sizeof(cfg->mac));
	cfg->max_virtqueue_pairs = rte_cpu_to_le_16(da->queue_pairs);
	cfg->mtu = rte_cpu_to_le_16(RTE_ETHER_MTU);
	/* A vhost-user back end tells no speed: unknown (5.1.4) unless the devarg gives one; the
	 * device layer then reports its default link speed and claims no speed capability. */
	cfg->speed = rte_cpu_to_le_32(da->speed_mbps != 0 ? da->speed_mbps : VIONET_SPEED_UNKNOWN);
	cfg->duplex = VIONET_NET_DUPLEX_FULL;
	p->ctrl.active_pairs = 1; /* the first pair after reset (5.1.5 Device Initialization) */
}

static bool
config_range_ok(struct vu_priv *p, size_t offset, size_t len)
{
	if (offset > sizeof(p->config) || len > sizeof(p->config) - offset) {
		VIONET_USER_LOG(ERR, "%s: config space access at %zu+%zu is beyond its %zu bytes",
				p->t->name, offset, len, sizeof(p->config));
		return false;
	}
	return true;
}

int
vu_config_read(struct vu_priv *p, size_t offset, void *dst, size_t len)
{
	int ret = 0;

	if (!config_range_ok(p, offset, len))
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	if (p->config_from_backend && p->conn.fd >= 0) {
		ret = vhost_user_get_config(&p->conn, (uint32_t)offset, dst, (uint32_t)len);
		if (ret < 0)
			vu_conn_failed(p, "GET_CONFIG", ret);
	} else {
		/* The link is up exactly while a back end is connected. */
		p->config.status = rte_cpu_to_le_16(vu_connected(p) ? VIONET_NET_S_LINK_UP : 0);
		memcpy(dst, (const uint8_t *)&p->config + offset, len);
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

int
vu_config_write(struct vu_priv *p, size_t offset, const void *src, size_t len)
{
	int ret = 0;

	if (!config_range_ok(p, offset, len))
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	if (p->config_from_backend && p->conn.fd >= 0) {
		ret = vhost_user_set_config(&p->conn, (uint32_t)offset, src, (uint32_t)len);
		if (ret < 0)
			vu_conn_failed(p, "SET_CONFIG", ret);
	} else if (offset + len <= sizeof(p->config.mac)) {
		/*
		 * Only the MAC is writable (legacy drivers write it: 5.1.4.3 Legacy Interface:
		 * Device configuration layout).
		 */
		memcpy((uint8_t *)&p->config + offset, src, len);
	} else {
		VIONET_USER_LOG(ERR, "%s: config space bytes %zu+%zu are read-only", p->t->name,
				offset, len);
		ret = -ENOTSUP;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/*
 * Enables the first 'pairs' Rx/Tx pairs the device layer has set up and disables the rest
 * (5.1.6.5.5 Device operation in multiqueue mode).
 */
static int
set_active_pairs_locked(struct vu_priv *p, uint16_t pairs)
{
	uint16_t q;
	int ret;

	for (q = 0; q < p->nb_queues; q++) {
		struct vu_queue *vq = &p->queues[q];
		bool want = q / 2 < pairs;

		if (!vq->set_up || vq->enabled == want)
			continue;
		ret = vu_vring_enable_locked(p, q, want);
		if (ret < 0)
			return ret;
	}
	p->ctrl.active_pairs = pairs;
	return 0;
}

static int
ctrl_mq(struct vu_priv *p, uint8_t cmd, const void *data, size_t len)
{
	uint16_t pairs;
	int ret;

	if (cmd != VIONET_CTRL_MQ_VQ_PAIRS_SET || len != sizeof(pairs))
		return VIONET_CTRL_ERR; /* RSS and hash reporting: not offered over vhost-user */
	memcpy(&pairs, data, sizeof(pairs));
	pairs = rte_le_to_cpu_16(pairs);
	if (pairs < VIONET_CTRL_MQ_VQ_PAIRS_MIN || pairs > p->nb_queues / 2) {
		VIONET_USER_LOG(ERR, "%s: VQ_PAIRS_SET %u: the device has 1 to %u pairs",
				p->t->name, pairs, p->nb_queues / 2);
		return VIONET_CTRL_ERR;
	}
	pthread_mutex_lock(&p->lock);
	if (!vu_connected(p))
		ret = -ENOTCONN;
	else
		ret = set_active_pairs_locked(p, pairs);
	pthread_mutex_unlock(&p->lock);
	if (ret < 0)
		return ret == -ENOTCONN ? ret : VIONET_CTRL_ERR;
	VIONET_USER_LOG(INFO, "%s: %u queue pairs active", p->t->name, pairs);
	return VIONET_CTRL_OK;
}

static int
ctrl_rx(struct vu_priv *p, uint8_t cmd, const void *data, size_t len)
{
	struct vu_ctrl_state *s = &p->ctrl;
	const char *name;
	bool *mode;
	uint8_t on;

	switch (cmd) {
	case VIONET_CTRL_RX_PROMISC: mode = &s->promisc; name = "promiscuous"; break;
	case VIONET_CTRL_RX_ALLMULTI: mode = &s->allmulti; name = "all-multicast"; break;
	case VIONET_CTRL_RX_ALLUNI: mode = &s->alluni; name = "all-unicast"; break;
	case VIONET_CTRL_RX_NOMULTI: mode = &s->nomulti; name = "no-multicast"; break;
	case VIONET_CTRL_RX_NOUNI: mode = &s->nouni; name = "no-unicast"; break;
	case VIONET_CTRL_RX_NOBCAST: mode = &s->nobcast; name = "no-broadcast"; break;
	default: return VIONET_CTRL_ERR;
	}
	if (len != sizeof(on))
		return VIONET_CTRL_ERR;
	memcpy(&on, data, sizeof(on));
	pthread_mutex_lock(&p->lock);
	if (*mode != (on != 0))
		VIONET_USER_LOG(INFO,
				"%s: %s %s: recorded only, a vhost-user back end does not filter",
				p->t->name, name, on ? "on" : "off");
	*mode = on != 0;
	pthread_mutex_unlock(&p->lock);
	return VIONET_CTRL_OK;
}

/*
 * One table of VIONET_CTRL_MAC_TABLE_SET: le32 entries, then 6 bytes per entry (5.1.6.5.2 Setting
 * MAC Address Filtering).
 * Returns the bytes it took, or 0 when the table does not fit 'len' or our record.
 */
static size_t
parse_mac_table(const uint8_t *data, size_t len, uint32_t *count,
		uint8_t (*macs)[RTE_ETHER_ADDR_LEN])
{
	uint32_t n;

	if (len < sizeof(n))
		return 0;
	memcpy(&n, data, sizeof(n));
	n = rte_le_to_cpu_32(n);
	if (n > VU_MAC_TABLE_MAX || (len - sizeof(n)) / RTE_ETHER_ADDR_LEN < n)
		return 0;
	*count = n;
	memcpy(macs, data + sizeof(n), (size_t)n * RTE_ETHER_ADDR_LEN);
	return sizeof(n) + (size_t)n * RTE_ETHER_ADDR_LEN;
}

static int
ctrl_mac(struct vu_priv *p, uint8_t cmd, const void *data, size_t len)
{
	struct vu_ctrl_state *s = &p->ctrl;
	struct vu_ctrl_state next;
	size_t uc_len, mc_len;

	if (cmd == VIONET_CTRL_MAC_ADDR_SET) {
		if (len != RTE_ETHER_ADDR_LEN)
			return VIONET_CTRL_ERR;
		/* The device's address changes, and so does what config space reports. */
		pthread_mutex_lock(&p->lock);
		memcpy(p->config.mac, data, RTE_ETHER_ADDR_LEN);
		pthread_mutex_unlock(&p->lock);
		return VIONET_CTRL_OK;
	}
	if (cmd != VIONET_CTRL_MAC_TABLE_SET)
		return VIONET_CTRL_ERR;
	uc_len = parse_mac_table(data, len, &next.uc_count, next.uc_macs);
	if (uc_len == 0)
		return VIONET_CTRL_ERR;
	mc_len = parse_mac_table((const uint8_t *)data + uc_len, len - uc_len, &next.mc_count,
				 next.mc_macs);
	if (mc_len == 0 || uc_len + mc_len != len)
		return VIONET_CTRL_ERR;
	pthread_mutex_lock(&p->lock);
	s->uc_count = next.uc_count;
	s->mc_count = next.mc_count;
	memcpy(s->uc_macs, next.uc_macs, sizeof(s->uc_macs));
	memcpy(s->mc_macs, next.mc_macs, sizeof(s->mc_macs));
	pthread_mutex_unlock(&p->lock);
	VIONET_USER_LOG(DEBUG, "%s: MAC table: %u unicast, %u multicast (recorded, not filtered)",
			p->t->name, next.uc_count, next.mc_count);
	return VIONET_CTRL_OK;
}

static int
ctrl_vlan(struct vu_priv *p, uint8_t cmd, const void *data, size_t len)
{
	uint16_t vid;

	if ((cmd != VIONET_CTRL_VLAN_ADD && cmd != VIONET_CTRL_VLAN_DEL) ||
	    len != sizeof(vid))
		return VIONET_CTRL_ERR;
	memcpy(&vid, data, sizeof(vid));
	vid = rte_le_to_cpu_16(vid);
	if (vid > RTE_ETHER_MAX_VLAN_ID)
		return VIONET_CTRL_ERR;
	pthread_mutex_lock(&p->lock);
	if (cmd == VIONET_CTRL_VLAN_ADD)
		p->ctrl.vlan_bitmap[vid / 64] |= UINT64_C(1) << (vid % 64);
	else
		p->ctrl.vlan_bitmap[vid / 64] &= ~(UINT64_C(1) << (vid % 64));
	pthread_mutex_unlock(&p->lock);
	VIONET_USER_LOG(DEBUG, "%s: VLAN %u %s (recorded, not filtered)", p->t->name, vid,
			cmd == VIONET_CTRL_VLAN_ADD ? "added" : "removed");
	return VIONET_CTRL_OK;
}

int
vu_ctrl_command(struct vu_priv *p, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	if (data == NULL && len != 0)
		return -EINVAL;
	switch (class) {
	case VIONET_CTRL_RX:
		return ctrl_rx(p, cmd, data, len);
	case VIONET_CTRL_MAC:
		return ctrl_mac(p, cmd, data, len);
	case VIONET_CTRL_VLAN:
		return ctrl_vlan(p, cmd, data, len);
	case VIONET_CTRL_ANNOUNCE:
		/* Nothing is announced by us (no VIRTIO_NET_S_ANNOUNCE): an ack changes nothing. */
		return cmd == VIONET_CTRL_ANNOUNCE_ACK ? VIONET_CTRL_OK : VIONET_CTRL_ERR;
	case VIONET_CTRL_MQ:
		return ctrl_mq(p, cmd, data, len);
	default:
		/* GUEST_OFFLOADS, NOTF_COAL...: their features are not offered here. */
		return VIONET_CTRL_ERR;
	}
}
