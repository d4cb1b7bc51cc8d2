/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vionet_user end to end, through the ethdev API, against DPDK's vhost library (net_vhost port)
 * in the same process. One thread drives both ports, so every packet's way is deterministic: our Tx
 * ring -> vhost dequeue -> vhost enqueue -> our Rx ring. No timing is asserted: waits are bounded
 * only to turn a hang into a failure.
 *
 * usage: test_user_datapath <plugin.so> <packed 0|1> <in_order 0|1> <mrg_rxbuf 0|1> <queue pairs>
 *        [sse|avx2|avx512]
 * (a vector width: our Rx through that vector path, devarg vectorized=<width>; skipped, exit 77,
 * where the CPU does not run it)
 *
 * Checks, for the given ring options:
 *   - frames of 64 B up to 9000 B (mergeable Rx) or 2048 B (one buffer per frame), single and
 *     multi-segment on Tx, with the header in headroom or (shared mbufs, no headroom) in a
 *     descriptor of its own, come back byte for byte on every queue, in order;
 *   - our port's counters and the vhost port's match exactly, and match what was sent;
 *   - per-queue xstats have their stable names and the same counts; nothing rejected, no errors;
 *   - with more than one queue pair: rte_pmd_vionet_set_queue_pairs() (VQ_PAIRS_SET through the
 *     control path) to half the pairs disables the back end's rings of the others, traffic goes
 *     on in the active ones; back to all; then the same through a port reconfigured with half;
 *     Rx and Tx queue counts apart (all Rx and one Tx, then the reverse): only our rings are
 *     enabled at the back end, traffic runs;
 *   - offloads through the virtio-net header: Tx VLAN insert and Rx VLAN strip (software), Tx TCP
 *     and UDP checksum (the back end completes a valid checksum), TSO (the back end sees LRO with
 *     our segment size; with mergeable buffers), Rx checksum and LRO flags from the back end's
 *     header; the same flags and strip on whole bursts of tagged and checksummed frames (a vector
 *     Rx path takes them a group at a time);
 *   - promiscuous on and off reach the device side (the vhost-user transport answers the control
 *     command and logs the mode it recorded); a frame from the back end to a foreign unicast address
 *     is received with the mode off as with it on (the back end does not filter);
 *   - the back end removed and created again: link down then up (LSC events), traffic resumes;
 *   - after every stop, and after close, our mempool's in-use count is back to 0.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_eth_vhost.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_vect.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test_ethdev.h"
#include "test_tally.h"

#define RING_SIZE 256
#define BATCH 32
#define MAX_QUEUES 8
#define POOL_SIZE 8191
#define SPIN_LIMIT 2000000u /* polls before a wait is declared a hang */
#define WAIT_S 60

static struct {
	const char *plugin;
	const char *vector; /* vectorized=<width>, or NULL */
	bool packed, in_order, mrg;
	uint16_t queues;
	char sock[128];
	char ours_name[32], vhost_args[256];
	uint16_t ours, vhost;
	struct rte_mempool *ours_pool, *vhost_pool;
	uint32_t lsc_events;
	uint64_t sent_pkts, sent_bytes; /* by our port, since its last stats reset */
	uint64_t q_sent[MAX_QUEUES];
	uint32_t seq;
} t;

static uint8_t
pattern(uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 131u + off * 7u + (off >> 8));
}

/*
 * How a frame is handed to our Tx: in mbufs we give away with headroom (the header goes there), in
 * mbufs we keep a reference to, or with no headroom (both: the header goes in a descriptor of its
 * own, a chain or an indirect table).
 */
enum frame_kind { FRAME_PLAIN, FRAME_SHARED, FRAME_NO_HEADROOM };

/* A frame of 'len' bytes as segments of at most 'seg_len': seq at byte 14, pattern elsewhere. */
static struct rte_mbuf *
make_frame_kind(uint32_t len, uint32_t seg_len, uint32_t seq, enum frame_kind kind)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(t.ours_pool);
		uint32_t n = RTE_MIN(seg_len, len - off);
		uint8_t *p;

		if (m == NULL)
			fatal("our pool is empty (in use %u)", rte_mempool_in_use_count(t.ours_pool));
		if (kind == FRAME_NO_HEADROOM && off == 0)
			m->data_off = 0;
		if (kind == FRAME_SHARED)
			rte_mbuf_refcnt_update(m, 1);
		n = RTE_MIN(n, (uint32_t)rte_pktmbuf_tailroom(m));
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		for (uint32_t i = 0; i < n; i++)
			p[i] = pattern(seq, off + i);
		if (off == 0) {
			/* Ethernet header: broadcast destination, locally administered source. */
			memset(p, 0xff, 6);
			memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
			p[12] = 0x88;
			p[13] = 0xb5; /* local experimental EtherType */
			memcpy(p + 14, &seq, sizeof(seq));
		}
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
		off += n;
	}
	return head;
}

static struct rte_mbuf *
make_frame(uint32_t len, uint32_t seg_len, uint32_t seq)
{
	return make_frame_kind(len, seg_len, seq, FRAME_PLAIN);
}

static bool
frame_ok(const struct rte_mbuf *m, uint32_t len, uint32_t seq, const char *where)
{
	uint8_t buf[16384];
	const uint8_t *p;
	uint32_t got_seq;

	if (m->pkt_len != len) {
		check(false, "%s: frame %u has %u bytes, sent %u", where, seq, m->pkt_len, len);
		return false;
	}
	p = rte_pktmbuf_read(m, 0, len, buf);
	if (p == NULL) {
		check(false, "%s: frame %u unreadable", where, seq);
		return false;
	}
	memcpy(&got_seq, p + 14, sizeof(got_seq));
	if (got_seq != seq) {
		check(false, "%s: frame %u arrived where %u was expected", where, got_seq, seq);
		return false;
	}
	for (uint32_t i = 18; i < len; i++)
		if (p[i] != pattern(seq, i)) {
			check(false, "%s: frame %u differs at byte %u", where, seq, i);
			return false;
		}
	return true;
}

/*
 * One batch on queue q: our Tx -> vhost Rx (checked) -> vhost Tx -> our Rx (checked).
 * Both directions are polled in the same loop until every frame is back.
 */
