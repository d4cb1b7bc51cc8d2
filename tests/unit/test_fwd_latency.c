/* vionet-fwd's --latency accounting: the histogram's buckets tile the uint64_t range within the
 * stated precision; percentiles agree with a sorted array within 1/64 for uniform, log-uniform and
 * known distributions; merged histograms equal one histogram of everything; lost and reordered
 * frames counted from sequence numbers (gaps, late frames, wrap, several sources, a full source
 * table); the stamp written into a frame is read back, other frames ignored. No EAL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../app/vionet-fwd/fwd_latency.h"
#include "../../app/vionet-fwd/fwd_latency_stamp.h"
#include "test_run_suite.h"

#define SAMPLES 100000

static uint64_t values[SAMPLES];
static uint64_t sorted_values[SAMPLES];
static struct fwd_latency_hist hist, parts[3], merged;

/* xorshift64*: reproducible, no libc state. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_buckets_tile_the_range(void)
{
	uint64_t expected_low = 0;

	for (unsigned int b = 0; b < FWD_LATENCY_BUCKETS; b++) {
		uint64_t low = fwd_latency_bucket_low(b), width = fwd_latency_bucket_width(b);

		/* Each bucket starts where the previous one ended. */
		CU_ASSERT_EQUAL_FATAL(low, expected_low);
		CU_ASSERT_EQUAL_FATAL(fwd_latency_bucket(low), b);
		CU_ASSERT_EQUAL_FATAL(fwd_latency_bucket(low + width - 1), b);
		/* The precision the header promises: a bucket at most 1/32 of its values wide. */
		if (low >= FWD_LATENCY_SUB_BUCKETS) {
			CU_ASSERT_TRUE_FATAL(width * FWD_LATENCY_SUB_BUCKETS <= low);
		} else {
			CU_ASSERT_EQUAL_FATAL(width, 1);
		}
		expected_low = low + width;
	}
	/* The last bucket ends at 2^64: expected_low wrapped to 0. */
	CU_ASSERT_EQUAL(expected_low, 0);
	CU_ASSERT_EQUAL(fwd_latency_bucket(UINT64_MAX), FWD_LATENCY_BUCKETS - 1);
	CU_ASSERT_EQUAL(fwd_latency_bucket(63), 63);
	CU_ASSERT_EQUAL(fwd_latency_bucket(64), 64);
	CU_ASSERT_EQUAL(fwd_latency_bucket(65), 64);
}

/* Every percentile of hist within 1/64 of the nearest-rank value of the sorted samples. */
static void check_percentiles(const struct fwd_latency_hist *h, size_t n)
{
	static const double pcts[] = { 0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100 };

	memcpy(sorted_values, values, n * sizeof(values[0]));
	qsort(sorted_values, n, sizeof(sorted_values[0]), compare_u64);
	CU_ASSERT_EQUAL(fwd_latency_hist_count(h), n);
	CU_ASSERT_EQUAL(h->min, sorted_values[0]);
	CU_ASSERT_EQUAL(h->max, sorted_values[n - 1]);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		size_t rank = (size_t)ceil(pcts[i] / 100.0 * (double)n);
		uint64_t exact = sorted_values[rank == 0 ? 0 : rank - 1];
		uint64_t got = fwd_latency_hist_percentile(h, pcts[i]);
		double error = fabs((double)got - (double)exact);

		if (error > (double)exact / 64.0) {
			fprintf(stderr, "p%g of %zu: got %lu, exact %lu\n", pcts[i], n,
				(unsigned long)got, (unsigned long)exact);
			CU_FAIL("percentile outside 1/64 of the exact value");
		}
	}
}

static void record_all(size_t n)
{
	fwd_latency_hist_init(&hist);
	for (size_t i = 0; i < n; i++)
		fwd_latency_record(&hist, values[i]);
}

static void test_percentiles_uniform(void)
{
	for (size_t i = 0; i < SAMPLES; i++)
		values[i] = rng_next() % 1000000;
	record_all(SAMPLES);
	check_percentiles(&hist, SAMPLES);
}

