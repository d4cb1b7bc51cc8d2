/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One queue stopped and started alone over a device that offers VIRTIO_F_RING_RESET: our port over
 * the scripted transport (test_scripted_device.h) with a reset_queue of this test's, split or
 * packed rings. The device's half of a ring restarts from zero at every set-up, as a real device's
 * does after a queue reset (2.6.1 Virtqueue Reset), so frames only pass if ours restarts too.
 * Checks:
 *   - Rx stop: the device is asked to reset receiveq0 alone, bursts and rx_queue_count return 0,
 *     every Rx buffer is back in the pool, the state is STOPPED; start: frames arrive again, the
 *     queue's counters went on;
 *   - Tx stop: frames posted and never sent come back to the pool, a burst takes nothing; start:
 *     frames reach the device again;
 *   - a reset the device does not finish: the stop fails, the queue stays started and the port is
 *     reported broken;
 *   - deferred_start: the queue is reset right after the port start and holds no buffers until its
 *     own start;
 *   - after each port stop every mbuf is back in the pool.
 * EAL without hugepages (--no-huge), so it runs anywhere.
 *
 * usage: test_user_queue_reset_device split|packed
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "test_ethdev.h"
#include "test_scripted_device.h"
#include "test_tally.h"

#define FRAMES 8

static struct {
	unsigned int resets[2]; /* queue resets the device completed, per queue */
	int reset_answer;       /* 0, or what reset_queue returns without resetting (-ETIMEDOUT) */
	struct rte_mempool *pool;
	uint16_t port;
	struct vionet_hw *hw;
	uint32_t rx_seq;
	uint32_t tx_seq;
} t;

static int
d_reset_queue(struct vionet_transport *tp, uint16_t q)
{
	RTE_SET_USED(tp);
	if (t.reset_answer != 0)
		return t.reset_answer;
	require(q < RTE_DIM(t.resets), "reset of queue %u, not a data queue", q);
	t.resets[q]++;
	return 0;
}

static uint8_t
queue_state(bool rx)
{
	struct rte_eth_rxq_info ri;
	struct rte_eth_txq_info ti;

	if (rx) {
		require(rte_eth_rx_queue_info_get(t.port, 0, &ri) == 0, "Rx queue info");
		return ri.queue_state;
	}
	require(rte_eth_tx_queue_info_get(t.port, 0, &ti) == 0, "Tx queue info");
	return ti.queue_state;
}

/* The device delivers n frames; our Rx must take exactly those, in order. */
static void
rx_frames(unsigned int n, const char *when)
{
	struct rte_mbuf *pkts[FRAMES];
	unsigned int delivered = dev_deliver(n, t.rx_seq), got = 0;

	check(delivered == n, "%s: the device found %u Rx buffers for %u frames", when, delivered,
	      n);
	for (int tries = 0; got < delivered && tries < 100; tries++) {
		uint16_t k = rte_eth_rx_burst(t.port, 0, pkts, RTE_DIM(pkts));

		for (uint16_t i = 0; i < k; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
			bool ok = pkts[i]->pkt_len == FRAME;

			for (uint32_t b = 0; ok && b < FRAME; b++)
				ok = p[b] == pattern(t.rx_seq + got + i, b);
			check(ok, "%s: frame %u wrong", when, got + i);
		}
		rte_pktmbuf_free_bulk(pkts, k);
		got += k;
	}
	check(got == delivered, "%s: %u of %u frames received", when, got, delivered);
	t.rx_seq += delivered;
}

/* Our Tx posts n frames; with 'send' the device takes and checks them. Returns frames posted. */
static uint16_t
tx_frames(unsigned int n, bool send, const char *when)
{
	struct rte_mbuf *pkts[FRAMES];
	uint16_t sent;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p;

		pkts[i] = rte_pktmbuf_alloc(t.pool);
		require(pkts[i] != NULL, "%s: mbuf", when);
		p = (uint8_t *)rte_pktmbuf_append(pkts[i], FRAME);
		for (uint32_t b = 0; b < FRAME; b++)
			p[b] = pattern(t.tx_seq + i, b);
	}
	sent = rte_eth_tx_burst(t.port, 0, pkts, (uint16_t)n);
	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	if (send) {
		unsigned int good = dev_consume(t.tx_seq);

		check(good == n && sent == n, "%s: %u sent, the device took %u of %u", when, sent,
		      good, n);
		/* the next burst frees what the device used */
		rte_eth_tx_done_cleanup(t.port, 0, 0);
	}
	t.tx_seq += sent;
	return sent;
}

