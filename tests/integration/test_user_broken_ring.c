/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A device that breaks the port, and the application that brings it back: our port over a scripted
 * transport whose device is this test, driving the rings with lib/virtq's device half.
 *
 * usage: test_user_broken_ring split|packed|ctrl
 *
 * split, packed: after normal traffic the device writes a used entry the ring cannot skip (split:
 * used.idx jumping past the ring; packed: a buffer id beyond the ring), into the Rx ring, then
 * separately into the Tx ring, and sets DEVICE_NEEDS_RESET once. Per break: exactly one
 * RTE_ETH_EVENT_INTR_RESET, one log line saying what the device did, the link reported down, xstat
 * device_broken one more, and bursts on the broken queue return 0 without touching its ring (the
 * ring memory, the kicks and the mempool stay as they were). The port comes back by a stop and
 * start, or by rte_eth_dev_reset + configure + queue set-up + start; traffic then flows again, and
 * after every stop the mempool's in-use count is back where it started.
 * ctrl: a device with a control virtqueue that never answers a command: the command fails after
 * its wait, the port is broken (one event), and a reset brings it back.
 * EAL without hugepages (--no-huge), so it runs anywhere.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "test_ethdev.h"
#include "test_scripted_device.h"
#include "test_tally.h"

#define BATCH 8
#define EVENT_WAIT_S 5.0

enum scenario { RINGS_SPLIT, RINGS_PACKED, CTRL };

/* The scripted device with a control virtqueue of its own: no transport answer to commands. */
static struct vionet_transport_ops ctrlq_ops;

/* ---- What the application sees ---- */

static struct {
	uint16_t port;
	struct vionet_hw *hw;
	struct rte_mempool *pool;
	uint32_t resets; /* RTE_ETH_EVENT_INTR_RESET */
	uint32_t lscs;
	uint32_t seq;
	unsigned int breaks; /* so far: what device_broken and the events must say */
	char *log;
	size_t log_len;
	FILE *log_stream;
} app;

static int
on_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	RTE_SET_USED(port);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	__atomic_add_fetch(type == RTE_ETH_EVENT_INTR_RESET ? &app.resets : &app.lscs, 1,
			   __ATOMIC_RELEASE);
	return 0;
}

