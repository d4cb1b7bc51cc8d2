/* Latency accounting for --latency: a fixed-bucket histogram of TSC intervals and the sequence
 * tracking that counts lost and reordered frames. Plain C without EAL, unit-tested.
 *
 * The histogram is HDR-like: values below 2^FWD_LATENCY_SUB_BITS have a bucket each; above, every
 * power of two [2^k, 2^(k+1)) is cut into 2^FWD_LATENCY_SUB_BITS equal sub-buckets. A bucket is at
 * most 1/32 of its lower bound wide, and a percentile is reported as its bucket's midpoint, so it is
 * within 1/64 (1.6 %) of the exact value; values below 64 are exact. The buckets cover the whole
 * uint64_t range: nothing is clamped.
 *
 * One lcore writes a histogram (per Rx stream), the main lcore reads it at any time: every store is
 * a relaxed atomic, no lock, nothing allocated after set-up. The reader merges them per port. */
#ifndef FWD_LATENCY_H
#define FWD_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

#define FWD_LATENCY_SUB_BITS 5
#define FWD_LATENCY_SUB_BUCKETS (1u << FWD_LATENCY_SUB_BITS)
/* The exact buckets below 2^SUB_BITS, then SUB_BUCKETS per power of two from 2^SUB_BITS to 2^63. */
#define FWD_LATENCY_BUCKETS ((64u - FWD_LATENCY_SUB_BITS + 1u) * FWD_LATENCY_SUB_BUCKETS)

struct fwd_latency_hist {
	uint64_t min;   /* UINT64_MAX while empty */
	uint64_t max;
	uint64_t sum;
	uint64_t buckets[FWD_LATENCY_BUCKETS];
};

/* Sequence numbers are per source (a generator's Tx queue): the receiver remembers the next one it
 * expects from each of the first FWD_LATENCY_MAX_SOURCES sources it sees. */
#define FWD_LATENCY_MAX_SOURCES 16

struct fwd_latency_source {
	uint16_t id;
	uint32_t next_seq;
};

struct fwd_latency_seq {
	uint32_t nb_sources;
	uint32_t last;      /* the source matched last: most bursts come from one */
	struct fwd_latency_source sources[FWD_LATENCY_MAX_SOURCES];
	uint64_t gaps;      /* frames skipped over by a later sequence number of their source */
	uint64_t late;      /* frames that came after a later one of their source */
	uint64_t untracked; /* from sources beyond the table: in the histogram, not in lost/reordered */
};

/* What the reports show, in TSC cycles. */
struct fwd_latency_summary {
	uint64_t count;
	uint64_t lost;      /* gaps not filled by a late frame */
	uint64_t reordered; /* late frames */
	uint64_t untracked;
	uint64_t backwards; /* stamped later than they arrived (the cores' TSCs disagree): not in the histogram */
	uint64_t min, p50, p99, p999, max, mean;
};

static inline void fwd_latency_relaxed_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline unsigned int fwd_latency_bucket(uint64_t value)
{
	unsigned int major;

	if (value < FWD_LATENCY_SUB_BUCKETS)
		return (unsigned int)value;
	major = 63u - (unsigned int)__builtin_clzll(value); /* >= SUB_BITS */
	return (major - FWD_LATENCY_SUB_BITS + 1u) * FWD_LATENCY_SUB_BUCKETS +
	       (unsigned int)((value >> (major - FWD_LATENCY_SUB_BITS)) & (FWD_LATENCY_SUB_BUCKETS - 1u));
}

/* The fast path: one value, by the histogram's only writer. */
static inline void fwd_latency_record(struct fwd_latency_hist *h, uint64_t value)
{
	if (value < __atomic_load_n(&h->min, __ATOMIC_RELAXED))
		__atomic_store_n(&h->min, value, __ATOMIC_RELAXED);
	if (value > __atomic_load_n(&h->max, __ATOMIC_RELAXED))
		__atomic_store_n(&h->max, value, __ATOMIC_RELAXED);
	fwd_latency_relaxed_add(&h->sum, value);
	fwd_latency_relaxed_add(&h->buckets[fwd_latency_bucket(value)], 1);
}

void fwd_latency_hist_init(struct fwd_latency_hist *h);

/* The smallest value of a bucket and its width. */
uint64_t fwd_latency_bucket_low(unsigned int bucket);
uint64_t fwd_latency_bucket_width(unsigned int bucket);

/* Adds src (possibly being written by its lcore) into dst (the reader's own). */
void fwd_latency_hist_merge(struct fwd_latency_hist *dst, const struct fwd_latency_hist *src);

/* Values recorded, counted from the buckets. */
uint64_t fwd_latency_hist_count(const struct fwd_latency_hist *h);

/* The value at nearest rank ceil(pct/100 * count) (pct in [0, 100]): its bucket's midpoint, kept
 * within [min, max]; 0 when empty. */
uint64_t fwd_latency_hist_percentile(const struct fwd_latency_hist *h, double pct);

void fwd_latency_seq_init(struct fwd_latency_seq *t);

/* One frame of source numbered seq, by the tracker's only writer. Numbers wrap at 2^32: they are
 * compared by serial number arithmetic (RFC 1982). */
void fwd_latency_seq_track(struct fwd_latency_seq *t, uint16_t source, uint32_t seq);

/* Adds src's counters into dst's (dst's source table is not used). */
void fwd_latency_seq_merge(struct fwd_latency_seq *dst, const struct fwd_latency_seq *src);

/* Percentiles of h and the counts of t. */
void fwd_latency_summarize(const struct fwd_latency_hist *h, const struct fwd_latency_seq *t,
			   struct fwd_latency_summary *out);

#endif
