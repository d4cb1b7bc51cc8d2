/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packed ring vector Rx paths against the scalar one (EAL with --no-huge; our port over the
 * scripted device of tests/integration/test_scripted_device.h, packed rings). The same device
 * traffic, replayed from one seed through each burst function in turn, must give the same packets
 * (bytes and every field the Rx path sets in the mbuf), the same burst results, the same queue and
 * ring counters and the same ring state (lib/virtq's and every descriptor's len, id and flags): across
 * ring wrap, bursts of 1 to 33, ring sizes 64 to 4096 and odd ones, in order or not, device batches,
 * a pool that runs dry, bad descriptors that are rejected (length too big, runt, empty) and those
 * that break the ring (flags contradicting the wrap counter, an id out of range, an id not
 * outstanding). Mergeable buffers: the same with most packets in one buffer, some over 2 to 4, and
 * (bad) a num_buffers of 0 or above the buffers posted, every segment compared; and num_buffers at
 * exactly the buffers posted, and one more. And the selector: each width through the devarg and
 * through the EAL's SIMD limit, and the scalar fallback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
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

#define FRAME_MAX 1500
#define BURST_MAX 33
#define STEPS 400
/* the step at which a breaking descriptor comes, when the configuration has one */
#define BREAK_STEP 250

static uint16_t port;
static struct vionet_hw *hw;

struct rx_path {
	const char *name;
	eth_rx_burst_t fn;
	eth_rx_burst_t fn_mrg; /* with mergeable buffers */
	const char *cpu; /* the width test_cpu_has() checks; NULL: scalar */
};

static const struct rx_path paths[] = {
	{"scalar", vionet_recv_packed, vionet_recv_packed_mrg, NULL},
#ifdef VIONET_VEC_SSE
	{"sse", vionet_recv_packed_sse, vionet_recv_packed_mrg_sse, "sse"},
#endif
#ifdef VIONET_VEC_AVX2
	{"avx2", vionet_recv_packed_avx2, vionet_recv_packed_mrg_avx2, "avx2"},
#endif
#ifdef VIONET_VEC_AVX512
	{"avx512", vionet_recv_packed_avx512, vionet_recv_packed_mrg_avx512, "avx512"},
#endif
};

/* What one run saw, entry by entry: a burst's result, then each of its packets. */
struct rec {
	uint32_t kind; /* 0: burst result in pkt_len; 1: a packet; 2: a further segment of it */
	uint32_t packet_type;
	uint64_t rearm; /* data_off, refcnt, nb_segs, port */
	uint64_t ol_flags;
	uint64_t data_hash;
	uint32_t pkt_len;
	uint16_t data_len;
	uint16_t vlan_tci;
	uint16_t vlan_tci_outer;
	uint16_t pad[3];
};

/* The bad descriptor that breaks the ring, once, at BREAK_STEP. */
enum breaker {
	BREAK_NONE,
	BREAK_BAD_ID,	   /* an id at or beyond the ring size */
	BREAK_REPEAT_ID,   /* the id of a buffer this step already returned: not outstanding */
	BREAK_BAD_FLAGS,   /* AVAIL and USED both the other lap's: contradicting the wrap counter */
	BREAK_KINDS,
};

