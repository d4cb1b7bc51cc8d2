/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's vhost library as the device, in the test's own process: a vhost-user server the test
 * registers on its socket (so it can change the back end's features, reach its rings, or take it
 * away), and the loop one thread drives through it: frames out of our port's Tx, dequeued and
 * checked by the back end, enqueued back, received and checked on our port's Rx.
 */
#ifndef TEST_VHOST_BACKEND_H
#define TEST_VHOST_BACKEND_H

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "test_tally.h"

#define TEST_BACKEND_WAIT_S 30
#define TEST_SPIN_LIMIT 2000000u
/* The back end's queues: it enqueues into our Rx ring, dequeues from our Tx ring (5.1.2). */
#define TEST_BACKEND_RXQ 0
#define TEST_BACKEND_TXQ 1

static struct {
	char sock[128];
	int vid;		/* the back end's device, valid while 'running' */
	uint32_t running;	/* set by new_device, cleared by destroy_device */
	uint32_t new_devices;	/* new_device calls */
} test_backend;

static inline int
test_backend_new_device(int vid)
{
	test_backend.vid = vid;
	__atomic_add_fetch(&test_backend.new_devices, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&test_backend.running, 1, __ATOMIC_RELEASE);
	return 0;
}

static inline void
test_backend_destroy_device(int vid)
{
	RTE_SET_USED(vid);
	__atomic_store_n(&test_backend.running, 0, __ATOMIC_RELEASE);
}

static const struct rte_vhost_device_ops test_backend_ops = {
	.new_device = test_backend_new_device,
	.destroy_device = test_backend_destroy_device,
};

/* A vhost-user server on test_backend.sock offering its usual features minus 'disable'. */
static inline void
test_backend_start(uint64_t disable)
{
	if (rte_vhost_driver_register(test_backend.sock, 0) != 0)
		fatal("vhost driver register %s", test_backend.sock);
	if (disable != 0 && rte_vhost_driver_disable_features(test_backend.sock, disable) != 0)
		fatal("vhost disable features 0x%" PRIx64, disable);
	if (rte_vhost_driver_callback_register(test_backend.sock, &test_backend_ops) != 0 ||
	    rte_vhost_driver_start(test_backend.sock) != 0)
		fatal("vhost driver start");
}

static inline void
test_backend_stop(void)
{
	if (rte_vhost_driver_unregister(test_backend.sock) != 0)
		fatal("vhost driver unregister");
}

static inline bool
test_backend_running(void)
{
	return __atomic_load_n(&test_backend.running, __ATOMIC_ACQUIRE) != 0;
}

static inline uint32_t
test_backend_new_devices(void)
{
	return __atomic_load_n(&test_backend.new_devices, __ATOMIC_ACQUIRE);
}

static inline void
test_backend_wait_running(const char *when)
{
	double deadline = test_deadline(TEST_BACKEND_WAIT_S);

	while (!test_backend_running())
		if (test_past(deadline))
			fatal("%s: the back end never got a device", when);
		else
			usleep(1000);
}

/* ---- The loop ---- */

struct test_loop {
	uint16_t port; /* ours */
	struct rte_mempool *ours_pool;
	struct rte_mempool *vhost_pool;
	uint32_t seq; /* of the next frame */
};

static inline uint8_t
test_frame_byte(uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 13u + off * 3u);
}

/* Frame `seq` of `len` bytes from our pool: broadcast, a local source, the local experimental
 * ethertype, then a pattern of seq. */
static inline struct rte_mbuf *
test_frame(struct test_loop *l, uint32_t seq, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(l->ours_pool);
	uint8_t *p;

	if (m == NULL)
		fatal("our pool is empty");
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL)
		fatal("a %u-byte frame does not fit an mbuf", len);
	for (uint32_t i = 0; i < len; i++)
		p[i] = test_frame_byte(seq, i);
	memset(p, 0xff, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
	p[12] = 0x88;
	p[13] = 0xb5;
	return m;
}

static inline bool
test_frame_ok(const struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	uint32_t off = 0;

	if (m->pkt_len != len)
		return false;
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);

		for (uint32_t i = 0; i < s->data_len; i++, off++)
			if (off >= 14 && p[i] != test_frame_byte(seq, off))
				return false;
	}
	return off == len;
}

/* n frames of len bytes through our Tx, the back end's dequeue and enqueue, and our Rx, checked. */
static inline void
test_loop_round_trip(struct test_loop *l, uint16_t n, uint32_t len, const char *when)
{
	struct rte_mbuf *out[64], *mid[64], *back[64];
	uint16_t sent = 0, at_vhost = 0, returned = 0, enq;
	unsigned int spins = 0;
	int vid = test_backend.vid;

	if (n > RTE_DIM(out))
		fatal("%s: a round trip of %u frames", when, n);
	for (uint16_t i = 0; i < n; i++)
		out[i] = test_frame(l, l->seq + i, len);
	while (sent < n || at_vhost < n) {
		if (++spins > TEST_SPIN_LIMIT)
			fatal("%s: stuck with %u sent, %u at the back end", when, sent, at_vhost);
		sent += rte_eth_tx_burst(l->port, 0, out + sent, n - sent);
		at_vhost += rte_vhost_dequeue_burst(vid, TEST_BACKEND_TXQ, l->vhost_pool, mid + at_vhost,
						    n - at_vhost);
	}
	for (uint16_t i = 0; i < n; i++)
		check(test_frame_ok(mid[i], l->seq + i, len), "%s: the back end got frame %u wrong", when,
		      i);
	enq = rte_vhost_enqueue_burst(vid, TEST_BACKEND_RXQ, mid, n);
	check(enq == n, "%s: the back end enqueued %u of %u", when, enq, n);
	rte_pktmbuf_free_bulk(mid, n);
	for (spins = 0; returned < enq; spins++) {
		uint16_t got;

		if (spins > TEST_SPIN_LIMIT)
			fatal("%s: %u of %u frames came back", when, returned, enq);
		got = rte_eth_rx_burst(l->port, 0, back, RTE_DIM(back));
		for (uint16_t i = 0; i < got; i++) {
			check(returned + i < enq && test_frame_ok(back[i], l->seq + returned + i, len),
			      "%s: frame %u came back wrong", when, returned + i);
			rte_pktmbuf_free(back[i]);
		}
		returned += got;
	}
	l->seq += n;
}

#endif /* TEST_VHOST_BACKEND_H */