/* Spread over eight decades, as latencies with a long tail are. */
static void test_percentiles_log_uniform(void)
{
	for (size_t i = 0; i < SAMPLES; i++)
		values[i] = (uint64_t)pow(10.0, 1.0 + 8.0 * (double)(rng_next() >> 11) / 9007199254740992.0);
	record_all(SAMPLES);
	check_percentiles(&hist, SAMPLES);
}

static void test_percentiles_known(void)
{
	/* 1..1000 once each: p50 is 500, p99 990, p99.9 999. */
	for (size_t i = 0; i < 1000; i++)
		values[i] = i + 1;
	record_all(1000);
	check_percentiles(&hist, 1000);
	CU_ASSERT_TRUE(labs((long)fwd_latency_hist_percentile(&hist, 50) - 500) <= 500 / 64);
	CU_ASSERT_TRUE(labs((long)fwd_latency_hist_percentile(&hist, 99) - 990) <= 990 / 64);
	CU_ASSERT_EQUAL(fwd_latency_hist_percentile(&hist, 100), 1000);
	/* Below 64 every value has its own bucket: exact. */
	for (size_t i = 0; i < 64; i++)
		values[i] = i;
	record_all(64);
	CU_ASSERT_EQUAL(fwd_latency_hist_percentile(&hist, 50), 31);
	CU_ASSERT_EQUAL(fwd_latency_hist_percentile(&hist, 1), 0);
	CU_ASSERT_EQUAL(fwd_latency_hist_percentile(&hist, 99), 63);
	/* One value many times: every percentile is that value (min and max bound the bucket). */
	for (size_t i = 0; i < 5000; i++)
		values[i] = 123457;
	record_all(5000);
	CU_ASSERT_EQUAL(fwd_latency_hist_percentile(&hist, 50), 123457);
	CU_ASSERT_EQUAL(fwd_latency_hist_percentile(&hist, 99.9), 123457);
	/* 99 % fast, 1 % slow: p99 is still fast, p99.9 slow. */
	for (size_t i = 0; i < 10000; i++)
		values[i] = i % 100 == 0 ? 1000000 : 1000;
	record_all(10000);
	check_percentiles(&hist, 10000);
	CU_ASSERT_TRUE(fwd_latency_hist_percentile(&hist, 99) < 1100);
	CU_ASSERT_TRUE(fwd_latency_hist_percentile(&hist, 99.9) > 900000);
}

static void test_empty(void)
{
	struct fwd_latency_seq seq;
	struct fwd_latency_summary s;

	fwd_latency_hist_init(&hist);
	fwd_latency_seq_init(&seq);
	CU_ASSERT_EQUAL(fwd_latency_hist_count(&hist), 0);
	CU_ASSERT_EQUAL(fwd_latency_hist_percentile(&hist, 50), 0);
	fwd_latency_summarize(&hist, &seq, &s);
	CU_ASSERT_EQUAL(s.count, 0);
	CU_ASSERT_EQUAL(s.min, 0);
	CU_ASSERT_EQUAL(s.max, 0);
	CU_ASSERT_EQUAL(s.p99, 0);
}

static void test_merge(void)
{
	struct fwd_latency_seq seq;
	struct fwd_latency_summary whole, sum;

	for (size_t i = 0; i < SAMPLES; i++)
		values[i] = 100 + rng_next() % 50000;
	record_all(SAMPLES);
	for (int p = 0; p < 3; p++)
		fwd_latency_hist_init(&parts[p]);
	/* Three lcores with unequal shares; the third sees the extremes. */
	for (size_t i = 0; i < SAMPLES; i++)
		fwd_latency_record(&parts[i % 7 == 0 ? 2 : i % 2], values[i]);
	fwd_latency_hist_init(&merged);
	for (int p = 0; p < 3; p++)
		fwd_latency_hist_merge(&merged, &parts[p]);
	CU_ASSERT_EQUAL(memcmp(merged.buckets, hist.buckets, sizeof(hist.buckets)), 0);
	CU_ASSERT_EQUAL(merged.min, hist.min);
	CU_ASSERT_EQUAL(merged.max, hist.max);
	CU_ASSERT_EQUAL(merged.sum, hist.sum);
	fwd_latency_seq_init(&seq);
	fwd_latency_summarize(&hist, &seq, &whole);
	fwd_latency_summarize(&merged, &seq, &sum);
	CU_ASSERT_EQUAL(memcmp(&whole, &sum, sizeof(whole)), 0);
	CU_ASSERT_EQUAL(sum.count, SAMPLES);
	check_percentiles(&merged, SAMPLES);
	/* An empty histogram merged in changes nothing, min included. */
	fwd_latency_hist_init(&parts[0]);
	fwd_latency_hist_merge(&merged, &parts[0]);
	CU_ASSERT_EQUAL(merged.min, hist.min);
	CU_ASSERT_EQUAL(fwd_latency_hist_count(&merged), SAMPLES);
}