struct run {
	struct rec *recs;
	unsigned int n, cap;
	struct vionet_queue_stats stats;
	struct virtq_err_stats err;
	uint16_t num_free, outstanding, last_used, free_id, in_order_oldest, next_avail;
	bool used_wrap, avail_wrap, broken;
	uint64_t ring_hash; /* every descriptor's len, id and flags */
	bool broken_before; /* at the step before BREAK_STEP */
	unsigned int zeroed_rss; /* packets with hash.rss 0: through a vector group */
	unsigned int wraps;	 /* times the used wrap counter flipped */
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

static void
record_packet(struct run *r, const struct rte_mbuf *m)
{
	struct rec x;

	memset(&x, 0, sizeof(x));
	x.kind = 1;
	x.packet_type = m->packet_type;
	memcpy(&x.rearm, &m->rearm_data, sizeof(x.rearm));
	x.ol_flags = m->ol_flags;
	x.data_hash = bytes_hash(0xcbf29ce484222325ull, rte_pktmbuf_mtod(m, const uint8_t *),
				 m->data_len);
	x.pkt_len = m->pkt_len;
	x.data_len = m->data_len;
	x.vlan_tci = m->vlan_tci;
	x.vlan_tci_outer = m->vlan_tci_outer;
	/* hash.rss means nothing without RTE_MBUF_F_RX_RSS_HASH: not compared. The scalar step
	 * leaves it as it was, the vector groups write 0 (rx_descriptor_fields1 whole): what tells
	 * how many packets came through vector groups. */
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_RX_RSS_HASH, 0);
	r->zeroed_rss += m->hash.rss == 0;
	rec_add(r, &x);
	for (m = m->next; m != NULL; m = m->next) {
		memset(&x, 0, sizeof(x));
		x.kind = 2;
		memcpy(&x.rearm, &m->rearm_data, sizeof(x.rearm));
		x.data_hash = bytes_hash(0xcbf29ce484222325ull, rte_pktmbuf_mtod(m, const uint8_t *),
					 m->data_len);
		x.data_len = m->data_len;
		rec_add(r, &x);
	}
}

/* Fields a fresh packet must not inherit: every pool object gets them dirty before a run. */
static void
dirty_mbuf(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;

	RTE_SET_USED(mp);
	RTE_SET_USED(opaque);
	m->data_off = (uint16_t)(idx & 63);
	m->port = 0x77;
	m->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_L4_CKSUM_BAD;
	m->packet_type = 0x1234;
	m->vlan_tci = 7;
	m->vlan_tci_outer = 9;
	m->hash.rss = 0xdead;
	m->pkt_len = 3;
	m->data_len = 3;
	/* the bytes a device leaves unwritten: the same in every run */
	memset(m->buf_addr, 0xa5, m->buf_len);
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
	bool bad;	 /* rejected descriptors among the good ones */
	bool small_pool; /* the pool runs dry while the application holds packets */
	enum breaker breaker;
	bool mrg;	 /* mergeable Rx buffers */
	bool strip_late; /* VLAN strip turned on after the start: the vector path gives way */
};

static struct rte_mempool *
pool_for(const struct config *c)
{
	static struct rte_mempool *pools[2][8];
	static uint16_t rings[8];
	unsigned int i;
	char name[32];

	for (i = 0; i < RTE_DIM(rings) && rings[i] != 0 && rings[i] != c->ring; i++)
		;
	if (i == RTE_DIM(rings))
		fatal("too many ring sizes");
	rings[i] = c->ring;
	if (pools[c->small_pool][i] == NULL) {
		snprintf(name, sizeof(name), "vecp_%u_%d", c->ring, c->small_pool);
		/* no per-lcore cache: whether a bulk get succeeds depends on the objects alone */
		pools[c->small_pool][i] = rte_pktmbuf_pool_create(
			name, c->ring + (c->small_pool ? 24u : 4u * BURST_MAX + 64u), 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		if (pools[c->small_pool][i] == NULL)
			fatal("pool %s", name);
	}
	return pools[c->small_pool][i];
}

/* A fresh port with the configuration's features and ring: negotiated again when in-order changes. */
static struct vionet_rxq *
port_for(const struct config *c, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	rte_eth_dev_stop(port);
	dev.offered = (c->in_order ? VIRTQ_FEATURE(VIONET_F_IN_ORDER) : 0) |
		      (c->mrg ? VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF) : 0);
	hw->tp.devargs.in_order = c->in_order;
	hw->tp.devargs.mrg_rxbuf = c->mrg;
	hw->tp.devargs.queue_size = c->ring;
	require(rte_eth_dev_reset(port) == 0, "reset");
	require(rte_eth_dev_configure(port, 1, 1, &conf) == 0, "configure");
	require(rte_eth_rx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL, mp) == 0, "rxq setup");
	require(rte_eth_tx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL) == 0, "txq setup");
	require(rte_eth_dev_start(port) == 0, "start");
	require(vionet_has_feature(hw, VIONET_F_RING_PACKED), "packed negotiated");
	require(vionet_has_feature(hw, VIONET_F_IN_ORDER) == c->in_order, "in-order negotiated");
	require(vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF) == c->mrg, "mergeable negotiated");
	if (c->strip_late)
		require(rte_eth_dev_set_vlan_offload(port, RTE_ETH_VLAN_STRIP_OFFLOAD) == 0,
			"VLAN strip on");
	return rte_eth_devices[port].data->rx_queues[0];
}

