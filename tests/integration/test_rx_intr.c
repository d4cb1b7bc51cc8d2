/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx queue interrupts of vionet ports through the ethdev API, the way an l3fwd-power style loop uses
 * them: intr_conf.rxq=1, rte_eth_dev_rx_intr_ctl_q(RTE_EPOLL_PER_THREAD), rte_eth_dev_rx_intr_enable,
 * rte_epoll_wait, and the frame is there when the wait returns.
 *
 * usage: test_rx_intr vhost <plugin.so> <packed 0|1>
 *            net_vionet_user (2 queue pairs) against DPDK's vhost library (net_vhost port) in the same
 *            process; the net_vhost port sends. (integration suite)
 *        test_rx_intr pci <EAL arguments...>
 *            two net_vionet ports on one hub (the vm suite's guest): port 0 sends, port 1 (1 queue
 *            pair, MSI-X vectors through VFIO) waits. (vm suite)
 *
 * A wake-up that is expected is waited for with a bound that only turns a hang into a failure. A
 * "no wake-up" check first waits until the frame is in the ring (rx_queue_count), then gives a
 * wrongly sent signal a bounded chance to show. Nothing here asserts timing.
 *
 * Checks, per Rx queue of the waiting port:
 *   - interrupt enabled on queue q: a frame sent to q wakes the wait with q's data alone, and
 *     rte_eth_rx_burst then returns that frame;
 *   - interrupt disabled: a frame arrives (rx_burst gets it) and no wake-up comes;
 *   - a frame that arrived while disabled: enabling wakes the wait at once (the driver re-checks the
 *     ring and signals itself; counted in rx_q<N>_intr_self_signalled): no lost wake-up;
 *   - after a port stop and start, the application registers again and the above still works;
 *   - vhost mode: an enabled interrupt still wakes after the back end went away and came back;
 *   - rx_intr_enable without intr_conf.rxq is refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test_ethdev.h"
#include "test_tally.h"

#define MAX_QUEUES 2
#define RING_SIZE 256
#define POOL_SIZE 4095
#define HANG_S 30		  /* a frame or a link not there after this long: a hang */
#define WAKE_WAIT_MS (HANG_S * 1000) /* bound on a wake-up that is due */
#define QUIET_WAIT_MS 500	  /* chance for a wrong wake-up to show */

static struct {
	bool pci;
	uint16_t queues;
	char sock[128];
	char vhost_args[256];
	uint16_t ours;	 /* the port that waits for Rx interrupts */
	uint16_t sender; /* the net_vhost port, or the other net_vionet port on the hub */
	struct rte_mempool *ours_pool, *sender_pool;
	uint32_t seq;
} t;

static void
configure(uint16_t port, struct rte_mempool *pool, bool rxq_intr)
{
	struct rte_eth_conf conf = {0};

	conf.intr_conf.rxq = rxq_intr;
	test_port_configure(port, &conf, t.queues, RING_SIZE, pool);
}

/* The sender sends one broadcast frame carrying a sequence number, to our queue q. */
static uint32_t
send_frame(uint16_t q)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t.sender_pool);
	uint32_t seq = t.seq++;
	double end = test_deadline(HANG_S);
	uint8_t *p;

	if (m == NULL)
		fatal("sender pool empty");
	p = (uint8_t *)rte_pktmbuf_append(m, 64);
	if (p == NULL)
		fatal("no room for a 64-byte frame");
	memset(p, 0, 64);
	memset(p, 0xff, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x02", 6);
	p[12] = 0x88;
	p[13] = 0xb5;
	memcpy(p + 14, &seq, sizeof(seq));
	/* A back end takes the rings shortly after link up: retry until it accepts. The hub has one
	 * queue pair, so over PCI queue 0 of the sender reaches queue 0 of ours. */
	while (rte_eth_tx_burst(t.sender, t.pci ? 0 : q, &m, 1) == 0) {
		if (test_past(end))
			fatal("sender queue %u never accepted a frame", q);
		rte_pause();
	}
	return seq;
}

/* Waits (bounded) until queue q holds a used buffer, without taking it. */
static void
wait_frame_pending(uint16_t q, const char *when)
{
	double end = test_deadline(HANG_S);

	while (rte_eth_rx_queue_count(t.ours, q) <= 0)
		if (test_past(end))
			fatal("%s: no frame ever reached queue %u", when, q);
}

/* Our queue q returns exactly the frame 'seq' (bounded wait: it may still be on its way). */
static void
expect_frame(uint16_t q, uint32_t seq, const char *when)
{
	struct rte_mbuf *m[4];
	double end = test_deadline(HANG_S);
	uint16_t n;
	uint32_t got;

	while ((n = rte_eth_rx_burst(t.ours, q, m, RTE_DIM(m))) == 0)
		if (test_past(end))
			fatal("%s: queue %u never returned frame %u", when, q, seq);
	check(n == 1, "%s: queue %u returned %u frames, expected 1", when, q, n);
	memcpy(&got, rte_pktmbuf_mtod_offset(m[0], uint8_t *, 14), sizeof(got));
	check(m[0]->pkt_len == 64 && got == seq, "%s: queue %u returned frame %u (%u bytes), sent %u",
	      when, q, got, m[0]->pkt_len, seq);
	rte_pktmbuf_free_bulk(m, n);
}

