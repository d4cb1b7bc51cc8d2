/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packed vector Tx paths against the scalar one (EAL with --no-huge; our port over the
 * scripted device of tests/integration/test_scripted_device.h, packed rings). The same seeded
 * bursts, replayed through each burst function in turn, must give the device the same buffers
 * (ids, descriptor and segment counts, lengths and bytes, the header included), and leave the same
 * burst results, pool counts after every burst, queue and ring counters, notifications and ring
 * state (the descriptor ring too): across ring wrap, bursts of 1 to 33, ring sizes 64 to 4096 and
 * odd ones, in order or not, indirect descriptors or chains, completions in order, out of order
 * and batched, a device that declines notifications, bad completions (an id beyond the ring, one
 * not outstanding), and packets of every kind: one segment or several, checksum and TSO offloads,
 * VLAN insert, no headroom, shared and indirect mbufs, a header area zero or not. And the
 * selector's packed Tx rows.
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
#include <rte_tcp.h>
#include <rte_vect.h>

#define RING 4096 /* the device's largest ring: each run sets its own size */
#include "test_scripted_device.h"

#include "base/vionet_devargs.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"
#include "test_run_suite.h"
#include "test_rxtx_vec_common.h"

#define BURST_MAX 33
#define STEPS 500
#define SEG_MAX 1400

static uint16_t port;
static struct vionet_hw *hw;
static struct rte_mempool *rx_pool;

struct tx_path {
	const char *name;
	eth_tx_burst_t fn;
	const char *cpu; /* the width test_cpu_has() checks; NULL: scalar */
};

static const struct tx_path paths[] = {
	{"scalar", vionet_xmit_packed, NULL},
#ifdef VIONET_VEC_SSE
	{"sse", vionet_xmit_packed_sse, "sse"},
#endif
#ifdef VIONET_VEC_AVX2
	{"avx2", vionet_xmit_packed_avx2, "avx2"},
#endif
#ifdef VIONET_VEC_AVX512
	{"avx512", vionet_xmit_packed_avx512, "avx512"},
#endif
};

/* What one run saw, entry by entry: a burst (its result and the pool count after it), or a buffer
 * the device took. */
struct rec {
	uint32_t kind; /* 0: burst; 1: buffer */
	uint32_t a;    /* burst: result; buffer: id | ndescs << 16 */
	uint32_t b;    /* burst: pool objects free; buffer: nsegs | nreadable << 16 */
	uint32_t len;  /* buffer: readable bytes */
	uint64_t hash; /* buffer: its bytes, in order, and each segment's length */
};

struct run {
	struct rec *recs;
	unsigned int n, cap;
	struct vionet_queue_stats stats;
	struct virtq_err_stats err;
	struct virtq_packed_drv ring; /* pointers cleared */
	uint32_t desc_hash;	      /* len, id and flags of every descriptor */
	unsigned int kicks;
	unsigned int buffers, multi, bad_sent, pool_dry;
};

static void
rec_add(struct run *r, const struct rec *x)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 4096;
		r->recs = realloc(r->recs, r->cap * sizeof(*r->recs));
		if (r->recs == NULL)
			abort();
	}
	r->recs[r->n++] = *x;
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
	bool indirect;	 /* INDIRECT_DESC offered */
	bool bad;	 /* bad completions, rarely */
	bool small_pool; /* the application runs out of mbufs */
};

static struct rte_mempool *
pool_for(const struct config *c)
{
	static struct rte_mempool *pools[2][5000];
	struct rte_mempool **slot = &pools[c->small_pool][c->ring];
	char name[32];

	if (*slot == NULL) {
		snprintf(name, sizeof(name), "ptx_%u_%d", c->ring, c->small_pool);
		/* no per-lcore cache: whether a bulk get succeeds depends on the objects alone */
		*slot = rte_pktmbuf_pool_create(name, c->small_pool ? c->ring / 2 + 40u : c->ring * 3u + 400u,
						0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		if (*slot == NULL)
			fatal("pool %s", name);
	}
	return *slot;
}

static struct vionet_txq *
port_for(const struct config *c)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	rte_eth_dev_stop(port);
	dev.offered = VIRTQ_FEATURE(VIONET_F_EVENT_IDX) |
		      (c->in_order ? VIRTQ_FEATURE(VIONET_F_IN_ORDER) : 0) |
		      (c->indirect ? VIRTQ_FEATURE(VIONET_F_INDIRECT_DESC) : 0);
	hw->tp.devargs.in_order = c->in_order;
	hw->tp.devargs.queue_size = c->ring;
	require(rte_eth_dev_reset(port) == 0, "reset");
	require(rte_eth_dev_configure(port, 1, 1, &conf) == 0, "configure");
	require(rte_eth_rx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL, rx_pool) == 0,
		"rxq setup");
	require(rte_eth_tx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL) == 0, "txq setup");
	require(rte_eth_dev_start(port) == 0, "start");
	require(vionet_has_feature(hw, VIONET_F_IN_ORDER) == c->in_order, "in-order negotiated");
	require(vionet_has_feature(hw, VIONET_F_RING_PACKED), "packed negotiated");
	return rte_eth_devices[port].data->tx_queues[0];
}