/* A continuation buffer of a mergeable packet: any length up to the buffer's, bytes at random. */
static bool
device_fill_more(uint64_t *seed, uint16_t *id, uint32_t *len)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[4];
	uint8_t *p;

	if (dev_pop(0, &b, sg, RTE_DIM(sg)) != 0)
		return false;
	p = (uint8_t *)(uintptr_t)sg[0].addr;
	*len = 1 + rnd(seed) % sg[0].len;
	for (uint32_t i = 0; i < *len; i++)
		p[i] = (uint8_t)(rnd(seed) >> 3);
	*id = b.id;
	return true;
}

/*
 * The device fills up to k buffers: good frames and (c->bad) rejected ones, out of order unless in
 * order, sometimes as one in-order batch; at BREAK_STEP, one descriptor that breaks the ring
 * (c->breaker) somewhere among them. Mergeable: num_buffers in each packet's header, some packets
 * over 2 to 4 buffers, and (bad) a num_buffers of 0 or above the buffers posted.
 */
static void
device_step(const struct config *c, uint64_t *seed, unsigned int step)
{
	struct virtq_packed_dev *pd = &dev.packed_q[0];
	unsigned int k = rnd(seed) % 40;
	uint16_t ids[64];
	uint32_t lens[64];
	unsigned int n = 0, break_at = UINT32_MAX;
	uint16_t bad_pos = 0;
	bool bad_wrap = false;

	while (n < k) {
		struct virtq_dev_buf b;
		struct virtq_sg sg[4];
		uint32_t frame = RTE_ETHER_HDR_LEN + rnd(seed) % (FRAME_MAX - RTE_ETHER_HDR_LEN);
		uint32_t len = HDR + frame, pick = rnd(seed) % 100;
		uint16_t nbufs = 1, more = 0;
		uint8_t *p;

		if (dev_pop(0, &b, sg, RTE_DIM(sg)) != 0)
			break;
		p = (uint8_t *)(uintptr_t)sg[0].addr;
		memset(p, 0, HDR);
		for (uint32_t i = 0; i < frame && HDR + i < sg[0].len; i++)
			p[HDR + i] = (uint8_t)(rnd(seed) >> 3);
		if (c->strip_late && rnd(seed) % 3 == 0) {
			p[HDR + 12] = 0x81; /* RTE_ETHER_TYPE_VLAN */
			p[HDR + 13] = 0x00;
		}
		if (c->bad && pick < 3) {
			len = sg[0].len + 1 + pick; /* too long */
		} else if (c->bad && pick < 6) {
			len = HDR + pick % RTE_ETHER_HDR_LEN; /* a runt */
		} else if (c->bad && pick < 7) {
			len = 0;
		}
		ids[n] = b.id;
		lens[n++] = len;
		if (c->mrg) {
			struct vionet_net_hdr h;

			if (rnd(seed) % 8 == 0)
				more = (uint16_t)(1 + rnd(seed) % 3);
			for (; more > 0 && device_fill_more(seed, &ids[n], &lens[n]); more--, n++)
				nbufs++;
			if (c->bad && pick >= 7 && pick < 9)
				/* none, or more than the ring holds */
				nbufs = pick == 7 ? 0 : (uint16_t)(c->ring + 1 + rnd(seed) % 100);
			memset(&h, 0, sizeof(h));
			h.num_buffers = rte_cpu_to_le_16(nbufs);
			RTE_BUILD_BUG_ON(sizeof(h) != HDR);
			memcpy(p, &h, HDR);
		}
	}
	if (n == 0)
		return;
	if (c->breaker != BREAK_NONE && step == BREAK_STEP)
		break_at = n / 2 + (n > 2);
	if (c->in_order && break_at == UINT32_MAX && rnd(seed) % 8 == 0) {
		virtq_packed_dev_push_batch_last(pd, ids[n - 1], lens[n - 1], (uint16_t)n);
	} else {
		/* not in order: the device returns them in any order (here rotated; a mergeable
		 * packet's buffers stay together) */
		unsigned int rot = c->in_order || c->mrg ? 0 : rnd(seed) % n;

		for (unsigned int i = 0; i < n; i++) {
			unsigned int j = (i + rot) % n;
			uint16_t id = ids[j];

			if (i == break_at) {
				if (c->breaker == BREAK_BAD_ID)
					id = (uint16_t)(c->ring + (rnd(seed) & 7));
				else if (c->breaker == BREAK_REPEAT_ID && i > 0)
					id = ids[(j + n - 1) % n];
				else if (c->breaker == BREAK_BAD_FLAGS) {
					bad_pos = pd->next_used;
					bad_wrap = pd->used_wrap;
				}
			}
			virtq_packed_dev_push(pd, id, lens[j], 1);
		}
	}
	virtq_packed_dev_publish(pd);
	if (break_at != UINT32_MAX && c->breaker == BREAK_BAD_FLAGS)
		/* after the publish, which stores the first descriptor's flags */
		virtq_store16(&pd->desc[bad_pos].flags,
			      (uint16_t)(virtq_packed_used_bits(!bad_wrap) | VIRTQ_DESC_F_WRITE));
}

