/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vector Rx paths against the scalar one (EAL with --no-huge; our port over the scripted
 * device of tests/integration/test_scripted_device.h). The same device traffic, replayed from one
 * seed through each burst function in turn, must give the same packets (bytes and every field the
 * Rx path sets in the mbuf), the same burst results, the same queue and ring counters and the same
 * ring state: across ring wrap, bursts of 1 to 33, ring sizes 64 to 4096, in order or not, device
 * batches, a pool that runs dry, and bad used entries (id out of range, not outstanding, length too
 * big, runt, empty). With mergeable buffers too (packets of one buffer mostly, some of several, and
 * bad num_buffers: 0, more than posted), and with the header's offloads and VLAN strip on (checksum
 * flags, LRO, tagged frames, tagged runts). And the selector: each width through the devarg and
 * through the EAL's SIMD limit, and the scalar fallback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_cpuflags.h>
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

static uint16_t port;
static struct vionet_hw *hw;

struct rx_path {
	const char *name;
	eth_rx_burst_t fn;
	eth_rx_burst_t fn_mrg; /* with mergeable buffers */
	const char *cpu;       /* the width test_cpu_has() checks; NULL: scalar */
};

static const struct rx_path paths[] = {
	{"scalar", vionet_recv_split, vionet_recv_split_mrg, NULL},
#ifdef VIONET_VEC_SSE
	{"sse", vionet_recv_split_sse, vionet_recv_split_mrg_sse, "sse"},
#endif
#ifdef VIONET_VEC_AVX2
	{"avx2", vionet_recv_split_avx2, vionet_recv_split_mrg_avx2, "avx2"},
#endif
#ifdef VIONET_VEC_AVX512
	{"avx512", vionet_recv_split_avx512, vionet_recv_split_mrg_avx512, "avx512"},
#endif
};

/* What one run saw, entry by entry: a burst's result, then each of its packets. */
struct rec {
	uint32_t kind; /* 0: burst result in pkt_len; 1: a packet */
	uint32_t packet_type;
	uint64_t rearm; /* data_off, refcnt, nb_segs, port */
	uint64_t ol_flags;
	uint64_t data_hash;
	uint32_t pkt_len;
	uint16_t data_len;
	uint16_t vlan_tci;
	uint16_t vlan_tci_outer;
	uint16_t tso_segsz;
	uint16_t pad[2];
};