/* Frame bytes from the script; the header area before them zero or not. */
static void
fill_seg(struct rte_mbuf *m, uint16_t data_off, uint16_t len, uint64_t *seed)
{
	uint8_t *p;

	m->data_off = data_off;
	m->data_len = len;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	for (uint16_t i = 0; i < len; i++)
		p[i] = (uint8_t)rnd(seed);
	if (data_off >= HDR) {
		if (rnd(seed) % 2)
			memset(p - HDR, 0, HDR);
		else
			for (unsigned int i = 0; i < HDR; i++)
				p[(int)i - HDR] = (uint8_t)(rnd(seed) | 1);
	}
}

/* One packet of the script's kind; NULL when the pool is dry. *extra: a reference the test keeps
 * (a shared mbuf), released after the burst. */
static struct rte_mbuf *
make_packet(struct rte_mempool *mp, uint64_t *seed, struct rte_mbuf **extra)
{
	uint32_t kind = rnd(seed) % 100;
	uint16_t len = (uint16_t)(RTE_ETHER_HDR_LEN + rnd(seed) % SEG_MAX);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	*extra = NULL;
	if (m == NULL)
		return NULL;
	/* an even data_off, as applications' frames have: rte_vlan_insert() moves the Ethernet
	 * header as a 2-byte aligned struct (UBSan) */
	fill_seg(m, (uint16_t)((RTE_PKTMBUF_HEADROOM - rnd(seed) % 64) & ~1u), len, seed);
	m->pkt_len = len;
	if (kind < 55)
		return m;
	if (kind < 65) {
		/* several segments (a few beyond the indirect table) */
		unsigned int segs = 1 + rnd(seed) % (rnd(seed) % 8 == 0 ? 20 : 3);

		for (unsigned int i = 0; i < segs; i++) {
			struct rte_mbuf *s = rte_pktmbuf_alloc(mp);

			if (s == NULL)
				break;
			fill_seg(s, (uint16_t)(rnd(seed) % RTE_PKTMBUF_HEADROOM), (uint16_t)(1 + rnd(seed) % 300),
				 seed);
			if (rte_pktmbuf_chain(m, s) != 0)
				rte_pktmbuf_free(s);
		}
		return m;
	}
	if (kind < 75) {
		/* checksum or TSO: a header that is not zero */
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = sizeof(struct rte_ipv4_hdr);
		m->l4_len = sizeof(struct rte_tcp_hdr);
		m->ol_flags = rnd(seed) % 2 ? RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4
					    : RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV6;
		m->tso_segsz = 1000;
		return m;
	}
	if (kind < 82) {
		/* no room for the header in headroom */
		fill_seg(m, (uint16_t)(rnd(seed) % HDR), len, seed);
		return m;
	}
	if (kind < 87) {
		/* shared: the test keeps a reference */
		rte_mbuf_refcnt_update(m, 1);
		*extra = m;
		return m;
	}
	if (kind < 92) {
		/* indirect: attached to another mbuf's data */
		struct rte_mbuf *mi = rte_pktmbuf_alloc(mp);

		if (mi == NULL)
			return m;
		rte_pktmbuf_attach(mi, m);
		rte_pktmbuf_free(m);
		return mi;
	}
	if (kind < 96) {
		m->ol_flags = RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = (uint16_t)rnd(seed);
		/* shared, the tag cannot go in: dropped and counted */
		if (rnd(seed) % 2) {
			rte_mbuf_refcnt_update(m, 1);
			*extra = m;
		}
		return m;
	}
	/* an offload whose header is still zero (SCTP checksum) */
	m->ol_flags = RTE_MBUF_F_TX_SCTP_CKSUM;
	return m;
}

