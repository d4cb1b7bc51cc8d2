/* vionet-fwd's handling of RTE_ETH_EVENT_INTR_RESET (fwd_reset.h) with its own lcore loop
 * (fwd_lcore_main) forwarding between two in-process net_ring ports on a second thread: the event
 * marks the port; the service takes it out of the forwarding (no poll and no Tx on it while it is
 * restarted), restarts it, puts it back and counts it; a failed restart keeps the port out and is
 * retried after a second; the summary and the JSON report say how many resets each port had.
 * EAL with --no-huge. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "../../app/vionet-fwd/fwd.h"
#include "../../app/vionet-fwd/fwd_reset.h"
#include "../../app/vionet-fwd/fwd_stats.h"
#include "test_run_suite.h"

#define NB_PORTS 2

static struct rte_mempool *pool;
static struct fwd_options opts;
static struct fwd_ctx ctx;
static struct fwd_lcore *lc;
static pthread_t worker;

/* What the fake engine saw: polls per Rx port, and polls of a port while it was being restarted. */
static uint64_t polls[NB_PORTS];
static uint32_t restarting[NB_PORTS];
static uint64_t polls_while_restarting;

/* One frame out on the stream's Tx port (through fwd_tx), what arrived on its Rx port freed. A
 * net_ring port loops its Tx ring to its own Rx ring. */
static uint16_t fake_poll(struct fwd_lcore *l, struct fwd_stream *s)
{
	struct rte_mbuf *m[FWD_BURST];
	uint16_t n;

	if (__atomic_load_n(&restarting[s->rx_port], __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&polls_while_restarting, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&polls[s->rx_port], 1, __ATOMIC_RELEASE);
	n = rte_eth_rx_burst(s->rx_port, s->rx_queue, m, FWD_BURST);
	rte_pktmbuf_free_bulk(m, n);
	m[0] = rte_pktmbuf_alloc(pool);
	if (m[0] != NULL) {
		rte_pktmbuf_append(m[0], 64);
		fwd_tx(l, s->tx_port, m, 1);
	}
	return n;
}

static const struct fwd_engine fake_engine = {
	.name = "fake",
	.poll = fake_poll,
};

static void *worker_main(void *arg)
{
	fwd_lcore_main(arg);
	return NULL;
}

static void wait_polls(uint16_t port, uint64_t more)
{
	uint64_t target = __atomic_load_n(&polls[port], __ATOMIC_ACQUIRE) + more;

	for (int i = 0; i < 5000 && __atomic_load_n(&polls[port], __ATOMIC_ACQUIRE) < target; i++)
		usleep(1000);
	CU_ASSERT_TRUE_FATAL(__atomic_load_n(&polls[port], __ATOMIC_ACQUIRE) >= target);
}

/* How the tests restart a port: nothing may touch it meanwhile (no poll, nothing sent to it). */
static int restart_result;
static unsigned int restarts;

static int fake_restart(struct fwd_ctx *c, uint16_t port)
{
	struct rte_mbuf *m[FWD_BURST];
	uint64_t before;
	uint16_t n;

	CU_ASSERT_PTR_EQUAL(c, &ctx);
	CU_ASSERT_TRUE(c->port_paused[port]);
	restarts++;
	__atomic_store_n(&restarting[port], 1, __ATOMIC_RELEASE);
	before = __atomic_load_n(&polls[port], __ATOMIC_ACQUIRE);
	/* What was sent to the port before it went out of the forwarding. */
	while ((n = rte_eth_rx_burst(port, 0, m, FWD_BURST)) != 0)
		rte_pktmbuf_free_bulk(m, n);
	usleep(20000);
	CU_ASSERT_EQUAL(__atomic_load_n(&polls[port], __ATOMIC_ACQUIRE), before);
	n = rte_eth_rx_burst(port, 0, m, FWD_BURST);
	CU_ASSERT_EQUAL(n, 0); /* no lcore sent to it */
	rte_pktmbuf_free_bulk(m, n);
	__atomic_store_n(&restarting[port], 0, __ATOMIC_RELEASE);
	return restart_result;
}

static void test_event_marks_port_and_service_resets_it(void)
{
	uint64_t dropped_before = fwd_counter_read(&lc->tx[0].dropped);

	wait_polls(0, 100);
	/* Through ethdev, as the PMD raises it. */
	rte_eth_dev_callback_process(&rte_eth_devices[0], RTE_ETH_EVENT_INTR_RESET, NULL);
	CU_ASSERT_EQUAL(__atomic_load_n(&ctx.reset_requested[0], __ATOMIC_ACQUIRE), 1);
	restart_result = 0;
	CU_ASSERT_EQUAL(fwd_reset_service(&ctx, fake_restart), 1);
	CU_ASSERT_EQUAL(restarts, 1);
	CU_ASSERT_EQUAL(ctx.port_resets[0], 1);
	CU_ASSERT_EQUAL(ctx.port_resets[1], 0);
	CU_ASSERT_FALSE(ctx.port_paused[0]);
	CU_ASSERT_EQUAL(__atomic_load_n(&polls_while_restarting, __ATOMIC_ACQUIRE), 0);
	/* While port 0 was out, what port 1's stream sent to it was dropped, not sent. */
	CU_ASSERT_TRUE(fwd_counter_read(&lc->tx[0].dropped) > dropped_before);
	/* Back in: polled again, the other port all along. */
	wait_polls(0, 100);
	wait_polls(1, 100);
	/* Nothing asked: nothing done. */
	CU_ASSERT_EQUAL(fwd_reset_service(&ctx, fake_restart), 0);
	CU_ASSERT_EQUAL(restarts, 1);
}

static void test_failed_restart_keeps_port_out_and_retries(void)
{
	uint64_t polls_out;

	fwd_reset_event(1, RTE_ETH_EVENT_INTR_RESET, &ctx, NULL);
	restart_result = -EIO;
	CU_ASSERT_EQUAL(fwd_reset_service(&ctx, fake_restart), 0);
	CU_ASSERT_EQUAL(restarts, 2);
	CU_ASSERT_TRUE(ctx.port_paused[1]);
	CU_ASSERT_EQUAL(ctx.reset_failures[1], 1);
	polls_out = __atomic_load_n(&polls[1], __ATOMIC_ACQUIRE);
	usleep(20000);
	CU_ASSERT_EQUAL(__atomic_load_n(&polls[1], __ATOMIC_ACQUIRE), polls_out);
	/* Not again within the second. */
	CU_ASSERT_EQUAL(fwd_reset_service(&ctx, fake_restart), 0);
	CU_ASSERT_EQUAL(restarts, 2);
	/* A second later it is. */
	ctx.reset_retry_tsc[1] = 0;
	restart_result = 0;
	CU_ASSERT_EQUAL(fwd_reset_service(&ctx, fake_restart), 1);
	CU_ASSERT_EQUAL(restarts, 3);
	CU_ASSERT_FALSE(ctx.port_paused[1]);
	CU_ASSERT_EQUAL(ctx.port_resets[1], 1);
	CU_ASSERT_EQUAL(ctx.reset_failures[1], 0);
	CU_ASSERT_EQUAL(__atomic_load_n(&polls_while_restarting, __ATOMIC_ACQUIRE), 0);
	wait_polls(1, 100);
}

static void test_reports_count_resets_per_port(void)
{
	struct fwd_snapshot snap;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	fwd_stats_snapshot(&ctx, NULL, &snap);
	CU_ASSERT_EQUAL(snap.port[0].resets, 1);
	CU_ASSERT_EQUAL(snap.port[1].resets, 1);
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwd_stats_json(&ctx, &snap, 1.0, 0, 1, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "{\"port\": 0, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(strstr(text, "{\"port\": 0, "), "\"resets\": 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(strstr(text, "{\"port\": 1, "), "\"resets\": 1"));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwd_stats_summary(&ctx, &snap, 1.0, 0, 1, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "resets\n"));
	free(text);
}

