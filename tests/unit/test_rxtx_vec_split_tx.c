/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vector split Tx paths against the scalar one (EAL with --no-huge; our port over the scripted
 * device of tests/integration/test_scripted_device.h). The same seeded Tx bursts, replayed through
 * each burst function in turn, must give the device the same buffers (ids, descriptor counts, every
 * segment's length and address, every byte the device reads, header included), the same burst
 * results, the same mbuf pool use after every burst, the same queue and ring counters and the same
 * ring state: bursts of 1 to 33 mixing one-segment frames (header bytes already zero or not),
 * chains, checksum/TSO/VLAN-insert requests, frames without headroom, shared and indirect mbufs and
 * chains too long to send; ring sizes 64 to 4096 and their wrap, in order or not, indirect
 * descriptors or not, a device that completes in order, out of order, in batches or holds buffers
 * back, and bad completions. And the selector: each width through the devarg and the EAL's limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_vect.h>

#define RING 4096 /* the device's largest ring: each run sets its own size */
#include "test_scripted_device.h"

#include "base/vionet_devargs.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"
#include "test_run_suite.h"
#include "test_rxtx_vec_common.h"

#define FRAME_MAX 1200
#define BURST_MAX 33
#define STEPS 300
#define SEGS_MAX (VIONET_TX_MAX_SEGS + 2)

static uint16_t port;
static struct vionet_hw *hw;

struct tx_path {
	const char *name;
	eth_tx_burst_t fn;
	const char *cpu; /* the width test_cpu_has() checks; NULL: scalar */
};

static const struct tx_path paths[] = {
	{"scalar", vionet_xmit_split, NULL},
#ifdef VIONET_VEC_SSE
	{"sse", vionet_xmit_split_sse, "sse"},
#endif
#ifdef VIONET_VEC_AVX2
	{"avx2", vionet_xmit_split_avx2, "avx2"},
#endif
#ifdef VIONET_VEC_AVX512
	{"avx512", vionet_xmit_split_avx512, "avx512"},
#endif
};

enum rec_kind { REC_BURST, REC_BUF, REC_SEG };

/* What one run saw, in order: each burst's result and pool use, each buffer the device took and
 * each of its segments. */
struct rec {
	uint32_t kind;
	uint32_t a; /* burst: packets sent; buffer: id | ndescs << 16; segment: length */
	uint64_t b; /* burst: packets offered; buffer: segments | readable bytes << 16; segment: address */
	uint64_t c; /* burst: mbufs in use; buffer: hash of the bytes read */
};

struct run {
	struct rec *recs;
	unsigned int n, cap;
	struct vionet_queue_stats stats;
	struct virtq_err_stats err;
	uint16_t num_free, outstanding, last_used_idx, free_head, in_order_oldest, avail_idx;
	bool broken;
	unsigned int fast, scalar_kinds; /* packets of each kind the script offered */
};

static void
rec_add(struct run *r, uint32_t kind, uint32_t a, uint64_t b, uint64_t c)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 65536;
		r->recs = realloc(r->recs, r->cap * sizeof(*r->recs));
		if (r->recs == NULL)
			abort();
	}
	r->recs[r->n++] = (struct rec){kind, a, b, c};
}

