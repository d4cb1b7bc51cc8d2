/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver half and the device half in two threads, as with a vhost-user device: checks the
 * memory ordering end to end. The driver stamps each buffer before posting it; the device must see
 * the stamp (descriptors and contents ordered before avail.idx / the AVAIL flag), overwrites it
 * and returns the buffer; the driver must see the device's bytes and length (ordered before
 * used.idx / the USED flag). No timing is measured or asserted.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>

#include "test_virtq_ring.h"
#include "virtq_packed_dev.h"
#include "virtq_split_dev.h"

#define QSIZE 64
#define POOL (4 * QSIZE)
#define TOTAL 300000u

struct shared {
	bool packed;
	bool in_order;
	struct virtq_split_drv sd;
	struct virtq_split_dev sv;
	struct virtq_packed_drv pd;
	struct virtq_packed_dev pv;
	uint32_t buf[POOL][16];
	uint32_t device_errors;
	uint32_t device_returned;
};

static uint32_t
seq_len(uint32_t seq)
{
	return seq % 60 + 1;
}

static int
dev_pop(struct shared *s, struct virtq_dev_buf *b, struct virtq_sg *sg)
{
	return s->packed ? virtq_packed_dev_pop(&s->pv, b, sg, 1)
	                 : virtq_split_dev_pop(&s->sv, b, sg, 1);
}

static void
dev_return(struct shared *s, const struct virtq_dev_buf *b, uint16_t n, uint16_t descs)
{
	uint16_t i;

	if (s->in_order) {
		/* one used entry for the whole batch (2.7.9, 2.8.20); every buffer got seq_len
		 * bytes written, the posted length, so skipped buffers need no length of their own
		 */
		if (s->packed)
			virtq_packed_dev_push_batch_last(&s->pv, b[n - 1].id, b[n - 1].writable_len,
			                                 descs);
		else
			virtq_split_dev_push_batch_last(&s->sv, b[n - 1].id, b[n - 1].writable_len,
			                                n);
	} else {
		for (i = n; i-- > 0;) {
			if (s->packed)
				virtq_packed_dev_push(&s->pv, b[i].id, b[i].writable_len,
				                      b[i].ndescs);
			else
				virtq_split_dev_push(&s->sv, b[i].id, b[i].writable_len);
		}
	}
	if (s->packed)
		virtq_packed_dev_publish(&s->pv);
	else
		virtq_split_dev_publish(&s->sv);
}

static void *
device_thread(void *arg)
{
	struct shared *s = arg;
	struct virtq_dev_buf b[16];
	struct virtq_sg sg[1];
	uint32_t idle = 0;

	while (s->device_returned < TOTAL) {
		uint16_t n = 0, descs = 0;

		while (n < 16 && dev_pop(s, &b[n], sg) == 0) {
			uint32_t *data = (uint32_t *)(uintptr_t)sg[0].addr;
			uint32_t seq = data[0];

			/* the driver's stamp must be visible: it was written before publish */
			if (data[1] != ~seq || sg[0].len != seq_len(seq))
				s->device_errors++;
			data[0] = seq * 3;
			data[1] = seq * 5;
			descs = (uint16_t)(descs + b[n].ndescs);
			n++;
		}
		if (n == 0) {
			if (++idle % 64 == 0)
				sched_yield();
			continue;
		}
		dev_return(s, b, n, descs);
		s->device_returned += n;
	}
	return NULL;
}

static void
run(bool packed, bool in_order)
{
	static struct shared s;
	uint64_t features =
	        VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) | (in_order ? VIRTQ_FEATURE(VIRTQ_F_IN_ORDER) : 0);
	void *mem = tvq_alloc(virtq_split_mem_size(QSIZE, 4096));
	void *state = tvq_alloc(virtq_split_drv_state_size(QSIZE));
	uint32_t posted = 0, done = 0, bad = 0, idle = 0;
	uint8_t *seen = calloc(TOTAL, 1);
	pthread_t dev;

	memset(&s, 0, sizeof(s));
	s.packed = packed;
	s.in_order = in_order;
	if (packed) {
		CU_ASSERT_EQUAL_FATAL(virtq_packed_drv_init_mem(&s.pd, QSIZE, mem, state, features),
		                      0);
		CU_ASSERT_EQUAL_FATAL(virtq_packed_dev_init_mem(&s.pv, QSIZE, mem, features), 0);
	} else {
		CU_ASSERT_EQUAL_FATAL(
		        virtq_split_drv_init_mem(&s.sd, QSIZE, mem, 4096, state, features), 0);
		CU_ASSERT_EQUAL_FATAL(virtq_split_dev_init_mem(&s.sv, QSIZE, mem, 4096, features),
		                      0);
	}
	CU_ASSERT_EQUAL_FATAL(pthread_create(&dev, NULL, device_thread, &s), 0);
	while (done < TOTAL) {
		void *cookies[32];
		uint32_t lens[32];
		uint16_t n, i;

		/* post a burst of stamped buffers */
		for (i = 0; i < 8 && posted < TOTAL; i++) {
			uint32_t *data = s.buf[posted % POOL];
			int rc;

			data[0] = posted;
			data[1] = ~posted;
			rc = packed ? virtq_packed_drv_add_buf(&s.pd, (uintptr_t)data,
			                                       seq_len(posted), VIRTQ_DESC_F_WRITE,
			                                       tvq_cookie_of(posted))
			            : virtq_split_drv_add_buf(&s.sd, (uintptr_t)data,
			                                      seq_len(posted), VIRTQ_DESC_F_WRITE,
			                                      tvq_cookie_of(posted));
			if (rc != 0)
				break;
			posted++;
		}
		if (packed)
			virtq_packed_drv_publish(&s.pd);
		else
			virtq_split_drv_publish(&s.sd);
		n = packed ? virtq_packed_drv_get_used_bulk(&s.pd, cookies, lens, 32)
		           : virtq_split_drv_get_used_bulk(&s.sd, cookies, lens, 32);
		for (i = 0; i < n; i++) {
			uint32_t seq = tvq_seq_of_cookie(cookies[i]);
			uint32_t *data = s.buf[seq % POOL];

			/* the device's bytes must be visible: written before its publish */
			if (seq >= posted || seen[seq] || lens[i] != seq_len(seq) ||
			    data[0] != seq * 3 || data[1] != seq * 5)
				bad++;
			else
				seen[seq] = 1;
		}
		done += n;
		if (n == 0 && ++idle % 64 == 0)
			sched_yield();
		if (packed ? s.pd.broken : s.sd.broken)
			break;
	}
	pthread_join(dev, NULL);
	CU_ASSERT_EQUAL(done, TOTAL);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(s.device_errors, 0);
	CU_ASSERT_FALSE(packed ? s.pd.broken : s.sd.broken);
	free(seen);
	free(mem);
	free(state);
}

static void
test_split_two_threads(void)
{
	run(false, false);
}

static void
test_split_in_order_two_threads(void)
{
	run(false, true);
}

static void
test_packed_two_threads(void)
{
	run(true, false);
}

static void
test_packed_in_order_two_threads(void)
{
	run(true, true);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	suite = CU_add_suite("virtq_threads", NULL, NULL);
	CU_add_test(suite, "split: driver and device threads", test_split_two_threads);
	CU_add_test(suite, "split in-order: driver and device threads",
	            test_split_in_order_two_threads);
	CU_add_test(suite, "packed: driver and device threads", test_packed_two_threads);
	CU_add_test(suite, "packed in-order: driver and device threads",
	            test_packed_in_order_two_threads);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
