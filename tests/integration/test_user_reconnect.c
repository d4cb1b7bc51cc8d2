/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reconnect soak: our net_vionet_user port keeps bursting on its own thread while the vhost-user
 * back end (DPDK's net_vhost in this process) is closed and created again, many times. Each time
 * the link goes down and up (LSC events), traffic flows again; at the end the traffic thread
 * ends on request (no stuck lcore), the open fd count is what it was once connected, and every
 * mbuf of our pool is back after the port stops.
 *
 * usage: test_user_reconnect <plugin.so> <client|server> <queue pairs> <restarts>
 *   client: our port connects to net_vhost (the back end listens);
 *   server: our port listens (server=1) and net_vhost connects (client=1), reconnecting.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "test_ethdev.h"
#include "test_tally.h"

#define RING_SIZE 256
#define BURST 32
#define POOL_SIZE 8191
#define MAX_QUEUES 4
#define WAIT_S 60
#define FRAME_LEN 64

static struct {
	uint16_t ours, vhost, queues;
	bool server;
	char sock[128];
	char vhost_args[200];
	struct rte_mempool *ours_pool, *vhost_pool;
	uint32_t lsc_events;
	/* The traffic thread: it polls ours always, the back end only while vhost_on is set (the
	 * main thread closes and creates that port), and says so in vhost_polling. */
	bool stop, vhost_on, vhost_polling;
	uint64_t rx_ours; /* frames our port received (the back end echoes what we send) */
	bool thread_done;
} t;

static unsigned int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	if (d == NULL)
		fatal("/proc/self/fd: %s", strerror(errno));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Sends a burst of frames from our port and returns what the back end echoes; frees the rest. */
static void
burst_once(void)
{
	struct rte_mbuf *pkts[BURST];
	bool vhost = __atomic_load_n(&t.vhost_on, __ATOMIC_ACQUIRE);

	__atomic_store_n(&t.vhost_polling, vhost, __ATOMIC_RELEASE);
	for (uint16_t q = 0; q < t.queues; q++) {
		uint16_t n, sent;

		if (rte_pktmbuf_alloc_bulk(t.ours_pool, pkts, BURST) == 0) {
			for (uint16_t i = 0; i < BURST; i++) {
				char *p = rte_pktmbuf_append(pkts[i], FRAME_LEN);

				memset(p, 0xff, 12); /* broadcast, from ff..: a frame the back end takes */
				memset(p + 12, 0x08, FRAME_LEN - 12);
			}
			sent = rte_eth_tx_burst(t.ours, q, pkts, BURST);
			rte_pktmbuf_free_bulk(&pkts[sent], BURST - sent);
		}
		if (vhost) {
			n = rte_eth_rx_burst(t.vhost, q, pkts, BURST);
			sent = rte_eth_tx_burst(t.vhost, q, pkts, n);
			rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		}
		n = rte_eth_rx_burst(t.ours, q, pkts, BURST);
		__atomic_add_fetch(&t.rx_ours, n, __ATOMIC_RELAXED);
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

static void *
traffic_thread(void *arg)
{
	RTE_SET_USED(arg);
	while (!__atomic_load_n(&t.stop, __ATOMIC_ACQUIRE))
		burst_once();
	__atomic_store_n(&t.vhost_polling, false, __ATOMIC_RELEASE);
	__atomic_store_n(&t.thread_done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* The traffic thread leaves the back end's port alone from its next burst on. */
static void
vhost_polling_off(void)
{
	double deadline = test_deadline(WAIT_S);

	__atomic_store_n(&t.vhost_on, false, __ATOMIC_RELEASE);
	/* vhost_polling is rewritten at the start of each burst: once false, no burst touches it */
	__atomic_store_n(&t.vhost_polling, true, __ATOMIC_RELEASE);
	while (__atomic_load_n(&t.vhost_polling, __ATOMIC_ACQUIRE))
		if (test_past(deadline))
			fatal("the traffic thread did not come round (a stuck lcore)");
}

static void
create_vhost_port(void)
{
	struct rte_eth_conf conf = {0};
	int ret = rte_vdev_init("net_vhost0", t.vhost_args);

	if (ret < 0)
		fatal("net_vhost0: %s", strerror(-ret));
	if (rte_eth_dev_get_port_by_name("net_vhost0", &t.vhost) != 0)
		fatal("no net_vhost0 port");
	test_port_configure(t.vhost, &conf, t.queues, RING_SIZE, t.vhost_pool);
	if (rte_eth_dev_start(t.vhost) < 0)
		fatal("start net_vhost0");
}

/* Our port receives at least `frames` more echoed frames within the deadline. */
static bool
traffic_flows(uint64_t frames)
{
	uint64_t from = __atomic_load_n(&t.rx_ours, __ATOMIC_RELAXED);
	double deadline = test_deadline(WAIT_S);

	while (__atomic_load_n(&t.rx_ours, __ATOMIC_RELAXED) < from + frames)
		if (test_past(deadline))
			return false;
	return true;
}

static void
restart_backend(unsigned int i)
{
	uint32_t lsc = __atomic_load_n(&t.lsc_events, __ATOMIC_ACQUIRE);
	char when[48];

	snprintf(when, sizeof(when), "restart %u", i);
	vhost_polling_off();
	rte_eth_dev_stop(t.vhost);
	rte_eth_dev_close(t.vhost);
	rte_vdev_uninit("net_vhost0");
	test_port_wait_link(t.ours, false, WAIT_S, when);
	create_vhost_port();
	test_port_wait_link(t.ours, true, WAIT_S, when);
	__atomic_store_n(&t.vhost_on, true, __ATOMIC_RELEASE);
	check(traffic_flows(1000), "%s: traffic did not resume", when);
	check(__atomic_load_n(&t.lsc_events, __ATOMIC_ACQUIRE) >= lsc + 2,
	      "%s: link down and up gave %u LSC events", when,
	      __atomic_load_n(&t.lsc_events, __ATOMIC_ACQUIRE) - lsc);
}

int
main(int argc, char **argv)
{
	char ours_args[256];
	struct rte_eth_conf conf = {.intr_conf.lsc = 1};
	unsigned int restarts, fds_connected;
	pthread_t thread;
	double deadline;

	tally.name = "test_user_reconnect";
	if (argc != 5)
		fatal("usage: %s <plugin.so> <client|server> <queue pairs> <restarts>", argv[0]);
	t.server = strcmp(argv[2], "server") == 0;
	t.queues = (uint16_t)atoi(argv[3]);
	restarts = (unsigned int)atoi(argv[4]);
	if (t.queues < 1 || t.queues > MAX_QUEUES || restarts < 1)
		fatal("queue pairs 1..%d, restarts at least 1", MAX_QUEUES);
	test_socket_path(t.sock, sizeof(t.sock));
	snprintf(t.vhost_args, sizeof(t.vhost_args), "iface=%s,queues=%u%s", t.sock, t.queues,
		 t.server ? ",client=1" : "");
	snprintf(ours_args, sizeof(ours_args), "path=%s,queues=%u%s", t.sock, t.queues,
		 t.server ? ",server=1" : "");
	test_vhost_eal_init(argv[0], argv[1], "vionet_reconnect", t.vhost_args, NULL);
	printf("%s mode, %u queue pairs, %u back end restarts under traffic\n",
	       t.server ? "server" : "client", t.queues, restarts);

	t.ours_pool = test_pool("ours", POOL_SIZE);
	t.vhost_pool = test_pool("vhost", POOL_SIZE);
	if (rte_eth_dev_get_port_by_name("net_vhost0", &t.vhost) != 0)
		fatal("net_vhost0 not probed");
	test_port_configure(t.vhost, &(struct rte_eth_conf){0}, t.queues, RING_SIZE, t.vhost_pool);
	if (rte_vdev_init("net_vionet_user0", ours_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.ours) != 0)
		fatal("net_vionet_user0 probe");
	rte_eth_dev_callback_register(t.ours, RTE_ETH_EVENT_INTR_LSC, test_count_event, &t.lsc_events);
	test_port_configure(t.ours, &conf, t.queues, RING_SIZE, t.ours_pool);
	if (rte_eth_dev_start(t.vhost) < 0)
		fatal("net_vhost0 start");
	test_port_start(t.ours, WAIT_S, "start");

	__atomic_store_n(&t.vhost_on, true, __ATOMIC_RELEASE);
	if (pthread_create(&thread, NULL, traffic_thread, NULL) != 0)
		fatal("traffic thread");
	require(traffic_flows(1000), "no traffic before the first restart");
	fds_connected = open_fds();

	for (unsigned int i = 0; i < restarts; i++)
		restart_backend(i);
	check(open_fds() == fds_connected, "%u fds open after %u restarts, %u before", open_fds(),
	      restarts, fds_connected);

	/* The thread ends on request: a burst stuck in the driver would keep it from coming round. */
	__atomic_store_n(&t.stop, true, __ATOMIC_RELEASE);
	deadline = test_deadline(WAIT_S);
	while (!__atomic_load_n(&t.thread_done, __ATOMIC_ACQUIRE))
		if (test_past(deadline))
			fatal("the traffic thread is stuck");
	pthread_join(thread, NULL);
	printf("%" PRIu64 " frames echoed, %u LSC events\n", t.rx_ours, t.lsc_events);

	check(rte_eth_dev_stop(t.ours) == 0, "stop");
	check(rte_mempool_in_use_count(t.ours_pool) == 0, "after stop: %u mbufs of our pool in use",
	      rte_mempool_in_use_count(t.ours_pool));
	check(rte_eth_dev_close(t.ours) == 0, "close");
	rte_eth_dev_stop(t.vhost);
	rte_eth_dev_close(t.vhost);
	rte_eal_cleanup();
	return tally_finish();
}
