/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How far apart the host has put the two CPUs the benchmark runs on: two threads, one pinned to each
 * CPU, pass one cache line back and forth for a while; prints the median round trip in nanoseconds.
 *
 * On a shared host a guest's vCPUs move between nearby cores (a shared cache: one round trip of
 * about 130 ns on the development machine) and distant ones (about 450 ns), and every ring access
 * the two sides of a virtio loop share costs accordingly. pmd_compare.py runs this before and
 * after each round to label the round with the regime it ran in.
 *
 * usage: cacheline_probe <cpu a> <cpu b> <milliseconds>
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SAMPLES_MAX 64

struct shared {
	_Alignas(64) volatile uint64_t ball; /* odd: with the responder; even: back with the caller */
	_Alignas(64) volatile int stop;
};

static struct shared sh;

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *
responder(void *arg)
{
	if (pin(*(int *)arg) != 0)
		return (void *)1;
	while (!sh.stop) {
		uint64_t v = sh.ball;

		if (v & 1)
			sh.ball = v + 1;
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	double samples[SAMPLES_MAX];
	int cpu_a, cpu_b, ms, n;
	pthread_t thread;
	void *thread_ret;

	if (argc != 4) {
		fprintf(stderr, "usage: %s <cpu a> <cpu b> <milliseconds>\n", argv[0]);
		return 2;
	}
	cpu_a = atoi(argv[1]);
	cpu_b = atoi(argv[2]);
	ms = atoi(argv[3]);
	if (ms <= 0 || pin(cpu_a) != 0 || pthread_create(&thread, NULL, responder, &cpu_b) != 0) {
		fprintf(stderr, "cacheline_probe: cannot pin to CPUs %d and %d\n", cpu_a, cpu_b);
		return 1;
	}
	/* Samples of equal length: the median ignores one disturbed by an interrupt. */
	n = ms / 10 < 1 ? 1 : (ms / 10 > SAMPLES_MAX ? SAMPLES_MAX : ms / 10);
	for (int s = 0; s < n; s++) {
		double start = now_ns(), end;
		uint64_t trips = 0;

		do {
			for (int k = 0; k < 64; k++) {
				uint64_t v = sh.ball;

				sh.ball = v + 1;
				while (sh.ball == v + 1)
					;
			}
			trips += 64;
			end = now_ns();
		} while (end - start < 1e7);
		samples[s] = (end - start) / (double)trips;
	}
	sh.stop = 1;
	pthread_join(thread, &thread_ret);
	if (thread_ret != NULL) {
		fprintf(stderr, "cacheline_probe: cannot pin to CPU %d\n", cpu_b);
		return 1;
	}
	qsort(samples, (size_t)n, sizeof(samples[0]), cmp_double);
	printf("%.1f\n", samples[n / 2]);
	return 0;
}