static void
round_trip_kind(uint16_t q, const uint32_t *lens, uint16_t n, uint32_t seg_len, enum frame_kind kind)
{
	struct rte_mbuf *out[BATCH], *kept[BATCH], *mid[BATCH], *back[BATCH];
	uint32_t seqs[BATCH];
	uint16_t sent = 0, at_vhost = 0, vhost_sent = 0, returned = 0;
	unsigned int spins = 0;
	char where[64];

	for (uint16_t i = 0; i < n; i++) {
		seqs[i] = t.seq++;
		out[i] = make_frame_kind(lens[i], seg_len, seqs[i], kind);
		kept[i] = out[i];
		t.sent_pkts++;
		t.sent_bytes += lens[i];
		t.q_sent[q]++;
	}
	while (returned < n) {
		if (++spins > SPIN_LIMIT)
			fatal("queue %u: stuck with %u sent, %u at vhost, %u sent back, %u returned", q,
			      sent, at_vhost, vhost_sent, returned);
		if (sent < n)
			sent += rte_eth_tx_burst(t.ours, q, out + sent, n - sent);
		if (at_vhost < sent) {
			uint16_t got = rte_eth_rx_burst(t.vhost, q, mid + at_vhost, n - at_vhost);

			for (uint16_t i = 0; i < got; i++) {
				snprintf(where, sizeof(where), "vhost rx q%u", q);
				frame_ok(mid[at_vhost + i], lens[at_vhost + i], seqs[at_vhost + i], where);
			}
			at_vhost += got;
		}
		if (vhost_sent < at_vhost)
			vhost_sent += rte_eth_tx_burst(t.vhost, q, mid + vhost_sent, at_vhost - vhost_sent);
		if (returned < vhost_sent) {
			uint16_t got = rte_eth_rx_burst(t.ours, q, back, n - returned);

			for (uint16_t i = 0; i < got; i++) {
				snprintf(where, sizeof(where), "our rx q%u", q);
				frame_ok(back[i], lens[returned + i], seqs[returned + i], where);
				rte_pktmbuf_free(back[i]);
			}
			returned += got;
		}
	}
	/* Nothing more arrives than was sent. */
	check(rte_eth_rx_burst(t.ours, q, back, BATCH) == 0, "queue %u: extra frames on our Rx", q);
	/* Our own references: the frames must be as we made them (the driver wrote no header there). */
	if (kind == FRAME_SHARED) {
		for (uint16_t i = 0; i < n; i++) {
			snprintf(where, sizeof(where), "kept frame q%u", q);
			frame_ok(kept[i], lens[i], seqs[i], where);
			rte_pktmbuf_free(kept[i]);
		}
	}
}

static void
round_trip(uint16_t q, const uint32_t *lens, uint16_t n, uint32_t seg_len)
{
	round_trip_kind(q, lens, n, seg_len, FRAME_PLAIN);
}

static void
traffic(uint16_t queues)
{
	static const uint32_t sizes_mrg[] = {64, 65, 127, 128, 511, 1024, 1514, 1518, 2048,
					     3000, 4096, 8000, 9000};
	static const uint32_t sizes_one[] = {64, 65, 127, 128, 511, 1024, 1514, 1518, 2048};
	const uint32_t *sizes = t.mrg ? sizes_mrg : sizes_one;
	unsigned int nsizes = t.mrg ? RTE_DIM(sizes_mrg) : RTE_DIM(sizes_one);
	uint32_t lens[BATCH];

	for (uint16_t q = 0; q < queues; q++) {
		/* Every size, single-segment (max 2048 per mbuf) then as 300-byte segments. */
		for (unsigned int i = 0; i < nsizes; i++) {
			for (uint16_t k = 0; k < BATCH; k++)
				lens[k] = sizes[i];
			round_trip(q, lens, BATCH, 2048);
			round_trip(q, lens, 7, 300);
			round_trip_kind(q, lens, 5, 2048, FRAME_SHARED);
			round_trip_kind(q, lens, 5, 2048, FRAME_NO_HEADROOM);
			round_trip_kind(q, lens, 3, 300, FRAME_SHARED);
		}
		/* Mixed sizes in one burst; more batches than the ring holds to wrap it. */
		for (unsigned int r = 0; r < 3 * RING_SIZE / BATCH; r++) {
			for (uint16_t k = 0; k < BATCH; k++)
				lens[k] = sizes[(r + k) % nsizes];
			round_trip(q, lens, BATCH, (r & 1) ? 2048 : 1000);
		}
	}
}

static void
check_counters(uint16_t queues, const char *when)
{
	struct rte_eth_stats ours, vh;
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *xs;
	int n;

	rte_eth_stats_get(t.ours, &ours);
	rte_eth_stats_get(t.vhost, &vh);
	check(ours.opackets == t.sent_pkts && ours.obytes == t.sent_bytes,
	      "%s: our Tx %" PRIu64 " pkts %" PRIu64 " B, sent %" PRIu64 " pkts %" PRIu64 " B", when,
	      ours.opackets, ours.obytes, t.sent_pkts, t.sent_bytes);
	check(ours.ipackets == t.sent_pkts && ours.ibytes == t.sent_bytes,
	      "%s: our Rx %" PRIu64 " pkts %" PRIu64 " B, expected %" PRIu64 " pkts %" PRIu64 " B",
	      when, ours.ipackets, ours.ibytes, t.sent_pkts, t.sent_bytes);
	check(vh.ipackets == ours.opackets && vh.ibytes == ours.obytes,
	      "%s: vhost Rx %" PRIu64 "/%" PRIu64 " B != our Tx %" PRIu64 "/%" PRIu64 " B", when,
	      vh.ipackets, vh.ibytes, ours.opackets, ours.obytes);
	check(vh.opackets == ours.ipackets && vh.obytes == ours.ibytes,
	      "%s: vhost Tx %" PRIu64 "/%" PRIu64 " B != our Rx %" PRIu64 "/%" PRIu64 " B", when,
	      vh.opackets, vh.obytes, ours.ipackets, ours.ibytes);
	check(ours.ierrors == 0 && ours.oerrors == 0 && ours.rx_nombuf == 0,
	      "%s: errors rx %" PRIu64 " tx %" PRIu64 " nombuf %" PRIu64, when, ours.ierrors,
	      ours.oerrors, ours.rx_nombuf);

	n = rte_eth_xstats_get_names(t.ours, NULL, 0);
	names = calloc(n, sizeof(*names));
	xs = calloc(n, sizeof(*xs));
	if (names == NULL || xs == NULL)
		fatal("out of memory");
	check(rte_eth_xstats_get_names(t.ours, names, n) == n && rte_eth_xstats_get(t.ours, xs, n) == n,
	      "%s: xstats count changed", when);
	for (uint16_t q = 0; q < queues; q++) {
		const struct {
			char fmt[48];
			uint64_t want;
		} expect[] = {
			{"rx_q%u_packets", t.q_sent[q]},
			{"tx_q%u_packets", t.q_sent[q]},
			{"rx_q%u_errors", 0},
			{"tx_q%u_errors", 0},
			{"rx_q%u_invalid_used_rejected", 0},
			{"tx_q%u_invalid_used_rejected", 0},
		};

		for (unsigned int e = 0; e < RTE_DIM(expect); e++) {
			char name[RTE_ETH_XSTATS_NAME_SIZE];
			bool found = false;

			snprintf(name, sizeof(name), expect[e].fmt, q);
			for (int i = 0; i < n; i++) {
				if (strcmp(names[i].name, name) != 0)
					continue;
				found = true;
				check(xs[i].value == expect[e].want, "%s: xstat %s = %" PRIu64 ", expected %" PRIu64,
				      when, name, xs[i].value, expect[e].want);
			}
			check(found, "%s: no xstat named %s", when, name);
		}
	}
	free(names);
	free(xs);
}