static uint64_t
bytes_hash(uint64_t h, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* xorshift: the same script for every path of a configuration */
static uint32_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

struct config {
	uint16_t ring;
	bool in_order;
	bool bad;      /* bad used entries among the good ones */
	bool indirect; /* VIRTIO_F_INDIRECT_DESC offered */
	bool batches;  /* the device completes in batches (in order: one used entry for several) */
};

static struct rte_mempool *tx_pool;

/* The Rx queue's pool: the port needs one; Tx never touches it. */
static struct rte_mempool *
rx_pool(uint16_t ring)
{
	static struct rte_mempool *pools[13];
	struct rte_mempool **slot = &pools[rte_log2_u32(ring)];
	char name[32];

	if (*slot == NULL) {
		snprintf(name, sizeof(name), "txv_rx_%u", ring);
		*slot = rte_pktmbuf_pool_create(name, ring + 64u, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						SOCKET_ID_ANY);
		if (*slot == NULL)
			fatal("pool %s", name);
	}
	return *slot;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Every run takes the pool's mbufs in the same order (the pool has no per-lcore cache and hands its
 * objects out in the order they went in): the device sees the same addresses. */
static void
pool_reorder(struct rte_mempool *mp)
{
	unsigned int n = mp->size;
	void **objs = malloc(n * sizeof(*objs));

	require(objs != NULL && rte_mempool_get_bulk(mp, objs, n) == 0, "the whole Tx pool");
	qsort(objs, n, sizeof(*objs), ptr_cmp);
	rte_mempool_put_bulk(mp, objs, n);
	free(objs);
}

static struct vionet_txq *
port_for(const struct config *c)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	rte_eth_dev_stop(port);
	dev.offered = (c->in_order ? VIRTQ_FEATURE(VIONET_F_IN_ORDER) : 0) |
		      (c->indirect ? VIRTQ_FEATURE(VIONET_F_INDIRECT_DESC) : 0);
	hw->tp.devargs.in_order = c->in_order;
	hw->tp.devargs.queue_size = c->ring;
	require(rte_eth_dev_reset(port) == 0, "reset");
	require(rte_eth_dev_configure(port, 1, 1, &conf) == 0, "configure");
	require(rte_eth_rx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL, rx_pool(c->ring)) == 0,
		"rxq setup");
	require(rte_eth_tx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL) == 0, "txq setup");
	require(rte_eth_dev_start(port) == 0, "start");
	require(vionet_has_feature(hw, VIONET_F_IN_ORDER) == c->in_order, "in-order negotiated");
	require(vionet_has_feature(hw, VIONET_F_INDIRECT_DESC) == c->indirect, "indirect negotiated");
	return rte_eth_devices[port].data->tx_queues[0];
}

static struct rte_mbuf *
mbuf_alloc(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(tx_pool);

	if (m == NULL)
		fatal("Tx pool empty");
	return m;
}

/* A segment of len bytes after 'headroom' bytes; the bytes before the data (where a header goes)
 * zero or not. */
static struct rte_mbuf *
seg_make(uint64_t *seed, uint16_t headroom, uint16_t len, bool hdr_zero)
{
	struct rte_mbuf *m = mbuf_alloc();
	uint8_t *p;
	uint8_t v = (uint8_t)rnd(seed), step = (uint8_t)(rnd(seed) | 1);

	m->data_off = headroom;
	m->data_len = len;
	m->pkt_len = len;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	for (uint16_t i = 0; i < len; i++)
		p[i] = (uint8_t)(v + i * step);
	if (headroom >= HDR) {
		if (hdr_zero)
			memset(p - HDR, 0, HDR);
		else
			for (unsigned int i = 0; i < HDR; i++)
				p[(int)i - HDR] = (uint8_t)rnd(seed);
	}
	return m;
}

/* mbufs held by the test for a burst (the second reference of shared ones) */
static struct rte_mbuf *extra_refs[BURST_MAX];
static unsigned int extra_n;

