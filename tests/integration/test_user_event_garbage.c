/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A device that writes garbage into its event suppression area and sleeps until it is notified:
 * traffic must keep flowing both ways. Our port over the scripted transport (EVENT_IDX offered);
 * the device here serves a queue only after a notification of it (Rx: while it still has buffers
 * from its last wake-up), and after every step overwrites what it asks of the driver:
 *
 * usage: test_user_event_garbage split-behind|split-ahead|packed-reserved|packed-offset|packed-disable
 *
 * split-behind: avail_event 1000 entries behind (a value an honest busy device may have: the
 *   driver cannot tell; the kick owed after 256 empty harvests wakes the device);
 * split-ahead: avail_event ahead of every index published (over 16 bits the same as far behind,
 *   which a polling device leaves there: the owed kick wakes the device);
 * packed-reserved: flags 3 (reserved; taken as ENABLE, counted);
 * packed-offset: flags DESC with an event offset beyond the ring (counted, notified);
 * packed-disable: flags DISABLE, the device asleep anyway (the owed kick wakes it).
 * Frames are received, sent back, consumed by the device; at the end the counters say which rule
 * kept traffic going and the pool is whole after stop. EAL without hugepages.
 */
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

#define TARGET_FRAMES 2000u
#define MAX_ITERATIONS 200000u

enum garbage { SPLIT_BEHIND, SPLIT_AHEAD, PACKED_RESERVED, PACKED_OFFSET, PACKED_DISABLE };

static const char *const garbage_names[] = {"split-behind", "split-ahead", "packed-reserved",
					    "packed-offset", "packed-disable"};

static enum garbage garbage;
static unsigned int queue_kicks[2]; /* notifications of receiveq0, transmitq0 */
static struct vionet_transport_ops garbage_ops;

static void
counting_notify(struct vionet_transport *t, uint16_t q)
{
	if (q < RTE_DIM(queue_kicks))
		queue_kicks[q]++;
	d_notify(t, q);
}

/* What the device asks of the driver, overwritten with this run's garbage. */
static void
write_garbage(uint16_t q)
{
	if (!dev.packed) {
		struct virtq_split_dev *s = &dev.split[q];
		uint16_t avail = virtq_load16(&s->avail->idx);

		virtq_store16(virtq_split_avail_event(s->used, s->size),
			      (uint16_t)(garbage == SPLIT_BEHIND ? avail - 1000 : avail + 100));
		return;
	}
	struct virtq_packed_event *ev = dev.packed_q[q].device_event;

	if (garbage == PACKED_OFFSET)
		virtq_store16(&ev->off_wrap, 0x7fff);
	virtq_store16(&ev->flags, garbage == PACKED_RESERVED ? 3
				  : garbage == PACKED_OFFSET ? VIRTQ_EVENT_F_DESC
							     : VIRTQ_EVENT_F_DISABLE);
}

static struct {
	unsigned int seen_kicks[2];
	bool rx_awake;
	unsigned int delivered, consumed;
} device;

/* The device's turn: each queue served only when notified (Rx: or not yet out of buffers). */
static void
device_step(void)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[4];

	if (queue_kicks[1] != device.seen_kicks[1]) {
		device.seen_kicks[1] = queue_kicks[1];
		while (dev_pop(1, &b, sg, RTE_DIM(sg)) == 0) {
			dev_push_publish(1, &b, 0);
			device.consumed++;
		}
	}
	write_garbage(1);
	if (device.rx_awake || queue_kicks[0] != device.seen_kicks[0]) {
		unsigned int n;

		device.seen_kicks[0] = queue_kicks[0];
		n = dev_deliver(8, device.delivered);
		device.delivered += n;
		device.rx_awake = n == 8; /* out of buffers: asleep until notified */
	}
	write_garbage(0);
}

static uint64_t
queue_xstat(const char *name)
{
	char rx[64], tx[64];

	snprintf(rx, sizeof(rx), "rx_q0_%s", name);
	snprintf(tx, sizeof(tx), "tx_q0_%s", name);
	return test_xstat(0, rx) + test_xstat(0, tx);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "128", "--no-pci", "--iova-mode=va",
		       prefix, NULL};
	struct rte_eth_conf conf = {0};
	struct rte_mempool *pool;
	struct vionet_hw *hw;
	unsigned int received = 0, iterations;
	uint16_t port;

	tally.name = "test_user_event_garbage";
	if (argc != 2)
		fatal("usage: %s <garbage kind>", argv[0]);
	for (garbage = 0; garbage < RTE_DIM(garbage_names); garbage++)
		if (strcmp(argv[1], garbage_names[garbage]) == 0)
			break;
	if (garbage == RTE_DIM(garbage_names))
		fatal("unknown garbage kind %s", argv[1]);
	dev.packed = garbage >= PACKED_RESERVED;
	dev.offered = VIRTQ_FEATURE(VIONET_F_EVENT_IDX);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_evgarbage_%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		fatal("EAL init");
	pool = rte_pktmbuf_pool_create("evgarbage", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		fatal("mempool");
	garbage_ops = scripted_ops;
	garbage_ops.notify_queue = counting_notify;
	port = scripted_port_create(&garbage_ops, &hw);
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		fatal("port set-up");
	require(vionet_has_feature(hw, VIONET_F_EVENT_IDX), "EVENT_IDX not negotiated");

	for (iterations = 0; iterations < MAX_ITERATIONS &&
			     (received < TARGET_FRAMES || device.consumed < TARGET_FRAMES);
	     iterations++) {
		struct rte_mbuf *pkts[32];
		uint16_t n = rte_eth_rx_burst(port, 0, pkts, RTE_DIM(pkts));
		uint16_t sent = n > 0 ? rte_eth_tx_burst(port, 0, pkts, n) : 0;

		received += n;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		rte_eth_tx_done_cleanup(port, 0, 0);
		device_step();
	}
	printf("%s: %u iterations, %u frames received, %u consumed by the device; "
	       "event_suppression_rejected %" PRIu64 ", notifications_late %" PRIu64 "\n",
	       garbage_names[garbage], iterations, received, device.consumed,
	       queue_xstat("event_suppression_rejected"), queue_xstat("notifications_late"));
	check(received >= TARGET_FRAMES, "traffic stalled: %u frames received", received);
	check(device.consumed >= TARGET_FRAMES, "traffic stalled: %u frames sent", device.consumed);
	if (garbage == SPLIT_BEHIND || garbage == SPLIT_AHEAD || garbage == PACKED_DISABLE)
		check(queue_xstat("notifications_late") > 0, "no late notification counted");
	else
		check(queue_xstat("event_suppression_rejected") > 0,
		      "no rejected event suppression value counted");
	check(rte_eth_dev_stop(port) == 0, "stop");
	check(rte_mempool_in_use_count(pool) == 0, "%u mbufs still in use after stop",
	      rte_mempool_in_use_count(pool));
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return tally_finish();
}