struct run {
	struct rec *recs;
	unsigned int n, cap;
	struct vionet_queue_stats stats;
	struct virtq_err_stats err;
	uint16_t num_free, outstanding, last_used_idx, free_head, in_order_oldest, avail_idx;
	bool broken;
	unsigned int delivered_bad; /* bad entries the device wrote (the test's own count) */
	unsigned int delivered_multi; /* packets the device spread over several buffers */
	uint16_t last_returned;	    /* the device's: the id it returned last */
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
bytes_hash(const uint8_t *p, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* A packet: its first segment's fields, then (mergeable) one record per further segment. */
static void
record_packet(struct run *r, const struct rte_mbuf *m)
{
	struct rec x;

	memset(&x, 0, sizeof(x));
	x.kind = 1;
	x.packet_type = m->packet_type;
	memcpy(&x.rearm, &m->rearm_data, sizeof(x.rearm));
	x.ol_flags = m->ol_flags;
	x.data_hash = bytes_hash(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
	x.pkt_len = m->pkt_len;
	x.data_len = m->data_len;
	x.vlan_tci = m->vlan_tci;
	x.vlan_tci_outer = m->vlan_tci_outer;
	/* the second cache line: read only where LRO may have set it */
	x.tso_segsz = (m->ol_flags & RTE_MBUF_F_RX_LRO) ? m->tso_segsz : 0;
	rec_add(r, &x);
	for (m = m->next; m != NULL; m = m->next) {
		memset(&x, 0, sizeof(x));
		x.kind = 2;
		memcpy(&x.rearm, &m->rearm_data, sizeof(x.rearm));
		x.data_hash = bytes_hash(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
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
	bool bad;	 /* bad used entries among the good ones */
	bool small_pool; /* the pool runs dry while the application holds packets */
	bool mrg;	 /* mergeable Rx buffers */
	bool offl;	 /* checksum and LRO offloads, VLAN strip */
};

static struct rte_mempool *
pool_for(const struct config *c)
{
	static struct rte_mempool *pools[2][13];
	unsigned int log2 = rte_log2_u32(c->ring);
	struct rte_mempool **slot = &pools[c->small_pool][log2];
	char name[32];

	if (*slot == NULL) {
		snprintf(name, sizeof(name), "vec_%u_%d", c->ring, c->small_pool);
		/* no per-lcore cache: whether a bulk get succeeds depends on the objects alone */
		*slot = rte_pktmbuf_pool_create(name, c->ring + (c->small_pool ? 24u : 4u * BURST_MAX + 64u),
						0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		if (*slot == NULL)
			fatal("pool %s", name);
	}
	return *slot;
}

/* A fresh port with the configuration's features and ring: negotiated again when in-order changes. */
static struct vionet_rxq *
port_for(const struct config *c, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct vionet_rxq *rxq;

	memset(&conf, 0, sizeof(conf));
	rte_eth_dev_stop(port);
	dev.offered = c->in_order ? VIRTQ_FEATURE(VIONET_F_IN_ORDER) : 0;
	if (c->mrg)
		dev.offered |= VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF);
	if (c->offl) {
		dev.offered |= VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM) |
			       VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4);
		conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
				       RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	}
	hw->tp.devargs.in_order = c->in_order;
	hw->tp.devargs.mrg_rxbuf = c->mrg;
	hw->tp.devargs.queue_size = c->ring;
	require(rte_eth_dev_reset(port) == 0, "reset");
	require(rte_eth_dev_configure(port, 1, 1, &conf) == 0, "configure");
	require(rte_eth_rx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL, mp) == 0, "rxq setup");
	require(rte_eth_tx_queue_setup(port, 0, c->ring, SOCKET_ID_ANY, NULL) == 0, "txq setup");
	require(rte_eth_dev_start(port) == 0, "start");
	require(vionet_has_feature(hw, VIONET_F_IN_ORDER) == c->in_order, "in-order negotiated");
	require(vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF) == c->mrg, "mergeable negotiated");
	rxq = rte_eth_devices[port].data->rx_queues[0];
	require(rxq->offloads == c->offl && rxq->vlan_strip == c->offl, "Rx offloads");
	return rxq;
}

/* The header of a packet's first buffer: num_buffers, and with offloads on, checksum flags
 * (none, NEEDS_CSUM, DATA_VALID, both) and sometimes a GSO type (LRO, with or without a size). */
static void
write_hdr(const struct config *c, uint64_t *seed, uint8_t *p, uint16_t num_buffers)
{
	struct vionet_net_hdr h;

	memset(&h, 0, sizeof(h));
	if (c->offl) {
		uint32_t pick = rnd(seed) % 8;

		h.flags = (uint8_t)(pick & 3);
		if (pick >= 6) {
			h.gso_type = pick == 6 ? VIONET_NET_HDR_GSO_TCPV4
					       : VIONET_NET_HDR_GSO_TCPV4 | VIONET_NET_HDR_GSO_ECN;
			h.gso_size = rte_cpu_to_le_16(rnd(seed) % 4 == 0 ? 0 : 1 + rnd(seed) % 1460);
		}
	}
	h.num_buffers = rte_cpu_to_le_16(num_buffers);
	RTE_BUILD_BUG_ON(sizeof(h) != HDR);
	memcpy(p, &h, HDR);
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

/* The device fills up to k buffers: good frames and (c->bad) bad entries, out of order unless in
 * order, sometimes as one in-order batch. Mergeable: some packets over several buffers, and (bad)
 * a num_buffers of 0 or above the buffers posted. Offloads: header flags, VLAN-tagged frames and
 * tagged frames too short to strip. */
static void
device_step(const struct config *c, uint64_t *seed, struct run *r)
{
	struct virtq_split_dev *sd = &dev.split[0];
	unsigned int k = rnd(seed) % 40;
	uint16_t ids[64];
	uint32_t lens[64];
	unsigned int n = 0;

	while (n < k) {
		struct virtq_dev_buf b;
		struct virtq_sg sg[4];
		uint32_t frame = RTE_ETHER_HDR_LEN + rnd(seed) % (FRAME_MAX - RTE_ETHER_HDR_LEN);
		uint32_t len, pick = rnd(seed) % 100;
		uint16_t nbufs = 1, more = 0;
		uint8_t *p;

		if (dev_pop(0, &b, sg, RTE_DIM(sg)) != 0)
			break;
		p = (uint8_t *)(uintptr_t)sg[0].addr;
		if (c->offl && rnd(seed) % 16 == 0)
			frame = RTE_ETHER_HDR_LEN + rnd(seed) % sizeof(struct rte_vlan_hdr);
		len = HDR + frame;
		for (uint32_t i = 0; i < frame && HDR + i < sg[0].len; i++)
			p[HDR + i] = (uint8_t)(rnd(seed) >> 3);
		if (c->offl && rnd(seed) % 3 == 0) {
			p[HDR + 12] = 0x81; /* RTE_ETHER_TYPE_VLAN */
			p[HDR + 13] = 0x00;
		}
		/* In order, an id the ring cannot skip breaks it (2.7.9): rarely, so that the run
		 * gets far first. */
		if (c->bad && c->in_order && pick < 6 && rnd(seed) % 64 != 0)
			pick += 6;
		if (c->bad && pick < 3) {
			/* an id beyond the ring, then the buffer's own entry */
			virtq_split_dev_push(sd, (uint16_t)(c->ring + pick), len);
			r->delivered_bad++;
		} else if (c->bad && pick < 6) {
			/* the id of a buffer already returned */
			virtq_split_dev_push(sd, r->last_returned, len);
			r->delivered_bad++;
		} else if (c->bad && pick < 9) {
			len = sg[0].len + 1 + pick;
			r->delivered_bad++;
		} else if (c->bad && pick < 12) {
			len = HDR + pick % RTE_ETHER_HDR_LEN; /* a runt */
			r->delivered_bad++;
		} else if (c->bad && pick < 13) {
			len = 0;
			r->delivered_bad++;
		}
		ids[n] = b.id;
		lens[n++] = len;
		if (c->mrg && rnd(seed) % 8 == 0)
			more = (uint16_t)(1 + rnd(seed) % 3);
		for (; more > 0 && device_fill_more(seed, &ids[n], &lens[n]); more--, n++)
			nbufs++;
		r->delivered_multi += nbufs > 1;
		if (c->mrg && c->bad && pick >= 13 && pick < 15) {
			/* none, or more than the ring holds */
			nbufs = pick == 13 ? 0 : (uint16_t)(c->ring + 1 + rnd(seed) % 100);
			r->delivered_bad++;
		}
		write_hdr(c, seed, p, c->mrg ? nbufs : 0);
	}
	if (n == 0)
		return;
	if (c->in_order && rnd(seed) % 8 == 0) {
		virtq_split_dev_push_batch_last(sd, ids[n - 1], lens[n - 1], (uint16_t)n);
	} else {
		/* not in order: the device returns them in any order (here rotated; a mergeable
		 * packet's buffers stay together) */
		unsigned int rot = c->in_order || c->mrg ? 0 : rnd(seed) % n;

		for (unsigned int i = 0; i < n; i++) {
			unsigned int j = (i + rot) % n;

			virtq_split_dev_push(sd, ids[j], lens[j]);
		}
	}
	r->last_returned = ids[n - 1];
	virtq_split_dev_publish(sd);
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
			((uint64_t)c->bad << 1) ^ ((uint64_t)c->small_pool << 2) ^ ((uint64_t)c->mrg << 3) ^
			((uint64_t)c->offl << 4);
	unsigned int hold = c->small_pool ? 6 : 1;

	memset(r, 0, sizeof(*r));
	rte_eth_dev_stop(port);
	rte_mempool_obj_iter(mp, dirty_mbuf, NULL);
	rxq = port_for(c, mp);
	for (unsigned int step = 0; step < STEPS; step++) {
		struct rte_mbuf **pkts = held[step % hold];
		uint16_t want = (uint16_t)(1 + rnd(&seed) % BURST_MAX), got;
		struct rec x;

		rte_pktmbuf_free_bulk(pkts, held_n[step % hold]);
		if (rnd(&seed) % 3 != 0)
			device_step(c, &seed, r);
		got = (c->mrg ? p->fn_mrg : p->fn)(rxq, pkts, want);
		held_n[step % hold] = got;
		memset(&x, 0, sizeof(x));
		x.pkt_len = got;
		rec_add(r, &x);
		for (uint16_t i = 0; i < got; i++)
			record_packet(r, pkts[i]);
	}
	for (unsigned int i = 0; i < hold; i++)
		rte_pktmbuf_free_bulk(held[i], held_n[i]);
	run_finish(r, rxq, mp);
}

/* The queue's counters and ring state at the end of a run; the port stopped, the pool whole. */
static void
run_finish(struct run *r, struct vionet_rxq *rxq, struct rte_mempool *mp)
{
	r->stats = rxq->stats;
	r->err = rxq->vq.split.err;
	r->num_free = rxq->vq.split.num_free;
	r->outstanding = rxq->vq.split.outstanding;
	r->last_used_idx = rxq->vq.split.last_used_idx;
	r->free_head = rxq->vq.split.free_head;
	r->in_order_oldest = rxq->vq.split.in_order_oldest;
	r->avail_idx = rxq->vq.split.avail_idx;
	r->broken = rxq->vq.split.broken;
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
				y->vlan_tci, x->vlan_tci_outer, y->vlan_tci_outer,
				x->data_hash == y->data_hash);
			same = false;
		}
	}
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats)) != 0) {
		fprintf(stderr, "%s: queue counters differ (packets %lu/%lu errors %lu/%lu runts %lu/%lu "
			"alloc failed %lu/%lu)\n", what, (unsigned long)a->stats.packets,
			(unsigned long)b->stats.packets, (unsigned long)a->stats.errors,
			(unsigned long)b->stats.errors, (unsigned long)a->stats.runt_frames_dropped,
			(unsigned long)b->stats.runt_frames_dropped,
			(unsigned long)a->stats.mbuf_alloc_failed, (unsigned long)b->stats.mbuf_alloc_failed);
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

/*
 * Mergeable buffers, num_buffers at its limit: the device fills every buffer posted, P of them:
 * 8 packets of one buffer (whole groups of every width), then a packet whose header asks for
 * the P - 8 buffers left plus `over` (over 1: one buffer too many, dropped; 0: exactly the
 * buffers left, a packet of P - 8 segments), its continuation buffers all zero (read as headers,
 * num_buffers 0: dropped). The head starts a vector group, so the vector path's count of buffers
 * left decides, and it must decide as the scalar one does.
 */
static void
run_mrg_limit(const struct rx_path *p, uint16_t over, struct run *r)
{
	const struct config c = {64, false, false, false, true, false};
	struct rte_mempool *mp = pool_for(&c);
	struct virtq_split_dev *sd = &dev.split[0];
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
		virtq_split_dev_push(sd, b.id, len);
		popped++;
	}
	require(popped > 16 && head != NULL, "buffers posted");
	head->num_buffers = rte_cpu_to_le_16((uint16_t)(popped - 8 + over));
	virtq_split_dev_publish(sd);
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
	unsigned int compared = 0;

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
			compared++;
			free(vec.recs);
		}
		free(scalar.recs);
	}
	CU_ASSERT(compared != 0);
}

