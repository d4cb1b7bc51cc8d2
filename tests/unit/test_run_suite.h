/* SPDX-License-Identifier: BSD-3-Clause */
/* The main() of a unit test program: one CUnit suite from a table of tests, run verbosely. */
#ifndef TEST_RUN_SUITE_H
#define TEST_RUN_SUITE_H

#include <stdio.h>

#include <CUnit/Basic.h>

/*
 * Runs `tests` (ended by CU_TEST_INFO_NULL) as the suite `name`, between init and clean (either
 * may be NULL); the exit status for main(): 0 only when every test of the table ran and every
 * assertion passed, else 1 (or CUnit's error code if it could not start). A suite whose init failed
 * (CUnit then skips all its tests) or whose cleanup failed fails the program, and so does a run in
 * which fewer tests ran than the table holds (none at all included).
 */
static inline int
test_run_suite_with(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
                    CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {{name, init, clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
	unsigned int in_table = 0, ran, failed, suites_failed, records;
	CU_ErrorCode err;

	while (tests[in_table].pName != NULL)
		in_table++;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	err = CU_register_suites(suites);
	if (err != CUE_SUCCESS) {
		CU_cleanup_registry();
		return err;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	err = CU_basic_run_tests();
	ran = CU_get_number_of_tests_run();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	/* Init and cleanup failures: counted as failed suites and as failure records of their own
	 * (CUF_SuiteInitFailed, CUF_SuiteCleanupFailed), not as failed tests or assertions. */
	suites_failed = CU_get_number_of_suites_failed();
	records = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	if (suites_failed != 0)
		fprintf(stderr, "FAIL: suite %s: its init or cleanup failed\n", name);
	if (ran != in_table || in_table == 0)
		fprintf(stderr, "FAIL: suite %s: %u of its %u tests ran\n", name, ran, in_table);
	if (err != CUE_SUCCESS)
		fprintf(stderr, "FAIL: suite %s: CUnit's run returned %d\n", name, (int)err);
	return failed == 0 && suites_failed == 0 && records == 0 && ran == in_table && in_table > 0 &&
	       err == CUE_SUCCESS ? 0 : 1;
}

/* The same for a suite without set-up. */
static inline int
test_run_suite(const char *name, CU_TestInfo *tests)
{
	return test_run_suite_with(name, NULL, NULL, tests);
}

#endif /* TEST_RUN_SUITE_H */