static void
check_in_use(unsigned int want, const char *when)
{
	check(rte_mempool_in_use_count(t.pool) == want, "%s: %u mbufs in use, expected %u", when,
	      rte_mempool_in_use_count(t.pool), want);
}

static void
port_setup_start(bool rx_deferred)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_rxconf rxconf = {0};

	rxconf.rx_deferred_start = rx_deferred;
	if (rte_eth_dev_configure(t.port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(t.port, 0, RING, SOCKET_ID_ANY, &rxconf, t.pool) < 0 ||
	    rte_eth_tx_queue_setup(t.port, 0, RING, SOCKET_ID_ANY, NULL) < 0 ||
	    rte_eth_dev_start(t.port) < 0)
		fatal("port set-up failed");
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0],    "-l",
	               "0",        "--no-huge",
	               "-m",       "128",
	               "--no-pci", "--iova-mode=va",
	               prefix,     "--log-level=pmd.net.vionet*:info",
	               NULL};
	struct vionet_transport_ops ops = scripted_ops;
	struct rte_mbuf *m;
	unsigned int ring_buffers, rx_posted;
	uint64_t rx_before;
	int ret;

	tally.name = "test_user_queue_reset_device";
	if (argc != 2 || (strcmp(argv[1], "split") != 0 && strcmp(argv[1], "packed") != 0))
		fatal("usage: %s split|packed", argv[0]);
	dev.packed = strcmp(argv[1], "packed") == 0;
	dev.offered = VIRTQ_FEATURE(VIONET_F_RING_RESET);
	ops.reset_queue = d_reset_queue;
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_qreset_%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		fatal("EAL init");
	t.pool = rte_pktmbuf_pool_create("qreset", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                                 rte_socket_id());
	if (t.pool == NULL)
		fatal("pool allocation failed");
	t.port = scripted_port_create(&ops, &t.hw);
	require((dev.features & VIRTQ_FEATURE(VIONET_F_RING_RESET)) != 0,
	        "VIRTIO_F_RING_RESET offered but not accepted (features 0x%" PRIx64 ")",
	        dev.features);
	port_setup_start(false);
	check(queue_state(true) == RTE_ETH_QUEUE_STATE_STARTED &&
	              queue_state(false) == RTE_ETH_QUEUE_STATE_STARTED,
	      "the port start left a queue stopped");
	ring_buffers = rte_mempool_in_use_count(t.pool);
	check(ring_buffers > 0, "no Rx buffer posted at start");
	rx_frames(FRAMES, "before any stop");

	/* Rx stop and start. */
	rx_before = test_xstat(t.port, "rx_q0_packets");
	ret = rte_eth_dev_rx_queue_stop(t.port, 0);
	check(ret == 0, "Rx queue stop: %s", strerror(-ret));
	check(t.resets[0] == 1 && t.resets[1] == 0, "resets: Rx %u, Tx %u, expected Rx 1",
	      t.resets[0], t.resets[1]);
	check(queue_state(true) == RTE_ETH_QUEUE_STATE_STOPPED, "Rx queue not STOPPED");
	check_in_use(0, "Rx queue stopped");
	check(rte_eth_rx_burst(t.port, 0, &m, 1) == 0,
	      "a burst on the stopped Rx queue took a frame");
	check(rte_eth_rx_queue_count(t.port, 0) == 0, "rx_queue_count on a stopped queue");
	ret = rte_eth_dev_rx_queue_start(t.port, 0);
	check(ret == 0, "Rx queue start: %s", strerror(-ret));
	check(queue_state(true) == RTE_ETH_QUEUE_STATE_STARTED, "Rx queue not STARTED");
	check_in_use(ring_buffers, "Rx queue started again");
	rx_frames(FRAMES, "after the Rx queue's start");
	/* around the ring twice: ours and the device's positions agree past the wrap */
	for (unsigned int i = 0; i < 2 * RING / FRAMES; i++)
		rx_frames(FRAMES, "two rings' worth after the start");
	check(test_xstat(t.port, "rx_q0_packets") == rx_before + FRAMES + 2 * RING,
	      "rx_q0_packets %" PRIu64 ", expected %" PRIu64 " (counts go on across a stop)",
	      test_xstat(t.port, "rx_q0_packets"), rx_before + FRAMES + 2 * RING);

	/* Tx: frames posted, never sent, stop: they come back. */
	tx_frames(FRAMES, true, "before the Tx stop");
	rx_posted = rte_mempool_in_use_count(t.pool); /* what the Rx ring holds now */
	check(tx_frames(FRAMES, false, "posted, not sent") == FRAMES, "Tx did not post");
	check_in_use(rx_posted + FRAMES, "Tx frames posted");
	ret = rte_eth_dev_tx_queue_stop(t.port, 0);
	check(ret == 0, "Tx queue stop: %s", strerror(-ret));
	check(t.resets[1] == 1, "Tx resets %u, expected 1", t.resets[1]);
	check_in_use(rx_posted, "Tx queue stopped: its posted frames back");
	check(tx_frames(1, false, "on a stopped Tx queue") == 0, "a stopped Tx queue took a frame");
	check_in_use(rx_posted, "a burst on the stopped Tx queue");
	ret = rte_eth_dev_tx_queue_start(t.port, 0);
	check(ret == 0, "Tx queue start: %s", strerror(-ret));
	tx_frames(FRAMES, true, "after the Tx queue's start");
	rx_frames(FRAMES, "Rx after the Tx stop and start");

	/* A queue reset the device does not finish: the port is broken, the queue still started. */
	t.reset_answer = -ETIMEDOUT;
	ret = rte_eth_dev_rx_queue_stop(t.port, 0);
	check(ret == -ETIMEDOUT, "Rx stop with a reset that times out: %d", ret);
	check(vionet_dev_is_broken(t.hw), "the port is not reported broken");
	check(queue_state(true) == RTE_ETH_QUEUE_STATE_STARTED,
	      "the failed stop changed the state");
	t.reset_answer = 0;
	check(rte_eth_dev_stop(t.port) == 0, "stop");
	check_in_use(0, "after the port stop");

	/* deferred_start: reset right after the port start, no buffers until its start. */
	memset(t.resets, 0, sizeof(t.resets));
	port_setup_start(true);
	check(!vionet_dev_is_broken(t.hw), "the start did not clear the break");
	check(t.resets[0] == 1 && t.resets[1] == 0, "deferred start: resets Rx %u, Tx %u",
	      t.resets[0], t.resets[1]);
	check(queue_state(true) == RTE_ETH_QUEUE_STATE_STOPPED &&
	              queue_state(false) == RTE_ETH_QUEUE_STATE_STARTED,
	      "deferred start: Rx state %u, Tx %u", queue_state(true), queue_state(false));
	check_in_use(0, "deferred Rx queue after the port start");
	check(rte_eth_rx_burst(t.port, 0, &m, 1) == 0,
	      "a burst on the deferred queue took a frame");
	tx_frames(FRAMES, true, "Tx beside a deferred Rx queue");
	ret = rte_eth_dev_rx_queue_start(t.port, 0);
	check(ret == 0, "deferred Rx queue start: %s", strerror(-ret));
	rx_frames(FRAMES, "after the deferred queue's start");
	check(rte_eth_dev_stop(t.port) == 0, "stop");
	check_in_use(0, "after the second port stop");

	printf("test_user_queue_reset_device: %s rings, %u Rx and %u Tx frames through queue stops "
	       "and starts\n",
	       argv[1], t.rx_seq, t.tx_seq);
	check(rte_eth_dev_close(t.port) == 0, "close");
	rte_eal_cleanup();
	return tally_finish();
}