/* Whether some packet of the run has all of these ol_flags. */
static bool
run_has_flags(const struct run *r, uint64_t flags)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->recs[i].kind == 1 && (r->recs[i].ol_flags & flags) == flags)
			return true;
	return false;
}

static void
test_vector_rx_equals_scalar(void)
{
	static const uint16_t rings[] = {64, 128, 512, 4096};
	unsigned int configs = 0, compared = 0;

	for (unsigned int ri = 0; ri < RTE_DIM(rings); ri++)
		for (unsigned int f = 0; f < 32; f++) {
			struct config c = {rings[ri], f & 1, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0,
					   (f & 16) != 0};
			struct run scalar, vec;
			char what[96];

			run_config(&c, &paths[0], &scalar);
			/* the script must reach what it is meant to test (bad entries may break
			 * the ring early: an index jump, or in order an id it cannot skip) */
			if (!c.bad)
				CU_ASSERT(scalar.stats.packets > STEPS && !scalar.broken &&
					  (c.ring > 1024 || scalar.last_used_idx > c.ring));
			if (c.bad && !c.in_order)
				CU_ASSERT(scalar.err.bad_id != 0 && scalar.err.not_outstanding != 0 &&
					  scalar.err.len_too_big != 0 &&
					  scalar.stats.runt_frames_dropped != 0);
			if (c.bad && c.in_order && !scalar.broken)
				CU_ASSERT(scalar.err.len_too_big != 0 &&
					  scalar.stats.runt_frames_dropped != 0);
			if (c.small_pool && !scalar.broken)
				CU_ASSERT(scalar.stats.mbuf_alloc_failed != 0);
			if (c.mrg && !scalar.broken)
				CU_ASSERT(scalar.delivered_multi != 0 && scalar.stats.multi_seg != 0);
			if (c.offl && !scalar.broken)
				CU_ASSERT(run_has_flags(&scalar, RTE_MBUF_F_RX_L4_CKSUM_GOOD) &&
					  run_has_flags(&scalar, RTE_MBUF_F_RX_L4_CKSUM_NONE) &&
					  run_has_flags(&scalar, RTE_MBUF_F_RX_LRO) &&
					  run_has_flags(&scalar, RTE_MBUF_F_RX_VLAN_STRIPPED |
								 RTE_MBUF_F_RX_L4_CKSUM_GOOD));
			configs++;
			for (unsigned int pi = 1; pi < RTE_DIM(paths); pi++) {
				if (!test_cpu_has(paths[pi].cpu))
					continue;
				run_config(&c, &paths[pi], &vec);
				snprintf(what, sizeof(what),
					 "%s ring %u in_order %d bad %d small pool %d mrg %d offl %d",
					 paths[pi].name, c.ring, c.in_order, c.bad, c.small_pool, c.mrg,
					 c.offl);
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

/* The name of the Rx path the port chose at its start. */
static struct rte_eth_burst_mode tx_mode;

/* mrg: mergeable Rx buffers negotiated. The device offers the checksum and LRO features. */
static const char *
started_path_mrg(const char *devarg, uint16_t eal_bits, uint64_t rx_offloads, bool mrg)
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
	hw->tp.devargs.in_order = false;
	hw->tp.devargs.mrg_rxbuf = mrg;
	dev.offered = VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) |
		      (mrg ? VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF) : 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_reset(port), 0);
	CU_ASSERT_EQUAL(rte_vect_set_max_simd_bitwidth(eal_bits), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL,
						     pool_for(&(struct config){256, 0, 0, 0})), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_start(port), 0);
	CU_ASSERT_EQUAL(rte_eth_rx_burst_mode_get(port, 0, &mode), 0);
	CU_ASSERT_EQUAL(rte_eth_tx_burst_mode_get(port, 0, &tx_mode), 0);
	rte_eth_dev_stop(port);
	return mode.info;
}

