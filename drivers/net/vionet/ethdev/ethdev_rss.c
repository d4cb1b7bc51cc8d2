/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RSS as ethdev sees it: rss_hf and the redirection table (RETA) over the device layer's RSS state
 * (device/device_rss.h). The hash types map one to one onto ethdev's flow types; a change while
 * the port runs goes to the device at once, and is undone when the device refuses it.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>

#include "device/device.h"
#include "device/device_rss.h"
#include "ethdev/ethdev.h"

/* A virtio hash type and the rss_hf bits it serves (ethdev names a fragment and a non-fragment
 * flow type where virtio hashes both over the addresses). */
static const struct {
	uint32_t virtio;
	uint64_t ethdev;
} hash_type_map[] = {
	{VIONET_HASH_TYPE_IPV4, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 |
					RTE_ETH_RSS_NONFRAG_IPV4_OTHER},
	{VIONET_HASH_TYPE_TCPV4, RTE_ETH_RSS_NONFRAG_IPV4_TCP},
	{VIONET_HASH_TYPE_UDPV4, RTE_ETH_RSS_NONFRAG_IPV4_UDP},
	{VIONET_HASH_TYPE_IPV6, RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 |
					RTE_ETH_RSS_NONFRAG_IPV6_OTHER},
	{VIONET_HASH_TYPE_TCPV6, RTE_ETH_RSS_NONFRAG_IPV6_TCP},
	{VIONET_HASH_TYPE_UDPV6, RTE_ETH_RSS_NONFRAG_IPV6_UDP},
	{VIONET_HASH_TYPE_IP_EX, RTE_ETH_RSS_IPV6_EX},
	{VIONET_HASH_TYPE_TCP_EX, RTE_ETH_RSS_IPV6_TCP_EX},
	{VIONET_HASH_TYPE_UDP_EX, RTE_ETH_RSS_IPV6_UDP_EX},
};

static uint64_t
rss_hf_of(uint32_t hash_types)
{
	uint64_t hf = 0;

	for (unsigned int i = 0; i < RTE_DIM(hash_type_map); i++)
		if (hash_types & hash_type_map[i].virtio)
			hf |= hash_type_map[i].ethdev;
	return hf;
}

/* The hash types that serve rss_hf; bits no supported type serves are left in *unserved. */
static uint32_t
hash_types_of(uint64_t rss_hf, uint32_t supported, uint64_t *unserved)
{
	uint32_t types = 0;

	*unserved = rss_hf;
	for (unsigned int i = 0; i < RTE_DIM(hash_type_map); i++)
		if ((rss_hf & hash_type_map[i].ethdev) && (supported & hash_type_map[i].virtio)) {
			types |= hash_type_map[i].virtio;
			*unserved &= ~hash_type_map[i].ethdev;
		}
	return types;
}

void
vionet_ethdev_rss_info(const struct vionet_hw *hw, struct rte_eth_dev_info *info)
{
	if (!vionet_has_feature(hw, VIONET_NET_F_RSS))
		return;
	info->flow_type_rss_offloads = rss_hf_of(hw->rss.hash_types_supported);
	info->reta_size = hw->rss.table_size;
	info->hash_key_size = hw->rss.key_size_max;
}

/*
 * The hash types that serve an application's rss_conf, in *types; -EINVAL, with one line saying
 * what the device takes, for a flow type no supported hash type serves or a key of a length the
 * device cannot take (configure and rss_hash_update alike).
 */
static int
rss_conf_check(const struct vionet_hw *hw, const struct rte_eth_rss_conf *conf, uint32_t *types)
{
	uint64_t unserved;

	*types = hash_types_of(conf->rss_hf, hw->rss.hash_types_supported, &unserved);
	if (unserved == 0 && (conf->rss_key == NULL ||
			      (conf->rss_key_len != 0 && conf->rss_key_len <= hw->rss.key_size_max)))
		return 0;
	VIONET_LOG(ERR, "%s: rss_hf 0x%" PRIx64 " or a key of %u bytes refused (the device hashes "
		   "0x%" PRIx64 ", keys of 1 to %u bytes)", hw->tp.name, conf->rss_hf,
		   conf->rss_key != NULL ? conf->rss_key_len : 0,
		   rss_hf_of(hw->rss.hash_types_supported), hw->rss.key_size_max);
	return -EINVAL;
}

/* Why the port cannot do RSS, for the configure refusal. */
static const char *
rss_refusal(const struct vionet_hw *hw)
{
	if (hw->tp.ops->ctrl_command != NULL)
		return "RSS is set through the control virtqueue, which vhost-user back ends do not "
		       "serve (none offers VIRTIO_NET_F_RSS)";
	if (!vionet_has_feature(hw, VIONET_NET_F_CTRL_VQ))
		return "the device has no control virtqueue";
	return "the device does not offer VIRTIO_NET_F_RSS";
}