/* rte_epoll_wait on this thread's epoll fd: how many events, and the queues they name (bit mask). */
static int
wait_events(int timeout_ms, unsigned int *queues)
{
	struct rte_epoll_event ev[MAX_QUEUES * 2];
	int n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), timeout_ms);

	*queues = 0;
	for (int i = 0; i < n; i++)
		*queues |= 1u << (unsigned int)(uintptr_t)ev[i].epdata.data;
	return n;
}

static void
register_queues(const char *when)
{
	for (uint16_t q = 0; q < t.queues; q++) {
		int ret = rte_eth_dev_rx_intr_ctl_q(t.ours, q, RTE_EPOLL_PER_THREAD,
						    RTE_INTR_EVENT_ADD, (void *)(uintptr_t)q);

		check(ret == 0, "%s: rx_intr_ctl_q(ADD) queue %u: %s", when, q, strerror(-ret));
	}
}

/* Enabled: the back end's frame on q wakes the wait for q alone, and the frame is there. */
static void
wake_on_frame(uint16_t q, const char *when)
{
	unsigned int queues;
	uint32_t seq;
	int n;

	check(rte_eth_dev_rx_intr_enable(t.ours, q) == 0, "%s: rx_intr_enable queue %u", when, q);
	seq = send_frame(q);
	n = wait_events(WAKE_WAIT_MS, &queues);
	check(n == 1 && queues == 1u << q, "%s: queue %u: wait returned %d events for queues 0x%x",
	      when, q, n, queues);
	check(rte_eth_dev_rx_intr_disable(t.ours, q) == 0, "%s: rx_intr_disable queue %u", when, q);
	expect_frame(q, seq, when);
}

/* Disabled: the frame arrives, no wake-up comes. */
static void
quiet_when_disabled(uint16_t q, const char *when)
{
	unsigned int queues;
	uint32_t seq = send_frame(q);
	int n;

	wait_frame_pending(q, when);
	n = wait_events(QUIET_WAIT_MS, &queues);
	check(n == 0, "%s: queue %u interrupt disabled, yet the wait returned %d events (0x%x)", when,
	      q, n, queues);
	expect_frame(q, seq, when);
}

/* A frame that came while disabled: enable must not leave the waiter asleep. */
static void
wake_on_enable_with_frame_waiting(uint16_t q, const char *when)
{
	char name[64];
	uint64_t before, after;
	unsigned int queues;
	uint32_t seq;
	int n;

	snprintf(name, sizeof(name), "rx_q%u_intr_self_signalled", q);
	before = test_xstat(t.ours, name);
	seq = send_frame(q);
	wait_frame_pending(q, when);
	n = wait_events(QUIET_WAIT_MS, &queues);
	check(n == 0, "%s: queue %u: %d events before enable", when, q, n);
	check(rte_eth_dev_rx_intr_enable(t.ours, q) == 0, "%s: rx_intr_enable queue %u", when, q);
	n = wait_events(WAKE_WAIT_MS, &queues);
	check(n == 1 && queues == 1u << q,
	      "%s: queue %u: enable with a frame waiting: wait returned %d events for queues 0x%x", when,
	      q, n, queues);
	rte_eth_dev_rx_intr_disable(t.ours, q);
	after = test_xstat(t.ours, name);
	check(after == before + 1, "%s: %s went %" PRIu64 " -> %" PRIu64, when, name, before, after);
	expect_frame(q, seq, when);
}

/*
 * vhost mode: an enabled interrupt survives the back end going away and coming back as a new device
 * (the driver re-creates the ring, which starts with notifications off, and arms it again).
 */