static int suite_init(void)
{
	struct rte_eth_conf conf = { 0 };

	for (uint16_t p = 0; p < NB_PORTS; p++)
		if (rte_eth_dev_configure(p, 1, 1, &conf) != 0 ||
		    rte_eth_rx_queue_setup(p, 0, 256, (unsigned int)rte_socket_id(), NULL, pool) != 0 ||
		    rte_eth_tx_queue_setup(p, 0, 256, (unsigned int)rte_socket_id(), NULL) != 0 ||
		    rte_eth_dev_start(p) != 0)
			return -1;
	fwd_options_init(&opts);
	ctx.opts = &opts;
	ctx.engine = &fake_engine;
	ctx.nb_ports = NB_PORTS;
	lc = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*lc));
	if (lc == NULL)
		return -1;
	memset(lc, 0, sizeof(*lc));
	lc->ctx = &ctx;
	lc->nb_streams = NB_PORTS;
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		ctx.port_used[p] = true;
		lc->streams[p].rx_port = p;
		lc->streams[p].tx_port = (uint16_t)(p ^ 1);
		if (fwd_reset_register(&ctx, p) != 0)
			return -1;
	}
	ctx.workers[ctx.nb_workers++] = lc;
	return pthread_create(&worker, NULL, worker_main, lc) == 0 ? 0 : -1;
}

static int suite_clean(void)
{
	struct rte_mbuf *m[FWD_BURST];
	uint16_t n;

	__atomic_store_n(&ctx.stop, true, __ATOMIC_RELAXED);
	pthread_join(worker, NULL);
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		while ((n = rte_eth_rx_burst(p, 0, m, FWD_BURST)) != 0)
			rte_pktmbuf_free_bulk(m, n);
		fwd_reset_unregister(&ctx, p);
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	free(lc);
	return rte_mempool_in_use_count(pool) == 0 ? 0 : -1;
}

int main(void)
{
	char *eal_args[] = { "test_fwd_reset", "-l", "0", "--no-huge", "-m", "128", "--no-pci",
			     "--no-shconf", "--file-prefix=vionet_unit_fwd_reset",
			     "--log-level=lib.eal:error", "--vdev", "net_ring0", "--vdev", "net_ring1" };
	static CU_TestInfo tests[] = {
		{ "the event marks the port, the service resets it with no lcore on it",
		  test_event_marks_port_and_service_resets_it },
		{ "a failed restart keeps the port out and is retried a second later",
		  test_failed_restart_keeps_port_out_and_retries },
		{ "summary and JSON count resets per port", test_reports_count_resets_per_port },
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
	pool = rte_pktmbuf_pool_create("fwd_reset_test", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL)
		return 1;
	ret = test_run_suite_with("fwd_reset", suite_init, suite_clean, tests);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