/* Log lines matching 'what' since the start: the driver's log goes to a memory stream. */
static unsigned int
log_count(const char *what)
{
	unsigned int n = 0;

	fflush(app.log_stream);
	for (const char *p = app.log; p != NULL && (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* The test's own failures are easier to read with the driver's log. */
static void
dump_log(void)
{
	fflush(app.log_stream);
	fprintf(stderr, "---- driver log ----\n%s---- end of driver log ----\n",
		app.log != NULL ? app.log : "");
}

static void
configure_port(void)
{
	struct rte_eth_conf conf = {0};
	int ret;

	conf.intr_conf.lsc = 1;
	ret = rte_eth_dev_configure(app.port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(app.port, 0, RING, SOCKET_ID_ANY, NULL, app.pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(app.port, 0, RING, SOCKET_ID_ANY, NULL);
	if (ret < 0)
		fatal("port configuration: %s", strerror(-ret));
}

static bool
link_up(void)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(app.port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

/* Frames both ways through the port, checked byte for byte. */
static void
traffic(const char *when)
{
	struct rte_mbuf *pkts[BATCH];
	uint16_t n = 0;

	require(dev_deliver(BATCH, app.seq) == BATCH, "%s: the device found no Rx buffers", when);
	for (int tries = 0; n < BATCH && tries < 100; tries++)
		n += rte_eth_rx_burst(app.port, 0, pkts + n, BATCH - n);
	check(n == BATCH, "%s: received %u of %u frames", when, n, BATCH);
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		bool ok = pkts[i]->pkt_len == FRAME;

		for (uint32_t k = 0; ok && k < FRAME; k++)
			ok = p[k] == pattern(app.seq + i, k);
		check(ok, "%s: frame %u received wrong (%u bytes)", when, i, pkts[i]->pkt_len);
		/* sent back as they came */
	}
	n = rte_eth_tx_burst(app.port, 0, pkts, n);
	check(n == BATCH, "%s: Tx took %u of %u", when, n, BATCH);
	check(dev_consume(app.seq) == n, "%s: the device did not get what we sent", when);
	check(rte_eth_tx_done_cleanup(app.port, 0, 0) == (int)n, "%s: Tx completions not reclaimed",
	      when);
	app.seq += BATCH;
}

/* The driver's memory of a ring: what a burst would write if it touched it. */
static size_t
ring_snapshot(uint16_t q, uint8_t *buf, size_t size)
{
	const struct vionet_vq_ring_addrs *r = &dev.ring[q];
	size_t desc = (size_t)r->size * 16;
	size_t driver = dev.packed ? 4 : 4 + 2 * (size_t)r->size;

	if (desc + driver > size)
		fatal("snapshot buffer too small");
	memcpy(buf, r->desc_va, desc);
	memcpy(buf + desc, r->driver_area_va, driver);
	return desc + driver;
}

/* One break reported: one event, one log line naming it, link down, the counter one more. */
static void
expect_one_break(const char *when, const char *log_names)
{
	double deadline = test_deadline(EVENT_WAIT_S);

	app.breaks++;
	while (__atomic_load_n(&app.resets, __ATOMIC_ACQUIRE) < app.breaks && !test_past(deadline))
		usleep(1000);
	usleep(50000); /* a second event would come in this time */
	check(__atomic_load_n(&app.resets, __ATOMIC_ACQUIRE) == app.breaks,
	      "%s: %u RTE_ETH_EVENT_INTR_RESET so far, expected %u", when, app.resets, app.breaks);
	check(log_count(" broken: ") == app.breaks, "%s: %u \"broken\" log lines so far, expected %u",
	      when, log_count(" broken: "), app.breaks);
	check(log_count(log_names) >= 1, "%s: no log line says \"%s\"", when, log_names);
	check(!link_up(), "%s: link still reported up", when);
	check(test_xstat(app.port, "device_broken") == app.breaks,
	      "%s: xstat device_broken %" PRIu64 ", expected %u", when,
	      test_xstat(app.port, "device_broken"), app.breaks);
}

/* Bursts on the broken queue return 0 and leave its ring, the kicks and the pool alone. */
static void
expect_queue_closed(uint16_t q, const char *when)
{
	static uint8_t before[RING * 16 + 4 + 2 * RING], after[sizeof(before)];
	size_t len = ring_snapshot(q, before, sizeof(before));
	unsigned int kicks = dev.kicks, in_use = rte_mempool_in_use_count(app.pool);
	struct rte_mbuf *pkts[BATCH];
	uint16_t n = 0;

	for (int i = 0; i < 10; i++) {
		if (q == 0) {
			n += rte_eth_rx_burst(app.port, 0, pkts, BATCH);
			continue;
		}
		for (int k = 0; k < BATCH; k++) {
			pkts[k] = rte_pktmbuf_alloc(app.pool);
			rte_pktmbuf_append(pkts[k], FRAME);
		}
		n += rte_eth_tx_burst(app.port, 0, pkts, BATCH);
		rte_pktmbuf_free_bulk(pkts, BATCH);
	}
	check(n == 0, "%s: bursts on the broken queue moved %u packets", when, n);
	if (q == 1)
		check(rte_eth_tx_done_cleanup(app.port, 0, 0) == 0,
		      "%s: tx_done_cleanup on the broken queue reclaimed something", when);
	ring_snapshot(q, after, sizeof(after));
	check(memcmp(before, after, len) == 0, "%s: a burst wrote to the broken ring", when);
	check(dev.kicks == kicks, "%s: %u kicks on a broken port", when, dev.kicks - kicks);
	check(rte_mempool_in_use_count(app.pool) == in_use,
	      "%s: bursts changed the pool's in-use count %u -> %u", when, in_use,
	      rte_mempool_in_use_count(app.pool));
}

/* The device breaks the Rx ring: the next Rx burst finds nothing and the ring broken. */
static void
break_rx(const char *when)
{
	struct rte_mbuf *pkts[BATCH];

	dev_break_ring(0);
	check(rte_eth_rx_burst(app.port, 0, pkts, BATCH) == 0, "%s: Rx delivered from a broken ring",
	      when);
	expect_one_break(when, dev.packed ? "Rx queue 0 (virtqueue 0, packed ring)"
					  : "Rx queue 0 (virtqueue 0, split ring)");
	check(log_count(dev.packed ? "bad id 1," : "index jump 1,") >= 1,
	      "%s: the log does not say what the device wrote", when);
	expect_queue_closed(0, when);
}

/*
 * The device breaks the Tx ring while frames are out: Tx reclaims lazily, so bursts are taken
 * until the reclaim meets the broken ring and the burst returns 0.
 */
static void
break_tx(const char *when)
{
	struct rte_mbuf *pkts[BATCH];
	uint16_t n = BATCH;
	int bursts = 0;

	for (int k = 0; k < BATCH; k++) {
		pkts[k] = rte_pktmbuf_alloc(app.pool);
		rte_pktmbuf_append(pkts[k], FRAME);
	}
	check(rte_eth_tx_burst(app.port, 0, pkts, BATCH) == BATCH, "%s: Tx before the break", when);
	dev_break_ring(1);
	while (n != 0 && bursts++ < 2 * RING / BATCH) {
		for (int k = 0; k < BATCH; k++) {
			pkts[k] = rte_pktmbuf_alloc(app.pool);
			rte_pktmbuf_append(pkts[k], FRAME);
		}
		n = rte_eth_tx_burst(app.port, 0, pkts, BATCH);
		rte_pktmbuf_free_bulk(pkts + n, BATCH - n);
	}
	check(n == 0, "%s: Tx kept taking frames on a broken ring (%d bursts)", when, bursts);
	expect_one_break(when, dev.packed ? "Tx queue 0 (virtqueue 1, packed ring)"
					  : "Tx queue 0 (virtqueue 1, split ring)");
	expect_queue_closed(1, when);
}

/* DEVICE_NEEDS_RESET and the configuration change notification that goes with it (2.1.2). */
static void
needs_reset(const char *when)
{
	dev.status |= VIONET_STATUS_DEVICE_NEEDS_RESET;
	vionet_transport_link_changed(&app.hw->tp);
	expect_one_break(when, "DEVICE_NEEDS_RESET");
}

static void
check_pool_back(const char *when)
{
	check(rte_mempool_in_use_count(app.pool) == 0, "%s: %u mbufs of the pool still in use", when,
	      rte_mempool_in_use_count(app.pool));
}

static void
recover_stop_start(const char *when)
{
	check(rte_eth_dev_stop(app.port) == 0, "%s: stop", when);
	check_pool_back(when);
	require(rte_eth_dev_start(app.port) == 0, "%s: start", when);
	check(link_up(), "%s: link down after the start", when);
	traffic(when);
}

static void
recover_reset(const char *when)
{
	int ret = rte_eth_dev_reset(app.port);

	check(ret == 0, "%s: rte_eth_dev_reset: %s", when, strerror(-ret));
	check_pool_back(when);
	configure_port();
	require(rte_eth_dev_start(app.port) == 0, "%s: start after reset", when);
	check(link_up(), "%s: link down after the reset", when);
	traffic(when);
}

/* Our port over the scripted device, with the application's event callbacks. */
static void
create_port(const struct vionet_transport_ops *ops)
{
	app.port = scripted_port_create(ops, &app.hw);
	rte_eth_dev_callback_register(app.port, RTE_ETH_EVENT_INTR_RESET, on_event, NULL);
	rte_eth_dev_callback_register(app.port, RTE_ETH_EVENT_INTR_LSC, on_event, NULL);
}

static void
rings_scenario(void)
{
	create_port(&scripted_ops);
	configure_port();
	require(rte_eth_dev_start(app.port) == 0, "first start");
	check(link_up(), "link down after the first start");
	traffic("first traffic");
	check(test_xstat(app.port, "device_broken") == 0, "device_broken before any break");

	break_rx("Rx break 1");
	recover_stop_start("stop/start after Rx break 1");
	break_tx("Tx break 1");
	recover_reset("reset after Tx break 1");
	break_rx("Rx break 2");
	recover_reset("reset after Rx break 2");
	break_tx("Tx break 2");
	recover_stop_start("stop/start after Tx break 2");
	needs_reset("DEVICE_NEEDS_RESET");
	recover_reset("reset after DEVICE_NEEDS_RESET");
	check(__atomic_load_n(&app.lscs, __ATOMIC_ACQUIRE) >= app.breaks,
	      "%u LSC events for %u breaks (link down each)", app.lscs, app.breaks);
}

static void
ctrl_scenario(void)
{
	int ret;

	ctrlq_ops = scripted_ops;
	ctrlq_ops.ctrl_command = NULL; /* commands go to the device's control virtqueue */
	create_port(&ctrlq_ops);
	configure_port();
	require(rte_eth_dev_start(app.port) == 0, "first start");
	traffic("first traffic");
	check(rte_eth_promiscuous_enable(app.port) == 0 && rte_eth_promiscuous_disable(app.port) == 0,
	      "commands the device answers");
	dev.ctrl_silent = true;
	ret = rte_eth_promiscuous_enable(app.port);
	check(ret == -ETIMEDOUT, "a command without answer returned %d, expected -ETIMEDOUT", ret);
	expect_one_break("unanswered command", "control queue: no answer to class");
	dev.ctrl_silent = false;
	recover_reset("reset after the unanswered command");
	check(rte_eth_promiscuous_enable(app.port) == 0, "a command after the reset");
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "128", "--no-pci", "--iova-mode=va",
		       prefix, "--log-level=pmd.net.vionet*:info", NULL};
	enum scenario scenario;

	tally.name = "test_user_broken_ring";
	if (argc != 2)
		fatal("usage: %s split|packed|ctrl", argv[0]);
	scenario = strcmp(argv[1], "packed") == 0 ? RINGS_PACKED
		   : strcmp(argv[1], "ctrl") == 0 ? CTRL
						   : RINGS_SPLIT;
	dev.packed = scenario == RINGS_PACKED;
	dev.ctrl_queue = scenario == CTRL;
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_broken_%d", getpid());
	app.log_stream = open_memstream(&app.log, &app.log_len);
	if (app.log_stream == NULL || rte_openlog_stream(app.log_stream) != 0)
		fatal("log stream");
	tally.on_fatal = dump_log;
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		fatal("EAL init");
	app.pool = rte_pktmbuf_pool_create("broken", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   rte_socket_id());
	if (app.pool == NULL)
		fatal("mempool");
	if (scenario == CTRL)
		ctrl_scenario();
	else
		rings_scenario();

	check(rte_eth_dev_stop(app.port) == 0, "final stop");
	check_pool_back("final stop");
	check(rte_eth_dev_close(app.port) == 0, "close");
	rte_eal_cleanup();
	if (tally.failures != 0 || getenv("VIONET_TEST_LOG") != NULL)
		dump_log();
	return tally_finish();
}
