/* SPDX-License-Identifier: BSD-3-Clause */
/* The main() of a unit test program: one CUnit suite from a table of tests, run verbosely. */
#ifndef TEST_RUN_SUITE_H
#define TEST_RUN_SUITE_H

#include <CUnit/Basic.h>

/* Runs `tests` (ended by CU_TEST_INFO_NULL) as the suite `name`, between init and clean (either
 * may be NULL); the exit status for main(): 0 when every test and assertion passed, else 1 (or
 * CUnit's error code if it could not start). */
static inline int
test_run_suite_with(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
                    CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {{name, init, clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
	unsigned int failed;
	CU_ErrorCode err;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	err = CU_register_suites(suites);
	if (err != CUE_SUCCESS) {
		CU_cleanup_registry();
		return err;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}

/* The same for a suite without set-up. */
static inline int
test_run_suite(const char *name, CU_TestInfo *tests)
{
	return test_run_suite_with(name, NULL, NULL, tests);
}

#endif /* TEST_RUN_SUITE_H */
