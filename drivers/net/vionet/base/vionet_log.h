/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log types of the vionet PMD: pmd.net.vionet and its .init/.user children, so that a user
 * turns on exactly the part they debug: --log-level=pmd.net.vionet.init:debug
 * Fast paths count events in queue stats instead of logging them.
 */
#ifndef VIONET_LOG_H
#define VIONET_LOG_H

#include <stdbool.h>
#include <stdint.h>

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

/*
 * A budget of log lines for an event a device may repeat without end (a link that flaps): at most
 * VIONET_LOG_RATELIMIT_LINES lines in a window of VIONET_LOG_RATELIMIT_INTERVAL_MS; what is held
 * back beyond that is counted for one summary line. A zeroed struct is a fresh budget. Not locked:
 * its user serialises the calls.
 */
#define VIONET_LOG_RATELIMIT_LINES 5
#define VIONET_LOG_RATELIMIT_INTERVAL_MS 1000

struct vionet_log_ratelimit {
	bool started;
	uint64_t window_start_ms;
	uint32_t lines;	     /* logged in the current window */
	uint32_t suppressed; /* held back since the last summary */
};

/*
 * Whether one more line may be logged at 'now_ms' (a monotonic clock); a line held back is counted.
 * *suppressed gets the count of lines held back before, for a summary line ahead of this one, when
 * this line opens a new window (the start of a new burst); else 0.
 */
bool vionet_log_ratelimit_allow(struct vionet_log_ratelimit *rl, uint64_t now_ms,
				uint32_t *suppressed);
/* The lines held back since the last summary, and the count cleared: a burst's closing summary. */
uint32_t vionet_log_ratelimit_take_suppressed(struct vionet_log_ratelimit *rl);

#endif /* VIONET_LOG_H */
