/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device layer: one virtio-net device, whatever transport reaches it. Feature negotiation, the
 * status state machine, queues, control queue, link state. Transports keep their own state behind
 * 'transport_priv' and call back into this layer only through the functions declared here.
 */
#ifndef VIONET_DEVICE_H
#define VIONET_DEVICE_H

#include <stdint.h>

#include <rte_dev.h>

#include "vionet_devargs.h"
#include "vionet_transport.h"

struct rte_eth_dev;

struct vionet_hw {
	const struct vionet_transport_ops *ops;
	void *transport_priv;	     /* the transport's own state */
	struct rte_eth_dev *eth_dev; /* NULL until the ethdev port exists */
	char name[RTE_DEV_NAME_MAX_LEN];
	struct vionet_devargs devargs;

	uint64_t device_features; /* offered by the device */
	uint64_t features;	  /* negotiated (FEATURES_OK accepted) */
	uint16_t max_queue_pairs; /* from config space when VIRTIO_NET_F_MQ, else 1 */
};

/*
 * Called by a transport, from any thread (an interrupt or socket thread), when the link may have
 * changed: vhost-user back end gone or back, PCI config-change interrupt. The device layer re-reads the
 * link state and raises RTE_ETH_EVENT_INTR_LSC when it changed.
 */
void vionet_dev_link_changed(struct vionet_hw *hw);

#endif /* VIONET_DEVICE_H */
