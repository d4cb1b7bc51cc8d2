/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/vionet_log.h"

RTE_LOG_REGISTER(vionet_logtype_driver, pmd.net.vionet, NOTICE);
RTE_LOG_REGISTER(vionet_logtype_init, pmd.net.vionet.init, NOTICE);
RTE_LOG_REGISTER(vionet_logtype_user, pmd.net.vionet.user, NOTICE);

bool
vionet_log_ratelimit_allow(struct vionet_log_ratelimit *rl, uint64_t now_ms, uint32_t *suppressed)
{
	*suppressed = 0;
	if (!rl->started || now_ms - rl->window_start_ms >= VIONET_LOG_RATELIMIT_INTERVAL_MS) {
		rl->started = true;
		rl->window_start_ms = now_ms;
		rl->lines = 0;
		*suppressed = vionet_log_ratelimit_take_suppressed(rl);
	}
	if (rl->lines < VIONET_LOG_RATELIMIT_LINES) {
		rl->lines++;
		return true;
	}
	rl->suppressed++;
	return false;
}

uint32_t
vionet_log_ratelimit_take_suppressed(struct vionet_log_ratelimit *rl)
{
	uint32_t n = rl->suppressed;

	rl->suppressed = 0;
	return n;
}