/* Buffers the device took and has not returned, oldest first. */
struct device_side {
	uint16_t ids[RING];
	uint16_t ndescs[RING];
	unsigned int n;
	uint16_t last_returned;
};

static void
device_take(struct device_side *d, unsigned int max, struct run *r)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[32];

	while (max-- > 0 && d->n < RING && dev_pop(1, &b, sg, RTE_DIM(sg)) == 0) {
		struct rec x;

		memset(&x, 0, sizeof(x));
		x.kind = 1;
		x.a = (uint32_t)b.id | (uint32_t)b.ndescs << 16;
		x.b = (uint32_t)b.nsegs | (uint32_t)b.nreadable << 16;
		x.len = b.readable_len;
		x.hash = 0xcbf29ce484222325ull;
		for (uint16_t i = 0; i < b.nsegs; i++) {
			x.hash = bytes_hash(x.hash, (const uint8_t *)(uintptr_t)sg[i].addr, sg[i].len);
			x.hash = bytes_hash(x.hash, (const uint8_t *)&sg[i].len, sizeof(sg[i].len));
		}
		r->buffers++;
		r->multi += b.ndescs > 1 || b.nsegs > 1;
		rec_add(r, &x);
		d->ids[d->n] = b.id;
		d->ndescs[d->n] = b.ndescs;
		d->n++;
	}
}

/* The device returns some of what it took: in order one by one or as one batch, or (not in order)
 * in any order; rarely, with c->bad, a completion the ring cannot take. */
static void
device_return(const struct config *c, struct device_side *d, uint64_t *seed, struct run *r)
{
	struct virtq_packed_dev *pd = &dev.packed_q[1];
	unsigned int k = d->n == 0 ? 0 : rnd(seed) % (d->n + 1);
	uint32_t pick = rnd(seed) % 400;

	if (c->bad && pick < 2) {
		virtq_packed_dev_push(pd, pick == 0 ? (uint16_t)(c->ring + 3) : d->last_returned, 0, 1);
		r->bad_sent++;
	}
	if (k == 0) {
		virtq_packed_dev_publish(pd);
		return;
	}
	if (c->in_order && rnd(seed) % 3 == 0) {
		uint16_t descs = 0;

		for (unsigned int i = 0; i < k; i++)
			descs = (uint16_t)(descs + d->ndescs[i]);
		virtq_packed_dev_push_batch_last(pd, d->ids[k - 1], 0, descs);
	} else {
		unsigned int rot = c->in_order ? 0 : rnd(seed) % k;

		for (unsigned int i = 0; i < k; i++) {
			unsigned int j = c->in_order ? i : (k - 1 - i + rot) % k;

			virtq_packed_dev_push(pd, d->ids[j], 0, d->ndescs[j]);
		}
	}
	d->last_returned = d->ids[k - 1];
	memmove(d->ids, &d->ids[k], (d->n - k) * sizeof(d->ids[0]));
	memmove(d->ndescs, &d->ndescs[k], (d->n - k) * sizeof(d->ndescs[0]));
	d->n -= k;
	virtq_packed_dev_publish(pd);
}

