/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hostile back end: DPDK's vhost library as the device (in this process, so the test reaches the
 * rings it shares with our port), which after honest traffic writes one kind of bad completion into
 * our Rx or our Tx ring. Every kind, in both directions where it means something:
 *
 *   id_range        a used id beyond the ring
 *   id_twice        the next buffer completed twice (the second names a buffer we no longer hold)
 *   id_not_posted   an id we never posted (where the ring has one)
 *   len_over        a used length beyond the buffer (Tx: lengths are ignored, 2.7.8.1)
 *   runt            a frame shorter than an Ethernet header (VLAN strip on)
 *   idx_jump        split: used.idx jumping past the ring
 *   random          random bytes over the device's part of the ring and its event area
 *   wrong_wrap      packed: used flags contradicting the wrap counter
 *   wrap_chain      packed: a chain (Tx: one multi-segment frame; Rx: a batch) ending at the last
 *                   slot, completed honestly, then the next completion with the wrap bits not toggled
 *   nb_zero         mergeable: num_buffers 0
 *   nb_over_ring    mergeable: num_buffers beyond the ring (and beyond what was posted)
 *
 * For each kind and direction: the process keeps running, the error is counted (an xstat of the
 * queue, or the port's device_broken), stats answer; a broken port raises exactly one
 * RTE_ETH_EVENT_INTR_RESET and reports its link down; port stop/start brings traffic back; the
 * same bad completion again, then rte_eth_dev_reset + configure + start brings it back too; our
 * mempool's in-use count is back at zero after every stop. The program prints one table row per
 * cell.
 *
 * usage: test_user_hostile_backend <plugin.so> split|packed <in_order 0|1> <mrg_rxbuf 0|1>
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_vect.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_vhost_backend.h"

#define RING_SIZE 256
#define FRAME 200
#define ROUND_TRIP 16
#define TX_OUTSTANDING 4 /* frames our Tx holds in the ring when the device lies about it */
#define EVENT_WAIT_S 5.0
#define NET_HDR_SIZE 12 /* struct virtio_net_hdr_mrg_rxbuf: VERSION_1 always has num_buffers */
#define F_IN_ORDER 35
#define F_MRG_RXBUF 15
#define DESC_F_NEXT 1
#define DESC_F_AVAIL (1u << 7)
#define DESC_F_USED (1u << 15)

enum dir { RX, TX };

enum kind {
	ID_RANGE,
	ID_TWICE,
	ID_NOT_POSTED,
	LEN_OVER,
	RUNT,
	IDX_JUMP,
	RANDOM,
	WRONG_WRAP,
	WRAP_CHAIN,
	NB_ZERO,
	NB_OVER_RING,
	N_KINDS
};

/* Where a kind applies; what the PMD must do with it. */
static const struct kind_def {
	const char *name;
	bool split, packed, rx, tx, mrg_only;
	bool tx_ignored; /* Tx: nothing to reject (the used length of a Tx buffer is not read) */
} kinds[N_KINDS] = {
	[ID_RANGE] = {"id_range", true, true, true, true, false, false},
	[ID_TWICE] = {"id_twice", true, true, true, true, false, false},
	[ID_NOT_POSTED] = {"id_not_posted", true, true, true, true, false, false},
	[LEN_OVER] = {"len_over", true, true, true, true, false, true},
	[RUNT] = {"runt", true, true, true, false, false, false},
	[IDX_JUMP] = {"idx_jump", true, false, true, true, false, false},
	[RANDOM] = {"random", true, true, true, true, false, false},
	[WRONG_WRAP] = {"wrong_wrap", false, true, true, true, false, false},
	[WRAP_CHAIN] = {"wrap_chain", false, true, true, true, false, false},
	[NB_ZERO] = {"nb_zero", true, true, true, false, true, false},
	[NB_OVER_RING] = {"nb_over_ring", true, true, true, false, true, false},
};

static struct {
	bool packed, in_order, mrg;
	struct test_loop loop;
	struct rte_eth_conf conf;
	uint32_t resets; /* RTE_ETH_EVENT_INTR_RESET */
	char *log;
	size_t log_len;
	FILE *log_stream;
	char table[16384];
	size_t table_len;
} t;

/* ---- The port ---- */

static void
configure_port(void)
{
	test_port_configure(t.loop.port, &t.conf, 1, RING_SIZE, t.loop.ours_pool);
}

/* Start and wait until the back end has its device again (a new one: stop took the old away). */
static void
start_port(const char *when)
{
	uint32_t devices = test_backend_new_devices();
	double deadline = test_deadline(TEST_BACKEND_WAIT_S);

	test_port_start(t.loop.port, TEST_BACKEND_WAIT_S, when);
	while (test_backend_new_devices() == devices || !test_backend_running())
		if (test_past(deadline))
			fatal("%s: the back end never got its device back", when);
		else
			usleep(1000);
}

static void
check_pool_whole(const char *when)
{
	unsigned int in_use = rte_mempool_in_use_count(t.loop.ours_pool);

	check(in_use == 0, "%s: %u mbufs of our pool still in use", when, in_use);
}

static void
dump_log(void)
{
	fflush(t.log_stream);
	fprintf(stderr, "---- log ----\n%s---- end of log ----\n", t.log != NULL ? t.log : "");
}

/* ---- The rings, as the device sees them ---- */

struct ring_view {
	struct rte_vhost_vring vr;
	uint16_t size, mask;
	uint16_t next_avail; /* the next buffer the device would take (packed: slot, wrap in bit 15) */
	uint16_t next_used;  /* where it writes its next completion (packed: slot, wrap in bit 15) */
};

static void
ring_view(uint16_t q, struct ring_view *v)
{
	if (rte_vhost_get_vhost_vring(test_backend.vid, q, &v->vr) != 0 ||
	    rte_vhost_get_vring_base(test_backend.vid, q, &v->next_avail, &v->next_used) != 0)
		fatal("the back end's ring %u", q);
	v->size = v->vr.size;
	v->mask = (uint16_t)(v->size - 1);
}

static uint16_t
pos_of(uint16_t base)
{
	return base & 0x7fff;
}

static bool
wrap_of(uint16_t base)
{
	return (base >> 15) != 0;
}

/* Slot `k` after the packed position `base`: the slot and its lap's wrap counter. */
static void
packed_step(const struct ring_view *v, uint16_t base, uint16_t k, uint16_t *slot, bool *wrap)
{
	uint32_t s = pos_of(base) + (uint32_t)k;

	*wrap = wrap_of(base);
	if (s >= v->size) {
		s -= v->size;
		*wrap = !*wrap;
	}
	*slot = (uint16_t)s;
}

/* Flags of a used packed descriptor in the lap with wrap counter `wrap` (2.8.1). */
static uint16_t
used_flags(bool wrap)
{
	return wrap ? (uint16_t)(DESC_F_AVAIL | DESC_F_USED) : 0;
}

/* The buffer ids our driver has posted and the device has not taken (ids of chain heads; packed:
 * the ids of the buffers' descriptors). */
static unsigned int
posted_ids(const struct ring_view *v, bool *posted)
{
	unsigned int n = 0;

	memset(posted, 0, v->size * sizeof(*posted));
	if (!t.packed) {
		uint16_t avail_idx = __atomic_load_n(&v->vr.avail->idx, __ATOMIC_ACQUIRE);

		for (uint16_t i = v->next_avail; i != avail_idx && n < v->size; i++, n++)
			posted[v->vr.avail->ring[i & v->mask] % v->size] = true;
		return n;
	}
	for (uint16_t k = 0; k < v->size; k++) {
		uint16_t slot;
		bool wrap;
		const struct vring_packed_desc *d;
		uint16_t flags;

		packed_step(v, v->next_avail, k, &slot, &wrap);
		d = &v->vr.desc_packed[slot];
		flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
		/* available in this lap: AVAIL equal to the wrap counter, USED not (2.8.1) */
		if (((flags & DESC_F_AVAIL) != 0) != wrap || ((flags & DESC_F_USED) != 0) == wrap)
			break;
		posted[d->id % v->size] = true;
		n++;
	}
	return n;
}

/* The id and address of the next buffer the device would take; false when none is posted. */
static bool
next_buffer(const struct ring_view *v, uint16_t *id, uint64_t *addr)
{
	if (!t.packed) {
		if (__atomic_load_n(&v->vr.avail->idx, __ATOMIC_ACQUIRE) == v->next_avail)
			return false;
		*id = v->vr.avail->ring[v->next_avail & v->mask];
		*addr = *id < v->size ? v->vr.desc[*id].addr : 0;
		return true;
	}
	{
		const struct vring_packed_desc *d = &v->vr.desc_packed[pos_of(v->next_avail)];
		uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
		bool wrap = wrap_of(v->next_avail);

		if (((flags & DESC_F_AVAIL) != 0) != wrap || ((flags & DESC_F_USED) != 0) == wrap)
			return false;
		*id = d->id;
		*addr = d->addr;
		return true;
	}
}

/* The device writes the net header of an Rx buffer: zeros, num_buffers given (mergeable only). */
static void
write_rx_header(uint64_t gpa, uint16_t num_buffers)
{
	struct rte_vhost_memory *mem = NULL;
	uint64_t len = NET_HDR_SIZE;
	uint8_t *hdr;

	if (rte_vhost_get_mem_table(test_backend.vid, &mem) != 0)
		fatal("the back end's memory table");
	hdr = (uint8_t *)(uintptr_t)rte_vhost_va_from_guest_pa(mem, gpa, &len);
	if (hdr == NULL || len < NET_HDR_SIZE)
		fatal("an Rx buffer at 0x%" PRIx64 " outside the memory table", gpa);
	memset(hdr, 0, NET_HDR_SIZE);
	if (t.mrg)
		memcpy(hdr + 10, &num_buffers, sizeof(num_buffers));
	free(mem);
}

/* One completion at the k-th used place from the device's position; published by publish_used. */
static void
write_used(const struct ring_view *v, uint16_t k, uint32_t id, uint32_t len)
{
	if (!t.packed) {
		struct vring_used_elem *e = &v->vr.used->ring[(uint16_t)(v->next_used + k) & v->mask];

		e->id = id;
		e->len = len;
	} else {
		uint16_t slot;
		bool wrap;
		struct vring_packed_desc *d;

		packed_step(v, v->next_used, k, &slot, &wrap);
		d = &v->vr.desc_packed[slot];
		d->id = (uint16_t)id;
		d->len = len;
		/* release: id and length before the flags that publish them (2.8.6) */
		__atomic_store_n(&d->flags, used_flags(wrap), __ATOMIC_RELEASE);
	}
}

/* Split: n completions written by write_used become visible (used.idx, 2.7.8). Packed: their
 * flags already published them. */
static void
publish_used(const struct ring_view *v, uint16_t n)
{
	if (!t.packed)
		__atomic_store_n(&v->vr.used->idx, (uint16_t)(v->next_used + n), __ATOMIC_RELEASE);
}

static void
fill_random(void *p, size_t len, unsigned int *seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)rand_r(seed);
}

