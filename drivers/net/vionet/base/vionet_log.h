/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log types of the vionet PMD: pmd.net.vionet and its .init/.user children, so that a user
 * turns on exactly the part they debug: --log-level=pmd.net.vionet.init:debug
 * Fast paths count events in queue stats instead of logging them.
 */
#ifndef VIONET_LOG_H
#define VIONET_LOG_H

#include <rte_log.h>

extern int vionet_logtype_driver;
extern int vionet_logtype_init;
extern int vionet_logtype_user;

#define VIONET_LOG_TYPE(type, level, fmt, ...) \
	rte_log(RTE_LOG_##level, type, "vionet: " fmt "\n", ##__VA_ARGS__)

#define VIONET_LOG(level, fmt, ...) VIONET_LOG_TYPE(vionet_logtype_driver, level, fmt, ##__VA_ARGS__)
#define VIONET_INIT_LOG(level, fmt, ...) \
	VIONET_LOG_TYPE(vionet_logtype_init, level, fmt, ##__VA_ARGS__)
#define VIONET_USER_LOG(level, fmt, ...) \
	VIONET_LOG_TYPE(vionet_logtype_user, level, fmt, ##__VA_ARGS__)

#endif /* VIONET_LOG_H */