static void
reset_counters(void)
{
	rte_eth_stats_reset(t.ours);
	rte_eth_stats_reset(t.vhost);
	t.sent_pkts = t.sent_bytes = 0;
	memset(t.q_sent, 0, sizeof(t.q_sent));
}

static void
configure(uint16_t port, uint16_t queues, struct rte_mempool *pool, bool lsc)
{
	struct rte_eth_conf conf = {0};

	conf.intr_conf.lsc = lsc;
	test_port_configure(port, &conf, queues, RING_SIZE, pool);
}

static void
stop_ours_and_check_pool(const char *when)
{
	int ret = rte_eth_dev_stop(t.ours);

	check(ret == 0, "%s: stop: %s", when, strerror(-ret));
	check(rte_mempool_in_use_count(t.ours_pool) == 0, "%s: %u mbufs of our pool still in use",
	      when, rte_mempool_in_use_count(t.ours_pool));
}

/* The vhost rings the back end reports enabled, from its queue state events. */
static void
vhost_ring_states(bool *enabled_rx, bool *enabled_tx)
{
	struct rte_eth_vhost_queue_event ev;

	while (rte_eth_vhost_get_queue_event(t.vhost, &ev) == 0) {
		if (ev.queue_id >= MAX_QUEUES)
			continue;
		if (ev.rx)
			enabled_rx[ev.queue_id] = ev.enable;
		else
			enabled_tx[ev.queue_id] = ev.enable;
	}
}

static void
expect_rings(const bool *rx_on, const bool *tx_on, uint16_t active, const char *when)
{
	for (uint16_t q = 0; q < t.queues; q++) {
		bool want = q < active;

		check(rx_on[q] == want && tx_on[q] == want,
		      "%s: back end ring pair %u is %s/%s, expected %s", when, q, rx_on[q] ? "on" : "off",
		      tx_on[q] ? "on" : "off", want ? "on" : "off");
	}
}

/* Our stop resets the device: the vhost port forgets its ring states (destroy_device). */
static void
forget_ring_states(bool *rx_on, bool *tx_on)
{
	memset(rx_on, 0, MAX_QUEUES * sizeof(bool));
	memset(tx_on, 0, MAX_QUEUES * sizeof(bool));
}

static void
queue_pairs_change(void)
{
	int (*set_pairs)(uint16_t, uint16_t);
	bool rx_on[MAX_QUEUES] = {0}, tx_on[MAX_QUEUES] = {0};
	uint16_t half = t.queues / 2;
	void *lib;
	int ret;

	/* While running, through the driver's own call. */
	lib = dlopen(t.plugin, RTLD_NOW | RTLD_NOLOAD);
	set_pairs = lib != NULL ? (int (*)(uint16_t, uint16_t))dlsym(lib, "rte_pmd_vionet_set_queue_pairs")
				: NULL;
	if (set_pairs == NULL)
		fatal("rte_pmd_vionet_set_queue_pairs not found in %s", t.plugin);
	vhost_ring_states(rx_on, tx_on);
	expect_rings(rx_on, tx_on, t.queues, "all pairs");
	ret = set_pairs(t.ours, half);
	check(ret == 0, "set %u pairs: %s", half, strerror(-ret));
	vhost_ring_states(rx_on, tx_on);
	expect_rings(rx_on, tx_on, half, "VQ_PAIRS_SET half");
	reset_counters();
	traffic(half);
	check_counters(half, "VQ_PAIRS_SET half");
	check(set_pairs(t.ours, 0) == -EINVAL && set_pairs(t.ours, t.queues + 1) == -EINVAL,
	      "pairs out of range accepted");
	ret = set_pairs(t.ours, t.queues);
	check(ret == 0, "set %u pairs: %s", t.queues, strerror(-ret));
	vhost_ring_states(rx_on, tx_on);
	expect_rings(rx_on, tx_on, t.queues, "VQ_PAIRS_SET all");
	reset_counters();
	traffic(t.queues);
	check_counters(t.queues, "VQ_PAIRS_SET all");
	dlclose(lib);

	/* Through a reconfiguration: only half the pairs set up and active. */
	stop_ours_and_check_pool("before pair change");
	forget_ring_states(rx_on, tx_on);
	configure(t.ours, half, t.ours_pool, true);
	test_port_start(t.ours, WAIT_S, "pair change");
	reset_counters();
	traffic(half);
	check_counters(half, "half the pairs");
	vhost_ring_states(rx_on, tx_on);
	expect_rings(rx_on, tx_on, half, "reconfigured with half");
	stop_ours_and_check_pool("after half the pairs");
	/* RSS: refused over vhost-user (no back end offers VIRTIO_NET_F_RSS), the port unharmed */
	{
		struct rte_eth_conf rss = {.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS};
		int refused = rte_eth_dev_configure(t.ours, t.queues, t.queues, &rss);

		check(refused == -ENOTSUP, "Rx multi-queue mode RSS over vhost-user: configure gave "
		      "%d, expected -ENOTSUP", refused);
	}
	forget_ring_states(rx_on, tx_on);
	configure(t.ours, t.queues, t.ours_pool, true);
	test_port_start(t.ours, WAIT_S, "pair change back");
	vhost_ring_states(rx_on, tx_on);
	expect_rings(rx_on, tx_on, t.queues, "reconfigured with all");
	reset_counters();
	traffic(t.queues);
	check_counters(t.queues, "all pairs again");
}

