/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The legacy virtio-pci transport (4.1.4.10 Legacy Interfaces: A Note on PCI Device Layout): one
 * register block in I/O BAR 0. Called by transport_pci.c only.
 */
#ifndef VIONET_TRANSPORT_PCI_LEGACY_H
#define VIONET_TRANSPORT_PCI_LEGACY_H

#include "transport/pci/transport_pci_common.h"

/*
 * Creates the transport on t in the primary: shared state (t->priv), this process's handles with
 * I/O BAR 0 mapped, and the MSI-X capability; sets t->ops and this process's ops. Returns 0 or a
 * negative errno.
 */
int vionet_pci_legacy_create(struct vionet_transport *t, struct rte_pci_device *pci_dev);
/* A secondary process: maps the function here and sets this process's ops (nothing shared). */
int vionet_pci_legacy_attach(struct vionet_transport *t, struct rte_pci_device *pci_dev);

#endif /* VIONET_TRANSPORT_PCI_LEGACY_H */