static uint64_t
ring_hash(const struct virtq_packed_drv *vq)
{
	uint64_t h = 0xcbf29ce484222325ull;

	/* addr left out: which mbuf a slot gets depends on the pool's order, not the path */
	for (uint16_t i = 0; i < vq->size; i++) {
		h = bytes_hash(h, (const uint8_t *)&vq->desc[i].len, sizeof(vq->desc[i].len));
		h = bytes_hash(h, (const uint8_t *)&vq->desc[i].id, sizeof(vq->desc[i].id));
		h = bytes_hash(h, (const uint8_t *)&vq->desc[i].flags, sizeof(vq->desc[i].flags));
	}
	return h;
}

static void run_finish(struct run *r, struct vionet_rxq *rxq, struct rte_mempool *mp);

static void
run_config(const struct config *c, const struct rx_path *p, struct run *r)
{
	struct rte_mempool *mp = pool_for(c);
	struct vionet_rxq *rxq;
	struct rte_mbuf *held[8][BURST_MAX];
	uint16_t held_n[8] = {0};
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ ((uint64_t)c->ring << 8) ^ (uint64_t)c->in_order ^
			((uint64_t)c->bad << 1) ^ ((uint64_t)c->small_pool << 2) ^
			((uint64_t)c->breaker << 4) ^ ((uint64_t)c->mrg << 3) ^
			((uint64_t)c->strip_late << 8);
	unsigned int hold = c->small_pool ? 6 : 1;
	bool wrap = true; /* 2.8.1: the counters start at 1 */

	memset(r, 0, sizeof(*r));
	rte_eth_dev_stop(port);
	rte_mempool_obj_iter(mp, dirty_mbuf, NULL);
	rxq = port_for(c, mp);
	for (unsigned int step = 0; step < STEPS; step++) {
		struct rte_mbuf **pkts = held[step % hold];
		uint16_t want = (uint16_t)(1 + rnd(&seed) % BURST_MAX), got;
		struct rec x;

		rte_pktmbuf_free_bulk(pkts, held_n[step % hold]);
		if (rnd(&seed) % 3 != 0 || step == BREAK_STEP)
			device_step(c, &seed, step);
		got = (c->mrg ? p->fn_mrg : p->fn)(rxq, pkts, want);
		held_n[step % hold] = got;
		memset(&x, 0, sizeof(x));
		x.pkt_len = got;
		rec_add(r, &x);
		for (uint16_t i = 0; i < got; i++)
			record_packet(r, pkts[i]);
		if (step == BREAK_STEP - 1)
			r->broken_before = rxq->vq.packed.broken;
		r->wraps += rxq->vq.packed.used_wrap != wrap;
		wrap = rxq->vq.packed.used_wrap;
	}
	for (unsigned int i = 0; i < hold; i++)
		rte_pktmbuf_free_bulk(held[i], held_n[i]);
	run_finish(r, rxq, mp);
}

