/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vionet_user: the virtual device that reaches a vhost-user back end over a unix socket.
 * Probe: devargs, an ethdev port whose private data is the device (struct vionet_hw), the vhost-user
 * transport, then the shared device and ethdev initialisation. Remove: close the port (queues,
 * transport, memory) and release it.
 * In a secondary process the probe attaches to the primary's port instead (doc/pci.md,
 * "Multi-process"): it gets the kick fds from the primary and runs bursts on the primary's queues.
 */
#include <errno.h>

#include <bus_vdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_common.h>

#include "transport/vhost_user/transport_vhost_user.h"
#include "base/vionet_devargs.h"
#include "ethdev/ethdev.h"
#include "base/vionet_log.h"

/*
 * A secondary process: the vdev bus probes the primary's devices here too. The port, the device,
 * its queues and the transport's state are the primary's (shared memory); this process gets its
 * own kick fds and ops (struct vionet_transport_proc). Its devargs are not read: the primary's apply.
 */
static int
probe_secondary(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *eth_dev;
	struct vionet_hw *hw;
	int ret;

	eth_dev = rte_eth_dev_attach_secondary(name);
	if (eth_dev == NULL) {
		VIONET_USER_LOG(ERR, "%s: the primary process has no port of this name", name);
		return -ENODEV;
	}
	eth_dev->device = &vdev->device;
	hw = vionet_hw_of(eth_dev);
	if (vionet_ethdev_proc_attach(eth_dev) == NULL) {
		ret = -ENOMEM;
		goto release_port;
	}
	ret = vionet_vhost_user_attach(&hw->tp);
	if (ret < 0)
		goto free_proc;
	ret = vionet_ethdev_attach_secondary(eth_dev);
	if (ret < 0)
		goto detach;
	VIONET_USER_LOG(INFO, "%s: port %u attached in a secondary process", name,
			eth_dev->data->port_id);
	return 0;

detach:
	vionet_transport_proc_of(&hw->tp)->ops->detach(&hw->tp);
free_proc:
	vionet_ethdev_proc_free(eth_dev);
release_port:
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

static int
vionet_user_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct vionet_devargs devargs;
	struct rte_eth_dev *eth_dev;
	struct vionet_hw *hw;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return probe_secondary(vdev);
	ret = vionet_devargs_parse(name, rte_vdev_device_args(vdev), VIONET_DEVARGS_USER, &devargs,
				   NULL, 0);
	if (ret < 0)
		return ret;
	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(struct vionet_hw));
	if (eth_dev == NULL) {
		VIONET_USER_LOG(ERR, "%s: cannot allocate an ethdev port", name);
		return -ENOMEM;
	}
	/*
	 * vhost-user shares our memory with the back end through the memory table, which maps our
	 * virtual addresses 1:1: descriptors carry virtual addresses.
	 */
	hw = vionet_ethdev_hw_prepare(eth_dev, name, &devargs, true, rte_socket_id());
	ret = vionet_vhost_user_create(&hw->tp);
	if (ret < 0)
		goto release_port;
	ret = vionet_ethdev_init(eth_dev);
	if (ret < 0)
		goto close_transport;
	VIONET_USER_LOG(INFO, "%s: port %u on %s (%s)", name, eth_dev->data->port_id, devargs.path,
			devargs.server ? "server" : "client");
	return 0;

close_transport:
	hw->tp.ops->close(&hw->tp);
release_port:
	hw->eth_dev = NULL;
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

static int
vionet_user_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (eth_dev == NULL)
		return 0; /* already closed by the application */
	/* dev_close frees queues and the transport; rte_eth_dev_close then releases the port. */
	return rte_eth_dev_close(eth_dev->data->port_id);
}

static struct rte_vdev_driver vionet_user_driver = {
	.probe = vionet_user_probe,
	.remove = vionet_user_remove,
};

RTE_PMD_REGISTER_VDEV(net_vionet_user, vionet_user_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_vionet_user, VIONET_USER_PARAMS);