/* One packet of the script; r counts which kind. */
static struct rte_mbuf *
packet_make(uint64_t *seed, struct run *r)
{
	unsigned int pick = rnd(seed) % 1000;
	uint16_t len = (uint16_t)(RTE_ETHER_HDR_LEN + rnd(seed) % (FRAME_MAX - RTE_ETHER_HDR_LEN));
	struct rte_mbuf *m;

	if (pick < 600 || pick >= 995) {
		/* the common case: one segment, the header bytes zero or not; the last ones with
		 * headroom for the header exactly */
		uint16_t headroom = pick >= 995 ? HDR : RTE_PKTMBUF_HEADROOM;

		m = seg_make(seed, headroom, len, rnd(seed) % 2 == 0);
		/* flags that ask nothing of the header */
		if (pick % 7 == 0)
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		r->fast++;
		return m;
	}
	r->scalar_kinds++;
	if (pick < 800) {
		/* a chain of 2 to 5 */
		unsigned int segs = 2 + rnd(seed) % 4;

		m = seg_make(seed, RTE_PKTMBUF_HEADROOM, len, rnd(seed) % 2 == 0);
		for (unsigned int i = 1; i < segs; i++)
			require(rte_pktmbuf_chain(m, seg_make(seed, (uint16_t)(rnd(seed) % 200),
							      (uint16_t)(1 + rnd(seed) % 300),
							      false)) == 0,
				"chain");
		return m;
	}
	m = seg_make(seed, RTE_PKTMBUF_HEADROOM, len, rnd(seed) % 2 == 0);
	if (pick < 900) {
		/* checksum and TSO requests: a header that is not zero */
		static const uint64_t l4[] = {RTE_MBUF_F_TX_TCP_CKSUM, RTE_MBUF_F_TX_UDP_CKSUM,
					      RTE_MBUF_F_TX_SCTP_CKSUM,
					      RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM};

		m->ol_flags |= l4[pick % 4] | (pick % 3 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = pick % 3 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
		m->l4_len = 20;
		m->tso_segsz = 1000;
	} else if (pick < 930) {
		/* VLAN insert in software */
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = (uint16_t)rnd(seed);
	} else if (pick < 955) {
		/* not enough headroom for the header */
		struct rte_mbuf *n = seg_make(seed, (uint16_t)(rnd(seed) % HDR), len, false);

		rte_pktmbuf_free(m);
		m = n;
	} else if (pick < 970) {
		/* shared: the test holds a second reference until after the burst */
		rte_mbuf_refcnt_update(m, 1);
		extra_refs[extra_n++] = m;
	} else if (pick < 985) {
		/* indirect: the data is another mbuf's */
		struct rte_mbuf *ind = mbuf_alloc();

		rte_pktmbuf_attach(ind, m);
		rte_pktmbuf_free(m);
		m = ind;
	} else if (pick < 987) {
		/* more segments than a packet may have: dropped */
		for (unsigned int i = 1; i < VIONET_TX_MAX_SEGS; i++)
			require(rte_pktmbuf_chain(m, seg_make(seed, RTE_PKTMBUF_HEADROOM, 10, false)) ==
					0,
				"chain");
	} else {
		/* a tagged frame asking for a checksum as well */
		m->ol_flags |= RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4;
		m->l2_len = RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
		m->l3_len = sizeof(struct rte_ipv4_hdr);
	}
	return m;
}

/* Device addresses as the same in every run: one in the queue's header/indirect slots (whose
 * memory may move between runs) by its offset there; an mbuf's as it is (pool_reorder). */
static uint64_t
addr_norm(const struct vionet_txq *txq, uint64_t addr)
{
	uint64_t slots_len = (uint64_t)txq->ring_size * sizeof(struct vionet_tx_slot);

	if (addr >= txq->slots_dev_addr && addr - txq->slots_dev_addr < slots_len)
		return (addr - txq->slots_dev_addr) | 1ull << 63;
	return addr;
}

/* The device's Tx side: buffers taken (recorded), held, completed in the configuration's way. */
struct device_tx {
	uint16_t held[RING];
	unsigned int n_held;
	uint16_t last_completed;
	bool break_now; /* in order with bad entries: the run's last steps on a broken ring */
};

/* Whether n more used entries keep the driver's unread ones within its outstanding buffers. */
static bool
used_fits(const struct virtq_split_dev *sd, const struct vionet_txq *txq, unsigned int n)
{
	return (uint16_t)(sd->used_idx - txq->vq.split.last_used_idx) + n <= txq->vq.split.outstanding;
}

static void
device_step(const struct config *c, const struct vionet_txq *txq, uint64_t *seed, struct run *r,
	    struct device_tx *d)
{
	struct virtq_split_dev *sd = &dev.split[1];
	unsigned int take = rnd(seed) % 48, done;
	static struct virtq_sg sg[SEGS_MAX];

	for (unsigned int i = 0; i < take; i++) {
		struct virtq_dev_buf b;
		uint64_t h = 0xcbf29ce484222325ull;

		if (virtq_split_dev_pop(sd, &b, sg, RTE_DIM(sg)) != 0)
			break;
		rec_add(r, REC_BUF, (uint32_t)b.id | (uint32_t)b.ndescs << 16,
			(uint64_t)b.nsegs | (uint64_t)b.readable_len << 16, 0);
		for (uint16_t s = 0; s < b.nsegs; s++) {
			h = bytes_hash(h, (const uint8_t *)(uintptr_t)sg[s].addr, sg[s].len);
			rec_add(r, REC_SEG, sg[s].len, addr_norm(txq, sg[s].addr), 0);
		}
		r->recs[r->n - 1 - b.nsegs].c = h;
		d->held[d->n_held++] = b.id;
	}
	/* complete some of what is held: all, or (sometimes) none or part */
	done = rnd(seed) % 4 == 0 ? rnd(seed) % (d->n_held + 1) : d->n_held;
	if (done == 0)
		return;
	if (c->in_order) {
		if (c->batches && done > 1 && rnd(seed) % 2 == 0) {
			virtq_split_dev_push_batch_last(sd, d->held[done - 1], 0, (uint16_t)done);
		} else {
			for (unsigned int i = 0; i < done; i++)
				virtq_split_dev_push(sd, d->held[i], 0);
		}
		/* rarely, and once near the end, an id the ring cannot skip: it breaks (2.7.9) */
		if (c->bad && (rnd(seed) % 200 == 0 || d->break_now))
			virtq_split_dev_push(sd, (uint16_t)(c->ring + 3), 0);
	} else {
		/*
		 * Out of order: any of the held ones; batches: published in pieces. Every entry
		 * keeps the driver's unread ones within its outstanding buffers (more is an index
		 * jump, which breaks the ring): after a bad entry the device may hold good ones
		 * back until the driver has read it.
		 */
		unsigned int completed = 0;

		for (; completed < done; completed++) {
			unsigned int k = completed + rnd(seed) % (d->n_held - completed);
			uint16_t id = d->held[k];

			if (!used_fits(sd, txq, 1))
				break;
			d->held[k] = d->held[completed];
			d->held[completed] = id;
			virtq_split_dev_push(sd, id, 0);
			if (c->bad && used_fits(sd, txq, 1) && rnd(seed) % 20 == 0)
				/* an id beyond the ring, or the one just returned again */
				virtq_split_dev_push(sd, rnd(seed) % 2 ? (uint16_t)(c->ring + rnd(seed) % 100)
								       : id, 0);
			if (c->batches && rnd(seed) % 3 == 0)
				virtq_split_dev_publish(sd);
		}
		done = completed;
		if (done == 0) {
			virtq_split_dev_publish(sd);
			return;
		}
	}
	d->last_completed = d->held[done - 1];
	memmove(d->held, &d->held[done], (d->n_held - done) * sizeof(d->held[0]));
	d->n_held -= done;
	virtq_split_dev_publish(sd);
}

static void
run_config(const struct config *c, const struct tx_path *p, struct run *r)
{
	static struct device_tx d;
	struct rte_mbuf *pkts[BURST_MAX];
	struct vionet_txq *txq;
	uint64_t seed = 0x2545f4914f6cdd1dull ^ ((uint64_t)c->ring << 8) ^ (uint64_t)c->in_order ^
			((uint64_t)c->bad << 1) ^ ((uint64_t)c->indirect << 2) ^
			((uint64_t)c->batches << 3);

	memset(r, 0, sizeof(*r));
	memset(&d, 0, sizeof(d));
	rte_eth_dev_stop(port);
	pool_reorder(tx_pool);
	txq = port_for(c);
	for (unsigned int step = 0; step < STEPS; step++) {
		uint16_t want = (uint16_t)(1 + rnd(&seed) % BURST_MAX), sent;

		extra_n = 0;
		for (uint16_t i = 0; i < want; i++)
			pkts[i] = packet_make(&seed, r);
		sent = p->fn(txq, pkts, want);
		/* what was not sent goes back to the pool (an application would retry it) */
		for (uint16_t i = sent; i < want; i++)
			rte_pktmbuf_free(pkts[i]);
		for (unsigned int i = 0; i < extra_n; i++)
			rte_pktmbuf_free(extra_refs[i]);
		rec_add(r, REC_BURST, sent, want, rte_mempool_in_use_count(tx_pool));
		d.break_now = step >= STEPS - 20;
		if (rnd(&seed) % 4 != 0 || d.break_now)
			device_step(c, txq, &seed, r, &d);
	}
	/* the device's last completions, then one more burst to reclaim them */
	device_step(c, txq, &seed, r, &d);
	rec_add(r, REC_BURST, (uint32_t)rte_eth_tx_done_cleanup(port, 0, 0), 0,
		rte_mempool_in_use_count(tx_pool));
	r->stats = txq->stats;
	r->err = txq->vq.split.err;
	r->num_free = txq->vq.split.num_free;
	r->outstanding = txq->vq.split.outstanding;
	r->last_used_idx = txq->vq.split.last_used_idx;
	r->free_head = txq->vq.split.free_head;
	r->in_order_oldest = txq->vq.split.in_order_oldest;
	r->avail_idx = txq->vq.split.avail_idx;
	r->broken = txq->vq.split.broken;
	rte_eth_dev_stop(port);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(tx_pool), 0);
}

