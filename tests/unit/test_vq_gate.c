/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst gate (drivers/net/vionet/vionet_vq_gate.h): a queue starts closed; once the control path
 * has closed a gate and waited, no burst is inside and none enters until it opens again. A burst
 * thread runs enter/exit in a loop against a control thread that closes, checks and reopens many
 * times, with the kernel's system-wide barrier and with the fence-per-burst fallback. No timing is
 * asserted: a violation is a burst found inside, or a burst seeing the control path's ownership.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "device/device_vq_gate.h"
#include "test_run_suite.h"

struct race {
	struct vionet_vq_gate gate;
	uint32_t inside;     /* a burst is between enter and exit */
	uint32_t controlled; /* the control path holds the ring */
	uint32_t violations;
	uint64_t bursts;     /* bursts that got in */
	uint32_t stop;
};

static void *
burst_thread(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		if (!vionet_vq_gate_enter(&r->gate))
			continue;
		__atomic_store_n(&r->inside, 1, __ATOMIC_RELAXED);
		/* A burst's worth of work, watching for the control path. */
		for (int i = 0; i < 64; i++)
			if (__atomic_load_n(&r->controlled, __ATOMIC_RELAXED))
				__atomic_fetch_add(&r->violations, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&r->inside, 0, __ATOMIC_RELAXED);
		r->bursts++;
		vionet_vq_gate_exit(&r->gate);
	}
	return NULL;
}

static void
run_race(bool fence_needed, unsigned int cycles)
{
	struct race r = {0};
	struct vionet_vq_gate *g = &r.gate;
	pthread_t t;
	uint64_t seen = 0;

	vionet_vq_gate_init(g);
	g->fence_needed = fence_needed;
	vionet_vq_gate_open(g);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, burst_thread, &r) == 0);
	for (unsigned int c = 0; c < cycles; c++) {
		vionet_vq_gate_close(g);
		vionet_vq_gates_sync(g->fence_needed);
		vionet_vq_gate_wait(g);
		__atomic_store_n(&r.controlled, 1, __ATOMIC_RELAXED);
		/* Held for a while: a burst that slipped through would be seen inside. */
		for (int i = 0; i < 2000; i++)
			if (__atomic_load_n(&r.inside, __ATOMIC_RELAXED))
				__atomic_fetch_add(&r.violations, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&r.controlled, 0, __ATOMIC_RELAXED);
		vionet_vq_gate_open(g);
		/* Let bursts run between closings (wait for one to complete, bounded). */
		for (int i = 0; i < 100000 && __atomic_load_n(&r.bursts, __ATOMIC_RELAXED) == seen; i++)
			sched_yield();
		seen = __atomic_load_n(&r.bursts, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(r.violations, 0);
	CU_ASSERT(r.bursts > cycles / 2); /* the bursts really ran between closings */
}

static void
test_starts_closed(void)
{
	struct vionet_vq_gate g;

	vionet_vq_gate_init(&g);
	CU_ASSERT_FALSE(vionet_vq_gate_enter(&g));
	CU_ASSERT_EQUAL(g.seq % 2, 0); /* a refused burst leaves nothing behind */
	vionet_vq_gate_open(&g);
	CU_ASSERT_TRUE(vionet_vq_gate_enter(&g));
	CU_ASSERT_EQUAL(g.seq % 2, 1);
	vionet_vq_gate_exit(&g);
	CU_ASSERT_EQUAL(g.seq % 2, 0);
	vionet_vq_gate_close(&g);
	CU_ASSERT_FALSE(vionet_vq_gate_enter(&g));
}

struct slow_burst {
	struct vionet_vq_gate gate;
	uint32_t entered;
	uint32_t done;
};

static void *
slow_burst_thread(void *arg)
{
	struct slow_burst *s = arg;
	struct timespec nap = {.tv_nsec = 50 * 1000 * 1000};

	if (!vionet_vq_gate_enter(&s->gate))
		return NULL;
	__atomic_store_n(&s->entered, 1, __ATOMIC_RELEASE);
	nanosleep(&nap, NULL);
	__atomic_store_n(&s->done, 1, __ATOMIC_RELAXED);
	vionet_vq_gate_exit(&s->gate);
	return NULL;
}

/* Closing while a burst is inside: the wait returns only after that burst left. */
static void
test_wait_for_running_burst(void)
{
	struct slow_burst s = {0};
	pthread_t t;

	vionet_vq_gate_init(&s.gate);
	vionet_vq_gate_open(&s.gate);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, slow_burst_thread, &s) == 0);
	while (!__atomic_load_n(&s.entered, __ATOMIC_ACQUIRE))
		sched_yield();
	vionet_vq_gate_close(&s.gate);
	vionet_vq_gates_sync(s.gate.fence_needed);
	vionet_vq_gate_wait(&s.gate);
	CU_ASSERT_EQUAL(__atomic_load_n(&s.done, __ATOMIC_RELAXED), 1);
	pthread_join(t, NULL);
	CU_ASSERT_FALSE(vionet_vq_gate_enter(&s.gate));
}

static void
test_race_system_barrier(void)
{
	run_race(false, 200);
}

static void
test_race_fenced_bursts(void)
{
	run_race(true, 2000);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"a gate starts closed and counts bursts", test_starts_closed},
	        {"closing waits for the burst inside", test_wait_for_running_burst},
	        {"no burst inside a closed gate (membarrier)", test_race_system_barrier},
	        {"no burst inside a closed gate (fenced bursts)", test_race_fenced_bursts},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("vq_gate", tests);
}