static void
run_config(const struct config *c, const struct tx_path *p, struct run *r)
{
	static struct device_side d;
	struct rte_mempool *mp = pool_for(c);
	struct vionet_txq *txq;
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ ((uint64_t)c->ring << 8) ^ (uint64_t)c->in_order ^
			((uint64_t)c->bad << 1) ^ ((uint64_t)c->indirect << 2) ^
			((uint64_t)c->small_pool << 3);

	memset(r, 0, sizeof(*r));
	memset(&d, 0, sizeof(d));
	txq = port_for(c);
	dev.kicks = 0;
	for (unsigned int step = 0; step < STEPS; step++) {
		struct rte_mbuf *pkts[BURST_MAX], *extra[BURST_MAX];
		uint16_t want = (uint16_t)(1 + rnd(&seed) % BURST_MAX), made = 0, sent;
		uint32_t ev = rnd(&seed) % 16;
		struct rec x;

		/* the device's notification wishes: off, after some descriptors, on */
		if (ev == 0)
			virtq_packed_dev_disable_avail_notify(&dev.packed_q[1]);
		else if (ev == 1)
			virtq_packed_dev_enable_avail_notify_after(&dev.packed_q[1],
								   (uint16_t)(1 + rnd(&seed) % 64));
		else if (ev == 2)
			virtq_packed_dev_enable_avail_notify(&dev.packed_q[1]);
		for (; made < want; made++) {
			pkts[made] = make_packet(mp, &seed, &extra[made]);
			if (pkts[made] == NULL) {
				r->pool_dry++;
				break;
			}
		}
		sent = p->fn(txq, pkts, made);
		for (uint16_t i = 0; i < made; i++)
			rte_pktmbuf_free(extra[i]);
		rte_pktmbuf_free_bulk(&pkts[sent], (unsigned int)(made - sent));
		memset(&x, 0, sizeof(x));
		x.a = sent;
		x.b = rte_mempool_avail_count(mp);
		rec_add(r, &x);
		/* the device keeps some rounds to itself: the ring fills */
		if (rnd(&seed) % 4 != 0)
			device_take(&d, rnd(&seed) % 48, r);
		if (rnd(&seed) % 3 != 0)
			device_return(c, &d, &seed, r);
	}
	r->stats = txq->stats;
	r->err = txq->vq.packed.err;
	r->ring = txq->vq.packed;
	r->ring.desc = NULL;
	r->ring.driver_event = NULL;
	r->ring.device_event = NULL;
	r->ring.state = NULL;
	r->desc_hash = 0;
	for (uint16_t i = 0; i < c->ring; i++) {
		const struct virtq_packed_desc *dd = &txq->vq.packed.desc[i];

		r->desc_hash = r->desc_hash * 31 + dd->len + ((uint32_t)dd->id << 7) + dd->flags;
	}
	r->kicks = dev.kicks;
	rte_eth_dev_stop(port);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(mp), 0);
}

static bool
runs_equal(const struct run *a, const struct run *b, const char *what)
{
	bool same = true;

	if (a->n != b->n) {
		fprintf(stderr, "%s: %u records, scalar %u\n", what, b->n, a->n);
		same = false;
	}
	for (unsigned int i = 0; same && i < a->n; i++) {
		const struct rec *x = &a->recs[i], *y = &b->recs[i];

		if (memcmp(x, y, sizeof(*x)) != 0) {
			fprintf(stderr, "%s: record %u differs: kind %u/%u a 0x%x/0x%x b 0x%x/0x%x len %u/%u "
				"bytes %s\n", what, i, x->kind, y->kind, x->a, y->a, x->b, y->b, x->len,
				y->len, x->hash == y->hash ? "same" : "differ");
			same = false;
		}
	}
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats)) != 0) {
		fprintf(stderr, "%s: queue counters differ (packets %lu/%lu errors %lu/%lu multi %lu/%lu "
			"kicks %lu/%lu suppressed %lu/%lu)\n", what, (unsigned long)a->stats.packets,
			(unsigned long)b->stats.packets, (unsigned long)a->stats.errors,
			(unsigned long)b->stats.errors, (unsigned long)a->stats.multi_seg,
			(unsigned long)b->stats.multi_seg, (unsigned long)a->stats.notifications_sent,
			(unsigned long)b->stats.notifications_sent,
			(unsigned long)a->stats.notifications_suppressed,
			(unsigned long)b->stats.notifications_suppressed);
		same = false;
	}
	if (memcmp(&a->err, &b->err, sizeof(a->err)) != 0) {
		fprintf(stderr, "%s: ring error counters differ\n", what);
		same = false;
	}
	if (memcmp(&a->ring, &b->ring, sizeof(a->ring)) != 0 || a->desc_hash != b->desc_hash) {
		fprintf(stderr, "%s: ring state differs\n", what);
		same = false;
	}
	if (a->kicks != b->kicks) {
		fprintf(stderr, "%s: device notified %u times, scalar %u\n", what, b->kicks, a->kicks);
		same = false;
	}
	return same;
}

