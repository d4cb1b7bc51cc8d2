/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the virtqueue core: one thread ping-pongs single-descriptor buffers between
 * the driver half and the device half over the same ring (post a burst, publish, notify check;
 * device pops, pushes, publishes, interrupt check; driver harvests). Prints nanoseconds and TSC
 * cycles per buffer for split and packed, with and without IN_ORDER, at burst 1 and 32: the floor
 * of the PMD's per-packet ring cost. Figures only, never a verdict (the machine is shared).
 *
 * Each case prints the best of ROUNDS runs. Usage: bench_virtq [buffers per run] (default 1M)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#include "virtq_packed_dev.h"
#include "virtq_split_dev.h"

#define QUEUE_SIZE 256
#define MAX_BURST 32
#define ROUNDS 5

struct bench_case {
	const char *name;
	bool packed;
	bool in_order;
	uint16_t burst;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
now_cycles(void)
{
#if HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

/* Arrays the driver posts from, like an Rx refill or a Tx burst. */
struct burst {
	uint64_t addrs[MAX_BURST];
	uint32_t lens[MAX_BURST];
	void *cookies[MAX_BURST];
	void *done[MAX_BURST];
	uint32_t done_lens[MAX_BURST];
};

static void
burst_init(struct burst *b)
{
	int i;

	for (i = 0; i < MAX_BURST; i++) {
		b->addrs[i] = 0x100000 + (uint64_t)i * 2048;
		b->lens[i] = 2048;
		b->cookies[i] = (void *)(uintptr_t)(i + 1);
	}
}

/* Returns buffers moved, or 0 on a ring error (reported by the caller). */
static uint64_t
run_split(const struct bench_case *c, uint64_t buffers, void *mem, void *state)
{
	uint64_t features = VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) |
	                    (c->in_order ? VIRTQ_FEATURE(VIRTQ_F_IN_ORDER) : 0);
	struct virtq_split_drv drv;
	struct virtq_split_dev dev;
	struct virtq_dev_buf db;
	struct virtq_sg sg[1];
	struct burst b;
	uint64_t moved = 0;
	uint16_t n, i, last = 0;

	burst_init(&b);
	if (virtq_split_drv_init_mem(&drv, QUEUE_SIZE, mem, 4096, state, features) != 0 ||
	    virtq_split_dev_init_mem(&dev, QUEUE_SIZE, mem, 4096, features) != 0)
		return 0;
	while (moved < buffers) {
		n = virtq_split_drv_add_bulk(&drv, b.addrs, b.lens, VIRTQ_DESC_F_WRITE, b.cookies,
		                             c->burst);
		virtq_split_drv_publish(&drv);
		(void)virtq_split_drv_needs_notify(&drv);
		for (i = 0; i < n; i++) {
			if (virtq_split_dev_pop(&dev, &db, sg, 1) != 0)
				return 0;
			last = db.id;
			if (!c->in_order)
				virtq_split_dev_push(&dev, db.id, 64);
		}
		if (c->in_order)
			virtq_split_dev_push_batch_last(&dev, last, 64, n);
		virtq_split_dev_publish(&dev);
		(void)virtq_split_dev_needs_interrupt(&dev);
		if (virtq_split_drv_get_used_bulk(&drv, b.done, b.done_lens, c->burst) != n)
			return 0;
		moved += n;
	}
	return moved;
}

static uint64_t
run_packed(const struct bench_case *c, uint64_t buffers, void *mem, void *state)
{
	uint64_t features = VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) |
	                    (c->in_order ? VIRTQ_FEATURE(VIRTQ_F_IN_ORDER) : 0);
	struct virtq_packed_drv drv;
	struct virtq_packed_dev dev;
	struct virtq_dev_buf db;
	struct virtq_sg sg[1];
	struct burst b;
	uint64_t moved = 0;
	uint16_t n, i, last = 0;