static bool
runs_equal(const struct run *a, const struct run *b, const char *what)
{
	bool same = true;

	if (a->n != b->n) {
		fprintf(stderr, "%s: %u records, scalar %u\n", what, b->n, a->n);
		same = false;
	}
	for (unsigned int i = 0; i < RTE_MIN(a->n, b->n); i++) {
		const struct rec *x = &a->recs[i], *y = &b->recs[i];

		if (memcmp(x, y, sizeof(*x)) != 0) {
			fprintf(stderr, "%s: record %u differs: kind %u/%u a 0x%x/0x%x b 0x%lx/0x%lx "
				"c 0x%lx/0x%lx\n", what, i, x->kind, y->kind, x->a, y->a,
				(unsigned long)x->b, (unsigned long)y->b, (unsigned long)x->c,
				(unsigned long)y->c);
			same = false;
			break;
		}
	}
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats)) != 0) {
		fprintf(stderr, "%s: queue counters differ (packets %lu/%lu bytes %lu/%lu errors "
			"%lu/%lu multi_seg %lu/%lu kicks %lu/%lu)\n", what,
			(unsigned long)a->stats.packets, (unsigned long)b->stats.packets,
			(unsigned long)a->stats.bytes, (unsigned long)b->stats.bytes,
			(unsigned long)a->stats.errors, (unsigned long)b->stats.errors,
			(unsigned long)a->stats.multi_seg, (unsigned long)b->stats.multi_seg,
			(unsigned long)a->stats.notifications_sent,
			(unsigned long)b->stats.notifications_sent);
		same = false;
	}
	if (memcmp(&a->err, &b->err, sizeof(a->err)) != 0) {
		fprintf(stderr, "%s: ring error counters differ\n", what);
		same = false;
	}
	if (a->num_free != b->num_free || a->outstanding != b->outstanding ||
	    a->last_used_idx != b->last_used_idx || a->free_head != b->free_head ||
	    a->in_order_oldest != b->in_order_oldest || a->avail_idx != b->avail_idx ||
	    a->broken != b->broken) {
		fprintf(stderr, "%s: ring state differs\n", what);
		same = false;
	}
	return same;
}

