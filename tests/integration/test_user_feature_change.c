/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A vhost-user back end that comes back with other features than our queues were built for.
 * net_vionet_user (client) against DPDK's vhost library in the same process (a server socket this
 * program registers itself, so it can take a feature away with rte_vhost_driver_disable_features
 * before the back end starts again). One thread drives both sides.
 *
 * usage: test_user_feature_change <plugin.so> packed|mrg
 *
 * packed: our port runs packed rings (packed_vq=1); the back end comes back without
 * VIRTIO_F_RING_PACKED. mrg: our port runs mergeable Rx buffers (split rings); the back end comes
 * back without VIRTIO_NET_F_MRG_RXBUF. Checks: traffic before; after the reconnect the port does
 * not run over the old rings (the back end never gets a device, bursts return 0), one
 * RTE_ETH_EVENT_INTR_RESET, one log line naming the feature, link down, xstat device_broken 1;
 * then rte_eth_dev_reset + configure + queue set-up + start: the back end gets a device with the
 * new features, the burst functions are the other layout's, traffic flows; the pool is whole after
 * every stop.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_vhost_backend.h"

#define RING_SIZE 256
#define BATCH 32
#define FRAME 200
#define WAIT_S 30

/* Feature bits of the virtio spec this test takes away from the back end. */
#define F_MRG_RXBUF 15
#define F_RING_PACKED 34

static struct {
	const char *plugin;
	bool packed_case;
	struct test_loop loop;
	uint32_t resets; /* RTE_ETH_EVENT_INTR_RESET */
	char *log;
	size_t log_len;
	FILE *log_stream;
} t;

static void
round_trip(const char *when)
{
	test_loop_round_trip(&t.loop, BATCH, FRAME, when);
}

/* ---- Our port ---- */

static void
configure_ours(void)
{
	struct rte_eth_conf conf = {0};

	conf.intr_conf.lsc = 1;
	test_port_configure(t.loop.port, &conf, 1, RING_SIZE, t.loop.ours_pool);
}

static bool
burst_mode_is(const char *name)
{
	struct rte_eth_burst_mode mode;

	return rte_eth_rx_burst_mode_get(t.loop.port, 0, &mode) == 0 && strcmp(mode.info, name) == 0;
}