/* The queue's counters and ring state at the end of a run; the port stopped, every mbuf back. */
static void
run_finish(struct run *r, struct vionet_rxq *rxq, struct rte_mempool *mp)
{
	r->stats = rxq->stats;
	r->err = rxq->vq.packed.err;
	r->num_free = rxq->vq.packed.num_free;
	r->outstanding = rxq->vq.packed.outstanding;
	r->last_used = rxq->vq.packed.last_used;
	r->used_wrap = rxq->vq.packed.used_wrap;
	r->free_id = rxq->vq.packed.free_id;
	r->in_order_oldest = rxq->vq.packed.in_order_oldest;
	r->next_avail = rxq->vq.packed.next_avail;
	r->avail_wrap = rxq->vq.packed.avail_wrap;
	r->broken = rxq->vq.packed.broken;
	r->ring_hash = ring_hash(&rxq->vq.packed);
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
		if (memcmp(&a->recs[i], &b->recs[i], sizeof(a->recs[i])) != 0) {
			const struct rec *x = &a->recs[i], *y = &b->recs[i];

			fprintf(stderr,
				"%s: record %u differs: kind %u/%u len %u/%u data_len %u/%u ol 0x%lx/0x%lx "
				"ptype 0x%x/0x%x rearm 0x%lx/0x%lx vlan %u/%u outer %u/%u hash %d\n",
				what, i, x->kind, y->kind, x->pkt_len, y->pkt_len, x->data_len, y->data_len,
				(unsigned long)x->ol_flags, (unsigned long)y->ol_flags, x->packet_type,
				y->packet_type, (unsigned long)x->rearm, (unsigned long)y->rearm, x->vlan_tci,
				y->vlan_tci, x->vlan_tci_outer, y->vlan_tci_outer, x->data_hash == y->data_hash);
			same = false;
		}
	}
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats)) != 0) {
		fprintf(stderr, "%s: queue counters differ (packets %lu/%lu errors %lu/%lu runts %lu/%lu "
			"alloc failed %lu/%lu kicks %lu/%lu)\n", what, (unsigned long)a->stats.packets,
			(unsigned long)b->stats.packets, (unsigned long)a->stats.errors,
			(unsigned long)b->stats.errors, (unsigned long)a->stats.runt_frames_dropped,
			(unsigned long)b->stats.runt_frames_dropped,
			(unsigned long)a->stats.mbuf_alloc_failed, (unsigned long)b->stats.mbuf_alloc_failed,
			(unsigned long)a->stats.notifications_sent,
			(unsigned long)b->stats.notifications_sent);
		same = false;
	}
	if (memcmp(&a->err, &b->err, sizeof(a->err)) != 0) {
		fprintf(stderr, "%s: ring error counters differ\n", what);
		same = false;
	}
	if (a->num_free != b->num_free || a->outstanding != b->outstanding ||
	    a->last_used != b->last_used || a->used_wrap != b->used_wrap ||
	    a->free_id != b->free_id || a->in_order_oldest != b->in_order_oldest ||
	    a->next_avail != b->next_avail || a->avail_wrap != b->avail_wrap ||
	    a->broken != b->broken) {
		fprintf(stderr, "%s: ring state differs\n", what);
		same = false;
	}
	if (a->ring_hash != b->ring_hash) {
		fprintf(stderr, "%s: descriptor ring differs\n", what);
		same = false;
	}
	return same;
}

/* What the scalar run of a configuration must have gone through for the comparison to mean
 * anything. */
static void
check_script_reached(const struct config *c, const struct run *s)
{
	if (c->breaker == BREAK_NONE) {
		CU_ASSERT(s->stats.packets > STEPS && !s->broken && s->wraps >= 1 &&
			  (c->ring > 1024 || s->wraps >= 4));
	} else {
		CU_ASSERT(s->broken && !s->broken_before);
		if (c->breaker == BREAK_BAD_ID)
			CU_ASSERT(s->err.bad_id == 1);
		if (c->breaker == BREAK_REPEAT_ID)
			CU_ASSERT(s->err.not_outstanding == 1);
		if (c->breaker == BREAK_BAD_FLAGS)
			CU_ASSERT(s->err.bad_wrap == 1);
	}
	if (c->bad)
		CU_ASSERT(s->err.len_too_big != 0 && s->stats.runt_frames_dropped != 0 &&
			  s->stats.errors > s->stats.runt_frames_dropped + s->err.len_too_big);
	if (c->small_pool)
		CU_ASSERT(s->stats.mbuf_alloc_failed != 0);
	if (c->mrg && !s->broken)
		CU_ASSERT(s->stats.multi_seg != 0);
	if (!c->mrg)
		CU_ASSERT_EQUAL(s->stats.multi_seg, 0);
	if (c->strip_late) {
		unsigned int stripped = 0;

		for (unsigned int i = 0; i < s->n; i++)
			stripped += s->recs[i].kind == 1 &&
				    (s->recs[i].ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) != 0;
		CU_ASSERT(stripped != 0);
	}
}