/* ---- Honest traffic that moves the rings ---- */

/* n frames into our Rx through the back end, received and checked. */
static void
rx_honest(uint16_t n, const char *when)
{
	struct rte_mbuf *m[RING_SIZE];
	uint16_t enq, got = 0;
	unsigned int spins = 0;

	for (uint16_t i = 0; i < n; i++) {
		m[i] = rte_pktmbuf_alloc(t.loop.vhost_pool);
		if (m[i] == NULL)
			fatal("%s: the back end's pool is empty", when);
		memset(rte_pktmbuf_append(m[i], 64), 0xff, 64);
	}
	enq = rte_vhost_enqueue_burst(test_backend.vid, TEST_BACKEND_RXQ, m, n);
	rte_pktmbuf_free_bulk(m, n);
	check(enq == n, "%s: the back end enqueued %u of %u", when, enq, n);
	while (got < enq) {
		uint16_t k = rte_eth_rx_burst(t.loop.port, 0, m, RTE_MIN(enq - got, 32));

		if (++spins > TEST_SPIN_LIMIT)
			fatal("%s: %u of %u frames received", when, got, enq);
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
}

/* A frame from our Tx in `segs` segments. */
static struct rte_mbuf *
tx_frame(uint16_t segs)
{
	struct rte_mbuf *head = test_frame(&t.loop, t.loop.seq++, FRAME);

	for (uint16_t s = 1; s < segs; s++) {
		struct rte_mbuf *seg = test_frame(&t.loop, 0, 60);

		if (rte_pktmbuf_chain(head, seg) != 0)
			fatal("chaining a segment");
	}
	return head;
}

/* n frames of `segs` segments out of our Tx, dequeued by the back end; returns the slots each took
 * (packed; the back end's used position moves by that much per frame). */
static uint16_t
tx_honest(uint16_t n, uint16_t segs, const char *when)
{
	struct rte_mbuf *out[RING_SIZE], *mid[RING_SIZE];
	uint16_t sent = 0, got = 0;
	unsigned int spins = 0;
	struct ring_view before, after;

	ring_view(TEST_BACKEND_TXQ, &before);
	for (uint16_t i = 0; i < n; i++)
		out[i] = tx_frame(segs);
	while (sent < n || got < n) {
		if (++spins > TEST_SPIN_LIMIT)
			fatal("%s: stuck with %u sent, %u at the back end", when, sent, got);
		sent += rte_eth_tx_burst(t.loop.port, 0, out + sent, n - sent);
		got += rte_vhost_dequeue_burst(test_backend.vid, TEST_BACKEND_TXQ, t.loop.vhost_pool,
					       mid + got, n - got);
	}
	for (uint16_t i = 0; i < n; i++)
		check(mid[i]->pkt_len == FRAME + (segs - 1u) * 60u, "%s: the back end got %u bytes",
		      when, mid[i]->pkt_len);
	rte_pktmbuf_free_bulk(mid, n);
	ring_view(TEST_BACKEND_TXQ, &after);
	return (uint16_t)(((pos_of(after.next_used) + (wrap_of(after.next_used) != wrap_of(before.next_used)
							   ? RING_SIZE : 0)) -
			   pos_of(before.next_used)) / n);
}

/* Packed: honest traffic until the device's next used slot in queue q is `slot`. */
static void
move_to_slot(uint16_t q, uint16_t slot, const char *when)
{
	struct ring_view v;
	uint16_t dist;

	ring_view(q, &v);
	dist = (uint16_t)((slot + RING_SIZE - pos_of(v.next_used)) % RING_SIZE);
	while (dist > 0) {
		uint16_t n = RTE_MIN(dist, 32);

		if (q == TEST_BACKEND_RXQ)
			rx_honest(n, when);
		else
			tx_honest(n, 1, when);
		dist -= n;
	}
	ring_view(q, &v);
	if (pos_of(v.next_used) != slot)
		fatal("%s: the ring is at slot %u, not %u", when, pos_of(v.next_used), slot);
}

/* ---- The counters a bad completion must move ---- */

struct counters {
	uint64_t rejected, errors, runts, broken;
};

static struct counters
read_counters(enum dir d)
{
	struct counters c = {0};

	c.rejected = test_xstat(t.loop.port, d == RX ? "rx_q0_invalid_used_rejected"
						    : "tx_q0_invalid_used_rejected");
	c.errors = test_xstat(t.loop.port, d == RX ? "rx_q0_errors" : "tx_q0_errors");
	c.runts = d == RX ? test_xstat(t.loop.port, "rx_q0_runt_frames_dropped") : 0;
	c.broken = test_xstat(t.loop.port, "device_broken");
	return c;
}

/* ---- One bad completion ---- */

/*
 * Writes the bad completion of `kind` into the ring of direction d. Tx: our port holds
 * TX_OUTSTANDING frames in the ring first. Returns false (and why in na) when the ring gives the
 * kind nothing to work with.
 */
static bool
inject(enum kind kind, enum dir d, const char **na)
{
	const uint16_t q = d == RX ? TEST_BACKEND_RXQ : TEST_BACKEND_TXQ;
	struct ring_view v;
	bool posted[RING_SIZE];
	unsigned int seed = 12345u + kind * 7u + d;
	uint16_t id = 0;
	uint64_t addr = 0;

	if (d == TX && kind != WRAP_CHAIN) {
		struct rte_mbuf *m[TX_OUTSTANDING];

		for (int i = 0; i < TX_OUTSTANDING; i++)
			m[i] = tx_frame(1);
		if (rte_eth_tx_burst(t.loop.port, 0, m, TX_OUTSTANDING) != TX_OUTSTANDING)
			fatal("%s: our Tx did not take %u frames", kinds[kind].name, TX_OUTSTANDING);
	}
	if (kind == WRAP_CHAIN) {
		/* A chain ending at the last slot, completed honestly: no error may be counted for
		 * it. Then the device's next completion keeps the old lap's wrap bits. */
		const char *when = d == RX ? "wrap_chain Rx, honest part" : "wrap_chain Tx, honest part";
		struct counters before = read_counters(d);
		uint16_t per_frame = d == RX ? 1 : tx_honest(1, 3, when);

		move_to_slot(q, (uint16_t)(RING_SIZE - (d == RX ? 3 : per_frame)), when);
		if (d == RX)
			rx_honest(3, when);
		else
			tx_honest(1, 3, when);
		if (d == TX) {
			struct rte_mbuf *m[TX_OUTSTANDING];

			rte_eth_tx_done_cleanup(t.loop.port, 0, 0);
			for (int i = 0; i < TX_OUTSTANDING; i++)
				m[i] = tx_frame(1);
			if (rte_eth_tx_burst(t.loop.port, 0, m, TX_OUTSTANDING) != TX_OUTSTANDING)
				fatal("%s: our Tx did not take %u frames", when, TX_OUTSTANDING);
		}
		{
			struct counters after = read_counters(d);

			check(memcmp(&before, &after, sizeof(before)) == 0,
			      "%s: an honest chain across the wrap was counted as an error", when);
		}
		ring_view(q, &v);
		check(pos_of(v.next_used) == 0, "%s: the chain did not end at the last slot", when);
		if (!next_buffer(&v, &id, &addr))
			fatal("%s: nothing posted after the wrap", when);
		if (d == RX)
			write_rx_header(addr, 1);
		v.vr.desc_packed[0].id = id;
		v.vr.desc_packed[0].len = d == RX ? NET_HDR_SIZE + 64 : 0;
		/* release: id and length before the flags (2.8.6); the flags of the lap just ended */
		__atomic_store_n(&v.vr.desc_packed[0].flags, used_flags(!wrap_of(v.next_used)),
				 __ATOMIC_RELEASE);
		return true;
	}

	ring_view(q, &v);
	if (kind != ID_RANGE && kind != IDX_JUMP && kind != RANDOM && kind != ID_NOT_POSTED &&
	    !next_buffer(&v, &id, &addr))
		fatal("%s: no buffer posted in ring %u", kinds[kind].name, q);
	switch (kind) {
	case ID_RANGE:
		write_used(&v, 0, RING_SIZE + 3u, 64);
		publish_used(&v, 1);
		break;
	case ID_TWICE:
		if (d == RX)
			write_rx_header(addr, 1);
		write_used(&v, 0, id, d == RX ? NET_HDR_SIZE + 64 : 0);
		write_used(&v, 1, id, d == RX ? NET_HDR_SIZE + 64 : 0);
		publish_used(&v, 2);
		break;
	case ID_NOT_POSTED: {
		uint16_t stray = 0;

		if (posted_ids(&v, posted) >= RING_SIZE) {
			*na = "every id is posted";
			return false;
		}
		while (posted[stray])
			stray++;
		write_used(&v, 0, stray, d == RX ? NET_HDR_SIZE + 64 : 0);
		publish_used(&v, 1);
		break;
	}
	case LEN_OVER:
		if (d == RX)
			write_rx_header(addr, 1);
		write_used(&v, 0, id, 0x100000);
		publish_used(&v, 1);
		break;
	case RUNT:
		write_rx_header(addr, 1);
		write_used(&v, 0, id, NET_HDR_SIZE + 5);
		publish_used(&v, 1);
		break;
	case IDX_JUMP:
		__atomic_store_n(&v.vr.used->idx, (uint16_t)(v.next_used + RING_SIZE + 5),
				 __ATOMIC_RELEASE);
		break;
	case RANDOM:
		if (!t.packed) {
			/* flags, idx, the ring and avail_event: all the device writes (2.7.8) */
			fill_random(v.vr.used, 4 + 8u * RING_SIZE + 2, &seed);
		} else {
			uint16_t slot = pos_of(v.next_used);

			fill_random(v.vr.desc_packed, 16u * RING_SIZE, &seed);
			fill_random(v.vr.device_event, 4, &seed);
			/* the slot the driver reads next says "used", so the bytes are looked at */
			__atomic_store_n(&v.vr.desc_packed[slot].flags, used_flags(wrap_of(v.next_used)),
					 __ATOMIC_RELEASE);
		}
		break;
	case WRONG_WRAP: {
		struct vring_packed_desc *dsc = &v.vr.desc_packed[pos_of(v.next_used)];
		bool wrap = wrap_of(v.next_used);

		if (d == RX)
			write_rx_header(addr, 1);
		dsc->id = id;
		dsc->len = d == RX ? NET_HDR_SIZE + 64 : 0;
		/* one of AVAIL and USED set, the other not, AVAIL not the lap's: what no lap means */
		__atomic_store_n(&dsc->flags, (uint16_t)(wrap ? DESC_F_USED : DESC_F_AVAIL),
				 __ATOMIC_RELEASE);
		break;
	}
	case NB_ZERO:
	case NB_OVER_RING:
		write_rx_header(addr, kind == NB_ZERO ? 0 : RING_SIZE + 1);
		write_used(&v, 0, id, NET_HDR_SIZE + 60);
		publish_used(&v, 1);
		break;
	default:
		fatal("kind %d", kind);
	}
	return true;
}

/* Bursts on the queue that got the bad completion, so the driver reads it. */
static void
poke(enum dir d)
{
	struct rte_mbuf *m[32];

	for (int i = 0; i < 4; i++) {
		if (d == RX) {
			uint16_t n = rte_eth_rx_burst(t.loop.port, 0, m, RTE_DIM(m));

			rte_pktmbuf_free_bulk(m, n);
		} else {
			rte_eth_tx_done_cleanup(t.loop.port, 0, 0);
			m[0] = tx_frame(1);
			if (rte_eth_tx_burst(t.loop.port, 0, m, 1) == 0)
				rte_pktmbuf_free(m[0]);
		}
	}
}

static unsigned int
events(void)
{
	return __atomic_load_n(&t.resets, __ATOMIC_ACQUIRE);
}

/* What the driver did with the bad completion: checked, described in `what` for the table. */
static bool
observe(enum kind kind, enum dir d, const struct counters *before, unsigned int events_before,
	const char *when, char *what, size_t what_len)
{
	struct counters after;
	struct rte_eth_stats stats;
	bool broken, counted;
	double deadline = test_deadline(EVENT_WAIT_S);

	poke(d);
	after = read_counters(d);
	broken = after.broken > before->broken;
	if (broken)
		while (events() == events_before && !test_past(deadline))
			usleep(1000);
	else
		usleep(50000); /* an event that should not come would come in this time */
	counted = after.rejected > before->rejected || after.errors > before->errors ||
		  after.runts > before->runts || broken;
	check(rte_eth_stats_get(t.loop.port, &stats) == 0, "%s: stats do not answer", when);
	if (d == TX && kinds[kind].tx_ignored)
		check(!counted, "%s: a Tx used length was taken for an error", when);
	else
		check(counted, "%s: nothing counted", when);
	check(after.broken <= before->broken + 1, "%s: device_broken moved by %" PRIu64, when,
	      after.broken - before->broken);
	check(events() == events_before + (broken ? 1u : 0u),
	      "%s: %u RTE_ETH_EVENT_INTR_RESET, expected %u", when, events() - events_before,
	      broken ? 1u : 0u);
	if (broken) {
		struct rte_eth_link link;
		struct rte_mbuf *m[8];

		check(rte_eth_link_get_nowait(t.loop.port, &link) == 0 &&
			      link.link_status == RTE_ETH_LINK_DOWN,
		      "%s: a broken port reports its link up", when);
		if (d == RX) {
			check(rte_eth_rx_burst(t.loop.port, 0, m, RTE_DIM(m)) == 0,
			      "%s: the broken Rx queue still delivers", when);
		} else {
			m[0] = tx_frame(1);
			if (check(rte_eth_tx_burst(t.loop.port, 0, m, 1) == 0,
				  "%s: the broken Tx queue still takes frames", when))
				rte_pktmbuf_free(m[0]);
		}
	}
	snprintf(what, what_len, "%s%s%s%s%s",
		 after.rejected > before->rejected ? "rejected " : "",
		 after.errors > before->errors ? "errors " : "", after.runts > before->runts ? "runt " : "",
		 broken ? "broken+event " : "", counted ? "" : "ignored ");
	return broken;
}

/* One cell of the table: the kind in direction d, twice (recovered by stop/start, then by reset). */
static void
run_cell(enum kind kind, enum dir d)
{
	const char *dname = d == RX ? "Rx" : "Tx";
	char when[96], what1[96], what2[96];
	const char *na = NULL;
	struct counters before;
	unsigned int ev;

	/* Recovery 1: port stop and start. */
	snprintf(when, sizeof(when), "%s %s (then stop/start)", kinds[kind].name, dname);
	before = read_counters(d);
	ev = events();
	if (!inject(kind, d, &na)) {
		rte_eth_tx_done_cleanup(t.loop.port, 0, 0);
		t.table_len += (size_t)snprintf(t.table + t.table_len, sizeof(t.table) - t.table_len,
						"| %s | %s | %s | %d | %d | n/a: %s | | | |\n",
						kinds[kind].name, dname, t.packed ? "packed" : "split",
						t.in_order, t.mrg, na);
		check(rte_eth_dev_stop(t.loop.port) == 0, "%s: stop", when);
		check_pool_whole(when);
		start_port(when);
		return;
	}
	observe(kind, d, &before, ev, when, what1, sizeof(what1));
	check(rte_eth_dev_stop(t.loop.port) == 0, "%s: stop", when);
	check_pool_whole(when);
	start_port(when);
	test_loop_round_trip(&t.loop, ROUND_TRIP, FRAME, when);

	/* Recovery 2: the same bad completion, then rte_eth_dev_reset + configure + start. */
	snprintf(when, sizeof(when), "%s %s (then reset)", kinds[kind].name, dname);
	before = read_counters(d);
	ev = events();
	if (!inject(kind, d, &na))
		fatal("%s: applied once, not twice (%s)", when, na);
	observe(kind, d, &before, ev, when, what2, sizeof(what2));
	{
		int ret = rte_eth_dev_reset(t.loop.port);

		check(ret == 0, "%s: rte_eth_dev_reset: %s", when, strerror(-ret));
	}
	check_pool_whole(when);
	configure_port();
	start_port(when);
	test_loop_round_trip(&t.loop, ROUND_TRIP, FRAME, when);
	check(strcmp(what1, what2) == 0, "%s: the second time \"%s\", the first \"%s\"", when, what2,
	      what1);
	t.table_len += (size_t)snprintf(t.table + t.table_len, sizeof(t.table) - t.table_len,
					"| %s | %s | %s | %d | %d | %s| yes | yes | yes |\n",
					kinds[kind].name, dname, t.packed ? "packed" : "split",
					t.in_order, t.mrg, what1);
}

int
main(int argc, char **argv)
{
	char args[256];
	uint64_t features;
	struct rte_eth_dev_info info;
	struct rte_eth_burst_mode mode;
	const char *vector;

	tally.name = "test_user_hostile_backend";
	if ((argc != 5 && argc != 6) || (strcmp(argv[2], "split") != 0 && strcmp(argv[2], "packed") != 0))
		fatal("usage: %s <plugin.so> split|packed <in_order 0|1> <mrg_rxbuf 0|1> [sse|avx2|avx512]",
		      argv[0]);
	/* A vector width: our Rx and Tx through that width's vector paths (vectorized=<width>). */
	vector = argc == 6 ? argv[5] : NULL;
	t.packed = strcmp(argv[2], "packed") == 0;
	t.in_order = atoi(argv[3]) != 0;
	t.mrg = atoi(argv[4]) != 0;
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	t.log_stream = open_memstream(&t.log, &t.log_len);
	if (t.log_stream == NULL || rte_openlog_stream(t.log_stream) != 0)
		fatal("log stream");
	tally.on_fatal = dump_log;
	test_vhost_eal_init(argv[0], argv[1], "vionet_hostile", NULL, "--log-level=pmd.net.vionet*:info");
	t.loop.ours_pool = test_pool("ours", 4095);
	t.loop.vhost_pool = test_pool("vhost", 4095);

	test_backend_start(0);
	snprintf(args, sizeof(args), "path=%s,queues=1,packed_vq=%d,in_order=%d,mrg_rxbuf=%d%s%s",
		 test_backend.sock, t.packed, t.in_order, t.mrg, vector != NULL ? ",vectorized=" : "",
		 vector != NULL ? vector : "");
	if (vector != NULL && !test_cpu_runs(vector)) {
		printf("SKIP: this CPU does not run the %s path\n", vector);
		return 77;
	}
	if (vector != NULL)
		rte_vect_set_max_simd_bitwidth(RTE_VECT_SIMD_512); /* the EAL's default stops at 256 */
	if (rte_vdev_init("net_vionet_user0", args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.loop.port) != 0)
		fatal("net_vionet_user0 probe");
	rte_eth_dev_callback_register(t.loop.port, RTE_ETH_EVENT_INTR_RESET, test_count_event,
				      &t.resets);
	if (rte_eth_dev_info_get(t.loop.port, &info) != 0)
		fatal("dev_info");
	/* VLAN strip on: a runt must be dropped before the strip reads a header it does not have.
	 * Not on packed vector rows: the packed vector Rx paths do not strip (they would give way to
	 * the scalar one). */
	if (vector == NULL || !t.packed)
		t.conf.rxmode.offloads = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	t.conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	configure_port();
	start_port("start");
	/* Rx: the vector path of the width, every layout and buffer scheme */
	if (vector != NULL) {
		char want[32];

		snprintf(want, sizeof(want), "%s %s%s", argv[2], t.mrg ? "mergeable " : "", vector);
		require(rte_eth_rx_burst_mode_get(t.loop.port, 0, &mode) == 0 &&
				strstr(mode.info, want) != NULL,
			"burst mode \"%s\", expected the %s path", mode.info, want);
	}
	/* Tx: the vector path of the width, either layout */
	if (vector != NULL) {
		char want[32];

		snprintf(want, sizeof(want), "%s %s", argv[2], vector);
		require(rte_eth_tx_burst_mode_get(t.loop.port, 0, &mode) == 0 &&
				strcmp(mode.info, want) == 0,
			"Tx burst mode \"%s\", expected the %s path", mode.info, want);
	}
	if (rte_vhost_get_negotiated_features(test_backend.vid, &features) != 0)
		fatal("negotiated features");
	require(((features >> F_IN_ORDER) & 1) == t.in_order && ((features >> F_MRG_RXBUF) & 1) == t.mrg,
		"negotiated features 0x%" PRIx64 " are not in_order=%d mrg_rxbuf=%d", features,
		t.in_order, t.mrg);
	test_loop_round_trip(&t.loop, ROUND_TRIP, FRAME, "before any bad completion");

	for (int k = 0; k < N_KINDS; k++)
		for (int d = RX; d <= TX; d++) {
			const struct kind_def *kd = &kinds[k];

			if ((t.packed ? !kd->packed : !kd->split) || (d == RX ? !kd->rx : !kd->tx) ||
			    (kd->mrg_only && !t.mrg))
				continue;
			run_cell((enum kind)k, (enum dir)d);
		}

	check(rte_eth_dev_stop(t.loop.port) == 0, "final stop");
	check_pool_whole("final stop");
	check(rte_eth_dev_close(t.loop.port) == 0, "close");
	test_backend_stop();
	printf("| kind | direction | ring | in-order | mergeable | what the PMD did | stop/start | "
	       "reset | pool whole |\n|---|---|---|---|---|---|---|---|---|\n%s",
	       t.table);
	rte_eal_cleanup();
	if (tally.failures != 0 || getenv("VIONET_TEST_LOG") != NULL)
		dump_log();
	return tally_finish();
}
