/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vionet_user: the virtual device that reaches a vhost-user back end over a unix socket.
 */
#include <errno.h>

#include <bus_vdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_common.h>

#include "vionet_devargs.h"
#include "vionet_log.h"

static int
vionet_user_probe(struct rte_vdev_device *vdev)
{
	struct vionet_devargs devargs;
	int ret;

	ret = vionet_devargs_parse(rte_vdev_device_name(vdev), rte_vdev_device_args(vdev),
				   VIONET_DEVARGS_USER, &devargs, NULL, 0);
	if (ret < 0)
		return ret;
	VIONET_USER_LOG(ERR, "%s: the vhost-user transport is not part of this build yet",
			rte_vdev_device_name(vdev));
	return -ENOTSUP;
}

static int
vionet_user_remove(struct rte_vdev_device *vdev __rte_unused)
{
	return 0;
}

static struct rte_vdev_driver vionet_user_driver = {
	.probe = vionet_user_probe,
	.remove = vionet_user_remove,
};

RTE_PMD_REGISTER_VDEV(net_vionet_user, vionet_user_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_vionet_user, VIONET_USER_PARAMS);