static unsigned int configs, compared;

static void
compare_config(const struct config *c)
{
	struct run scalar, vec;
	char what[128];

	run_config(c, &paths[0], &scalar);
	check_script_reached(c, &scalar);
	configs++;
	for (unsigned int pi = 1; pi < RTE_DIM(paths); pi++) {
		if (!test_cpu_has(paths[pi].cpu))
			continue;
		run_config(c, &paths[pi], &vec);
		snprintf(what, sizeof(what),
			 "%s ring %u in_order %d bad %d small pool %d breaker %d mrg %d",
			 paths[pi].name, c->ring, c->in_order, c->bad, c->small_pool, c->breaker,
			 c->mrg);
		CU_ASSERT(runs_equal(&scalar, &vec, what));
		if (c->strip_late) {
			/* every packet through the scalar path, none through a vector group */
			CU_ASSERT_EQUAL(vec.zeroed_rss, 0);
			compared++;
			free(vec.recs);
			continue;
		}
		/* the vector groups took most packets: not all of them went to the scalar step
		 * (mergeable: a quarter at least, as a packet over several buffers sends the rest of
		 * its group, and of the burst while it is under way, there) */
		if (!c->bad && c->breaker == BREAK_NONE &&
		    vec.zeroed_rss * (c->mrg ? 4 : 2) < scalar.stats.packets) {
			fprintf(stderr, "%s: %u of %lu packets through vector groups\n", what,
				vec.zeroed_rss, (unsigned long)scalar.stats.packets);
			CU_FAIL("vector groups not taken");
		}
		if (c->bad && vec.zeroed_rss == 0)
			CU_FAIL("vector groups not taken");
		compared++;
		free(vec.recs);
	}
	free(scalar.recs);
}

static void
test_vector_rx_equals_scalar(void)
{
	static const uint16_t rings[] = {64, 67, 255, 256, 1000, 4096};

	configs = compared = 0;
	for (unsigned int ri = 0; ri < RTE_DIM(rings); ri++)
		for (unsigned int f = 0; f < 16; f++)
			compare_config(&(struct config){rings[ri], f & 1, (f & 2) != 0, (f & 4) != 0,
							BREAK_NONE, (f & 8) != 0});
	printf("\n  %u configurations, %u vector runs compared with the scalar one\n", configs,
	       compared);
	CU_ASSERT(compared >= configs);
}

/* VLAN strip turned on after the start (vlan_offload_set): the packed vector paths do not strip,
 * so each burst gives way to the scalar one of its buffer scheme. */
static void
test_vector_rx_strip_late_equals_scalar(void)
{
	configs = compared = 0;
	for (unsigned int f = 0; f < 4; f++)
		compare_config(
			&(struct config){256, f & 1, false, false, BREAK_NONE, (f & 2) != 0, true});
	printf("\n  %u configurations, %u vector runs compared with the scalar one\n", configs,
	       compared);
	CU_ASSERT(compared >= configs);
}

static void
test_vector_rx_broken_ring_equals_scalar(void)
{
	static const uint16_t rings[] = {64, 67, 256};

	configs = compared = 0;
	for (unsigned int ri = 0; ri < RTE_DIM(rings); ri++)
		for (unsigned int b = BREAK_NONE + 1; b < BREAK_KINDS; b++)
			for (unsigned int f = 0; f < 4; f++)
				compare_config(&(struct config){rings[ri], f & 1, true, false,
								(enum breaker)b, (f & 2) != 0});
	printf("\n  %u configurations, %u vector runs compared with the scalar one\n", configs,
	       compared);
	CU_ASSERT(compared >= configs);
}

