/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An untrusted device never crashes, hangs or drains the port: our port over a scripted transport
 * whose "device" is this test, driving the rings through lib/virtq's device half (split or packed,
 * in order or not, mergeable Rx buffers or not: argv). It writes what a hostile or broken device
 * could, and checks the driver's answer:
 *   - runt frames: used lengths of header + 0, 1, 3 and 13 bytes with VLAN strip on, the buffers
 *     full of a stale VLAN-tagged frame: dropped, counted in the queue's errors (ierrors) and
 *     rx_q0_runt_frames_dropped; header + 14 is delivered; mergeable: a packet whose buffers add up
 *     to less than an Ethernet header, and one whose first buffer holds less, too;
 *   - mergeable num_buffers above the buffers posted (still within the ring size): dropped,
 *     counted, the next packet is delivered (not taken as its continuation);
 *   - rte_eth_rx_queue_count with the queue's gate closed (the control path re-creating the ring):
 *     0, without reading the ring; after stop, on a poisoned ring, the same;
 *   - a broken Tx ring (a used entry lib/virtq cannot skip), then many bursts: every mbuf handed
 *     to tx_burst is posted or freed (the pool's in-use count stays put), the dropped ones are
 *     oerrors, not opackets; a chained packet too, counted once;
 *   - a mergeable packet left half assembled when the device goes away and comes back (the port
 *     sets its queues up again), or when the port stops: its mbufs go back.
 * After stop every mbuf is back in the pool. EAL without hugepages (--no-huge): it runs anywhere.
 *
 * usage: test_user_untrusted_device split|packed in_order(0|1) mrg_rxbuf(0|1)
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

#include "queue/queue.h"
#include "test_ethdev.h"

#define HDR VIONET_NET_HDR_LEN /* VERSION_1: the header always has num_buffers */
#define FRAME 64	       /* the stale frame in every Rx buffer: VLAN tagged */
#define TCI 0x0123
#define POOL_SIZE 1023

/*
 * The scripted device (test_scripted_device.h): lib/virtq's device half over the rings the driver
 * hands over, offering packed rings, in-order and mergeable Rx buffers whatever the devargs ask.
 */
#include "test_scripted_device.h"
#include "test_tally.h"

/* The next buffer the driver posted on queue q: its id, descriptors and first element. */
static void
device_pop(uint16_t q, struct virtq_dev_buf *buf, struct virtq_sg *sg)
{
	int rc = dev_pop(q, buf, sg, 1);

	require(rc == 0, "queue %u: the device found no buffer posted (%d)", q, rc);
}

/*
 * The device fills the next Rx buffer whole: the header (num_buffers) and a VLAN-tagged frame
 * (tagged 0x8100 at bytes 12-13: what rte_vlan_strip looks at), then says it wrote used_len bytes.
 * Everything past used_len is, to the driver, stale. Published by the caller.
 */
static void
device_rx(uint16_t num_buffers, uint32_t used_len)
{
	static const uint8_t frame[18] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, /* dst, src */
		0x81, 0x00, TCI >> 8, TCI & 0xff,		/* 802.1Q tag */
		0x08, 0x00,					/* IPv4 */
	};
	struct virtq_dev_buf buf;
	struct virtq_sg sg = {0};
	uint8_t *p;
	uint16_t nb = rte_cpu_to_le_16(num_buffers);

	device_pop(0, &buf, &sg);
	require(sg.len >= HDR + FRAME, "Rx buffer of %u bytes", sg.len);
	p = (uint8_t *)(uintptr_t)sg.addr;
	memset(p, 0, HDR);
	memcpy(p + offsetof(struct vionet_net_hdr, num_buffers), &nb, sizeof(nb));
	memcpy(p + HDR, frame, sizeof(frame));
	memset(p + HDR + sizeof(frame), 0xab, FRAME - sizeof(frame));
	dev_push(0, buf.id, used_len, buf.ndescs);
}

/* A used entry naming a buffer id that does not exist: lib/virtq cannot skip it (split: a used
 * index jumping past the ring, the twin a split ring cannot skip either). The ring is broken. */
static void
device_break(uint16_t q)
{
	if (dev.packed) {
		dev_push(q, RING + 5, 0, 1);
		dev_publish(q);
		return;
	}
	struct virtq_split_used *used = dev.ring[q].device_area_va;
	uint16_t idx = (uint16_t)(rte_le_to_cpu_16(used->idx) + RING + 5);

	__atomic_store_n(&used->idx, rte_cpu_to_le_16(idx), __ATOMIC_RELEASE);
}