static void
test_vector_tx_equals_scalar(void)
{
	static const uint16_t rings[] = {64, 256, 1024, 4096};
	unsigned int configs = 0, compared = 0;

	for (unsigned int ri = 0; ri < RTE_DIM(rings); ri++)
		for (unsigned int f = 0; f < 16; f++) {
			struct config c = {rings[ri], f & 1, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0};
			struct run scalar, vec;
			char what[112];

			run_config(&c, &paths[0], &scalar);
			/* the script must reach what it is meant to test */
			CU_ASSERT(scalar.fast > scalar.scalar_kinds && scalar.stats.multi_seg != 0 &&
				  scalar.stats.errors != 0);
			if (!c.bad)
				CU_ASSERT(!scalar.broken && scalar.avail_idx > c.ring &&
					  scalar.stats.packets > STEPS);
			if (c.bad && !c.in_order)
				CU_ASSERT(scalar.err.bad_id != 0 && scalar.err.not_outstanding != 0 &&
					  !scalar.broken);
			if (c.bad && c.in_order)
				CU_ASSERT(scalar.broken);
			configs++;
			if (getenv("TXV_VERBOSE"))
				printf("\nring %u io %d bad %d ind %d batch %d: fast %u other %u pkts %lu "
				       "err %lu multi %lu broken %d bad_id %lu not_out %lu jump %lu avail %u",
				       c.ring, c.in_order, c.bad, c.indirect, c.batches, scalar.fast,
				       scalar.scalar_kinds, (unsigned long)scalar.stats.packets,
				       (unsigned long)scalar.stats.errors,
				       (unsigned long)scalar.stats.multi_seg, scalar.broken,
				       (unsigned long)scalar.err.bad_id,
				       (unsigned long)scalar.err.not_outstanding,
				       (unsigned long)scalar.err.idx_jump, scalar.avail_idx);
			for (unsigned int pi = 1; pi < RTE_DIM(paths); pi++) {
				if (!test_cpu_has(paths[pi].cpu))
					continue;
				run_config(&c, &paths[pi], &vec);
				snprintf(what, sizeof(what),
					 "%s ring %u in_order %d bad %d indirect %d batches %d",
					 paths[pi].name, c.ring, c.in_order, c.bad, c.indirect, c.batches);
				CU_ASSERT(runs_equal(&scalar, &vec, what));
				compared++;
				free(vec.recs);
			}
			free(scalar.recs);
		}
	printf("\n  %u configurations, %u vector runs compared with the scalar one\n", configs,
	       compared);
	CU_ASSERT(compared >= configs);
}

