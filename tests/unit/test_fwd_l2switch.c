/* vionet-fwd's l2switch engine on three in-process net_ring ports (EAL with --no-huge): learning,
 * forwarding to the learned port, filtering, station moves, flooding of unknown, broadcast and
 * multicast destinations, aging, and every mbuf back in the pool.
 *
 * Each net_ring port created without arguments loops its Tx ring to its own Rx ring: the test puts a
 * frame "on the wire" of port P with a Tx burst on P, the switch receives it from P's Rx queue, and
 * what the switch sends to port Q waits in Q's ring for the test to collect. */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "../../app/vionet-fwd/fwd.h"
#include "../../app/vionet-fwd/fwd_l2switch.h"
#include "test_run_suite.h"

#define NB_PORTS 3
#define AGING_S 10

static struct rte_mempool *pool;
static struct fwd_options opts;
static struct fwd_ctx ctx;
static struct fwd_lcore lc;

static const struct rte_ether_addr mac_a = { { 0x02, 0, 0, 0, 0, 0xa } };
static const struct rte_ether_addr mac_b = { { 0x02, 0, 0, 0, 0, 0xb } };
static const struct rte_ether_addr mac_c = { { 0x02, 0, 0, 0, 0, 0xc } };
static const struct rte_ether_addr mac_d = { { 0x02, 0, 0, 0, 0, 0xd } };
static const struct rte_ether_addr broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct rte_ether_addr multicast = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };

/* What the switch sent to each port in the last step: the frame's (src, dst), and how many. */
struct delivery {
	unsigned int count;
	struct rte_ether_addr src, dst;
};

static int port_init(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };

	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, (unsigned int)rte_socket_id(), NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, (unsigned int)rte_socket_id(), NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

/* n frames from src, the i-th to dsts[i], arrive on port in one burst; the switch polls that port
 * once. */
static void frames_arrive(uint16_t port, const struct rte_ether_addr *src,
			  const struct rte_ether_addr *const *dsts, uint16_t n)
{
	struct rte_mbuf *m[FWD_BURST];

	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eth;

		m[i] = rte_pktmbuf_alloc(pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m[i], 64);
		memset(eth, 0, 64);
		rte_ether_addr_copy(src, &eth->src_addr);
		rte_ether_addr_copy(dsts[i], &eth->dst_addr);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	CU_ASSERT_EQUAL_FATAL(rte_eth_tx_burst(port, 0, m, n), n);
	CU_ASSERT_EQUAL(fwd_engine_l2switch.poll(&lc, &lc.streams[port]), n);
	fwd_l2switch_quiescent(ctx.l2switch, lc.lcore_id);
}

/* Takes everything the switch sent out of every port. */
static void collect(struct delivery out[NB_PORTS])
{
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		struct rte_mbuf *pkts[FWD_BURST];
		uint16_t n = rte_eth_rx_burst(p, 0, pkts, FWD_BURST);

		memset(&out[p], 0, sizeof(out[p]));
		out[p].count = n;
		for (uint16_t i = 0; i < n; i++) {
			const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

			rte_ether_addr_copy(&eth->src_addr, &out[p].src);
			rte_ether_addr_copy(&eth->dst_addr, &out[p].dst);
		}
		if (n != 0)
			rte_pktmbuf_free_bulk(pkts, n);
	}
}

/* Asserts the frame went out exactly on the ports in the mask, once each, unchanged. */
static void expect_out(unsigned int port_mask, const struct rte_ether_addr *src,
		       const struct rte_ether_addr *dst)
{
	struct delivery out[NB_PORTS];

	collect(out);
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		unsigned int want = (port_mask >> p) & 1;

		if (out[p].count != want)
			fprintf(stderr, "\n  port %u: %u frames, want %u\n", p, out[p].count, want);
		CU_ASSERT_EQUAL(out[p].count, want);
		if (want && out[p].count == want) {
			CU_ASSERT_TRUE(rte_is_same_ether_addr(&out[p].src, src));
			CU_ASSERT_TRUE(rte_is_same_ether_addr(&out[p].dst, dst));
		}
	}
}