/* Our port configured with every pair and started again; traffic on all of them, exact counters. */
static void
start_all_pairs_and_check(const char *when)
{
	configure(t.ours, t.queues, t.ours_pool, true);
	test_port_start(t.ours, WAIT_S, when);
	reset_counters();
	traffic(t.queues);
	check_counters(t.queues, when);
}

/*
 * Rx and Tx queue counts apart (testpmd --rxq=4 --txq=1, and the reverse): the device gets pairs for
 * the larger count; the half of a pair beyond the smaller one is never set up, so the back end
 * enables only the rings we have, and traffic runs on queue 0.
 */
static void
asymmetric_queues(void)
{
	bool rx_on[MAX_QUEUES] = {0}, tx_on[MAX_QUEUES] = {0};
	struct rte_eth_conf conf = {0};

	conf.intr_conf.lsc = 1;
	for (int one_tx = 1; one_tx >= 0; one_tx--) {
		uint16_t nb_rx = one_tx ? t.queues : 1;
		uint16_t nb_tx = one_tx ? 1 : t.queues;
		char when[48];

		snprintf(when, sizeof(when), "%u Rx / %u Tx queues", nb_rx, nb_tx);
		stop_ours_and_check_pool(when);
		forget_ring_states(rx_on, tx_on);
		test_port_configure_queues(t.ours, &conf, nb_rx, nb_tx, RING_SIZE, t.ours_pool);
		test_port_start(t.ours, WAIT_S, when);
		reset_counters();
		traffic(1);
		check_counters(1, when);
		/* The back end's Rx rings are our Tx queues, its Tx rings our Rx queues. Its ring
		 * state events come from its message thread: wait for them, boundedly. */
		for (unsigned int ms = 0;; ms += 10) {
			bool match = true;

			vhost_ring_states(rx_on, tx_on);
			for (uint16_t q = 0; q < t.queues; q++)
				match &= rx_on[q] == (q < nb_tx) && tx_on[q] == (q < nb_rx);
			if (match || ms >= WAIT_S * 1000u)
				break;
			usleep(10000);
		}
		for (uint16_t q = 0; q < t.queues; q++)
			check(rx_on[q] == (q < nb_tx) && tx_on[q] == (q < nb_rx),
			      "%s: back end rings of pair %u are Rx %s / Tx %s", when, q,
			      rx_on[q] ? "on" : "off", tx_on[q] ? "on" : "off");
	}
	stop_ours_and_check_pool("after asymmetric queues");
	start_all_pairs_and_check("queue pairs again");
}

/*
 * ethdev's rx_free_thresh and tx_free_thresh: taken as given (queue info reports them back), and a
 * value the ring cannot hold refused with an error, the port still usable after.
 */
static void
free_thresholds(void)
{
	struct rte_eth_rxconf rxconf = {.rx_free_thresh = 8};
	struct rte_eth_txconf txconf = {.tx_free_thresh = 16};
	struct rte_eth_rxq_info rxq;
	struct rte_eth_txq_info txq;
	struct rte_eth_conf conf = {0};
	int ret;

	stop_ours_and_check_pool("before thresholds");
	conf.intr_conf.lsc = 1;
	test_port_configure(t.ours, &conf, t.queues, RING_SIZE, t.ours_pool);
	rxconf.rx_free_thresh = RING_SIZE;
	check(rte_eth_rx_queue_setup(t.ours, 0, RING_SIZE, rte_socket_id(), &rxconf, t.ours_pool) ==
		      -EINVAL,
	      "rx_free_thresh of a whole ring accepted");
	txconf.tx_free_thresh = RING_SIZE;
	check(rte_eth_tx_queue_setup(t.ours, 0, RING_SIZE, rte_socket_id(), &txconf) == -EINVAL,
	      "tx_free_thresh of a whole ring accepted");
	rxconf.rx_free_thresh = 8;
	txconf.tx_free_thresh = 16;
	ret = rte_eth_rx_queue_setup(t.ours, 0, RING_SIZE, rte_socket_id(), &rxconf, t.ours_pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(t.ours, 0, RING_SIZE, rte_socket_id(), &txconf);
	check(ret == 0, "queue 0 with thresholds 8/16: %s", strerror(-ret));
	test_port_start(t.ours, WAIT_S, "thresholds");
	check(rte_eth_rx_queue_info_get(t.ours, 0, &rxq) == 0 && rxq.conf.rx_free_thresh == 8 &&
		      rte_eth_tx_queue_info_get(t.ours, 0, &txq) == 0 && txq.conf.tx_free_thresh == 16,
	      "queue info: thresholds %u/%u, set 8/16", rxq.conf.rx_free_thresh,
	      txq.conf.tx_free_thresh);
	reset_counters();
	traffic(t.queues);
	check_counters(t.queues, "thresholds 8/16");
	stop_ours_and_check_pool("after thresholds");
	configure(t.ours, t.queues, t.ours_pool, true);
	test_port_start(t.ours, WAIT_S, "default thresholds");
}

/* ---- Port information ---- */

/* A frame the back end sends to `dst` on queue 0: how many frames our queue 0 then receives (a wait
 * bounded only to turn a hang into a failure, then one more poll for an extra one). */
static unsigned int
frames_received_for(const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m = make_frame(100, 2048, t.seq++), *got[4];
	unsigned int received = 0, spins;
	uint16_t extra;

	memcpy(rte_pktmbuf_mtod(m, uint8_t *), dst->addr_bytes, RTE_ETHER_ADDR_LEN);
	for (spins = 0; rte_eth_tx_burst(t.vhost, 0, &m, 1) == 0; spins++)
		if (spins > SPIN_LIMIT)
			fatal("the back end's Tx never took a frame");
	for (spins = 0; received == 0 && spins < SPIN_LIMIT; spins++)
		received += rte_eth_rx_burst(t.ours, 0, got, RTE_DIM(got));
	rte_pktmbuf_free_bulk(got, received);
	extra = rte_eth_rx_burst(t.ours, 0, got, RTE_DIM(got));
	rte_pktmbuf_free_bulk(got, extra);
	return received + extra;
}

/* Runs fn with the EAL log captured; returns the text (free() it), which is echoed to stdout too. */
static char *
with_log_captured(void (*fn)(void))
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem == NULL)
		fatal("open_memstream: %s", strerror(errno));
	rte_openlog_stream(mem);
	fn();
	rte_openlog_stream(NULL);
	fclose(mem);
	fputs(text, stdout);
	return text;
}