/*
 * Mergeable buffers, num_buffers at its limit: the device fills every buffer posted, P of them:
 * 8 packets of one buffer (whole groups of every width), then a packet whose header asks for the
 * P - 8 buffers left plus `over` (over 1: one buffer too many, dropped; 0: exactly the buffers
 * left, a packet of P - 8 segments), its continuation buffers all zero (read as headers,
 * num_buffers 0: dropped). The head starts a vector group, so the vector path's count of buffers
 * left decides, and it must decide as the scalar one does.
 */
static void
run_mrg_limit(const struct rx_path *p, uint16_t over, struct run *r)
{
	const struct config c = {64, false, false, false, BREAK_NONE, true};
	struct rte_mempool *mp = pool_for(&c);
	struct virtq_packed_dev *pd = &dev.packed_q[0];
	struct rte_mbuf *pkts[BURST_MAX];
	struct virtq_dev_buf b;
	struct virtq_sg sg[4];
	struct vionet_net_hdr *head = NULL;
	uint16_t popped = 0, got;
	struct vionet_rxq *rxq;
	struct rec x;

	memset(r, 0, sizeof(*r));
	rte_eth_dev_stop(port);
	rte_mempool_obj_iter(mp, dirty_mbuf, NULL);
	rxq = port_for(&c, mp);
	while (dev_pop(0, &b, sg, RTE_DIM(sg)) == 0) {
		uint8_t *data = (uint8_t *)(uintptr_t)sg[0].addr;
		uint32_t len = HDR + 60;

		memset(data, 0, sg[0].len);
		if (popped <= 8) {
			struct vionet_net_hdr h = {0};

			h.num_buffers = rte_cpu_to_le_16(1);
			for (uint32_t i = HDR; i < len; i++)
				data[i] = (uint8_t)(popped + i);
			memcpy(data, &h, HDR);
		}
		if (popped == 8)
			head = (struct vionet_net_hdr *)data;
		virtq_packed_dev_push(pd, b.id, len, 1);
		popped++;
	}
	require(popped > 16 && head != NULL, "buffers posted");
	head->num_buffers = rte_cpu_to_le_16((uint16_t)(popped - 8 + over));
	virtq_packed_dev_publish(pd);
	do {
		got = (p->fn_mrg)(rxq, pkts, BURST_MAX);
		memset(&x, 0, sizeof(x));
		x.pkt_len = got;
		rec_add(r, &x);
		for (uint16_t i = 0; i < got; i++)
			record_packet(r, pkts[i]);
		rte_pktmbuf_free_bulk(pkts, got);
	} while (got != 0 || r->n < 4);
	run_finish(r, rxq, mp);
}

static void
test_vector_rx_mrg_limit(void)
{
	unsigned int limit_runs = 0;

	for (uint16_t over = 0; over <= 1; over++) {
		struct run scalar, vec;
		char what[64];

		run_mrg_limit(&paths[0], over, &scalar);
		/* one buffer too many: eight packets, the head dropped; else nine, the last long */
		CU_ASSERT_EQUAL(scalar.stats.packets, over ? 8u : 9u);
		CU_ASSERT_EQUAL(scalar.stats.multi_seg, over ? 0u : 1u);
		for (unsigned int pi = 1; pi < RTE_DIM(paths); pi++) {
			if (!test_cpu_has(paths[pi].cpu))
				continue;
			run_mrg_limit(&paths[pi], over, &vec);
			snprintf(what, sizeof(what), "%s num_buffers limit + %u", paths[pi].name, over);
			CU_ASSERT(runs_equal(&scalar, &vec, what));
			/* the eight single-buffer packets through vector groups */
			CU_ASSERT(vec.zeroed_rss >= 8);
			limit_runs++;
			free(vec.recs);
		}
		free(scalar.recs);
	}
	CU_ASSERT(limit_runs != 0);
}