/* A frame from src to dst arrives on in_port and leaves on exactly the ports in out_mask. */
static void frame_switched(uint16_t in_port, const struct rte_ether_addr *src,
			   const struct rte_ether_addr *dst, unsigned int out_mask)
{
	frames_arrive(in_port, src, &dst, 1);
	expect_out(out_mask, src, dst);
}

static uint64_t now_s(void)
{
	return rte_rdtsc() / ctx.tsc_hz;
}

static void test_unknown_destination_floods_and_source_is_learned(void)
{
	struct fwd_l2switch_stats st;

	frame_switched(0, &mac_a, &mac_b, 0x6);
	CU_ASSERT_EQUAL(fwd_l2switch_count(ctx.l2switch), 1);
	fwd_l2switch_stats(ctx.l2switch, &st);
	CU_ASSERT_EQUAL(st.learned, 1);
	CU_ASSERT_EQUAL(st.flooded, 1);
}

static void test_broadcast_and_multicast_flood(void)
{
	frame_switched(1, &mac_b, &broadcast, 0x5);
	frame_switched(2, &mac_c, &multicast, 0x3);
	/* a group address as source is never learned */
	frame_switched(2, &multicast, &mac_d, 0x3);
	CU_ASSERT_EQUAL(fwd_l2switch_count(ctx.l2switch), 3);
}

static void test_known_destination_goes_to_its_port_only(void)
{
	frame_switched(2, &mac_c, &mac_a, 0x1);
	frame_switched(0, &mac_a, &mac_b, 0x2);
	frame_switched(1, &mac_b, &mac_c, 0x4);
}

static void test_destination_on_the_arrival_port_is_filtered(void)
{
	struct fwd_l2switch_stats before, after;

	fwd_l2switch_stats(ctx.l2switch, &before);
	frame_switched(0, &mac_d, &mac_a, 0x0);
	fwd_l2switch_stats(ctx.l2switch, &after);
	CU_ASSERT_EQUAL(after.filtered, before.filtered + 1);
	/* D was learned on port 0 meanwhile */
	frame_switched(1, &mac_b, &mac_d, 0x1);
}

static void test_station_move_is_relearned(void)
{
	frame_switched(2, &mac_a, &mac_b, 0x2); /* A now talks from port 2 */
	frame_switched(1, &mac_b, &mac_a, 0x4);
}

static void test_aging(void)
{
	struct fwd_l2switch_stats st;
	unsigned int before = fwd_l2switch_count(ctx.l2switch);

	CU_ASSERT_EQUAL(before, 4);
	/* fresh entries stay */
	CU_ASSERT_EQUAL(fwd_l2switch_age(ctx.l2switch, now_s() + AGING_S - 1), 0);
	CU_ASSERT_EQUAL(fwd_l2switch_count(ctx.l2switch), before);
	/* past the aging time every entry goes, and a known destination floods again */
	CU_ASSERT_EQUAL(fwd_l2switch_age(ctx.l2switch, now_s() + AGING_S + 2), before);
	CU_ASSERT_EQUAL(fwd_l2switch_count(ctx.l2switch), 0);
	fwd_l2switch_stats(ctx.l2switch, &st);
	CU_ASSERT_EQUAL(st.aged, before);
	frame_switched(1, &mac_b, &mac_a, 0x5);
	/* and learning starts over */
	frame_switched(0, &mac_a, &mac_b, 0x2);
	CU_ASSERT_EQUAL(fwd_l2switch_count(ctx.l2switch), 2);
}

static void test_burst_of_mixed_destinations(void)
{
	const struct rte_ether_addr *dsts[FWD_BURST];
	struct delivery out[NB_PORTS];

	/* A on 0 and B on 1 are known; 32 frames on port 2: 16 to A, 8 to B, 8 broadcast */
	for (int i = 0; i < FWD_BURST; i++)
		dsts[i] = i < 16 ? &mac_a : i < 24 ? &mac_b : &broadcast;
	frames_arrive(2, &mac_c, dsts, FWD_BURST);
	collect(out);
	CU_ASSERT_EQUAL(out[0].count, 16 + 8);
	CU_ASSERT_EQUAL(out[1].count, 8 + 8);
	CU_ASSERT_EQUAL(out[2].count, 0);
}