static void
promiscuous_on(void)
{
	check(rte_eth_promiscuous_enable(t.ours) == 0, "promiscuous on");
}

static void
promiscuous_off(void)
{
	check(rte_eth_promiscuous_disable(t.ours) == 0, "promiscuous off");
}

/*
 * Promiscuous mode over vhost-user: the back end never sees the control queue, so the transport
 * answers VIRTIO_NET_CTRL_RX_PROMISC itself and records the mode (it logs the change); a vhost-user
 * back end has no filter to program, so frames to a unicast address that is not ours reach us with
 * the mode off as with it on (doc/features.md: "recorded, the back end does not filter").
 */
static void
promiscuous_at_the_device(void)
{
	struct rte_ether_addr foreign = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x77}}, ours;
	unsigned int n;
	char *log;

	if (rte_eth_macaddr_get(t.ours, &ours) != 0 || rte_is_same_ether_addr(&ours, &foreign))
		fatal("our MAC address is unknown or is the test's foreign one");
	log = with_log_captured(promiscuous_on);
	check(strstr(log, "promiscuous on") != NULL,
	      "promiscuous on: the transport did not record it (no \"promiscuous on\" in its log)");
	free(log);
	check(rte_eth_promiscuous_get(t.ours) == 1, "promiscuous on: ethdev's flag is off");
	n = frames_received_for(&foreign);
	check(n == 1, "promiscuous on: %u frames to a foreign unicast address received, sent 1", n);

	log = with_log_captured(promiscuous_off);
	check(strstr(log, "promiscuous off") != NULL,
	      "promiscuous off: the transport did not record it (no \"promiscuous off\" in its log)");
	free(log);
	check(rte_eth_promiscuous_get(t.ours) == 0, "promiscuous off: ethdev's flag is on");
	n = frames_received_for(&foreign);
	check(n == 1,
	      "promiscuous off: %u frames to a foreign unicast address received, sent 1 (a vhost-user "
	      "back end does not filter)", n);
	n = frames_received_for(&ours);
	check(n == 1, "promiscuous off: %u frames to our own address received, sent 1", n);
}

static void
port_info(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_rxq_info rxq;
	struct rte_eth_txq_info txq;
	struct rte_eth_burst_mode mode;
	struct rte_mbuf *m[8], *got[8];
	char fw[128];
	uint16_t n = 0, back = 0;
	unsigned int spins = 0;
	int count = 0;

	check(rte_eth_dev_info_get(t.ours, &info) == 0, "dev_info");
	check(info.max_rx_queues == t.queues && info.max_tx_queues == t.queues,
	      "dev_info: %u/%u queues, the device has %u pairs", info.max_rx_queues,
	      info.max_tx_queues, t.queues);
	check(info.flow_type_rss_offloads == 0 && info.reta_size == 0, "dev_info claims RSS");
	check((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) &&
		      (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT) &&
		      (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS),
	      "dev_info: VLAN strip/insert or multi-segment Tx missing");
	check(((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0) == t.mrg,
	      "dev_info: scatter Rx claimed %s mergeable buffers", t.mrg ? "without" : "with");
	check(strcmp(info.driver_name, "net_vionet_user") == 0, "driver name %s", info.driver_name);
	check(rte_eth_dev_fw_version_get(t.ours, fw, sizeof(fw)) == 0 && strstr(fw, "vhost-user") != NULL,
	      "fw version \"%s\"", fw);
	check(rte_eth_rx_queue_info_get(t.ours, 0, &rxq) == 0 && rxq.nb_desc == RING_SIZE &&
		      rxq.mp == t.ours_pool,
	      "rxq info: %u descriptors", rxq.nb_desc);
	check(rte_eth_tx_queue_info_get(t.ours, 0, &txq) == 0 && txq.nb_desc == RING_SIZE,
	      "txq info: %u descriptors", txq.nb_desc);
	/* The default thresholds, doc/guide.md: "a quarter of the ring, at most 64"; the ring has 256
	 * descriptors, so 64 both. */
	check(rxq.conf.rx_free_thresh == 64 && txq.conf.tx_free_thresh == 64,
	      "queue info: rx_free_thresh %u, tx_free_thresh %u, expected 64 and 64 (the defaults)",
	      rxq.conf.rx_free_thresh, txq.conf.tx_free_thresh);
	check(rte_eth_rx_burst_mode_get(t.ours, 0, &mode) == 0 &&
		      strstr(mode.info, t.packed ? "packed" : "split") != NULL,
	      "burst mode \"%s\"", mode.info);

	/* Receive filters go through the control path (recorded by the vhost-user transport). */
	{
		struct rte_ether_addr extra = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x42}};
		struct rte_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};

		promiscuous_at_the_device();
		check(rte_eth_allmulticast_enable(t.ours) == 0 && rte_eth_allmulticast_disable(t.ours) == 0,
		      "all-multicast on/off");
		check(rte_eth_dev_mac_addr_add(t.ours, &extra, 0) == 0, "MAC add");
		check(rte_eth_dev_mac_addr_add(t.ours, &mcast, 0) == 0, "multicast MAC add");
		check(rte_eth_dev_mac_addr_remove(t.ours, &extra) == 0, "MAC remove");
		check(rte_eth_dev_mac_addr_remove(t.ours, &mcast) == 0, "multicast MAC remove");
	}
	/* MTU: up to the device's limit; above one Rx buffer only with mergeable buffers. */
	check(rte_eth_dev_set_mtu(t.ours, (uint16_t)(info.max_mtu + 1)) != 0, "MTU above max accepted");
	check((rte_eth_dev_set_mtu(t.ours, 9000) == 0) == t.mrg, "MTU 9000 %s mergeable buffers: %s",
	      t.mrg ? "with" : "without", t.mrg ? "refused" : "accepted");
	check(rte_eth_dev_set_mtu(t.ours, 1500) == 0, "MTU 1500");

	/* rx_queue_count: frames the back end put in our Rx ring and we have not received. */
	for (int i = 0; i < 8; i++)
		m[i] = make_frame(100, 2048, t.seq++);
	while (n < 8 && spins++ < SPIN_LIMIT)
		n += rte_eth_tx_burst(t.ours, 0, m + n, 8 - n);
	for (spins = 0; back < 8 && spins < SPIN_LIMIT; spins++)
		back += rte_eth_rx_burst(t.vhost, 0, got + back, 8 - back);
	n = 0;
	while (n < back && spins++ < SPIN_LIMIT)
		n += rte_eth_tx_burst(t.vhost, 0, got + n, back - n);
	for (spins = 0; spins < SPIN_LIMIT && count < 8; spins++)
		count = rte_eth_rx_queue_count(t.ours, 0);
	check(count == 8, "rx_queue_count %d, expected 8", count);
	n = 0;
	for (spins = 0; n < 8 && spins < SPIN_LIMIT; spins++)
		n += rte_eth_rx_burst(t.ours, 0, got + n, 8 - n);
	check(n == 8, "received %u of 8 after rx_queue_count", n);
	rte_pktmbuf_free_bulk(got, n);
	check(rte_eth_rx_queue_count(t.ours, 0) == 0, "rx_queue_count not 0 after receiving");
}