/* The name of the Rx path the port chose at its start. */
static const char *
started_path(const char *devarg, uint16_t eal_bits, uint64_t rx_offloads, bool mrg)
{
	static struct rte_eth_burst_mode mode;
	struct vionet_devargs da;
	struct rte_eth_conf conf;
	char err[256];

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = rx_offloads;
	rte_eth_dev_stop(port);
	CU_ASSERT_EQUAL_FATAL(vionet_devargs_parse("scripted0", devarg, VIONET_DEVARGS_PCI, &da, err,
						   sizeof(err)), 0);
	hw->tp.devargs.vector_bits_max = da.vector_bits_max;
	dev.offered = mrg ? VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF) : 0;
	hw->tp.devargs.mrg_rxbuf = mrg;
	CU_ASSERT_EQUAL(rte_eth_dev_reset(port), 0);
	CU_ASSERT_EQUAL(rte_vect_set_max_simd_bitwidth(eal_bits), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL,
						     pool_for(&(struct config){256, 0, 0, 0, 0})), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_start(port), 0);
	CU_ASSERT(vionet_has_feature(hw, VIONET_F_RING_PACKED));
	CU_ASSERT_EQUAL(rte_eth_rx_burst_mode_get(port, 0, &mode), 0);
	rte_eth_dev_stop(port);
	return mode.info;
}

static void
test_selector_widths(void)
{
	const bool sse = test_cpu_has("sse"), avx2 = test_cpu_has("avx2"),
		   avx512 = test_cpu_has("avx512");

	hw->tp.devargs.queue_size = 256;
	hw->tp.devargs.in_order = false;
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=0", RTE_VECT_SIMD_512, 0, false),
			       "packed scalar");
	/* through the devarg, the EAL allowing everything */
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=sse", RTE_VECT_SIMD_512, 0, false),
				       "packed sse");
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=avx2", RTE_VECT_SIMD_512, 0, false),
				       "packed avx2");
	if (avx512) {
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=avx512", RTE_VECT_SIMD_512, 0, false),
				       "packed avx512");
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_512, 0, false),
				       "packed avx512");
	}
	/* through the EAL's limit (what --force-max-simd-bitwidth sets), the devarg allowing all */
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_256, 0, false),
				       "packed avx2");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=avx512", RTE_VECT_SIMD_128, 0, false),
				       "packed sse");
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_DISABLED, 0, false),
			       "packed scalar");
	/* what the vector paths do not do: back to scalar */
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_512,
					    RTE_ETH_RX_OFFLOAD_VLAN_STRIP, false),
			       "packed scalar");
	/* mergeable buffers: the same widths, the same fallbacks */
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=0", RTE_VECT_SIMD_512, 0, true),
			       "packed mergeable scalar");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=sse", RTE_VECT_SIMD_512, 0, true),
				       "packed mergeable sse");
	if (avx2) {
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=avx2", RTE_VECT_SIMD_512, 0, true),
				       "packed mergeable avx2");
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_256, 0, true),
				       "packed mergeable avx2");
	}
	if (avx512)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_512, 0, true),
				       "packed mergeable avx512");
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_DISABLED, 0, true),
			       "packed mergeable scalar");
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_512,
					    RTE_ETH_RX_OFFLOAD_VLAN_STRIP, true),
			       "packed mergeable scalar");
	rte_vect_set_max_simd_bitwidth(RTE_VECT_SIMD_512);
}

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "768", "--no-pci", "--no-shconf",
		       "--iova-mode=va", "--no-telemetry", "--log-level=4", NULL};
	static CU_TestInfo tests[] = {
		{"packed vector Rx equals scalar Rx", test_vector_rx_equals_scalar},
		{"packed vector Rx equals scalar Rx on a ring that breaks",
		 test_vector_rx_broken_ring_equals_scalar},
		{"packed vector Rx: num_buffers at its limit", test_vector_rx_mrg_limit},
		{"packed vector Rx with VLAN strip turned on late equals scalar Rx",
		 test_vector_rx_strip_late_equals_scalar},
		{"selector: packed widths by devarg and EAL limit", test_selector_widths},
		CU_TEST_INFO_NULL,
	};
	struct vionet_devargs devargs = {0};

	RTE_SET_USED(argc);
	tally.name = "test_rxtx_vec_packed";
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	dev.packed = true;
	devargs.packed_vq = true;
	devargs.vector_bits_max = VIONET_VECTOR_ANY;
	port = scripted_port_create_devargs(&scripted_ops, &devargs, &hw);
	return test_run_suite("rxtx_vec_packed", tests);
}