static const char *
started_path(const char *devarg, uint16_t eal_bits, uint64_t rx_offloads)
{
	return started_path_mrg(devarg, eal_bits, rx_offloads, false);
}

static void
test_selector_widths(void)
{
	const bool sse = test_cpu_has("sse"), avx2 = test_cpu_has("avx2"),
		   avx512 = test_cpu_has("avx512");

	hw->tp.devargs.queue_size = 256;
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=0", RTE_VECT_SIMD_512, 0), "split scalar");
	/* through the devarg, the EAL allowing everything */
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=sse", RTE_VECT_SIMD_512, 0),
				       "split sse");
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=avx2", RTE_VECT_SIMD_512, 0),
				       "split avx2");
	if (avx512) {
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=avx512", RTE_VECT_SIMD_512, 0),
				       "split avx512");
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_512, 0),
				       "split avx512");
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=1", RTE_VECT_SIMD_512, 0),
				       "split avx512");
	}
	/* through the EAL's limit (what --force-max-simd-bitwidth sets), the devarg allowing all */
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_256, 0),
				       "split avx2");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=avx512", RTE_VECT_SIMD_128, 0),
				       "split sse");
	CU_ASSERT_STRING_EQUAL(started_path("vectorized=auto", RTE_VECT_SIMD_DISABLED, 0),
			       "split scalar");
	/* mergeable buffers: each width, and the scalar row below them */
	CU_ASSERT_STRING_EQUAL(started_path_mrg("vectorized=0", RTE_VECT_SIMD_512, 0, true),
			       "split mergeable scalar");
	if (sse)
		CU_ASSERT_STRING_EQUAL(started_path_mrg("vectorized=sse", RTE_VECT_SIMD_512, 0, true),
				       "split mergeable sse");
	if (avx2)
		CU_ASSERT_STRING_EQUAL(started_path_mrg("vectorized=avx2", RTE_VECT_SIMD_512, 0, true),
				       "split mergeable avx2");
	if (avx512)
		CU_ASSERT_STRING_EQUAL(started_path_mrg("vectorized=auto", RTE_VECT_SIMD_512, 0, true),
				       "split mergeable avx512");
	CU_ASSERT_STRING_EQUAL(started_path_mrg("vectorized=auto", RTE_VECT_SIMD_DISABLED, 0, true),
			       "split mergeable scalar");
	/* Rx offloads and VLAN strip stay on the vector paths */
	if (sse) {
		const uint64_t all = RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
				     RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_LRO;

		CU_ASSERT_STRING_EQUAL(started_path("vectorized=sse", RTE_VECT_SIMD_512,
						    RTE_ETH_RX_OFFLOAD_VLAN_STRIP),
				       "split sse");
		CU_ASSERT_STRING_EQUAL(started_path("vectorized=sse", RTE_VECT_SIMD_512, all),
				       "split sse");
		CU_ASSERT_STRING_EQUAL(started_path_mrg("vectorized=sse", RTE_VECT_SIMD_512, all,
							true),
				       "split mergeable sse");
	}
	/* Tx takes the widest vector path too (test_rxtx_vec_split_tx.c tests each width) */
	started_path("vectorized=auto", RTE_VECT_SIMD_512, 0);
	CU_ASSERT_STRING_EQUAL(tx_mode.info, avx512 ? "split avx512"
					     : avx2 ? "split avx2"
					     : sse  ? "split sse"
						    : "split scalar");
}

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
		       "--iova-mode=va", "--no-telemetry", "--log-level=4", NULL};
	static CU_TestInfo tests[] = {
		{"vector Rx equals scalar Rx", test_vector_rx_equals_scalar},
		{"vector Rx: num_buffers at its limit", test_vector_rx_mrg_limit},
		{"selector: widths by devarg and EAL limit", test_selector_widths},
		CU_TEST_INFO_NULL,
	};
	struct vionet_devargs devargs = {0};

	RTE_SET_USED(argc);
	tally.name = "test_rxtx_vec";
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	devargs.vector_bits_max = VIONET_VECTOR_ANY;
	port = scripted_port_create_devargs(&scripted_ops, &devargs, &hw);
	return test_run_suite("rxtx_vec", tests);
}
