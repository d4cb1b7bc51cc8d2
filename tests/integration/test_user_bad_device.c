/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A misbehaving device: our port over a scripted transport whose "device" is this test, writing
 * used entries the driver must refuse (id out of range, id not outstanding, length above what was
 * posted, used index jumping past the ring). Checks: no crash, the good entry still delivered, every
 * bad one counted in xstats (rx/tx_qN_invalid_used_rejected), and after stop every mbuf is back in
 * its pool. EAL without hugepages (--no-huge), so it runs anywhere.
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

#include <virtq_split.h>

#include "test_ethdev.h"
#include "test_scripted_device.h"
#include "test_tally.h"

/* The scripted device (test_scripted_device.h), split rings; its used entries are written here. */

/* Publishes used entries on split queue q: the device's side of 2.7.8. */
static void
device_use(uint16_t q, const uint32_t *ids, const uint32_t *lens, unsigned int n, uint16_t idx_extra)
{
	struct virtq_split_used *used = dev.ring[q].device_area_va;
	uint16_t idx = rte_le_to_cpu_16(used->idx);

	for (unsigned int i = 0; i < n; i++) {
		used->ring[(idx + i) % RING].id = rte_cpu_to_le_32(ids[i]);
		used->ring[(idx + i) % RING].len = rte_cpu_to_le_32(lens[i]);
	}
	/* release: entries before the index that publishes them */
	__atomic_store_n(&used->idx, rte_cpu_to_le_16((uint16_t)(idx + n + idx_extra)),
			 __ATOMIC_RELEASE);
}

static uint16_t
avail_head(uint16_t q, uint16_t slot)
{
	const struct virtq_split_avail *avail = dev.ring[q].driver_area_va;

	return rte_le_to_cpu_16(avail->ring[slot % RING]);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "128", "--no-pci", "--iova-mode=va",
		       prefix, "--log-level=pmd.net.vionet*:info", NULL};
	struct rte_eth_conf conf = {0};
	struct rte_mempool *pool;
	struct vionet_hw *hw;
	struct rte_mbuf *pkts[8];
	uint16_t port;
	int ret;

	RTE_SET_USED(argc);
	tally.name = "test_user_bad_device";
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_bad_%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		fatal("EAL init");
	pool = rte_pktmbuf_pool_create("bad", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pool == NULL)
		fatal("pool allocation failed");
	port = scripted_port_create(&scripted_ops, &hw);
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL, pool) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL) < 0 ||
	    rte_eth_dev_start(port) < 0)
		fatal("port set-up failed");

	/* Rx: id out of range; a good id with a length above what was posted (returned with length
	 * 0, dropped as a bad packet); the same id again (no longer outstanding); a good packet. */
	{
		uint16_t h0 = avail_head(0, 0), h1 = avail_head(0, 1);
		uint32_t ids[] = {9999, h0, h0, h1};
		uint32_t lens[] = {100, 100000, 60, 12 + 60};
		struct virtq_split_desc *desc = dev.ring[0].desc_va;
		uint8_t *buf = (uint8_t *)(uintptr_t)rte_le_to_cpu_64(desc[h1].addr);
		uint16_t n;

		memset(buf, 0, 12); /* virtio-net header: no offload */
		memset(buf + 12, 0xab, 60);
		device_use(0, ids, lens, RTE_DIM(ids), 0);
		n = rte_eth_rx_burst(port, 0, pkts, RTE_DIM(pkts));
		check(n == 1 && pkts[0]->pkt_len == 60, "Rx: %u packets (len %u), expected the good one",
		      n, n ? pkts[0]->pkt_len : 0);
		if (n > 0)
			rte_pktmbuf_free_bulk(pkts, n);
		check(test_xstat(port, "rx_q0_invalid_used_rejected") == 3,
		      "Rx rejected %" PRIu64 ", expected 3", test_xstat(port, "rx_q0_invalid_used_rejected"));
		check(test_xstat(port, "rx_q0_errors") == 1, "Rx errors %" PRIu64 ", expected 1",
		      test_xstat(port, "rx_q0_errors"));

		/* used.idx jumping by more than the ring: the queue stops, nothing is delivered. */
		device_use(0, ids, lens, 0, RING + 5);
		n = rte_eth_rx_burst(port, 0, pkts, RTE_DIM(pkts));
		check(n == 0, "Rx after an index jump delivered %u packets", n);
		check(test_xstat(port, "rx_q0_invalid_used_rejected") == 4,
		      "index jump not counted (%" PRIu64 ")",
		      test_xstat(port, "rx_q0_invalid_used_rejected"));
	}

	/* Tx: four frames; the device names one twice and one that does not exist. */
	{
		uint16_t sent, h0;
		uint32_t ids[3], lens[3] = {0, 0, 0};
		int in_use;

		for (int i = 0; i < 4; i++) {
			pkts[i] = rte_pktmbuf_alloc(pool);
			memset(rte_pktmbuf_append(pkts[i], 64), 0x5a, 64);
		}
		sent = rte_eth_tx_burst(port, 0, pkts, 4);
		check(sent == 4, "Tx accepted %u of 4", sent);
		h0 = avail_head(1, 0);
		ids[0] = h0;
		ids[1] = h0;
		ids[2] = 7777;
		device_use(1, ids, lens, 3, 0);
		/* below the lazy threshold: a burst would not look; the cleanup call does. The device
		 * gave back one packet the driver had out: h0, once (each frame is one descriptor: the
		 * header goes in its headroom). The second h0 is no longer out, 7777 never was. */
		in_use = rte_mempool_in_use_count(pool);
		ret = rte_eth_tx_done_cleanup(port, 0, 0);
		check(ret == 1, "tx_done_cleanup freed %d, the device returned 1 packet (h0)", ret);
		check(in_use - rte_mempool_in_use_count(pool) == 1,
		      "tx_done_cleanup put %d mbufs back in the pool, the device returned 1",
		      in_use - rte_mempool_in_use_count(pool));
		check(test_xstat(port, "tx_q0_invalid_used_rejected") == 2,
		      "Tx rejected %" PRIu64 ", expected 2", test_xstat(port, "tx_q0_invalid_used_rejected"));
	}

	check(rte_eth_dev_stop(port) == 0, "stop");
	check(rte_mempool_in_use_count(pool) == 0, "after stop %u mbufs still in use",
	      rte_mempool_in_use_count(pool));
	/* A new start gets fresh rings: traffic state is clean again. */
	check(rte_eth_dev_start(port) == 0, "restart after a broken ring");
	check(rte_eth_dev_stop(port) == 0, "second stop");
	check(rte_mempool_in_use_count(pool) == 0, "after the second stop %u mbufs in use",
	      rte_mempool_in_use_count(pool));
	check(rte_eth_dev_close(port) == 0, "close");
	rte_eal_cleanup();
	return tally_finish();
}