	burst_init(&b);
	if (virtq_packed_drv_init_mem(&drv, QUEUE_SIZE, mem, state, features) != 0 ||
	    virtq_packed_dev_init_mem(&dev, QUEUE_SIZE, mem, features) != 0)
		return 0;
	while (moved < buffers) {
		n = virtq_packed_drv_add_bulk(&drv, b.addrs, b.lens, VIRTQ_DESC_F_WRITE, b.cookies,
		                              c->burst);
		virtq_packed_drv_publish(&drv);
		(void)virtq_packed_drv_needs_notify(&drv);
		for (i = 0; i < n; i++) {
			if (virtq_packed_dev_pop(&dev, &db, sg, 1) != 0)
				return 0;
			last = db.id;
			if (!c->in_order)
				virtq_packed_dev_push(&dev, db.id, 64, 1);
		}
		if (c->in_order)
			virtq_packed_dev_push_batch_last(&dev, last, 64, n);
		virtq_packed_dev_publish(&dev);
		(void)virtq_packed_dev_needs_interrupt(&dev);
		if (virtq_packed_drv_get_used_bulk(&drv, b.done, b.done_lens, c->burst) != n)
			return 0;
		moved += n;
	}
	return moved;
}

int
main(int argc, char **argv)
{
	static const struct bench_case cases[] = {
	        {"split", false, false, 1}, {"split", false, false, 32},
	        {"split", false, true, 1},  {"split", false, true, 32},
	        {"packed", true, false, 1}, {"packed", true, false, 32},
	        {"packed", true, true, 1},  {"packed", true, true, 32},
	};
	uint64_t buffers = argc > 1 ? strtoull(argv[1], NULL, 0) : 1u << 20;
	size_t mem_bytes = virtq_split_mem_size(QUEUE_SIZE, 4096);
	void *mem = aligned_alloc(4096, mem_bytes);
	void *state = aligned_alloc(64, virtq_split_drv_state_size(QUEUE_SIZE) + 64);
	unsigned int i;
	int rc = 0;

	if (mem == NULL || state == NULL || buffers == 0) {
		fprintf(stderr, "bench_virtq: cannot allocate ring memory\n");
		return 1;
	}
	printf("virtq ping-pong, one thread, queue size %u, EVENT_IDX, best of %u runs of %llu "
	       "buffers\n",
	       QUEUE_SIZE, ROUNDS, (unsigned long long)buffers);
	printf("%-8s %-9s %6s %10s %12s\n", "layout", "in-order", "burst", "ns/buf", "cycles/buf");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bench_case *c = &cases[i];
		double best_ns = 0, best_cyc = 0;
		unsigned int round;

		/* warm-up: caches, branch predictors, page faults */
		if ((c->packed ? run_packed(c, buffers / 16 + 1, mem, state)
		               : run_split(c, buffers / 16 + 1, mem, state)) == 0) {
			fprintf(stderr, "bench_virtq: %s ring error\n", c->name);
			rc = 1;
			continue;
		}
		/* the best of a few rounds: the machine is shared, the floor is what we want */
		for (round = 0; round < ROUNDS; round++) {
			uint64_t t0 = now_ns(), c0 = now_cycles(), moved;
			double ns, cyc;

			moved = c->packed ? run_packed(c, buffers, mem, state)
			                  : run_split(c, buffers, mem, state);
			cyc = (double)(now_cycles() - c0);
			ns = (double)(now_ns() - t0);
			if (moved == 0) {
				fprintf(stderr, "bench_virtq: %s ring error\n", c->name);
				rc = 1;
				break;
			}
			if (round == 0 || ns / (double)moved < best_ns) {
				best_ns = ns / (double)moved;
				best_cyc = HAVE_TSC ? cyc / (double)moved : 0.0;
			}
		}
		if (round == ROUNDS)
			printf("%-8s %-9s %6u %10.2f %12.2f\n", c->name, c->in_order ? "yes" : "no",
			       c->burst, best_ns, best_cyc);
	}
	free(mem);
	free(state);
	return rc;
}
