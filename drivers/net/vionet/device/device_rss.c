/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive-side scaling (VIRTIO_NET_F_RSS): the device's limits from config space and the command
 * that hands it the port's hash types, key and indirection table (Control Virtqueue: Receive-side
 * scaling (RSS): Setting RSS parameters).
 */
#include "device/device_rss.h"

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "base/vionet_log.h"
#include "device/device.h"
#include "device/device_ctrl.h"

/*
 * The key used when the application gives none: 40 bytes (what the Toeplitz hash of an IPv6
 * 4-tuple needs) with no structure, so flows spread; any key the device takes would work.
 */
static const uint8_t default_key[VIONET_RSS_SPEC_KEY_SIZE_MIN] = {
	0x3c, 0x91, 0xe7, 0x05, 0x6a, 0xd2, 0x48, 0xbb, 0x17, 0xf0, 0x8e, 0x63, 0xa9, 0x2d,
	0x54, 0xc6, 0x0b, 0x7f, 0xe3, 0x98, 0x41, 0x26, 0xdd, 0x6c, 0xb5, 0x0a, 0x73, 0xfe,
	0x39, 0x84, 0xc1, 0x5e, 0x12, 0xab, 0x67, 0xd9, 0x2e, 0xf4, 0x80, 0x35,
};

int
vionet_rss_enable(struct vionet_hw *hw, uint16_t rx_queues, uint32_t hash_types,
		  const uint8_t *key, uint8_t key_len)
{
	struct vionet_rss *rss = &hw->rss;

	if (!vionet_has_feature(hw, VIONET_NET_F_RSS) || rss->table_size == 0)
		return -ENOTSUP;
	if (rx_queues == 0 || (hash_types & ~rss->hash_types_supported) != 0 ||
	    (key != NULL && (key_len == 0 || key_len > rss->key_size_max)))
		return -EINVAL;
	vionet_rss_set_hash(hw, hash_types, key != NULL ? key : default_key,
			    key != NULL ? key_len : sizeof(default_key));
	for (uint16_t i = 0; i < rss->table_size; i++)
		rss->table[i] = i % rx_queues;
	rss->on = true;
	return 0;
}

void
vionet_rss_set_hash(struct vionet_hw *hw, uint32_t hash_types, const uint8_t *key,
		    uint8_t key_len)
{
	hw->rss.hash_types = hash_types;
	if (key == NULL)
		return;
	memcpy(hw->rss.key, key, key_len);
	hw->rss.key_len = key_len;
}

void
vionet_rss_disable(struct vionet_hw *hw)
{
	hw->rss.on = false;
}

int
vionet_rss_apply(struct vionet_hw *hw)
{
	const struct vionet_rss *rss = &hw->rss;
	/* struct virtio_net_rss_config: le32 hash_types, le16 indirection_table_mask, le16
	 * unclassified_queue, le16 indirection_table[n], le16 max_tx_vq, u8 hash_key_length, u8
	 * hash_key_data[] */
	uint8_t cmd[4 + 2 + 2 + 2 * VIONET_RSS_TABLE_MAX + 2 + 1 + VIONET_RSS_KEY_MAX];
	size_t off = 0;
	uint16_t v16;
	uint32_t v32;

	if (!rss->on)
		return 0;
	v32 = rte_cpu_to_le_32(rss->hash_types);
	memcpy(&cmd[off], &v32, 4);
	off += 4;
	v16 = rte_cpu_to_le_16(rss->table_size - 1);
	memcpy(&cmd[off], &v16, 2);
	off += 2;
	/* unclassified packets (no hash type matched) to queue 0 */
	v16 = 0;
	memcpy(&cmd[off], &v16, 2);
	off += 2;
	for (uint16_t i = 0; i < rss->table_size; i++) {
		v16 = rte_cpu_to_le_16(rss->table[i]);
		memcpy(&cmd[off], &v16, 2);
		off += 2;
	}
	v16 = rte_cpu_to_le_16(hw->active_queue_pairs);
	memcpy(&cmd[off], &v16, 2);
	off += 2;
	cmd[off++] = rss->key_len;
	memcpy(&cmd[off], rss->key, rss->key_len);
	off += rss->key_len;
	return vionet_ctrl_rss_config(hw, cmd, off);
}
