/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive-side scaling (VIRTIO_NET_F_RSS): the application's hash types, key and indirection table
 * (struct vionet_rss in hw; the device's limits are read with the other config fields, device.c),
 * sent to the device with VIRTIO_NET_CTRL_MQ_RSS_CONFIG at every start and on every change.
 */
#ifndef VIONET_DEVICE_RSS_H
#define VIONET_DEVICE_RSS_H

#include <stdbool.h>
#include <stdint.h>

#include "device/device.h"

/* Turns RSS on over 'rx_queues' queues: the table spread evenly, the key the default when the
 * application gave none. Refused (-ENOTSUP) without VIRTIO_NET_F_RSS. */
int vionet_rss_enable(struct vionet_hw *hw, uint16_t rx_queues, uint32_t hash_types,
		      const uint8_t *key, uint8_t key_len);
void vionet_rss_disable(struct vionet_hw *hw);
/* Sets the hash types and, when 'key' is not NULL, the key (checked by the caller against the
 * device's limits); sent at the next vionet_rss_apply(). */
void vionet_rss_set_hash(struct vionet_hw *hw, uint32_t hash_types, const uint8_t *key,
			 uint8_t key_len);

/* Sends the port's RSS settings (VIRTIO_NET_CTRL_MQ_RSS_CONFIG) when it is on; 0 when off. */
int vionet_rss_apply(struct vionet_hw *hw);

#endif /* VIONET_DEVICE_RSS_H */