static unsigned int
log_count(const char *what)
{
	unsigned int n = 0;

	fflush(t.log_stream);
	for (const char *p = t.log; p != NULL && (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void
dump_log(void)
{
	fflush(t.log_stream);
	fprintf(stderr, "---- log ----\n%s---- end of log ----\n", t.log != NULL ? t.log : "");
}

static void
stop_and_check_pool(const char *when)
{
	check(rte_eth_dev_stop(t.loop.port) == 0, "%s: stop", when);
	check(rte_mempool_in_use_count(t.loop.ours_pool) == 0, "%s: %u mbufs of our pool in use", when,
	      rte_mempool_in_use_count(t.loop.ours_pool));
}

int
main(int argc, char **argv)
{
	const uint64_t taken = UINT64_C(1) << (argc == 3 && strcmp(argv[2], "mrg") == 0
						      ? F_MRG_RXBUF
						      : F_RING_PACKED);
	const char *before_mode, *after_mode, *feature;
	char ours_args[256];
	struct rte_mbuf *pkts[BATCH];
	uint32_t new_devices;
	double deadline;
	int ret;

	tally.name = "test_user_feature_change";
	if (argc != 3 || (strcmp(argv[2], "packed") != 0 && strcmp(argv[2], "mrg") != 0))
		fatal("usage: %s <plugin.so> packed|mrg", argv[0]);
	t.plugin = argv[1];
	t.packed_case = strcmp(argv[2], "packed") == 0;
	before_mode = t.packed_case ? "packed mergeable scalar" : "split mergeable scalar";
	after_mode = t.packed_case ? "split mergeable scalar" : "split scalar";
	feature = t.packed_case ? "RING_PACKED off (queues built with it on)"
				: "MRG_RXBUF off (queues built with it on)";
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	t.log_stream = open_memstream(&t.log, &t.log_len);
	if (t.log_stream == NULL || rte_openlog_stream(t.log_stream) != 0)
		fatal("log stream");
	tally.on_fatal = dump_log;
	test_vhost_eal_init(argv[0], t.plugin, "vionet_fch", NULL, "--log-level=pmd.net.vionet*:info");
	t.loop.ours_pool = test_pool("ours", 4095);
	t.loop.vhost_pool = test_pool("vhost", 4095);

	/* The back end with every feature; our port with the ring options under test, on the scalar
	 * paths (their names are what this test compares; the vector rows depend on the CPU). */
	test_backend_start(0);
	snprintf(ours_args, sizeof(ours_args),
		 "path=%s,queues=1,packed_vq=%d,in_order=0,mrg_rxbuf=1,vectorized=0", test_backend.sock,
		 t.packed_case);
	if (rte_vdev_init("net_vionet_user0", ours_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.loop.port) != 0)
		fatal("net_vionet_user0 probe");
	rte_eth_dev_callback_register(t.loop.port, RTE_ETH_EVENT_INTR_RESET, test_count_event, &t.resets);
	configure_ours();
	test_port_start(t.loop.port, WAIT_S, "start");
	test_backend_wait_running("start");
	check(burst_mode_is(before_mode), "start: burst functions are not \"%s\"", before_mode);
	round_trip("before the reconnect");

	/* The back end goes and comes back without the feature. */
	test_backend_stop();
	test_port_wait_link(t.loop.port, false, WAIT_S, "back end gone");
	new_devices = test_backend_new_devices();
	test_backend_start(taken);
	deadline = test_deadline(WAIT_S);
	while (__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 0 && !test_past(deadline))
		usleep(1000);
	usleep(200000); /* a second event, or a late device start, would come in this time */
	check(__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 1,
	      "after the reconnect: %u RTE_ETH_EVENT_INTR_RESET, expected 1", t.resets);
	check(log_count(" broken: ") == 1 && log_count(feature) == 1,
	      "after the reconnect: the log does not say once that \"%s\"", feature);
	check(test_backend_new_devices() == new_devices && !test_backend_running(),
	      "the back end got a device over the old rings");
	{
		struct rte_eth_link link;

		check(rte_eth_link_get_nowait(t.loop.port, &link) == 0 && link.link_status == RTE_ETH_LINK_DOWN,
		      "after the reconnect: link reported up");
	}
	check(test_xstat(t.loop.port, "device_broken") == 1, "xstat device_broken %" PRIu64 ", expected 1",
	      test_xstat(t.loop.port, "device_broken"));
	check(rte_eth_rx_burst(t.loop.port, 0, pkts, BATCH) == 0, "Rx burst ran over mismatched rings");
	pkts[0] = test_frame(&t.loop, t.loop.seq, FRAME);
	ret = rte_eth_tx_burst(t.loop.port, 0, pkts, 1);
	check(ret == 0, "Tx burst ran over mismatched rings");
	if (ret == 0)
		rte_pktmbuf_free(pkts[0]);
	/* A start without a reset still finds the queues built for the old features. */
	stop_and_check_pool("stop of the broken port");
	check(rte_eth_dev_start(t.loop.port) == -EPROTO, "a start over the old queues did not fail");
	check(__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 1, "the failed start raised another event");

	/* What the event asks for: reset, configure, set the queues up, start. */
	ret = rte_eth_dev_reset(t.loop.port);
	check(ret == 0, "rte_eth_dev_reset: %s", strerror(-ret));
	configure_ours();
	test_port_start(t.loop.port, WAIT_S, "start after the reset");
	test_backend_wait_running("start after the reset");
	check(burst_mode_is(after_mode), "after the reset: burst functions are not \"%s\"", after_mode);
	round_trip("after the reset");
	round_trip("after the reset, again");
	check(__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 1, "events after the recovery");

	stop_and_check_pool("final stop");
	check(rte_eth_dev_close(t.loop.port) == 0, "close");
	test_backend_stop();
	rte_eal_cleanup();
	if (tally.failures != 0 || getenv("VIONET_TEST_LOG") != NULL)
		dump_log();
	return tally_finish();
}
