/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the vector path tests share: whether this CPU runs a width's code (a path of a width the CPU
 * lacks is skipped, and the test says how many it compared).
 */
#ifndef TEST_RXTX_VEC_COMMON_H
#define TEST_RXTX_VEC_COMMON_H

#include <stdbool.h>
#include <string.h>

#include <rte_cpuflags.h>

/* width: "sse", "avx2" or "avx512" (the AVX512 paths need F, BW and VL) */
static inline bool
test_cpu_has(const char *width)
{
	if (strcmp(width, "sse") == 0)
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2) > 0;
	if (strcmp(width, "avx2") == 0)
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512VL) > 0;
}

#endif /* TEST_RXTX_VEC_COMMON_H */