static void test_new_source_repeated_in_a_burst_is_learned_once(void)
{
	const struct rte_ether_addr *dsts[FWD_BURST];
	struct delivery out[NB_PORTS];
	struct fwd_l2switch_stats before, after;
	unsigned int macs = fwd_l2switch_count(ctx.l2switch);

	fwd_l2switch_stats(ctx.l2switch, &before);
	for (int i = 0; i < FWD_BURST; i++)
		dsts[i] = &broadcast;
	frames_arrive(1, &mac_d, dsts, FWD_BURST);
	collect(out);
	CU_ASSERT_EQUAL(out[0].count, FWD_BURST);
	CU_ASSERT_EQUAL(out[2].count, FWD_BURST);
	fwd_l2switch_stats(ctx.l2switch, &after);
	CU_ASSERT_EQUAL(after.learned, before.learned + 1);
	CU_ASSERT_EQUAL(fwd_l2switch_count(ctx.l2switch), macs + 1);
}

static void test_every_mbuf_returned(void)
{
	struct delivery out[NB_PORTS];

	collect(out);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static int suite_init(void)
{
	ctx.nb_ports = NB_PORTS;
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		if (port_init(p) != 0)
			return -1;
		ctx.port_used[p] = true;
		lc.streams[p] = (struct fwd_stream){ .rx_port = p, .rx_queue = 0, .tx_port = p };
	}
	fwd_options_init(&opts);
	opts.mode = FWD_MODE_L2SWITCH;
	opts.mac_table_size = 1024;
	opts.mac_aging_s = AGING_S;
	ctx.opts = &opts;
	ctx.engine = &fwd_engine_l2switch;
	ctx.tsc_hz = rte_get_tsc_hz();
	ctx.nb_workers = 1;
	ctx.workers[0] = &lc;
	lc.ctx = &ctx;
	lc.lcore_id = rte_lcore_id();
	lc.tx_queue = 0;
	lc.nb_streams = NB_PORTS;
	lc.pool = pool;
	if (fwd_engine_l2switch.setup(&ctx) != 0)
		return -1;
	fwd_engine_l2switch.lcore_start(&lc);
	return lc.finished ? -1 : 0;
}

static int suite_clean(void)
{
	fwd_engine_l2switch.lcore_stop(&lc);
	fwd_engine_l2switch.teardown(&ctx);
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	return 0;
}

int main(void)
{
	/* No hugepages and no shared files (so no IPC socket): concurrent runs can share the prefix,
	 * and leave one runtime folder behind, not one per run. */
	char *eal_args[] = { "test_fwd_l2switch", "-l", "0", "--no-huge", "-m", "128", "--no-pci",
			     "--no-shconf", "--file-prefix=vionet_unit_fwd_l2switch",
			     "--log-level=lib.eal:error",
			     "--vdev", "net_ring0", "--vdev", "net_ring1", "--vdev", "net_ring2" };
	static CU_TestInfo tests[] = {
		{ "unknown destination floods, source learned",
		  test_unknown_destination_floods_and_source_is_learned },
		{ "broadcast and multicast flood", test_broadcast_and_multicast_flood },
		{ "known destination to its port only", test_known_destination_goes_to_its_port_only },
		{ "destination on the arrival port filtered",
		  test_destination_on_the_arrival_port_is_filtered },
		{ "station move relearned", test_station_move_is_relearned },
		{ "aging removes stale entries only", test_aging },
		{ "a burst of mixed destinations", test_burst_of_mixed_destinations },
		{ "a new source repeated in a burst learned once",
		  test_new_source_repeated_in_a_burst_is_learned_once },
		{ "every mbuf back in the pool", test_every_mbuf_returned },
		CU_TEST_INFO_NULL,
	};
	int ret;

	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "EAL initialisation failed\n");
		return 1;
	}
	if (rte_eth_dev_count_avail() != NB_PORTS) {
		fprintf(stderr, "want %d net_ring ports, have %u\n", NB_PORTS, rte_eth_dev_count_avail());
		return 1;
	}
	pool = rte_pktmbuf_pool_create("l2switch_test", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL)
		return 1;
	ret = test_run_suite_with("fwd_l2switch", suite_init, suite_clean, tests);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
