/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver half and the device half in two threads, as with a vhost-user device: checks the
 * memory ordering end to end. The driver stamps each buffer before posting it; the device must see
 * the stamp (descriptors and contents ordered before avail.idx / the AVAIL flag), overwrites it
 * and returns the buffer; the driver must see the device's bytes and length (ordered before
 * used.idx / the USED flag). In the sleeping variants each side, finding nothing to do, enables
 * notifications and sleeps until the other side notifies it: a notification lost to a missing
 * fence would leave both asleep, which a watchdog reports. No timing is measured or asserted.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "test_run_suite.h"
#include "test_virtq_ring.h"
#include "virtq_packed_dev.h"
#include "virtq_split_dev.h"

#define QSIZE 64
#define POOL (4 * QSIZE)
#define TOTAL 300000u
#define WATCHDOG_S 20

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
	bool sleepy;    /* sleep on notifications instead of polling */
	uint32_t kicks; /* available buffer notifications sent (atomic) */
	uint32_t irqs;  /* used buffer notifications sent (atomic) */
	uint32_t lost;  /* a side slept through WATCHDOG_S without being woken */
};

/* Sleep until *counter moves past seen; false when the watchdog expires (a lost notification). */
static bool
wait_for_notification(const uint32_t *counter, uint32_t seen)
{
	time_t start = time(NULL);

	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) == seen) {
		if (time(NULL) - start > WATCHDOG_S)
			return false;
		sched_yield();
	}
	return true;
}

/* The device ran dry: enable available buffer notifications, sleep unless buffers came. */
static bool
device_sleep(struct shared *s)
{
	uint32_t seen = __atomic_load_n(&s->kicks, __ATOMIC_ACQUIRE);
	bool pending = s->packed ? virtq_packed_dev_enable_avail_notify_after(&s->pv, 1)
	                         : virtq_split_dev_enable_avail_notify_after(&s->sv, 1);
	bool woken = pending || wait_for_notification(&s->kicks, seen);

	if (s->packed)
		virtq_packed_dev_disable_avail_notify(&s->pv);
	else
		virtq_split_dev_disable_avail_notify(&s->sv);
	return woken;
}

/* The driver can do nothing until buffers are used: the same, the other way. */
static bool
driver_sleep(struct shared *s)
{
	uint32_t seen = __atomic_load_n(&s->irqs, __ATOMIC_ACQUIRE);
	bool pending = s->packed ? virtq_packed_drv_enable_used_notify(&s->pd)
	                         : virtq_split_drv_enable_used_notify(&s->sd);
	bool woken = pending || wait_for_notification(&s->irqs, seen);

	if (s->packed)
		virtq_packed_drv_disable_used_notify(&s->pd);
	else
		virtq_split_drv_disable_used_notify(&s->sd);
	return woken;
}

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
	if ((s->packed ? virtq_packed_dev_needs_interrupt(&s->pv)
	               : virtq_split_dev_needs_interrupt(&s->sv)))
		__atomic_fetch_add(&s->irqs, 1, __ATOMIC_RELEASE);
}

static void *
device_thread(void *arg)
{
	struct shared *s = arg;
	struct virtq_dev_buf b[16];
	struct virtq_sg sg[1];
	uint32_t idle = 0;

	while (__atomic_load_n(&s->device_returned, __ATOMIC_RELAXED) < TOTAL) {
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
			if (s->sleepy) {
				if (!device_sleep(s)) {
					s->lost++;
					break;
				}
			} else if (++idle % 64 == 0) {
				sched_yield();
			}
			continue;
		}
		dev_return(s, b, n, descs);
		__atomic_fetch_add(&s->device_returned, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void
run(bool packed, bool in_order, bool sleepy, bool event_idx)
{
	static struct shared s;
	uint64_t features = (event_idx ? VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) : 0) |
	                    (in_order ? VIRTQ_FEATURE(VIRTQ_F_IN_ORDER) : 0);
	void *mem = tvq_alloc(virtq_split_mem_size(QSIZE, 4096));
	void *state = tvq_alloc(virtq_split_drv_state_size(QSIZE));
	uint32_t posted = 0, done = 0, bad = 0, idle = 0;
	uint8_t *seen = calloc(TOTAL, 1);
	pthread_t dev;

	memset(&s, 0, sizeof(s));
	s.packed = packed;
	s.in_order = in_order;
	s.sleepy = sleepy;
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
	if (sleepy) {
		/* both sides start busy: notifications off until one of them runs dry */
		if (packed) {
			virtq_packed_drv_disable_used_notify(&s.pd);
			virtq_packed_dev_disable_avail_notify(&s.pv);
		} else {
			virtq_split_drv_disable_used_notify(&s.sd);
			virtq_split_dev_disable_avail_notify(&s.sv);
		}
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
		if ((packed ? virtq_packed_drv_needs_notify(&s.pd)
		            : virtq_split_drv_needs_notify(&s.sd)))
			__atomic_fetch_add(&s.kicks, 1, __ATOMIC_RELEASE);
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
		if (n == 0 && sleepy && done < TOTAL &&
		    (posted == TOTAL || (packed ? virtq_packed_drv_free_count(&s.pd)
		                                : virtq_split_drv_free_count(&s.sd)) == 0)) {
			if (!driver_sleep(&s)) {
				s.lost++;
				break;
			}
		} else if (n == 0 && ++idle % 64 == 0) {
			sched_yield();
		}
		if (packed ? s.pd.broken : s.sd.broken)
			break;
	}
	if (done < TOTAL)
		__atomic_store_n(&s.device_returned, TOTAL,
		                 __ATOMIC_RELAXED); /* gave up: stop it */
	__atomic_fetch_add(&s.kicks, 1, __ATOMIC_RELEASE);
	pthread_join(dev, NULL);
	CU_ASSERT_EQUAL(s.lost, 0);
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
	run(false, false, false, true);
}

static void
test_split_in_order_two_threads(void)
{
	run(false, true, false, true);
}

static void
test_packed_two_threads(void)
{
	run(true, false, false, true);
}

static void
test_packed_in_order_two_threads(void)
{
	run(true, true, false, true);
}

static void
test_split_sleeping_flags(void)
{
	run(false, false, true, false);
}

static void
test_split_sleeping_event_idx(void)
{
	run(false, false, true, true);
}

static void
test_packed_sleeping_flags(void)
{
	run(true, false, true, false);
}

static void
test_packed_sleeping_event_idx(void)
{
	run(true, false, true, true);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"split: driver and device threads", test_split_two_threads},
	        {"split in-order: driver and device threads", test_split_in_order_two_threads},
	        {"packed: driver and device threads", test_packed_two_threads},
	        {"packed in-order: driver and device threads", test_packed_in_order_two_threads},
	        {"split: sleeping on notifications (flags)", test_split_sleeping_flags},
	        {"split: sleeping on notifications (event idx)", test_split_sleeping_event_idx},
	        {"packed: sleeping on notifications (flags)", test_packed_sleeping_flags},
	        {"packed: sleeping on notifications (event idx)", test_packed_sleeping_event_idx},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("virtq_threads", tests);
}
