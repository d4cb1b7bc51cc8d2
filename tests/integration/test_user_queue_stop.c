/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One queue stopped or started alone needs VIRTIO_F_RING_RESET (virtio 1.2 2.6.1 Virtqueue Reset),
 * which DPDK's vhost library does not offer. On a started net_vionet_user port, against that
 * library in this process:
 *   - rx/tx_queue_stop return -ENOTSUP, and our log says once per call that the device did not
 *     offer VIRTIO_F_RING_RESET and that vhost-user back ends do not;
 *   - the queues stay started (rte_eth_rx/tx_queue_info_get) and frames still go both ways;
 *   - a queue set up with deferred_start is refused with -EINVAL, saying why; set up again
 *     without it, the port starts and forwards;
 *   - port start and stop set the queues' states (STARTED, STOPPED).
 *
 * usage: test_user_queue_stop <plugin.so>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_vhost_backend.h"

#define RING_SIZE 256
#define FRAMES 32
#define FRAME_LEN 200
#define REFUSAL "did not offer VIRTIO_F_RING_RESET (vhost-user back ends do not offer it)"

static struct {
	struct test_loop loop;
	FILE *log_stream;
	char *log;
	size_t log_len;
} t;

static void
dump_log(void)
{
	fflush(t.log_stream);
	fprintf(stderr, "---- log\n%s\n", t.log != NULL ? t.log : "");
}

/* Occurrences of 'needle' in what the log holds now. */
static unsigned int
log_count(const char *needle)
{
	unsigned int n = 0;

	fflush(t.log_stream);
	for (const char *p = t.log; p != NULL && (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
check_states(uint8_t want, const char *when)
{
	struct rte_eth_rxq_info rx;
	struct rte_eth_txq_info tx;

	require(rte_eth_rx_queue_info_get(t.loop.port, 0, &rx) == 0 &&
	                rte_eth_tx_queue_info_get(t.loop.port, 0, &tx) == 0,
	        "%s: queue info", when);
	check(rx.queue_state == want && tx.queue_state == want,
	      "%s: Rx queue state %u, Tx %u, expected %u", when, rx.queue_state, tx.queue_state,
	      want);
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	char args[256];
	unsigned int before;
	int ret;

	tally.name = "test_user_queue_stop";
	if (argc != 2)
		fatal("usage: %s <plugin.so>", argv[0]);
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	t.log_stream = open_memstream(&t.log, &t.log_len);
	if (t.log_stream == NULL || rte_openlog_stream(t.log_stream) != 0)
		fatal("log stream");
	tally.on_fatal = dump_log;
	test_vhost_eal_init(argv[0], argv[1], "vionet_qstop", NULL, NULL);
	t.loop.ours_pool = test_pool("ours", 2047);
	t.loop.vhost_pool = test_pool("vhost", 1023);
	test_backend_start(0);
	snprintf(args, sizeof(args), "path=%s,queues=1", test_backend.sock);
	if (rte_vdev_init("net_vionet_user0", args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.loop.port) != 0)
		fatal("net_vionet_user0 probe");
	test_port_configure(t.loop.port, &conf, 1, RING_SIZE, t.loop.ours_pool);
	test_port_start(t.loop.port, TEST_BACKEND_WAIT_S, "start");
	test_backend_wait_running("start");
	check_states(RTE_ETH_QUEUE_STATE_STARTED, "after the port start");
	test_loop_round_trip(&t.loop, FRAMES, FRAME_LEN, "before any queue stop");

	before = log_count(REFUSAL);
	ret = rte_eth_dev_rx_queue_stop(t.loop.port, 0);
	check(ret == -ENOTSUP, "rx_queue_stop returned %d, expected -ENOTSUP", ret);
	ret = rte_eth_dev_tx_queue_stop(t.loop.port, 0);
	check(ret == -ENOTSUP, "tx_queue_stop returned %d, expected -ENOTSUP", ret);
	check(log_count(REFUSAL) == before + 2, "the refusal lines: %u, expected %u",
	      log_count(REFUSAL) - before, 2);
	check(log_count("Rx queue 0 cannot be stopped alone") >= 1 &&
	              log_count("Tx queue 0 cannot be stopped alone") >= 1,
	      "the refusals name the queue");
	check_states(RTE_ETH_QUEUE_STATE_STARTED, "after the refused stops");
	for (int i = 0; i < 4; i++)
		test_loop_round_trip(&t.loop, FRAMES, FRAME_LEN, "after the refused stops");

	check(rte_eth_dev_stop(t.loop.port) == 0, "stop");
	check_states(RTE_ETH_QUEUE_STATE_STOPPED, "after the port stop");
	require(rte_eth_dev_info_get(t.loop.port, &info) == 0, "dev_info");
	rxconf = info.default_rxconf;
	rxconf.rx_deferred_start = 1;
	ret = rte_eth_rx_queue_setup(t.loop.port, 0, RING_SIZE, rte_socket_id(), &rxconf,
	                             t.loop.ours_pool);
	check(ret == -EINVAL, "Rx queue set-up with deferred_start returned %d, expected -EINVAL",
	      ret);
	txconf = info.default_txconf;
	txconf.tx_deferred_start = 1;
	ret = rte_eth_tx_queue_setup(t.loop.port, 0, RING_SIZE, rte_socket_id(), &txconf);
	check(ret == -EINVAL, "Tx queue set-up with deferred_start returned %d, expected -EINVAL",
	      ret);
	check(log_count("deferred start needs VIRTIO_F_RING_RESET") == 2,
	      "the deferred start refusals say why");
	test_port_configure(t.loop.port, &conf, 1, RING_SIZE, t.loop.ours_pool);
	test_port_start(t.loop.port, TEST_BACKEND_WAIT_S, "start after the refused set-ups");
	check_states(RTE_ETH_QUEUE_STATE_STARTED, "after the second start");
	test_loop_round_trip(&t.loop, FRAMES, FRAME_LEN, "after the refused set-ups");

	printf("test_user_queue_stop: refused per-queue stop and deferred start, the port "
	       "forwarding "
	       "on\n");
	check(rte_eth_dev_stop(t.loop.port) == 0, "stop");
	check(rte_eth_dev_close(t.loop.port) == 0, "close");
	test_backend_stop();
	rte_eal_cleanup();
	return tally_finish();
}