int
vionet_ethdev_rss_configure(struct rte_eth_dev *dev)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	const struct rte_eth_rss_conf *conf = &dev->data->dev_conf.rx_adv_conf.rss_conf;
	uint32_t types;
	int ret;

	if (dev->data->dev_conf.rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		vionet_rss_disable(hw);
		return 0;
	}
	if (!vionet_has_feature(hw, VIONET_NET_F_RSS)) {
		VIONET_INIT_LOG(ERR, "%s: Rx multi-queue mode RSS refused: %s", hw->tp.name,
				rss_refusal(hw));
		return -ENOTSUP;
	}
	ret = rss_conf_check(hw, conf, &types);
	if (ret < 0)
		return ret;
	return vionet_rss_enable(hw, dev->data->nb_rx_queues, types, conf->rss_key,
				 conf->rss_key_len);
}

/* Sends the settings when the port runs; on the device's refusal restores 'old'. */
static int
rss_send_or_restore(struct rte_eth_dev *dev, const struct vionet_rss *old)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	int ret;

	if (!hw->port.started)
		return 0;
	ret = vionet_rss_apply(hw);
	if (ret < 0) {
		hw->rss = *old;
		VIONET_LOG(ERR, "%s: the device did not take the RSS settings: %s", hw->tp.name,
			   strerror(-ret));
	}
	return ret;
}

static int
rss_check_on(const struct rte_eth_dev *dev)
{
	const struct vionet_hw *hw = dev->data->dev_private;

	if (hw->rss.on)
		return 0;
	VIONET_LOG(ERR, "%s: RSS is off: configure the port with Rx multi-queue mode RSS first",
		   hw->tp.name);
	return -ENOTSUP;
}

int
vionet_ethdev_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct vionet_rss old = hw->rss;
	uint32_t types;
	int ret = rss_check_on(dev);

	if (ret == 0)
		ret = rss_conf_check(hw, conf, &types);
	if (ret < 0)
		return ret;
	vionet_rss_set_hash(hw, types, conf->rss_key, conf->rss_key_len);
	return rss_send_or_restore(dev, &old);
}

int
vionet_ethdev_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	const struct vionet_hw *hw = vionet_hw_of(dev);

	if (!vionet_has_feature(hw, VIONET_NET_F_RSS))
		return -ENOTSUP;
	conf->rss_hf = hw->rss.on ? rss_hf_of(hw->rss.hash_types) : 0;
	if (conf->rss_key != NULL) {
		if (conf->rss_key_len < hw->rss.key_len)
			return -EINVAL;
		memcpy(conf->rss_key, hw->rss.key, hw->rss.key_len);
	}
	conf->rss_key_len = hw->rss.key_len;
	return 0;
}

int
vionet_ethdev_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta_conf,
		   uint16_t reta_size)
{
	struct vionet_hw *hw = vionet_hw_of(dev);
	struct vionet_rss old = hw->rss;
	int ret = rss_check_on(dev);

	if (ret < 0)
		return ret;
	if (reta_size != hw->rss.table_size) {
		VIONET_LOG(ERR, "%s: RETA of %u entries refused: the port's has %u", hw->tp.name,
			   reta_size, hw->rss.table_size);
		return -EINVAL;
	}
	/* all entries checked before any is taken: a refused update changes nothing */
	for (uint16_t i = 0; i < reta_size; i++) {
		const struct rte_eth_rss_reta_entry64 *group = &reta_conf[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned int bit = i % RTE_ETH_RETA_GROUP_SIZE;

		if ((group->mask >> bit & 1) && group->reta[bit] >= dev->data->nb_rx_queues) {
			VIONET_LOG(ERR, "%s: RETA entry %u names Rx queue %u; the port has %u",
				   hw->tp.name, i, group->reta[bit], dev->data->nb_rx_queues);
			return -EINVAL;
		}
	}
	for (uint16_t i = 0; i < reta_size; i++) {
		const struct rte_eth_rss_reta_entry64 *group = &reta_conf[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned int bit = i % RTE_ETH_RETA_GROUP_SIZE;

		if (group->mask >> bit & 1)
			hw->rss.table[i] = group->reta[bit];
	}
	return rss_send_or_restore(dev, &old);
}

int
vionet_ethdev_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta_conf,
		  uint16_t reta_size)
{
	const struct vionet_hw *hw = vionet_hw_of(dev);
	int ret = rss_check_on(dev);

	if (ret < 0)
		return ret;
	if (reta_size != hw->rss.table_size)
		return -EINVAL;
	for (uint16_t i = 0; i < reta_size; i++) {
		struct rte_eth_rss_reta_entry64 *group = &reta_conf[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned int bit = i % RTE_ETH_RETA_GROUP_SIZE;

		if (group->mask >> bit & 1)
			group->reta[bit] = hw->rss.table[i];
	}
	return 0;
}
