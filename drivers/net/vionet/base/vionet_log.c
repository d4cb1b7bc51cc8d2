/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/vionet_log.h"

RTE_LOG_REGISTER(vionet_logtype_driver, pmd.net.vionet, NOTICE);
RTE_LOG_REGISTER(vionet_logtype_init, pmd.net.vionet.init, NOTICE);
RTE_LOG_REGISTER(vionet_logtype_user, pmd.net.vionet.user, NOTICE);
