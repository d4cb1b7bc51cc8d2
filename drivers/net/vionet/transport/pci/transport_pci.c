/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The entry points of the virtio-pci transports: which one a function gets (modern, or legacy), a
 * secondary process's attach and detach, and the config-change interrupt.
 */
#include "transport/pci/transport_pci.h"

#include <errno.h>

#include <bus_pci_driver.h>

#include "base/vionet_log.h"
#include "transport/pci/transport_pci_common.h"
#include "transport/pci/transport_pci_legacy.h"
#include "transport/pci/transport_pci_modern.h"

/* Modern first; a function without virtio 1.x capabilities (-ENODEV) is legacy-only. */
int
vionet_pci_create(struct vionet_transport *t, struct rte_pci_device *pci_dev)
{
	int ret;

	if (t->devargs.force_legacy) {
		if (pci_dev->id.device_id == VIONET_PCI_DEVICE_ID_MODERN_NET) {
			VIONET_INIT_LOG(ERR, "%s: legacy=1 but 1af4:1041 is a modern-only device",
					t->name);
			return -EINVAL;
		}
		return vionet_pci_legacy_create(t, pci_dev);
	}
	ret = vionet_pci_modern_create(t, pci_dev);
	if (ret != -ENODEV)
		return ret;
	if (pci_dev->id.device_id != VIONET_PCI_DEVICE_ID_TRANSITIONAL_NET) {
		VIONET_INIT_LOG(ERR, "%s: modern device without virtio capabilities", t->name);
		return -EINVAL;
	}
	VIONET_INIT_LOG(INFO, "%s: no virtio 1.x capabilities: legacy device", t->name);
	return vionet_pci_legacy_create(t, pci_dev);
}

int
vionet_pci_attach(struct vionet_transport *t, struct rte_pci_device *pci_dev)
{
	const struct vionet_pci_transport *pci = vionet_pci_of(t);

	if (pci == NULL) {
		VIONET_INIT_LOG(ERR, "%s: the primary's port has no PCI transport", t->name);
		return -ENODEV;
	}
	return pci->legacy ? vionet_pci_legacy_attach(t, pci_dev)
			   : vionet_pci_modern_attach(t, pci_dev);
}

void
vionet_pci_detach(struct vionet_transport *t)
{
	vionet_pci_local_close(t);
}

int
vionet_pci_lsc_enable(struct vionet_transport *t)
{
	return vionet_pci_config_intr_enable(t);
}