static void
test_vector_tx_equals_scalar(void)
{
	static const uint16_t rings[] = {64, 67, 255, 1000, 4096};
	unsigned int configs = 0, compared = 0;

	for (unsigned int ri = 0; ri < RTE_DIM(rings); ri++)
		for (unsigned int f = 0; f < 16; f++) {
			struct config c = {rings[ri], f & 1, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0};
			struct run scalar, vec;
			char what[112];

			/* the small pool and bad completions: not with every ring and feature */
			if (c.small_pool && c.bad)
				continue;
			run_config(&c, &paths[0], &scalar);
			/* the script must reach what it is meant to test */
			CU_ASSERT(scalar.stats.multi_seg != 0 && scalar.stats.errors != 0);
			if (!c.bad)
				CU_ASSERT(!scalar.ring.broken && scalar.stats.notifications_sent != 0);
			if (!c.bad && !c.small_pool)
				CU_ASSERT(scalar.stats.notifications_suppressed != 0);
			/* past the ring's end, or out of mbufs */
			if (!c.bad && !c.small_pool)
				CU_ASSERT(scalar.buffers > c.ring);
			if (c.small_pool)
				CU_ASSERT(scalar.pool_dry != 0);
			if (c.bad && scalar.bad_sent != 0)
				CU_ASSERT(scalar.ring.broken &&
					  scalar.err.bad_id + scalar.err.not_outstanding != 0);
			configs++;
			for (unsigned int pi = 1; pi < RTE_DIM(paths); pi++) {
				if (!test_cpu_has(paths[pi].cpu))
					continue;
				run_config(&c, &paths[pi], &vec);
				snprintf(what, sizeof(what),
					 "%s ring %u in_order %d indirect %d bad %d small pool %d",
					 paths[pi].name, c.ring, c.in_order, c.indirect, c.bad,
					 c.small_pool);
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

/* The name of the Tx path the port chose at its start. */
static const char *
started_tx_path(const char *devarg, uint16_t eal_bits)
{
	static struct rte_eth_burst_mode mode;
	struct vionet_devargs da;
	struct rte_eth_conf conf;
	char err[256];

	memset(&conf, 0, sizeof(conf));
	rte_eth_dev_stop(port);
	CU_ASSERT_EQUAL_FATAL(vionet_devargs_parse("scripted0", devarg, VIONET_DEVARGS_PCI, &da, err,
						   sizeof(err)), 0);
	hw->tp.devargs.vector_bits_max = da.vector_bits_max;
	CU_ASSERT_EQUAL(rte_vect_set_max_simd_bitwidth(eal_bits), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, rx_pool), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_start(port), 0);
	CU_ASSERT_EQUAL(rte_eth_tx_burst_mode_get(port, 0, &mode), 0);
	rte_eth_dev_stop(port);
	return mode.info;
}

static void
test_selector_packed_tx(void)
{
	const bool sse = test_cpu_has("sse"), avx2 = test_cpu_has("avx2"),
		   avx512 = test_cpu_has("avx512");

	hw->tp.devargs.queue_size = 256;
	CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=0", RTE_VECT_SIMD_512), "packed scalar");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=sse", RTE_VECT_SIMD_512),
				       "packed sse");
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=avx2", RTE_VECT_SIMD_512),
				       "packed avx2");
	if (avx512) {
		CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=avx512", RTE_VECT_SIMD_512),
				       "packed avx512");
		CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=auto", RTE_VECT_SIMD_512),
				       "packed avx512");
	}
	/* through the EAL's limit (what --force-max-simd-bitwidth sets) */
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=auto", RTE_VECT_SIMD_256),
				       "packed avx2");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=avx512", RTE_VECT_SIMD_128),
				       "packed sse");
	CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=auto", RTE_VECT_SIMD_DISABLED),
			       "packed scalar");
	/* in order too: the same rows */
	dev.offered = VIRTQ_FEATURE(VIONET_F_IN_ORDER);
	hw->tp.devargs.in_order = true;
	require(rte_eth_dev_reset(port) == 0, "reset");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_tx_path("vectorized=sse", RTE_VECT_SIMD_512),
				       "packed sse");
	CU_ASSERT(vionet_has_feature(hw, VIONET_F_IN_ORDER));
}

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf",
		       "--iova-mode=va", "--no-telemetry", "--log-level=4", NULL};
	static CU_TestInfo tests[] = {
		{"packed vector Tx equals scalar Tx", test_vector_tx_equals_scalar},
		{"selector: packed Tx rows", test_selector_packed_tx},
		CU_TEST_INFO_NULL,
	};
	struct vionet_devargs devargs = {0};

	RTE_SET_USED(argc);
	tally.name = "test_rxtx_vec_packed_tx";
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rx_pool = rte_pktmbuf_pool_create("ptx_rx", 2 * RING + 512, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (rx_pool == NULL)
		fatal("rx pool");
	dev.packed = true;
	devargs.packed_vq = true;
	devargs.vector_bits_max = VIONET_VECTOR_ANY;
	port = scripted_port_create_devargs(&scripted_ops, &devargs, &hw);
	return test_run_suite("rxtx_vec_packed_tx", tests);
}
