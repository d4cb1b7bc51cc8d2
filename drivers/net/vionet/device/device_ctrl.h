/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands (5.1.6.5 Control Virtqueue): receive modes, MAC filter and address, VLAN filter,
 * number of queue pairs; and the control virtqueue that carries them when the device has one.
 */
#ifndef VIONET_DEVICE_CTRL_H
#define VIONET_DEVICE_CTRL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "device/device.h"

/* A device that does not answer a control command within this fails it, not its caller. */
#define VIONET_CTRL_TIMEOUT_MS 2000

/*
 * Control commands (device_ctrl.c). Each returns 0 when the device acknowledged (VIONET_CTRL_OK), -EIO
 * when it refused, -ENOTSUP when the feature that carries the command was not negotiated, -EAGAIN
 * when the device is not running (port stopped; receive modes are then recorded and return 0).
 */
int vionet_ctrl_init(struct vionet_hw *hw);  /* sets up the control virtqueue when there is one */
void vionet_ctrl_release(struct vionet_hw *hw);
/* After DRIVER_OK: the control queue may carry commands; receive modes set while stopped are sent. */
void vionet_ctrl_device_ready(struct vionet_hw *hw);
int vionet_ctrl_set_promisc(struct vionet_hw *hw, bool on);
int vionet_ctrl_set_allmulti(struct vionet_hw *hw, bool on);
int vionet_ctrl_set_queue_pairs(struct vionet_hw *hw, uint16_t pairs);
int vionet_ctrl_set_mac(struct vionet_hw *hw, const struct rte_ether_addr *mac);
/* VIRTIO_NET_CTRL_MQ_RSS_CONFIG with a struct virtio_net_rss_config built by device_rss.c. */
int vionet_ctrl_rss_config(struct vionet_hw *hw, const void *config, size_t len);
int vionet_ctrl_set_mac_table(struct vionet_hw *hw, const struct rte_ether_addr *uc, uint32_t n_uc,
			      const struct rte_ether_addr *mc, uint32_t n_mc);
int vionet_ctrl_vlan(struct vionet_hw *hw, uint16_t vlan_id, bool add);
/* VIRTIO_NET_CTRL_ANNOUNCE_ACK: the gratuitous packets the device asked for are sent (the device
 * clears VIRTIO_NET_S_ANNOUNCE). -EIO when the device had no request pending. */
int vionet_ctrl_announce_ack(struct vionet_hw *hw);

/*
 * The control virtqueue, when the device has one and the transport does not answer control
 * commands itself: set up and enabled with the data queues before DRIVER_OK, forgotten at stop.
 * No-ops without one.
 */
int vionet_ctrlq_start(struct vionet_hw *hw);
void vionet_ctrlq_stop(struct vionet_hw *hw, bool device_has_queue);

/*
 * Whether the control virtqueue made at probe or reset (vionet_ctrl_init) is the one the device has
 * after the last negotiation: one exactly when it has a control queue, at index 2N for its N
 * queue pairs (5.1.2 Virtqueues). *index: where the device has it now.
 */
bool vionet_ctrlq_fits(const struct vionet_hw *hw, uint16_t *index);

#endif /* VIONET_DEVICE_CTRL_H */