static void
wake_after_backend_restart(void)
{
	const char *when = "back end restarted";
	unsigned int queues;
	uint32_t seq;
	int n;

	check(rte_eth_dev_rx_intr_enable(t.ours, 0) == 0, "%s: rx_intr_enable queue 0", when);
	rte_eth_dev_stop(t.sender);
	rte_eth_dev_close(t.sender);
	rte_vdev_uninit("net_vhost0");
	test_port_wait_link(t.ours, false, HANG_S, when);
	if (rte_vdev_init("net_vhost0", t.vhost_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vhost0", &t.sender) != 0)
		fatal("net_vhost0 again");
	configure(t.sender, t.sender_pool, false);
	test_port_start(t.sender, HANG_S, when);
	test_port_wait_link(t.ours, true, HANG_S, when);
	/* Whatever the going and coming signalled is not what this checks: drain it first. */
	wait_events(0, &queues);
	seq = send_frame(0);
	n = wait_events(WAKE_WAIT_MS, &queues);
	check(n == 1 && queues == 1u, "%s: queue 0: wait returned %d events for queues 0x%x", when, n,
	      queues);
	check(rte_eth_dev_rx_intr_disable(t.ours, 0) == 0, "%s: rx_intr_disable queue 0", when);
	expect_frame(0, seq, when);
}

static void
round_of_checks(const char *when)
{
	register_queues(when);
	for (uint16_t q = 0; q < t.queues; q++) {
		wake_on_frame(q, when);
		quiet_when_disabled(q, when);
		wake_on_enable_with_frame_waiting(q, when);
		/* And once more, so a wake-up is not a one-off after each enable. */
		wake_on_frame(q, when);
	}
}

/* After EAL init: both pools, and the sender's port configured. */
static void
make_pools_and_sender(void)
{
	t.ours_pool = test_pool("ours", POOL_SIZE);
	t.sender_pool = test_pool("sender", POOL_SIZE);
	configure(t.sender, t.sender_pool, false);
}

/* net_vionet_user and a net_vhost port it talks to, in this process. */
static void
init_vhost(int argc, char **argv)
{
	char ours_args[256];
	bool packed;

	if (argc != 4)
		fatal("usage: %s vhost <plugin.so> <packed 0|1>", argv[0]);
	packed = atoi(argv[3]) != 0;
	t.queues = MAX_QUEUES;
	test_socket_path(t.sock, sizeof(t.sock));
	snprintf(t.vhost_args, sizeof(t.vhost_args), "iface=%s,queues=%u", t.sock, t.queues);
	snprintf(ours_args, sizeof(ours_args), "path=%s,queues=%u,packed_vq=%d", t.sock, t.queues,
		 packed);
	test_vhost_eal_init(argv[0], argv[2], "vionet_uri", t.vhost_args, NULL);
	printf("vhost-user, ring: %s, %u queue pairs\n", packed ? "packed" : "split", t.queues);
	if (rte_eth_dev_get_port_by_name("net_vhost0", &t.sender) != 0)
		fatal("net_vhost0 not probed");
	/* net_vhost listens from its configure on; then our client device can connect. */
	make_pools_and_sender();
	if (rte_vdev_init("net_vionet_user0", ours_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.ours) != 0)
		fatal("net_vionet_user0 probe");
}

/* Two net_vionet PCI ports from the caller's EAL arguments (-d plugin -a bdf0 -a bdf1). */
static void
init_pci(int argc, char **argv)
{
	struct rte_eth_dev_info info;

	argv[1] = argv[0];
	if (rte_eal_init(argc - 1, argv + 1) < 0)
		fatal("EAL init");
	if (rte_eth_dev_count_avail() != 2)
		fatal("%u ports, expected the two functions on the hub", rte_eth_dev_count_avail());
	t.pci = true;
	t.sender = 0;
	t.ours = 1;
	t.queues = 1;
	if (rte_eth_dev_info_get(t.ours, &info) != 0 || strcmp(info.driver_name, "net_vionet") != 0)
		fatal("port %u is not driven by net_vionet", t.ours);
	make_pools_and_sender();
	printf("PCI: port %u sends, port %u waits for Rx interrupts\n", t.sender, t.ours);
}

int
main(int argc, char **argv)
{
	int ret;

	tally.name = "test_rx_intr";
	if (argc >= 2 && strcmp(argv[1], "vhost") == 0)
		init_vhost(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "pci") == 0)
		init_pci(argc, argv);
	else
		fatal("usage: %s vhost <plugin.so> <packed 0|1> | pci <EAL arguments>", argv[0]);

	/* Without intr_conf.rxq the port has no Rx interrupts to give. */
	configure(t.ours, t.ours_pool, false);
	if (rte_eth_dev_start(t.sender) < 0 || rte_eth_dev_start(t.ours) < 0)
		fatal("start");
	ret = rte_eth_dev_rx_intr_enable(t.ours, 0);
	check(ret != 0, "rx_intr_enable without intr_conf.rxq returned 0");
	check(rte_eth_dev_stop(t.ours) == 0, "stop");

	configure(t.ours, t.ours_pool, true);
	test_port_start(t.ours, HANG_S, "start with intr_conf.rxq");
	test_port_wait_link(t.sender, true, HANG_S, "start with intr_conf.rxq");
	round_of_checks("first start");

	/* Stop drops the epoll registrations; a started port gives them again. */
	check(rte_eth_dev_stop(t.ours) == 0, "stop");
	test_port_start(t.ours, HANG_S, "restart");
	round_of_checks("after restart");
	if (!t.pci)
		wake_after_backend_restart();

	check(rte_eth_dev_stop(t.ours) == 0, "final stop");
	check(rte_mempool_in_use_count(t.ours_pool) == 0, "%u mbufs of our pool in use after stop",
	      rte_mempool_in_use_count(t.ours_pool));
	check(rte_eth_dev_close(t.ours) == 0, "close");
	rte_eth_dev_stop(t.sender);
	rte_eth_dev_close(t.sender);
	rte_eal_cleanup();
	return tally_finish();
}