/* The names of the Rx and Tx paths the port chose at its start. */
static void
started_paths(const char *devarg, uint16_t eal_bits, uint64_t rx_offloads, char *rx, char *tx)
{
	struct rte_eth_burst_mode mode;
	struct vionet_devargs da;
	struct rte_eth_conf conf;
	char err[256];

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = rx_offloads;
	rte_eth_dev_stop(port);
	dev.offered = 0;
	hw->tp.devargs.in_order = false;
	hw->tp.devargs.queue_size = 256;
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_reset(port), 0);
	CU_ASSERT_EQUAL_FATAL(vionet_devargs_parse("scripted0", devarg, VIONET_DEVARGS_PCI, &da, err,
						   sizeof(err)), 0);
	hw->tp.devargs.vector_bits_max = da.vector_bits_max;
	CU_ASSERT_EQUAL(rte_vect_set_max_simd_bitwidth(eal_bits), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, rx_pool(256)),
			      0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_start(port), 0);
	CU_ASSERT_EQUAL(rte_eth_rx_burst_mode_get(port, 0, &mode), 0);
	snprintf(rx, RTE_ETH_BURST_MODE_INFO_SIZE, "%s", mode.info);
	CU_ASSERT_EQUAL(rte_eth_tx_burst_mode_get(port, 0, &mode), 0);
	snprintf(tx, RTE_ETH_BURST_MODE_INFO_SIZE, "%s", mode.info);
	rte_eth_dev_stop(port);
}

