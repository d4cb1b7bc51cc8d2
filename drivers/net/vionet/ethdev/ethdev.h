/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethdev glue: eth_dev_ops over the device layer, shared by the vdev probe (vionet_user.c) and the
 * PCI probe. A probe:
 *   eth_dev = rte_eth_vdev_allocate(vdev, sizeof(struct vionet_hw))    (or rte_eth_dev_pci_allocate)
 *   hw = vionet_ethdev_hw_prepare(eth_dev, name, devargs, use_va, numa_node);
 *   <create the transport on hw>
 *   ret = vionet_ethdev_init(eth_dev);                 device init, ops, MAC table, probing finished
 * and its remove calls rte_eth_dev_close(port) (dev_close frees queues, control queue and transport).
 * A secondary process attaches instead: vionet_ethdev_attach_secondary().
 */
#ifndef VIONET_ETHDEV_H
#define VIONET_ETHDEV_H

#include <stdbool.h>

#include <ethdev_driver.h>

#include "device/device.h"

/* Fills the hw of a freshly allocated port (its private data) before the transport is created. */
struct vionet_hw *vionet_ethdev_hw_prepare(struct rte_eth_dev *eth_dev, const char *name,
					   const struct vionet_devargs *devargs, bool use_va,
					   int numa_node);

/*
 * This process's part of the port (struct vionet_transport_proc in eth_dev->process_private): made on first
 * call, NULL when out of memory. Freed by dev_close, or by the probe that made it when it fails.
 */
struct vionet_transport_proc *vionet_ethdev_proc_attach(struct rte_eth_dev *eth_dev);
void vionet_ethdev_proc_free(struct rte_eth_dev *eth_dev);

/*
 * Initialises the device (vionet_dev_init) and the port: ops, MAC address table, LSC capability,
 * burst functions. Calls rte_eth_dev_probing_finish() on success. On failure the caller releases the
 * transport and the port.
 */
int vionet_ethdev_init(struct rte_eth_dev *eth_dev);

/*
 * A secondary process's port, attached to the one the primary set up (rte_eth_dev_pci_allocate,
 * rte_eth_dev_attach_secondary) with its transport attached (struct vionet_transport_proc: ops and
 * per-process state): restricted eth_dev_ops, the burst functions the primary chose, probing
 * finished.
 */
int vionet_ethdev_attach_secondary(struct rte_eth_dev *eth_dev);

/* Re-reads the link and stores it for ethdev (which reads the stored one when LSC is on). */
int vionet_link_update(struct rte_eth_dev *dev, int wait_to_complete);

/*
 * Called by the device layer when the link came back: if the device lost its state (no DRIVER_OK: a
 * vhost-user back end restarted), a started port negotiates, sets its queues up again (posted mbufs
 * back to their pools first), re-sends receive modes and the active queue pairs.
 */
void vionet_ethdev_recover(struct rte_eth_dev *dev);

/* RSS (ethdev_rss.c): dev_info's RSS fields, configure's Rx multi-queue mode, and the ops. */
void vionet_ethdev_rss_info(const struct vionet_hw *hw, struct rte_eth_dev_info *info);
int vionet_ethdev_rss_configure(struct rte_eth_dev *dev);
int vionet_ethdev_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf);
int vionet_ethdev_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf);
int vionet_ethdev_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta_conf,
			      uint16_t reta_size);
int vionet_ethdev_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta_conf,
			     uint16_t reta_size);

/*
 * The port behind a driver-specific call (rte_pmd_vionet.h): 0 with *dev set, -ENODEV (no such
 * port, or not ours), -E_RTE_SECONDARY (a secondary process: the call is the primary's).
 */
int vionet_ethdev_of_port(uint16_t port_id, struct rte_eth_dev **dev);

/* The device's announce request (ethdev_announce.c): RARP, application callbacks, acknowledgement. */
void vionet_ethdev_announce(struct vionet_hw *hw);

/* The eth_dev_ops table (exported for tests). */
extern const struct eth_dev_ops vionet_eth_dev_ops;

/* xstats (vionet_xstats.c) */
int vionet_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			    unsigned int size);
int vionet_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int vionet_xstats_reset(struct rte_eth_dev *dev);

#endif /* VIONET_ETHDEV_H */