/* ---- Offloads ---- */

/* An IPv4 TCP or UDP frame of 'len' bytes in one mbuf, L4 checksum field = pseudo-header sum. */
static struct rte_mbuf *
make_l4_frame(uint32_t len, uint8_t proto, uint32_t seq)
{
	struct rte_mbuf *m = make_frame(len, 2048, seq);
	char *p = rte_pktmbuf_mtod(m, char *);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint16_t l4_len = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);

	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

		memset(tcp, 0, sizeof(*tcp));
		tcp->src_port = rte_cpu_to_be_16(1234);
		tcp->dst_port = rte_cpu_to_be_16(5678);
		tcp->sent_seq = rte_cpu_to_be_32(seq);
		tcp->data_off = (sizeof(*tcp) / 4) << 4;
		tcp->tcp_flags = RTE_TCP_ACK_FLAG;
		tcp->rx_win = rte_cpu_to_be_16(65535);
		tcp->cksum = rte_ipv4_phdr_cksum(ip, 0);
	} else {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = rte_cpu_to_be_16(1234);
		udp->dst_port = rte_cpu_to_be_16(5678);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth) - sizeof(*ip)));
		udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, 0);
	}
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->l4_len = l4_len;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 |
		      (proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
	return m;
}

/* Sends one frame on queue 0 of port `from` and returns what queue 0 of port `to` received (bounded
 * wait): our port and the back end's, either way. */
static struct rte_mbuf *
frame_across(uint16_t from, uint16_t to, struct rte_mbuf *m)
{
	struct rte_mbuf *got = NULL;

	for (unsigned int spins = 0; rte_eth_tx_burst(from, 0, &m, 1) == 0; spins++)
		if (spins > SPIN_LIMIT)
			fatal("offload frame not accepted by port %u's Tx", from);
	for (unsigned int spins = 0; rte_eth_rx_burst(to, 0, &got, 1) == 0; spins++)
		if (spins > SPIN_LIMIT)
			fatal("offload frame sent by port %u never reached port %u", from, to);
	return got;
}

static bool
l4_checksum_valid(const struct rte_mbuf *m)
{
	uint8_t buf[16384];
	const struct rte_ipv4_hdr *ip;

	ip = rte_pktmbuf_read(m, sizeof(struct rte_ether_hdr), m->pkt_len - sizeof(struct rte_ether_hdr),
			      buf);
	return ip != NULL && rte_ipv4_udptcp_cksum_verify(ip, ip + 1) == 0;
}

/*
 * Rx offloads on a whole burst from the back end: VLAN-tagged frames (the back end inserts the tag)
 * and TCP/UDP frames it sends with checksum offload (NEEDS_CSUM), alternating. Each comes back
 * stripped with its tag, or with L4_CKSUM_NONE, bytes intact.
 */
