/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The log line budget of base/vionet_log (vionet_log_ratelimit_*) on a clock the test sets: the
 * first lines of a burst pass, the rest are counted, a new window hands the count over for a
 * summary, and a quiet period starts a burst afresh.
 */
#include <CUnit/Basic.h>

#include "base/vionet_log.h"
#include "test_run_suite.h"

static void
test_burst_then_summary(void)
{
	struct vionet_log_ratelimit rl = {0};
	uint32_t suppressed = 99;
	uint64_t t = 5000;

	for (unsigned int i = 0; i < VIONET_LOG_RATELIMIT_LINES; i++) {
		CU_ASSERT_TRUE(vionet_log_ratelimit_allow(&rl, t + i, &suppressed));
		CU_ASSERT_EQUAL(suppressed, 0);
	}
	for (unsigned int i = 0; i < 100; i++)
		CU_ASSERT_FALSE(vionet_log_ratelimit_allow(&rl, t + 10, &suppressed));
	/* Still the same window: held back. */
	CU_ASSERT_FALSE(vionet_log_ratelimit_allow(&rl, t + VIONET_LOG_RATELIMIT_INTERVAL_MS - 1,
						   &suppressed));
	CU_ASSERT_EQUAL(suppressed, 0);
	/* The next window: the line passes, with the count for a summary before it. */
	CU_ASSERT_TRUE(vionet_log_ratelimit_allow(&rl, t + VIONET_LOG_RATELIMIT_INTERVAL_MS,
						  &suppressed));
	CU_ASSERT_EQUAL(suppressed, 101);
	CU_ASSERT_EQUAL(vionet_log_ratelimit_take_suppressed(&rl), 0);
}

static void
test_closing_summary_takes_the_count(void)
{
	struct vionet_log_ratelimit rl = {0};
	uint32_t suppressed;

	for (unsigned int i = 0; i < VIONET_LOG_RATELIMIT_LINES + 7; i++)
		vionet_log_ratelimit_allow(&rl, 0, &suppressed);
	CU_ASSERT_EQUAL(vionet_log_ratelimit_take_suppressed(&rl), 7);
	CU_ASSERT_EQUAL(vionet_log_ratelimit_take_suppressed(&rl), 0);
	/* After the summary and a quiet second, a new burst starts with nothing to report. */
	CU_ASSERT_TRUE(vionet_log_ratelimit_allow(&rl, 60000, &suppressed));
	CU_ASSERT_EQUAL(suppressed, 0);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"the first lines of a burst, then a count", test_burst_then_summary},
	        {"a closing summary takes the count", test_closing_summary_takes_the_count},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("log_ratelimit", tests);
}
