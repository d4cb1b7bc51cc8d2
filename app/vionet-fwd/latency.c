/* The latency histogram and the sequence tracking of --latency (see fwd_latency.h). */
#include "fwd_latency.h"

#include <math.h>
#include <string.h>

void fwd_latency_hist_init(struct fwd_latency_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static unsigned int bucket_major(unsigned int bucket)
{
	return bucket / FWD_LATENCY_SUB_BUCKETS + FWD_LATENCY_SUB_BITS - 1u;
}

uint64_t fwd_latency_bucket_low(unsigned int bucket)
{
	unsigned int major;

	if (bucket < FWD_LATENCY_SUB_BUCKETS)
		return bucket;
	major = bucket_major(bucket);
	return (uint64_t)(FWD_LATENCY_SUB_BUCKETS + bucket % FWD_LATENCY_SUB_BUCKETS)
	       << (major - FWD_LATENCY_SUB_BITS);
}

uint64_t fwd_latency_bucket_width(unsigned int bucket)
{
	if (bucket < FWD_LATENCY_SUB_BUCKETS)
		return 1;
	return UINT64_C(1) << (bucket_major(bucket) - FWD_LATENCY_SUB_BITS);
}

void fwd_latency_hist_merge(struct fwd_latency_hist *dst, const struct fwd_latency_hist *src)
{
	uint64_t min = __atomic_load_n(&src->min, __ATOMIC_RELAXED);
	uint64_t max = __atomic_load_n(&src->max, __ATOMIC_RELAXED);

	for (unsigned int b = 0; b < FWD_LATENCY_BUCKETS; b++)
		dst->buckets[b] += __atomic_load_n(&src->buckets[b], __ATOMIC_RELAXED);
	dst->sum += __atomic_load_n(&src->sum, __ATOMIC_RELAXED);
	if (min < dst->min)
		dst->min = min;
	if (max > dst->max)
		dst->max = max;
}

uint64_t fwd_latency_hist_count(const struct fwd_latency_hist *h)
{
	uint64_t count = 0;

	for (unsigned int b = 0; b < FWD_LATENCY_BUCKETS; b++)
		count += __atomic_load_n(&h->buckets[b], __ATOMIC_RELAXED);
	return count;
}

uint64_t fwd_latency_hist_percentile(const struct fwd_latency_hist *h, double pct)
{
	uint64_t count = fwd_latency_hist_count(h);
	uint64_t rank, seen = 0;

	if (count == 0)
		return 0;
	if (pct <= 0)
		return h->min;
	if (pct >= 100)
		return h->max;
	rank = (uint64_t)ceil(pct / 100.0 * (double)count);
	if (rank == 0)
		rank = 1;
	for (unsigned int b = 0; b < FWD_LATENCY_BUCKETS; b++) {
		uint64_t mid;

		seen += h->buckets[b];
		if (seen < rank)
			continue;
		mid = fwd_latency_bucket_low(b) + (fwd_latency_bucket_width(b) - 1) / 2;
		if (mid < h->min)
			return h->min;
		return mid > h->max ? h->max : mid;
	}
	return h->max;
}

void fwd_latency_seq_init(struct fwd_latency_seq *t)
{
	memset(t, 0, sizeof(*t));
}

static struct fwd_latency_source *seq_source(struct fwd_latency_seq *t, uint16_t id, uint32_t seq)
{
	struct fwd_latency_source *s;

	if (t->nb_sources != 0 && t->sources[t->last].id == id)
		return &t->sources[t->last];
	for (uint32_t i = 0; i < t->nb_sources; i++) {
		if (t->sources[i].id == id) {
			t->last = i;
			return &t->sources[i];
		}
	}
	if (t->nb_sources == FWD_LATENCY_MAX_SOURCES)
		return NULL;
	/* First frame of this source: nothing before it is expected (its generator may have
	 * started earlier than this receiver). */
	s = &t->sources[t->nb_sources];
	s->id = id;
	s->next_seq = seq;
	t->last = t->nb_sources++;
	return s;
}

void fwd_latency_seq_track(struct fwd_latency_seq *t, uint16_t source, uint32_t seq)
{
	struct fwd_latency_source *s = seq_source(t, source, seq);
	int32_t ahead;

	if (s == NULL) {
		fwd_latency_relaxed_add(&t->untracked, 1);
		return;
	}
	ahead = (int32_t)(seq - s->next_seq);
	if (ahead < 0) {
		fwd_latency_relaxed_add(&t->late, 1);
		return;
	}
	if (ahead > 0)
		fwd_latency_relaxed_add(&t->gaps, (uint64_t)ahead);
	s->next_seq = seq + 1;
}

void fwd_latency_seq_merge(struct fwd_latency_seq *dst, const struct fwd_latency_seq *src)
{
	dst->gaps += __atomic_load_n(&src->gaps, __ATOMIC_RELAXED);
	dst->late += __atomic_load_n(&src->late, __ATOMIC_RELAXED);
	dst->untracked += __atomic_load_n(&src->untracked, __ATOMIC_RELAXED);
}

void fwd_latency_summarize(const struct fwd_latency_hist *h, const struct fwd_latency_seq *t,
			   struct fwd_latency_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->count = fwd_latency_hist_count(h);
	/* A late frame was counted in a gap when its successor came: it is reordered, not lost. */
	out->lost = t->gaps > t->late ? t->gaps - t->late : 0;
	out->reordered = t->late;
	out->untracked = t->untracked;
	if (out->count == 0)
		return;
	out->min = h->min;
	out->p50 = fwd_latency_hist_percentile(h, 50);
	out->p99 = fwd_latency_hist_percentile(h, 99);
	out->p999 = fwd_latency_hist_percentile(h, 99.9);
	out->max = h->max;
	out->mean = h->sum / out->count;
}
