/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a vhost-user back end does not do for a virtio-net driver, done by the transport: the device
 * configuration space (synthesized unless the back end answers GET_CONFIG) and the control
 * virtqueue's commands. Below the ops file; calls the connection and ring files.
 */
#ifndef TRANSPORT_VHOST_USER_CTRL_H
#define TRANSPORT_VHOST_USER_CTRL_H

#include <stddef.h>
#include <stdint.h>

#include "transport/vhost_user/transport_vhost_user_priv.h"

/* Fills the synthesized config space from the devargs (mac, queue pairs, speed). */
void vu_config_init(struct vu_priv *p);
/* The ops' read_dev_config and write_dev_config. */
int vu_config_read(struct vu_priv *p, size_t offset, void *dst, size_t len);
int vu_config_write(struct vu_priv *p, size_t offset, const void *src, size_t len);
/* The ops' ctrl_command: VIONET_CTRL_OK/ERR or a negative errno. */
int vu_ctrl_command(struct vu_priv *p, uint8_t class, uint8_t cmd, const void *data, size_t len);

#endif /* TRANSPORT_VHOST_USER_CTRL_H */
