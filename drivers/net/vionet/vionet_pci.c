/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vionet: the PCI driver. Claims virtio-net functions (transitional 1af4:1000, modern 1af4:1041)
 * that the user bound to vfio-pci (or a UIO driver for legacy I/O BARs).
 */
#include <errno.h>

#include <bus_pci_driver.h>
#include <ethdev_pci.h>
#include <rte_common.h>

#include "vionet_devargs.h"
#include "vionet_log.h"

/* virtio 1.x "PCI Device Discovery": vendor 0x1af4; 0x1000 transitional net, 0x1040 + 1 modern net. */
#define VIONET_PCI_VENDOR_ID 0x1af4
#define VIONET_PCI_DEVICE_ID_TRANSITIONAL_NET 0x1000
#define VIONET_PCI_DEVICE_ID_MODERN_NET 0x1041

static const struct rte_pci_id vionet_pci_id_map[] = {
	{RTE_PCI_DEVICE(VIONET_PCI_VENDOR_ID, VIONET_PCI_DEVICE_ID_TRANSITIONAL_NET)},
	{RTE_PCI_DEVICE(VIONET_PCI_VENDOR_ID, VIONET_PCI_DEVICE_ID_MODERN_NET)},
	{.vendor_id = 0},
};

static int
vionet_pci_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *pci_dev)
{
	struct vionet_devargs devargs;
	const char *args = pci_dev->device.devargs != NULL ? pci_dev->device.devargs->args : NULL;
	int ret;

	ret = vionet_devargs_parse(pci_dev->device.name, args, VIONET_DEVARGS_PCI, &devargs, NULL, 0);
	if (ret < 0)
		return ret;
	VIONET_INIT_LOG(ERR, "%s: the virtio-pci transport is not part of this build yet",
			pci_dev->device.name);
	return -ENOTSUP;
}

static int
vionet_pci_remove(struct rte_pci_device *pci_dev __rte_unused)
{
	return 0;
}

static struct rte_pci_driver vionet_pci_driver = {
	.id_table = vionet_pci_id_map,
	/* The transport maps BARs itself: a legacy device is reached through its I/O BAR. */
	.drv_flags = RTE_PCI_DRV_INTR_LSC,
	.probe = vionet_pci_probe,
	.remove = vionet_pci_remove,
};

RTE_PMD_REGISTER_PCI(net_vionet, vionet_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_vionet, vionet_pci_id_map);
RTE_PMD_REGISTER_KMOD_DEP(net_vionet, "* vfio-pci | uio_pci_generic | igb_uio");
RTE_PMD_REGISTER_PARAM_STRING(net_vionet, VIONET_PCI_PARAMS);