/* ---- Helpers ---- */

static uint16_t port;
static struct rte_mempool *pool;
static bool mrg;

static uint16_t
rx_all(struct rte_mbuf **pkts, uint16_t max)
{
	return rte_eth_rx_burst(port, 0, pkts, max);
}

static struct rte_mbuf *
tx_frame(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL)
		fatal("mbuf alloc (in use %u)", rte_mempool_in_use_count(pool));
	memset(rte_pktmbuf_append(m, 64), 0x5a, 64);
	return m;
}

static struct rte_eth_stats
stats(void)
{
	struct rte_eth_stats s;

	require(rte_eth_stats_get(port, &s) == 0, "stats");
	return s;
}

/* ---- Item: runt frames, on every Rx path ---- */

static void
test_runts(void)
{
	static const uint32_t runt_lens[] = {HDR + 0, HDR + 1, HDR + 3, HDR + 13};
	struct rte_mbuf *pkts[16];
	uint64_t errors = stats().ierrors, runts = test_xstat(port, "rx_q0_runt_frames_dropped");
	uint64_t want_runts = RTE_DIM(runt_lens);
	uint16_t n;

	for (unsigned int i = 0; i < RTE_DIM(runt_lens); i++)
		device_rx(1, runt_lens[i]);
	device_rx(1, HDR + 14);	   /* an Ethernet header, its tag cut off: delivered as it is */
	device_rx(1, HDR + FRAME); /* a whole tagged frame: stripped */
	if (mrg) {
		/* two buffers adding up to 10 bytes */
		device_rx(2, HDR + 5);
		device_rx(0, 5);
		/* 6 bytes, then 60: the first buffer cannot hold the Ethernet header */
		device_rx(2, HDR + 6);
		device_rx(0, 60);
		/* a two-buffer tagged frame: 64 + 36 bytes, stripped */
		device_rx(2, HDR + FRAME);
		device_rx(0, 36);
		want_runts += 2;
	}
	dev_publish(0);
	n = rx_all(pkts, RTE_DIM(pkts));
	check(n == (mrg ? 3 : 2), "runts: %u packets delivered, expected %u", n, mrg ? 3 : 2);
	if (n >= 2) {
		check(pkts[0]->pkt_len == 14 && !(pkts[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED),
		      "the 14-byte frame: length %u, flags 0x%" PRIx64 " (expected 14, not stripped)",
		      pkts[0]->pkt_len, pkts[0]->ol_flags);
		check(pkts[1]->pkt_len == FRAME - 4 &&
			      (pkts[1]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
			      pkts[1]->vlan_tci == TCI,
		      "the tagged frame: length %u tci 0x%x flags 0x%" PRIx64 " (expected %u, stripped)",
		      pkts[1]->pkt_len, pkts[1]->vlan_tci, pkts[1]->ol_flags, FRAME - 4);
	}
	if (mrg && n >= 3)
		check(pkts[2]->pkt_len == FRAME + 36 - 4 && pkts[2]->nb_segs == 2 &&
			      (pkts[2]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED),
		      "the two-buffer frame: length %u in %u segments, flags 0x%" PRIx64,
		      pkts[2]->pkt_len, pkts[2]->nb_segs, pkts[2]->ol_flags);
	rte_pktmbuf_free_bulk(pkts, n);
	check(stats().ierrors - errors == want_runts,
	      "runts: ierrors +%" PRIu64 ", expected +%" PRIu64, stats().ierrors - errors, want_runts);
	check(test_xstat(port, "rx_q0_runt_frames_dropped") - runts == want_runts,
	      "rx_q0_runt_frames_dropped +%" PRIu64 ", expected +%" PRIu64,
	      test_xstat(port, "rx_q0_runt_frames_dropped") - runts, want_runts);
}

/* ---- Item: mergeable num_buffers above what was posted ---- */

static void
test_num_buffers_above_posted(void)
{
	struct rte_mbuf *pkts[8];
	uint64_t errors = stats().ierrors;
	/* The driver posted a full ring and refills only at rx_free_thresh (RING - 1): what the
	 * device has not taken is all it may still fill. */
	uint16_t posted = (uint16_t)(RING - dev.popped[0]);
	uint16_t n;

	require(posted > 1 && posted < RING, "%u buffers posted", posted);
	/* within the ring size, above what is posted */
	device_rx((uint16_t)(posted + 1), HDR + FRAME);
	device_rx(1, HDR + FRAME);
	dev_publish(0);
	n = rx_all(pkts, RTE_DIM(pkts));
	check(n == 1 && pkts[0]->pkt_len == FRAME - 4 && pkts[0]->nb_segs == 1,
	      "num_buffers %u with %u posted: %u packets delivered (expected the next one alone)",
	      posted + 1, posted, n);
	rte_pktmbuf_free_bulk(pkts, n);
	check(stats().ierrors - errors == 1,
	      "num_buffers above posted: ierrors +%" PRIu64 ", expected +1", stats().ierrors - errors);
}

/* ---- Item: rx_queue_count passes the burst gate ---- */

static void
test_rx_queue_count_gated(struct rte_eth_dev *eth_dev)
{
	struct vionet_rxq *rxq = eth_dev->data->rx_queues[0];
	struct rte_mbuf *pkts[8];
	int count;
	uint16_t n;

	device_rx(1, HDR + FRAME);
	device_rx(1, HDR + FRAME);
	dev_publish(0);
	count = rte_eth_rx_queue_count(port, 0);
	check(count == 2, "rx_queue_count %d with the gate open, expected 2", count);
	/* What the control path does before it re-creates the ring (queue_start.c, hold_queues) */
	vionet_vq_gate_close(&rxq->vq.gate);
	vionet_vq_gates_sync(rxq->vq.gate.fence_needed);
	vionet_vq_gate_wait(&rxq->vq.gate);
	count = rte_eth_rx_queue_count(port, 0);
	check(count == 0, "rx_queue_count %d with the gate closed, expected 0", count);
	vionet_vq_gate_open(&rxq->vq.gate);
	count = rte_eth_rx_queue_count(port, 0);
	check(count == 2, "rx_queue_count %d with the gate open again, expected 2", count);
	n = rx_all(pkts, RTE_DIM(pkts));
	check(n == 2, "%u packets after rx_queue_count, expected 2", n);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* After stop the gate is closed: the count answers 0 without reading the ring (poisoned here: a
 * split used index moved, which a read would count as an index jump). */
static void
test_rx_queue_count_after_stop(struct rte_eth_dev *eth_dev)
{
	struct vionet_rxq *rxq = eth_dev->data->rx_queues[0];
	uint64_t rejected = test_xstat(port, "rx_q0_invalid_used_rejected");
	uint32_t count;

	if (!dev.packed) {
		struct virtq_split_used *used = dev.ring[0].device_area_va;

		used->idx = rte_cpu_to_le_16((uint16_t)(rte_le_to_cpu_16(used->idx) + 3));
	} else {
		struct virtq_packed_desc *desc = dev.ring[0].desc_va;

		memset(desc, 0xff, sizeof(*desc) * RING);
	}
	/* ethdev's own rte_eth_rx_queue_count is refused once stopped; a caller that raced the stop
	 * calls the driver's function */
	count = eth_dev->rx_queue_count(rxq);
	check(count == 0, "rx_queue_count %u after stop, expected 0", count);
	check(test_xstat(port, "rx_q0_invalid_used_rejected") == rejected,
	      "rx_queue_count after stop read the ring (rejected %" PRIu64 " -> %" PRIu64 ")", rejected,
	      test_xstat(port, "rx_q0_invalid_used_rejected"));
}

/* ---- Item: a broken Tx ring does not leak mbufs ---- */

static void
test_tx_broken_ring(void)
{
	struct rte_mbuf *pkts[RING];
	struct rte_eth_stats before;
	unsigned int in_use;
	uint64_t dropped = 0;
	const unsigned int bursts = 200, per_burst = 8;
	uint16_t sent;

	/* Tx ring 64, lazy reclaim below 16 free: 56 packets posted, 8 descriptors left. */
	for (unsigned int i = 0; i < RING - per_burst; i++)
		pkts[i] = tx_frame();
	sent = rte_eth_tx_burst(port, 0, pkts, RING - per_burst);
	require(sent == RING - per_burst, "Tx accepted %u of %u", sent, RING - per_burst);
	before = stats();
	device_break(1);

	in_use = rte_mempool_in_use_count(pool);
	/* Each burst's reclaim finds the ring broken; its packets can never be posted. More packets
	 * than the pool holds: a leak would empty it. */
	for (unsigned int b = 0; b < bursts; b++) {
		for (unsigned int i = 0; i < per_burst; i++)
			pkts[i] = tx_frame();
		sent = rte_eth_tx_burst(port, 0, pkts, per_burst);
		/* what the driver did not take stays the application's */
		rte_pktmbuf_free_bulk(pkts + sent, per_burst - sent);
		dropped += sent;
		if (rte_mempool_in_use_count(pool) != in_use)
			break;
	}
	check(rte_mempool_in_use_count(pool) == in_use,
	      "broken Tx ring: %u mbufs in use after the bursts, %u before (mbufs leaked)",
	      rte_mempool_in_use_count(pool), in_use);
	check(stats().oerrors - before.oerrors == dropped,
	      "broken Tx ring: oerrors +%" PRIu64 ", the driver took %" PRIu64 " it could not post",
	      stats().oerrors - before.oerrors, dropped);
	check(stats().opackets == before.opackets && stats().obytes == before.obytes,
	      "broken Tx ring: opackets %" PRIu64 " -> %" PRIu64 ", obytes %" PRIu64 " -> %" PRIu64
	      " (dropped packets counted as sent)",
	      before.opackets, stats().opackets, before.obytes, stats().obytes);

	/* A chained packet: a broken port takes nothing (its bursts return 0), the application keeps
	 * the packet and frees it; nothing is counted as sent or dropped. */
	{
		struct rte_mbuf *m = tx_frame(), *m2 = tx_frame();
		uint64_t oerrors = stats().oerrors;

		require(rte_pktmbuf_chain(m, m2) == 0, "chain");
		sent = rte_eth_tx_burst(port, 0, &m, 1);
		if (sent == 0)
			rte_pktmbuf_free(m);
		check(sent == 0 && stats().oerrors - oerrors == 0,
		      "broken Tx ring, chained packet: sent %u, oerrors +%" PRIu64 " (expected 0, +0)", sent,
		      stats().oerrors - oerrors);
		check(rte_mempool_in_use_count(pool) == in_use,
		      "broken Tx ring, chained packet: %u mbufs in use, %u before",
		      rte_mempool_in_use_count(pool), in_use);
	}
}

/* ---- Item: a half-assembled mergeable packet at stop ---- */

static void
leave_half_assembled(struct rte_eth_dev *eth_dev)
{
	const struct vionet_rxq *rxq = eth_dev->data->rx_queues[0];
	struct rte_mbuf *pkts[4];
	uint16_t n;

	device_rx(3, HDR + FRAME);
	device_rx(0, 100);
	dev_publish(0);
	n = rx_all(pkts, RTE_DIM(pkts));
	check(n == 0, "half a packet: %u delivered", n);
	rte_pktmbuf_free_bulk(pkts, n);
	check(rxq->mrg_head != NULL && rxq->mrg_left == 1,
	      "the driver is not waiting for the last buffer of the packet (left %u)", rxq->mrg_left);
}

/*
 * The device goes away and comes back without its state (a vhost-user back end restarting): the
 * port sets its queues up again. What the rings held and a packet half assembled go back to the
 * pool: only the fresh Rx ring's buffers stay out. Both directions work again.
 */
static void
test_device_comes_back(struct rte_eth_dev *eth_dev)
{
	const struct vionet_rxq *rxq = eth_dev->data->rx_queues[0];
	struct rte_mbuf *pkts[4];
	uint16_t n;

	if (mrg)
		leave_half_assembled(eth_dev);
	dev.status = 0;
	vionet_ethdev_recover(eth_dev);
	require(dev.status & VIONET_STATUS_DRIVER_OK, "the port did not set the device up again");
	check(rxq->mrg_head == NULL && rte_mempool_in_use_count(pool) == RING,
	      "device back: %u mbufs in use, expected the %u of the Rx ring (half a packet %s)",
	      rte_mempool_in_use_count(pool), RING, rxq->mrg_head != NULL ? "kept" : "freed");
	device_rx(1, HDR + FRAME);
	dev_publish(0);
	n = rx_all(pkts, RTE_DIM(pkts));
	check(n == 1, "device back: %u packets received, expected 1", n);
	rte_pktmbuf_free_bulk(pkts, n);
	pkts[0] = tx_frame();
	n = rte_eth_tx_burst(port, 0, pkts, 1);
	check(n == 1, "device back: Tx took %u of 1", n);
	rte_pktmbuf_free_bulk(pkts, 1 - n);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "128", "--no-pci", "--iova-mode=va",
		       prefix, "--log-level=pmd.net.vionet*:info", NULL};
	struct rte_eth_conf conf = {0};
	struct rte_eth_rxconf rxconf = {0};
	struct rte_eth_dev *eth_dev;
	struct vionet_devargs devargs = {0};
	struct vionet_hw *hw;
	char name[64];

	if (argc != 4 || (strcmp(argv[1], "split") != 0 && strcmp(argv[1], "packed") != 0)) {
		fprintf(stderr, "usage: %s split|packed in_order(0|1) mrg_rxbuf(0|1)\n", argv[0]);
		return 2;
	}
	devargs.packed_vq = strcmp(argv[1], "packed") == 0;
	devargs.in_order = atoi(argv[2]) != 0;
	devargs.mrg_rxbuf = mrg = atoi(argv[3]) != 0;
	snprintf(name, sizeof(name), "test_user_untrusted_device %s in_order=%d mrg=%d", argv[1],
		 devargs.in_order, mrg);
	tally.name = name;
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_untrusted_%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		fatal("EAL init");
	/* no per-lcore cache: the in-use count is exact */
	pool = rte_pktmbuf_pool_create("untrusted", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		fatal("pool allocation failed");
	dev.packed = devargs.packed_vq;
	dev.offered = VIRTQ_FEATURE(VIONET_F_RING_PACKED) | VIRTQ_FEATURE(VIONET_F_IN_ORDER) |
		      VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF); /* the devargs choose among these */
	port = scripted_port_create_devargs(&scripted_ops, &devargs, &hw);
	eth_dev = &rte_eth_devices[port];
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	/* Rx buffers go back only when the ring is (nearly) empty: the buffers posted stay known */
	rxconf.rx_free_thresh = RING - 1;
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING, SOCKET_ID_ANY, &rxconf, pool) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL) < 0 ||
	    rte_eth_dev_start(port) < 0)
		fatal("port set-up failed");
	require(dev.ring[0].packed == devargs.packed_vq && dev.ring[1].packed == devargs.packed_vq &&
			((dev.features & VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF)) != 0) == mrg &&
			((dev.features & VIRTQ_FEATURE(VIONET_F_IN_ORDER)) != 0) == devargs.in_order,
		"negotiated features 0x%" PRIx64 " are not the ones asked for", dev.features);

	test_runts();
	if (mrg)
		test_num_buffers_above_posted();
	test_rx_queue_count_gated(eth_dev);
	test_tx_broken_ring();
	/* The broken port is the application's to restart (RTE_ETH_EVENT_INTR_RESET): stop gives every
	 * mbuf back, start builds fresh rings. */
	check(rte_eth_dev_stop(port) == 0, "stop of the broken port");
	check(rte_mempool_in_use_count(pool) == 0, "after the broken port's stop %u mbufs in use",
	      rte_mempool_in_use_count(pool));
	require(rte_eth_dev_start(port) == 0, "start after the broken Tx ring");
	test_device_comes_back(eth_dev);
	if (mrg)
		leave_half_assembled(eth_dev);

	check(rte_eth_dev_stop(port) == 0, "stop");
	check(rte_mempool_in_use_count(pool) == 0, "after stop %u mbufs still in use",
	      rte_mempool_in_use_count(pool));
	test_rx_queue_count_after_stop(eth_dev);
	/* A new start gets fresh rings: traffic state is clean again. */
	check(rte_eth_dev_start(port) == 0, "restart after a broken ring");
	{
		struct rte_mbuf *pkts[4];
		uint16_t n;

		device_rx(1, HDR + FRAME);
		dev_publish(0);
		n = rx_all(pkts, RTE_DIM(pkts));
		check(n == 1, "after the restart: %u packets, expected 1", n);
		rte_pktmbuf_free_bulk(pkts, n);
	}
	check(rte_eth_dev_stop(port) == 0, "second stop");
	check(rte_mempool_in_use_count(pool) == 0, "after the second stop %u mbufs in use",
	      rte_mempool_in_use_count(pool));
	check(rte_eth_dev_close(port) == 0, "close");
	rte_eal_cleanup();
	return tally_finish();
}
