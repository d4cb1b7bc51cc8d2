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

#define RING_SIZE 256
#define BATCH 32
#define FRAME 200
#define WAIT_S 30
#define SPIN_LIMIT 2000000u

/* Feature bits of the virtio spec this test takes away from the back end. */
#define F_MRG_RXBUF 15
#define F_RING_PACKED 34

static struct {
	const char *plugin;
	bool packed_case;
	char sock[128];
	uint16_t ours;
	struct rte_mempool *ours_pool, *vhost_pool;
	int vid;		/* the back end's device, valid while 'running' */
	uint32_t running;	/* set by new_device, cleared by destroy_device */
	uint32_t new_devices;	/* new_device calls */
	uint32_t resets;	/* RTE_ETH_EVENT_INTR_RESET */
	uint32_t seq;
	char *log;
	size_t log_len;
	FILE *log_stream;
} t;

/* ---- The back end ---- */

static int
on_new_device(int vid)
{
	t.vid = vid;
	__atomic_add_fetch(&t.new_devices, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&t.running, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
on_destroy_device(int vid)
{
	RTE_SET_USED(vid);
	__atomic_store_n(&t.running, 0, __ATOMIC_RELEASE);
}

static const struct rte_vhost_device_ops backend_ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
};

/* A vhost-user server on t.sock offering its usual features minus 'disable'. */
static void
backend_start(uint64_t disable)
{
	if (rte_vhost_driver_register(t.sock, 0) != 0)
		fatal("vhost driver register %s", t.sock);
	if (disable != 0 && rte_vhost_driver_disable_features(t.sock, disable) != 0)
		fatal("vhost disable features 0x%" PRIx64, disable);
	if (rte_vhost_driver_callback_register(t.sock, &backend_ops) != 0 ||
	    rte_vhost_driver_start(t.sock) != 0)
		fatal("vhost driver start");
}

static void
backend_stop(void)
{
	if (rte_vhost_driver_unregister(t.sock) != 0)
		fatal("vhost driver unregister");
}

static bool
backend_running(void)
{
	return __atomic_load_n(&t.running, __ATOMIC_ACQUIRE) != 0;
}

static void
wait_backend_running(const char *when)
{
	double deadline = test_deadline(WAIT_S);

	while (!backend_running())
		if (test_past(deadline))
			fatal("%s: the back end never got a device", when);
		else
			usleep(1000);
}

/* ---- Frames ---- */

static uint8_t
pattern(uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 13u + off * 3u);
}

static struct rte_mbuf *
make_frame(uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t.ours_pool);
	uint8_t *p;

	if (m == NULL)
		fatal("our pool is empty");
	p = (uint8_t *)rte_pktmbuf_append(m, FRAME);
	for (uint32_t i = 0; i < FRAME; i++)
		p[i] = pattern(seq, i);
	memset(p, 0xff, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
	p[12] = 0x88;
	p[13] = 0xb5;
	return m;
}

static bool
frame_ok(const struct rte_mbuf *m, uint32_t seq)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->pkt_len != FRAME || m->nb_segs != 1)
		return false;
	for (uint32_t i = 14; i < FRAME; i++)
		if (p[i] != pattern(seq, i))
			return false;
	return true;
}

/* A batch through our Tx, the back end's dequeue and enqueue, and our Rx, checked. */
static void
round_trip(const char *when)
{
	struct rte_mbuf *out[BATCH], *mid[BATCH], *back[BATCH];
	uint16_t sent = 0, at_vhost = 0, returned = 0, enq;
	unsigned int spins = 0;

	for (uint16_t i = 0; i < BATCH; i++)
		out[i] = make_frame(t.seq + i);
	while (sent < BATCH || at_vhost < BATCH) {
		if (++spins > SPIN_LIMIT)
			fatal("%s: stuck with %u sent, %u at the back end", when, sent, at_vhost);
		sent += rte_eth_tx_burst(t.ours, 0, out + sent, BATCH - sent);
		at_vhost += rte_vhost_dequeue_burst(t.vid, 1, t.vhost_pool, mid + at_vhost,
						    BATCH - at_vhost);
	}
	for (uint16_t i = 0; i < BATCH; i++)
		check(frame_ok(mid[i], t.seq + i), "%s: the back end got frame %u wrong", when, i);
	enq = rte_vhost_enqueue_burst(t.vid, 0, mid, BATCH);
	check(enq == BATCH, "%s: the back end enqueued %u of %u", when, enq, BATCH);
	rte_pktmbuf_free_bulk(mid, BATCH);
	for (spins = 0; returned < enq; spins++) {
		uint16_t n;

		if (spins > SPIN_LIMIT)
			fatal("%s: %u of %u frames came back", when, returned, enq);
		n = rte_eth_rx_burst(t.ours, 0, back, BATCH);
		for (uint16_t i = 0; i < n; i++) {
			check(frame_ok(back[i], t.seq + returned + i), "%s: frame %u came back wrong",
			      when, returned + i);
			rte_pktmbuf_free(back[i]);
		}
		returned += n;
	}
	t.seq += BATCH;
}

/* ---- Our port ---- */