static void seq_summary(const struct fwd_latency_seq *t, struct fwd_latency_summary *s)
{
	fwd_latency_hist_init(&hist);
	fwd_latency_summarize(&hist, t, s);
}

static void test_seq_lost_and_reordered(void)
{
	struct fwd_latency_seq t;
	struct fwd_latency_summary s;

	/* In order from 1000 on (the receiver started late): nothing lost. */
	fwd_latency_seq_init(&t);
	for (uint32_t q = 1000; q < 2000; q++)
		fwd_latency_seq_track(&t, 7, q);
	seq_summary(&t, &s);
	CU_ASSERT_EQUAL(s.lost, 0);
	CU_ASSERT_EQUAL(s.reordered, 0);

	/* 5 and 17..19 never come: four lost. */
	fwd_latency_seq_init(&t);
	for (uint32_t q = 0; q < 100; q++)
		if (q != 5 && (q < 17 || q > 19))
			fwd_latency_seq_track(&t, 7, q);
	seq_summary(&t, &s);
	CU_ASSERT_EQUAL(s.lost, 4);
	CU_ASSERT_EQUAL(s.reordered, 0);

	/* 3 after 4, and 10 after 11..12: two reordered, nothing lost. */
	fwd_latency_seq_init(&t);
	static const uint32_t order[] = { 0, 1, 2, 4, 3, 5, 6, 7, 8, 9, 11, 12, 10, 13 };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		fwd_latency_seq_track(&t, 7, order[i]);
	seq_summary(&t, &s);
	CU_ASSERT_EQUAL(s.lost, 0);
	CU_ASSERT_EQUAL(s.reordered, 2);

	/* Across the 2^32 wrap, one lost on each side of it. */
	fwd_latency_seq_init(&t);
	for (uint32_t q = UINT32_MAX - 20, i = 0; i < 40; q++, i++)
		if (q != UINT32_MAX - 3 && q != 2)
			fwd_latency_seq_track(&t, 7, q);
	seq_summary(&t, &s);
	CU_ASSERT_EQUAL(s.lost, 2);
	CU_ASSERT_EQUAL(s.reordered, 0);
}

static void test_seq_sources(void)
{
	struct fwd_latency_seq t, sum;
	struct fwd_latency_summary s;

	/* Two Tx queues interleaved, each in order with its own numbers: nothing lost; one frame
	 * missing from the second. */
	fwd_latency_seq_init(&t);
	for (uint32_t q = 0; q < 100; q++) {
		fwd_latency_seq_track(&t, fwd_latency_source_id(0, 0), q);
		if (q != 50)
			fwd_latency_seq_track(&t, fwd_latency_source_id(0, 1), q + 5000);
	}
	seq_summary(&t, &s);
	CU_ASSERT_EQUAL(s.lost, 1);
	CU_ASSERT_EQUAL(s.reordered, 0);

	/* More sources than the table holds: the extra ones are counted apart, not as lost. */
	fwd_latency_seq_init(&t);
	for (uint32_t q = 0; q < 10; q++)
		for (uint16_t src = 0; src < FWD_LATENCY_MAX_SOURCES + 4; src++)
			fwd_latency_seq_track(&t, src, q * 3);
	seq_summary(&t, &s);
	CU_ASSERT_EQUAL(s.untracked, 4 * 10);
	CU_ASSERT_EQUAL(s.lost, FWD_LATENCY_MAX_SOURCES * 9 * 2);

	/* Merging trackers adds their counts. */
	fwd_latency_seq_init(&sum);
	fwd_latency_seq_merge(&sum, &t);
	fwd_latency_seq_merge(&sum, &t);
	CU_ASSERT_EQUAL(sum.gaps, 2 * t.gaps);
	CU_ASSERT_EQUAL(sum.untracked, 2 * t.untracked);
}

