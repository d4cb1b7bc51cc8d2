/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vionet: the PCI driver. Claims virtio-net functions (transitional 1af4:1000, modern 1af4:1041)
 * that the user bound to vfio-pci (or a UIO driver for legacy I/O BARs).
 * Probe: devargs, an ethdev port whose private data is the device (struct vionet_hw), the modern
 * transport (or legacy: legacy-only device, or devarg legacy=1), the shared device and ethdev
 * initialisation, then the config-change interrupt for LSC. Remove: close the port.
 * In a secondary process the probe attaches to the primary's port instead (doc/pci.md,
 * "Multi-process"): it maps the function in this process and runs bursts on the primary's queues.
 */
#include <errno.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <ethdev_pci.h>
#include <rte_common.h>

#include "transport/pci/transport_pci.h"
#include "base/vionet_devargs.h"
#include "ethdev/ethdev.h"
#include "base/vionet_log.h"

static const struct rte_pci_id vionet_pci_id_map[] = {
	{RTE_PCI_DEVICE(VIONET_PCI_VENDOR_ID, VIONET_PCI_DEVICE_ID_TRANSITIONAL_NET)},
	{RTE_PCI_DEVICE(VIONET_PCI_VENDOR_ID, VIONET_PCI_DEVICE_ID_MODERN_NET)},
	{.vendor_id = 0},
};

/*
 * A secondary process: the port, the device and its queues are the primary's (shared memory); this
 * process maps the function for itself and gets its own ops and handles (struct vionet_transport_proc). The
 * devargs are the primary's too (hw->tp.devargs): a secondary's own are not read.
 */
static int
probe_secondary(struct rte_pci_device *pci_dev)
{
	const char *name = pci_dev->device.name;
	struct rte_eth_dev *eth_dev;
	struct vionet_hw *hw;
	int ret;

	/* In a secondary this finds the primary's port of the same name (rte_eth_dev_attach_secondary). */
	eth_dev = rte_eth_dev_pci_allocate(pci_dev, 0);
	if (eth_dev == NULL) {
		VIONET_INIT_LOG(ERR, "%s: the primary process has no port for this device", name);
		return -ENODEV;
	}
	hw = vionet_hw_of(eth_dev);
	if (vionet_ethdev_proc_attach(eth_dev) == NULL) {
		ret = -ENOMEM;
		goto release_port;
	}
	ret = vionet_pci_attach(&hw->tp, pci_dev);
	if (ret < 0)
		goto free_proc;
	ret = vionet_ethdev_attach_secondary(eth_dev);
	if (ret < 0)
		goto detach;
	VIONET_INIT_LOG(INFO, "%s: port %u attached in a secondary process, transport %s", name,
			eth_dev->data->port_id, vionet_transport_proc_of(&hw->tp)->ops->name);
	return 0;

detach:
	vionet_pci_detach(&hw->tp);
free_proc:
	vionet_ethdev_proc_free(eth_dev);
release_port:
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

static int
vionet_pci_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *pci_dev)
{
	const char *name = pci_dev->device.name;
	struct vionet_devargs devargs;
	const char *args = pci_dev->device.devargs != NULL ? pci_dev->device.devargs->args : NULL;
	struct rte_eth_dev *eth_dev;
	struct vionet_hw *hw;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return probe_secondary(pci_dev);
	ret = vionet_devargs_parse(name, args, VIONET_DEVARGS_PCI, &devargs, NULL, 0);
	if (ret < 0)
		return ret;
	eth_dev = rte_eth_dev_pci_allocate(pci_dev, sizeof(struct vionet_hw));
	if (eth_dev == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot allocate an ethdev port", name);
		return -ENOMEM;
	}
	/* Descriptors carry IOVAs: what VFIO programmed into the (v)IOMMU, or physical addresses. */
	hw = vionet_ethdev_hw_prepare(eth_dev, name, &devargs, false, pci_dev->device.numa_node);
	/* The transport keeps per-process state (its handles on the function) from the start. */
	if (vionet_ethdev_proc_attach(eth_dev) == NULL) {
		ret = -ENOMEM;
		goto release_port;
	}
	ret = vionet_pci_create(&hw->tp, pci_dev);
	if (ret < 0)
		goto free_proc;
	ret = vionet_ethdev_init(eth_dev);
	if (ret < 0)
		goto close_transport;
	/* Without an interrupt the port still works; the link is then read when asked. */
	if (vionet_pci_lsc_enable(&hw->tp) < 0)
		eth_dev->data->dev_flags &= ~RTE_ETH_DEV_INTR_LSC;
	VIONET_INIT_LOG(INFO, "%s: port %u, transport %s", name, eth_dev->data->port_id,
			hw->tp.ops->name);
	return 0;

close_transport:
	hw->tp.ops->close(&hw->tp);
free_proc:
	vionet_ethdev_proc_free(eth_dev);
release_port:
	hw->eth_dev = NULL;
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

static int
vionet_pci_remove(struct rte_pci_device *pci_dev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(pci_dev->device.name);

	if (eth_dev == NULL)
		return 0; /* already closed by the application */
	/*
	 * dev_close frees queues and the transport (unmapping the BARs); then the port is released. In a
	 * secondary, dev_close drops only this process's mappings: the device keeps running.
	 */
	return rte_eth_dev_close(eth_dev->data->port_id);
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