static void
offload_burst(void)
{
	struct rte_mbuf *out[BATCH], *in[BATCH];
	uint16_t sent = 0, got = 0;
	unsigned int spins = 0;

	for (uint16_t i = 0; i < BATCH; i++) {
		uint32_t len = 100u + 37u * i;

		if (i % 2 == 0) {
			out[i] = make_frame(len, 2048, t.seq + i);
			out[i]->ol_flags = RTE_MBUF_F_TX_VLAN;
			out[i]->vlan_tci = 100; /* the tag the filter lets in (offloads()) */
		} else {
			out[i] = make_l4_frame(len, i % 4 == 1 ? IPPROTO_TCP : IPPROTO_UDP, t.seq + i);
		}
	}
	while (sent < BATCH) {
		sent += rte_eth_tx_burst(t.vhost, 0, &out[sent], (uint16_t)(BATCH - sent));
		if (++spins > SPIN_LIMIT)
			fatal("offload burst: the back end's Tx took %u of %u", sent, BATCH);
	}
	for (spins = 0; got < BATCH;) {
		got += rte_eth_rx_burst(t.ours, 0, &in[got], (uint16_t)(BATCH - got));
		if (++spins > SPIN_LIMIT)
			fatal("offload burst: %u of %u frames reached our port", got, BATCH);
	}
	for (uint16_t i = 0; i < BATCH; i++) {
		const struct rte_mbuf *m = in[i];
		uint32_t len = 100u + 37u * i, seq;

		memcpy(&seq, rte_pktmbuf_mtod_offset(m, const uint8_t *, 14), sizeof(seq));
		if (i % 2 == 0) {
			check((m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) && m->vlan_tci == 100 &&
				      m->pkt_len == len && seq == t.seq + i,
			      "offload burst frame %u: VLAN strip: flags 0x%" PRIx64 " tci %u len %u", i,
			      m->ol_flags, m->vlan_tci, m->pkt_len);
		} else {
			check((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE &&
				      !(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) && m->pkt_len == len,
			      "offload burst frame %u: checksum flags 0x%" PRIx64 " len %u, expected "
			      "L4_CKSUM_NONE (NEEDS_CSUM)", i, m->ol_flags, m->pkt_len);
		}
	}
	t.seq += BATCH;
	rte_pktmbuf_free_bulk(in, BATCH);
}

static void
offloads(void)
{
	struct rte_eth_conf conf = {0};
	struct rte_mbuf *m, *at_vhost, *back;
	uint8_t ref[2048];
	const uint8_t *tag;

	stop_ours_and_check_pool("before offloads");
	conf.intr_conf.lsc = 1;
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_VLAN_FILTER |
			       RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	if (t.mrg)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			       RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (t.mrg)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	test_port_configure(t.ours, &conf, t.queues, RING_SIZE, t.ours_pool);
	test_port_start(t.ours, WAIT_S, "offloads");
	if (t.vector != NULL) {
		struct rte_eth_burst_mode mode;

		/* the offloads keep our Rx on the vector path */
		check(rte_eth_rx_burst_mode_get(t.ours, 0, &mode) == 0 &&
			      strstr(mode.info, t.vector) != NULL,
		      "offloads on: burst mode \"%s\", expected the %s path", mode.info, t.vector);
	}

	check(rte_eth_dev_vlan_filter(t.ours, 100, 1) == 0, "VLAN filter add");
	offload_burst();

	/* VLAN: inserted on Tx in software, seen tagged by the back end, stripped on our Rx. */
	m = make_frame(200, 2048, t.seq);
	memcpy(ref, rte_pktmbuf_mtod(m, void *), 200);
	m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	m->vlan_tci = 100;
	at_vhost = frame_across(t.ours, t.vhost, m);
	tag = rte_pktmbuf_mtod(at_vhost, const uint8_t *);
	check(at_vhost->pkt_len == 204 && tag[12] == 0x81 && tag[13] == 0x00 && tag[14] == 0 &&
		      tag[15] == 100,
	      "VLAN insert: back end got %u bytes, bytes 12..15 %02x%02x %02x%02x", at_vhost->pkt_len,
	      tag[12], tag[13], tag[14], tag[15]);
	at_vhost->ol_flags = 0;
	back = frame_across(t.vhost, t.ours, at_vhost);
	check((back->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) && back->vlan_tci == 100 &&
		      back->pkt_len == 200 && memcmp(rte_pktmbuf_mtod(back, void *), ref, 200) == 0,
	      "VLAN strip: flags 0x%" PRIx64 " tci %u len %u", back->ol_flags, back->vlan_tci,
	      back->pkt_len);
	rte_pktmbuf_free(back);

	/* Tx L4 checksum: the back end completes it; it sends with checksum offload, we see CKSUM_NONE. */
	for (int udp = 0; udp <= 1; udp++) {
		m = make_l4_frame(600, udp ? IPPROTO_UDP : IPPROTO_TCP, t.seq);
		at_vhost = frame_across(t.ours, t.vhost, m);
		check(l4_checksum_valid(at_vhost), "Tx %s checksum offload: invalid at the back end",
		      udp ? "UDP" : "TCP");
		at_vhost->l2_len = sizeof(struct rte_ether_hdr);
		at_vhost->l3_len = sizeof(struct rte_ipv4_hdr);
		at_vhost->ol_flags = RTE_MBUF_F_TX_IPV4 | (udp ? RTE_MBUF_F_TX_UDP_CKSUM : RTE_MBUF_F_TX_TCP_CKSUM);
		back = frame_across(t.vhost, t.ours, at_vhost);
		check((back->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE,
		      "Rx %s checksum flags 0x%" PRIx64 ", expected L4_CKSUM_NONE (NEEDS_CSUM)",
		      udp ? "UDP" : "TCP", back->ol_flags);
		rte_pktmbuf_free(back);
	}

	/* TSO: a 6000-byte TCP frame, segment size 1400: LRO at the back end, and back to us. */
	if (t.mrg) {
		struct rte_mbuf *big = make_l4_frame(1400, IPPROTO_TCP, t.seq);
		struct rte_mbuf *rest = make_frame(4600, 2048, t.seq);
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(big, struct rte_ipv4_hdr *,
								  sizeof(struct rte_ether_hdr));
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

		rte_pktmbuf_chain(big, rest);
		ip->total_length = rte_cpu_to_be_16((uint16_t)(big->pkt_len - sizeof(struct rte_ether_hdr)));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		tcp->cksum = rte_ipv4_phdr_cksum(ip, RTE_MBUF_F_TX_TCP_SEG);
		big->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG;
		big->tso_segsz = 1400;
		at_vhost = frame_across(t.ours, t.vhost, big);
		check((at_vhost->ol_flags & RTE_MBUF_F_RX_LRO) && at_vhost->tso_segsz == 1400 &&
			      at_vhost->pkt_len == 6000,
		      "TSO: back end flags 0x%" PRIx64 " segsz %u len %u", at_vhost->ol_flags,
		      at_vhost->tso_segsz, at_vhost->pkt_len);
		at_vhost->l2_len = sizeof(struct rte_ether_hdr);
		at_vhost->l3_len = sizeof(struct rte_ipv4_hdr);
		at_vhost->l4_len = sizeof(struct rte_tcp_hdr);
		at_vhost->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG;
		at_vhost->tso_segsz = 1400;
		back = frame_across(t.vhost, t.ours, at_vhost);
		check((back->ol_flags & RTE_MBUF_F_RX_LRO) && back->tso_segsz == 1400 &&
			      back->pkt_len == 6000,
		      "LRO on our Rx: flags 0x%" PRIx64 " segsz %u len %u", back->ol_flags,
		      back->tso_segsz, back->pkt_len);
		rte_pktmbuf_free(back);
	}
	stop_ours_and_check_pool("after offloads");
	configure(t.ours, t.queues, t.ours_pool, true);
	test_port_start(t.ours, WAIT_S, "after offloads");
}

/* rte_eth_dev_reset: the port renegotiates; configured again, it forwards again. */
static void
reset_cycle(void)
{
	int ret;

	stop_ours_and_check_pool("before reset");
	ret = rte_eth_dev_reset(t.ours);
	check(ret == 0, "reset: %s", strerror(-ret));
	start_all_pairs_and_check("after reset");
}

static void
create_vhost_port(void)
{
	int ret = rte_vdev_init("net_vhost0", t.vhost_args);

	if (ret < 0)
		fatal("net_vhost0: %s", strerror(-ret));
	if (rte_eth_dev_get_port_by_name("net_vhost0", &t.vhost) != 0)
		fatal("no net_vhost0 port");
	configure(t.vhost, t.queues, t.vhost_pool, false);
}

/* The back end goes away (its port closed, socket gone) and comes back as a new device. */
static void
backend_restart(void)
{
	uint32_t before = __atomic_load_n(&t.lsc_events, __ATOMIC_ACQUIRE);

	rte_eth_dev_stop(t.vhost);
	rte_eth_dev_close(t.vhost);
	rte_vdev_uninit("net_vhost0");
	test_port_wait_link(t.ours, false, WAIT_S, "back end gone");
	create_vhost_port();
	test_port_start(t.vhost, WAIT_S, "back end back");
	test_port_wait_link(t.ours, true, WAIT_S, "back end back");
	check(__atomic_load_n(&t.lsc_events, __ATOMIC_ACQUIRE) >= before + 2,
	      "link down and up gave %u LSC events", t.lsc_events - before);
	/* The vhost port's counters started at zero with it; ours did not. */
	rte_eth_stats_reset(t.ours);
	t.sent_pkts = t.sent_bytes = 0;
	memset(t.q_sent, 0, sizeof(t.q_sent));
	traffic(t.queues);
	check_counters(t.queues, "after the back end came back");
}

int
main(int argc, char **argv)
{
	char ours_args[256];

	tally.name = "test_user_datapath";
	if (argc != 6 && argc != 7)
		fatal("usage: %s <plugin.so> <packed> <in_order> <mrg_rxbuf> <queue pairs> "
		      "[sse|avx2|avx512]", argv[0]);
	/* A vector width: our port with vectorized=<width>, its split Tx path that width's. */
	t.vector = argc == 7 ? argv[6] : NULL;
	t.plugin = argv[1];
	t.packed = atoi(argv[2]) != 0;
	t.in_order = atoi(argv[3]) != 0;
	t.mrg = atoi(argv[4]) != 0;
	t.queues = (uint16_t)atoi(argv[5]);
	if (t.queues < 1 || t.queues > MAX_QUEUES)
		fatal("queue pairs 1..%d", MAX_QUEUES);
	test_socket_path(t.sock, sizeof(t.sock));
	snprintf(t.vhost_args, sizeof(t.vhost_args), "iface=%s,queues=%u,tso=1", t.sock, t.queues);
	snprintf(ours_args, sizeof(ours_args),
		 "path=%s,queues=%u,packed_vq=%d,in_order=%d,mrg_rxbuf=%d%s%s", t.sock, t.queues,
		 t.packed, t.in_order, t.mrg, t.vector != NULL ? ",vectorized=" : "",
		 t.vector != NULL ? t.vector : "");
	test_vhost_eal_init(argv[0], t.plugin, "vionet_udp", t.vhost_args,
			    "--log-level=pmd.net.vionet*:info");
	printf("ring: %s, in_order=%d, mrg_rxbuf=%d, %u queue pairs%s%s\n",
	       t.packed ? "packed" : "split", t.in_order, t.mrg, t.queues,
	       t.vector != NULL ? ", vectorized=" : "", t.vector != NULL ? t.vector : "");
	if (t.vector != NULL) {
		if (!test_cpu_runs(t.vector)) {
			printf("SKIP: this CPU does not run the %s path\n", t.vector);
			return 77;
		}
		rte_vect_set_max_simd_bitwidth(RTE_VECT_SIMD_512); /* the EAL's default stops at 256 */
	}

	t.ours_pool = test_pool("ours", POOL_SIZE);
	t.vhost_pool = test_pool("vhost", POOL_SIZE);
	/* net_vhost listens from its configure on; then our client device can connect. */
	if (rte_eth_dev_get_port_by_name("net_vhost0", &t.vhost) != 0)
		fatal("net_vhost0 not probed");
	configure(t.vhost, t.queues, t.vhost_pool, false);
	if (rte_vdev_init("net_vionet_user0", ours_args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.ours) != 0)
		fatal("net_vionet_user0 probe");
	rte_eth_dev_callback_register(t.ours, RTE_ETH_EVENT_INTR_LSC, test_count_event, &t.lsc_events);
	configure(t.ours, t.queues, t.ours_pool, true);
	/* The back end takes the rings once the last one is enabled: traffic polls until it passes. */
	if (rte_eth_dev_start(t.vhost) < 0)
		fatal("vhost port start");
	test_port_start(t.ours, WAIT_S, "start");
	test_port_wait_link(t.vhost, true, WAIT_S, "start");
	if (t.vector != NULL && !t.packed) {
		struct rte_eth_burst_mode mode;
		char want[32];

		snprintf(want, sizeof(want), "split %s", t.vector);
		require(rte_eth_tx_burst_mode_get(t.ours, 0, &mode) == 0 &&
				strcmp(mode.info, want) == 0,
			"Tx burst mode \"%s\", expected the %s path", mode.info, want);
	}

	/* Stop/start cycles: the pool is whole after each stop, traffic works after each start. */
	for (int cycle = 0; cycle < 3; cycle++) {
		char when[32];

		reset_counters();
		traffic(t.queues);
		snprintf(when, sizeof(when), "cycle %d", cycle);
		check_counters(t.queues, when);
		stop_ours_and_check_pool(when);
		test_port_start(t.ours, WAIT_S, when);
	}
	port_info();
	free_thresholds();
	if (t.queues > 1) {
		queue_pairs_change();
		asymmetric_queues();
	}
	offloads();
	reset_cycle();
	backend_restart();

	stop_ours_and_check_pool("final stop");
	check(rte_eth_dev_close(t.ours) == 0, "close");
	check(rte_mempool_in_use_count(t.ours_pool) == 0, "after close: %u mbufs in use",
	      rte_mempool_in_use_count(t.ours_pool));
	rte_eth_dev_stop(t.vhost);
	rte_eth_dev_close(t.vhost);
	rte_eal_cleanup();
	return tally_finish();
}