/* A frame as txgen builds it, in a plain buffer: no mempool, no EAL. */
static uint8_t frame_buf[128];
static struct rte_mbuf frame;

static void frame_build(uint16_t len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame_buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

	memset(frame_buf, 0, sizeof(frame_buf));
	memset(&frame, 0, sizeof(frame));
	frame.buf_addr = frame_buf;
	frame.buf_len = sizeof(frame_buf);
	frame.data_len = len;
	frame.pkt_len = len;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->next_proto_id = IPPROTO_UDP;
}

static void test_stamp_in_frames(void)
{
	struct fwd_latency_stamp st;
	struct fwd_latency_rx rx;
	struct rte_mbuf *burst[1] = { &frame };
	struct fwd_latency_summary s;

	/* The shortest frame holds the stamp, at the UDP payload. */
	frame_build(60);
	fwd_latency_stamp_write(&frame, 3, 2, 77, 1000000);
	CU_ASSERT_TRUE(fwd_latency_stamp_read(&frame, &st));
	CU_ASSERT_EQUAL(st.port, 3);
	CU_ASSERT_EQUAL(st.queue, 2);
	CU_ASSERT_EQUAL(st.seq, 77);
	CU_ASSERT_EQUAL(st.tsc, 1000000);

	/* Measured: arrived 40 cycles later (exact below 64). */
	fwd_latency_rx_init(&rx);
	fwd_latency_rx_burst(&rx, burst, 1, 1000040);
	fwd_latency_summarize(&rx.hist, &rx.seq, &s);
	CU_ASSERT_EQUAL(s.count, 1);
	CU_ASSERT_EQUAL(s.min, 40);
	CU_ASSERT_EQUAL(s.p50, 40);
	/* Stamped after it arrived (another core's TSC ahead): counted, not in the histogram. */
	fwd_latency_rx_burst(&rx, burst, 1, 999000);
	CU_ASSERT_EQUAL(rx.backwards, 1);
	CU_ASSERT_EQUAL(fwd_latency_hist_count(&rx.hist), 1);

	/* Frames without a stamp are ignored: another payload, not UDP, too short. */
	frame_build(60);
	CU_ASSERT_FALSE(fwd_latency_stamp_read(&frame, &st));
	fwd_latency_stamp_write(&frame, 0, 0, 0, 5);
	((struct rte_ipv4_hdr *)(frame_buf + sizeof(struct rte_ether_hdr)))->next_proto_id = IPPROTO_TCP;
	CU_ASSERT_FALSE(fwd_latency_stamp_read(&frame, &st));
	frame_build(59);
	fwd_latency_stamp_write(&frame, 0, 0, 0, 5);
	CU_ASSERT_FALSE(fwd_latency_stamp_read(&frame, &st));
	fwd_latency_rx_burst(&rx, burst, 1, 10);
	CU_ASSERT_EQUAL(fwd_latency_hist_count(&rx.hist), 1);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "buckets tile the range within 1/32", test_buckets_tile_the_range },
		{ "percentiles of a uniform distribution", test_percentiles_uniform },
		{ "percentiles of a log-uniform distribution", test_percentiles_log_uniform },
		{ "percentiles of known distributions", test_percentiles_known },
		{ "an empty histogram", test_empty },
		{ "merged histograms equal one of everything", test_merge },
		{ "lost and reordered from sequence numbers", test_seq_lost_and_reordered },
		{ "sequence numbers per source", test_seq_sources },
		{ "the stamp in a frame", test_stamp_in_frames },
		CU_TEST_INFO_NULL,
	};

	return test_run_suite("fwd_latency", tests);
}
