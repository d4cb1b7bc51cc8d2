/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-pci transports as the PCI probe sees them (4.1 Virtio Over PCI Bus): create one on a
 * function, attach a secondary process to it, and turn on the config-change interrupt. Below this
 * file: transport_pci_modern (capabilities, memory BARs), transport_pci_legacy (I/O BAR 0) and
 * transport_pci_common (what both share). Everything else goes through the ops table it sets.
 */
#ifndef VIONET_TRANSPORT_PCI_H
#define VIONET_TRANSPORT_PCI_H

#include "transport/transport_ops.h"

struct rte_pci_device;

/* 4.1.2 PCI Device Discovery: vendor 0x1af4; network device 0x1000 (transitional), 0x1040 + 1. */
#define VIONET_PCI_VENDOR_ID 0x1af4
#define VIONET_PCI_DEVICE_ID_TRANSITIONAL_NET 0x1000
#define VIONET_PCI_DEVICE_ID_MODERN_NET 0x1041

/*
 * Creates the transport on t in the primary (sets t->ops, t->priv and this process's
 * vionet_transport_proc ops and local state, which must exist): modern first; a transitional
 * function without virtio 1.x capabilities is legacy-only. Devarg legacy=1
 * (t->devargs.force_legacy) asks for legacy on a transitional function. Returns 0 or a negative
 * errno (logged).
 */
int vionet_pci_create(struct vionet_transport *t, struct rte_pci_device *pci_dev);

/*
 * A secondary process attaches to the transport the primary created: maps the function in this
 * process and sets this process's vionet_transport_proc (ops of the primary's transport kind, local
 * state). The device and the shared state are not touched. vionet_pci_detach() (the ops' detach)
 * undoes it.
 */
int vionet_pci_attach(struct vionet_transport *t, struct rte_pci_device *pci_dev);
void vionet_pci_detach(struct vionet_transport *t);

/*
 * Link state changes as interrupts (primary): the config-change interrupt goes to the device
 * layer's link_changed upcall. Returns 0, or a negative errno when there is no interrupt to use
 * (the link is then read when asked). The transport's close turns it off.
 */
int vionet_pci_lsc_enable(struct vionet_transport *t);

#endif /* VIONET_TRANSPORT_PCI_H */