static const char *
started_tx(const char *devarg, uint16_t eal_bits, uint64_t rx_offloads)
{
	static char rx[RTE_ETH_BURST_MODE_INFO_SIZE], tx[RTE_ETH_BURST_MODE_INFO_SIZE];

	started_paths(devarg, eal_bits, rx_offloads, rx, tx);
	return tx;
}

static void
test_selector_tx_widths(void)
{
	const bool sse = test_cpu_has("sse"), avx2 = test_cpu_has("avx2"),
		   avx512 = test_cpu_has("avx512");

	CU_ASSERT_STRING_EQUAL(started_tx("vectorized=0", RTE_VECT_SIMD_512, 0), "split scalar");
	/* through the devarg, the EAL allowing everything */
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_tx("vectorized=sse", RTE_VECT_SIMD_512, 0),
				       "split sse");
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_tx("vectorized=avx2", RTE_VECT_SIMD_512, 0),
				       "split avx2");
	if (avx512) {
		CU_ASSERT_STRING_EQUAL(started_tx("vectorized=avx512", RTE_VECT_SIMD_512, 0),
				       "split avx512");
		CU_ASSERT_STRING_EQUAL(started_tx("vectorized=auto", RTE_VECT_SIMD_512, 0),
				       "split avx512");
		CU_ASSERT_STRING_EQUAL(started_tx("vectorized=1", RTE_VECT_SIMD_512, 0),
				       "split avx512");
	}
	/* through the EAL's limit (what --force-max-simd-bitwidth sets) */
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_tx("vectorized=auto", RTE_VECT_SIMD_256, 0),
				       "split avx2");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_tx("vectorized=avx512", RTE_VECT_SIMD_128, 0),
				       "split sse");
	CU_ASSERT_STRING_EQUAL(started_tx("vectorized=auto", RTE_VECT_SIMD_DISABLED, 0),
			       "split scalar");
	/* Rx offloads (VLAN strip) keep both directions on their vector paths */
	if (avx512) {
		char rx[RTE_ETH_BURST_MODE_INFO_SIZE], tx[RTE_ETH_BURST_MODE_INFO_SIZE];

		started_paths("vectorized=auto", RTE_VECT_SIMD_512, RTE_ETH_RX_OFFLOAD_VLAN_STRIP, rx,
			      tx);
		CU_ASSERT_STRING_EQUAL(rx, "split avx512");
		CU_ASSERT_STRING_EQUAL(tx, "split avx512");
	}
	CU_ASSERT_EQUAL(rte_vect_set_max_simd_bitwidth(RTE_VECT_SIMD_512), 0);
}

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "768", "--no-pci", "--no-shconf",
		       "--iova-mode=va", "--no-telemetry", "--log-level=4", NULL};
	static CU_TestInfo tests[] = {
		{"vector split Tx equals scalar Tx", test_vector_tx_equals_scalar},
		{"selector: Tx widths by devarg and EAL limit", test_selector_tx_widths},
		CU_TEST_INFO_NULL,
	};
	struct vionet_devargs devargs = {0};

	RTE_SET_USED(argc);
	tally.name = "test_rxtx_vec_split_tx";
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	/* a ring's worth posted, a device holding more back, a burst being built, chains */
	tx_pool = rte_pktmbuf_pool_create("txv_tx", 3 * RING + 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (tx_pool == NULL)
		fatal("Tx pool");
	devargs.vector_bits_max = VIONET_VECTOR_ANY;
	port = scripted_port_create_devargs(&scripted_ops, &devargs, &hw);
	return test_run_suite("rxtx_vec_split_tx", tests);
}