static int
on_reset_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	RTE_SET_USED(port);
	RTE_SET_USED(type);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	__atomic_add_fetch(&t.resets, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
configure_ours(void)
{
	struct rte_eth_conf conf = {0};

	conf.intr_conf.lsc = 1;
	test_port_configure(t.ours, &conf, 1, RING_SIZE, t.ours_pool);
}

static bool
burst_mode_is(const char *name)
{
	struct rte_eth_burst_mode mode;

	return rte_eth_rx_burst_mode_get(t.ours, 0, &mode) == 0 && strcmp(mode.info, name) == 0;
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
	check(rte_eth_dev_stop(t.ours) == 0, "%s: stop", when);
	check(rte_mempool_in_use_count(t.ours_pool) == 0, "%s: %u mbufs of our pool in use", when,
	      rte_mempool_in_use_count(t.ours_pool));
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
	test_socket_path(t.sock, sizeof(t.sock));
	t.log_stream = open_memstream(&t.log, &t.log_len);
	if (t.log_stream == NULL || rte_openlog_stream(t.log_stream) != 0)
		fatal("log stream");
	tally.on_fatal = dump_log;
	test_vhost_eal_init(argv[0], t.plugin, "vionet_fch", NULL, "--log-level=pmd.net.vionet*:info");
	t.ours_pool = test_pool("ours", 4095);
	t.vhost_pool = test_pool("vhost", 4095);

	/* The back end with every feature; our port with the ring options under test, on the scalar
	 * paths (their names are what this test compares; the vector rows depend on the CPU). */
	backend_start(0);
	snprintf(ours_args, sizeof(ours_args),
		 "path=%s,queues=1,packed_vq=%d,in_order=0,mrg_rxbuf=1,vectorized=0", t.sock,
		 t.packed_case);
	if (rte_vdev_init("net_vionet_user0", ours_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.ours) != 0)
		fatal("net_vionet_user0 probe");
	rte_eth_dev_callback_register(t.ours, RTE_ETH_EVENT_INTR_RESET, on_reset_event, NULL);
	configure_ours();
	test_port_start(t.ours, WAIT_S, "start");
	wait_backend_running("start");
	check(burst_mode_is(before_mode), "start: burst functions are not \"%s\"", before_mode);
	round_trip("before the reconnect");

	/* The back end goes and comes back without the feature. */
	backend_stop();
	test_port_wait_link(t.ours, false, WAIT_S, "back end gone");
	new_devices = __atomic_load_n(&t.new_devices, __ATOMIC_ACQUIRE);
	backend_start(taken);
	deadline = test_deadline(WAIT_S);
	while (__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 0 && !test_past(deadline))
		usleep(1000);
	usleep(200000); /* a second event, or a late device start, would come in this time */
	check(__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 1,
	      "after the reconnect: %u RTE_ETH_EVENT_INTR_RESET, expected 1", t.resets);
	check(log_count(" broken: ") == 1 && log_count(feature) == 1,
	      "after the reconnect: the log does not say once that \"%s\"", feature);
	check(__atomic_load_n(&t.new_devices, __ATOMIC_ACQUIRE) == new_devices && !backend_running(),
	      "the back end got a device over the old rings");
	{
		struct rte_eth_link link;

		check(rte_eth_link_get_nowait(t.ours, &link) == 0 && link.link_status == RTE_ETH_LINK_DOWN,
		      "after the reconnect: link reported up");
	}
	check(test_xstat(t.ours, "device_broken") == 1, "xstat device_broken %" PRIu64 ", expected 1",
	      test_xstat(t.ours, "device_broken"));
	check(rte_eth_rx_burst(t.ours, 0, pkts, BATCH) == 0, "Rx burst ran over mismatched rings");
	pkts[0] = make_frame(t.seq);
	ret = rte_eth_tx_burst(t.ours, 0, pkts, 1);
	check(ret == 0, "Tx burst ran over mismatched rings");
	if (ret == 0)
		rte_pktmbuf_free(pkts[0]);
	/* A start without a reset still finds the queues built for the old features. */
	stop_and_check_pool("stop of the broken port");
	check(rte_eth_dev_start(t.ours) == -EPROTO, "a start over the old queues did not fail");
	check(__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 1, "the failed start raised another event");

	/* What the event asks for: reset, configure, set the queues up, start. */
	ret = rte_eth_dev_reset(t.ours);
	check(ret == 0, "rte_eth_dev_reset: %s", strerror(-ret));
	configure_ours();
	test_port_start(t.ours, WAIT_S, "start after the reset");
	wait_backend_running("start after the reset");
	check(burst_mode_is(after_mode), "after the reset: burst functions are not \"%s\"", after_mode);
	round_trip("after the reset");
	round_trip("after the reset, again");
	check(__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 1, "events after the recovery");

	stop_and_check_pool("final stop");
	check(rte_eth_dev_close(t.ours) == 0, "close");
	backend_stop();
	rte_eal_cleanup();
	if (tally.failures != 0 || getenv("VIONET_TEST_LOG") != NULL)
		dump_log();
	return tally_finish();
}
