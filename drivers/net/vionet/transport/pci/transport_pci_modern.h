/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The modern virtio-pci transport (4.1.4 Virtio Structure PCI Capabilities): registers in memory
 * BARs located by the function's vendor capabilities. Called by transport_pci.c only.
 */
#ifndef VIONET_TRANSPORT_PCI_MODERN_H
#define VIONET_TRANSPORT_PCI_MODERN_H

#include "transport/pci/transport_pci_common.h"

/*
 * Creates the transport on t in the primary: shared state (t->priv), this process's handles, the
 * MSI-X capability and the register windows; sets t->ops and this process's ops. Returns 0, -ENODEV
 * when the function has no virtio 1.x capabilities (a legacy-only device), or another negative
 * errno.
 */
int vionet_pci_modern_create(struct vionet_transport *t, struct rte_pci_device *pci_dev);
/* A secondary process: maps the function here and sets this process's ops (nothing shared). */
int vionet_pci_modern_attach(struct vionet_transport *t, struct rte_pci_device *pci_dev);

#endif /* VIONET_TRANSPORT_PCI_MODERN_H */
