/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: our ethdev port (net_vionet_user's ethdev code, compiled into this binary with
 * the sanitizers) over a scripted transport whose "device" is this target, as
 * tests/integration/test_user_bad_device.c does. The input chooses the ring layout and features,
 * then is a program of operations: the application's (rx_burst, tx_burst, tx_done_cleanup,
 * rx_queue_count, xstats, stop/start) and the device's, honest (lib/virtq's device half pops what
 * the driver posted and uses it: Rx packets written into the buffers, Tx buffers read and returned,
 * in order, in-order batches, out of order) or not (fuzzer bytes written anywhere in the memory the
 * device writes: split used ring, packed descriptor ring and device event area; used entries with
 * any id and length; a device that loses its state and comes back).
 *
 * Besides ASan and UBSan, the target aborts when the driver breaks a promise: an Rx mbuf that fails
 * rte_mbuf_check() or comes from another pool or twice in a burst or is a runt, more packets than
 * asked for, rx_queue_count above the ring size, and after the port stops: an mbuf not back in its
 * pool (a leak), or one there twice (a double free).
 *
 * Input: 6 header bytes (features, Rx/Tx descriptor counts, the device's ring size limit, pool,
 * burst path width and thresholds), then each operation is one opcode byte and its arguments;
 * missing bytes read as 0. The width goes through the port's vectorized= devarg, so the selector
 * picks the burst functions as it does for a user: every vector row of the layout within the CPU's
 * width is fuzzed, rows added later included.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/membarrier.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <dev_driver.h>
#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <virtq_packed_dev.h>
#include <virtq_split_dev.h>

#include "base/vionet_devargs.h"
#include "ethdev/ethdev.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"

#define PROMISE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "broken promise: %s (line %d)\n", #cond, __LINE__);        \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define POOL_SIZE 3000 /* not 2^n - 1: a double free leaves an extra object in the pool's ring */
#define DEVICE_MAX_RING 1024
#define MAX_SG 96
#define MAX_BURST 256

/*
 * The burst gates use membarrier(MEMBARRIER_CMD_GLOBAL) (about 10 ms) at every stop. Bursts and
 * control path share one thread here, so the kernel is made to say it has no such command: the
 * driver takes its own fallback (bursts fence themselves), a path of the real driver. Only the
 * objects compiled into this binary (driver and target) see it (-Wl,--wrap=syscall).
 */
long __real_syscall(long number, ...);
long __wrap_syscall(long number, ...);

long
__wrap_syscall(long number, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == __NR_membarrier && a[0] == MEMBARRIER_CMD_QUERY)
		return 0;
	return __real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* ---- The device ---- */

struct dev_queue {
	bool live;
	bool packed;
	uint16_t size;
	struct vionet_vq_ring_addrs addrs;
	struct virtq_split_dev sd;
	struct virtq_packed_dev pd;
};

struct mem_range {
	uintptr_t start;
	uintptr_t end;
};

static struct {
	uint8_t status;
	uint64_t offered;
	uint16_t queue_max;
	int link;
	struct dev_queue q[2];
	struct mem_range pool_mem[16];
	unsigned int n_pool_mem;
	/* each mbuf's buffer, sorted: where an Rx write may land (never an mbuf's header) */
	struct mem_range bufs[2 * POOL_SIZE];
	unsigned int n_bufs;
	unsigned int kicks;
} dev;

static struct rte_mempool *pool_big, *pool_small;
static struct rte_eth_dev *eth_dev;
static struct vionet_hw *hw;
static uint16_t port;
static volatile uint8_t sink;
static bool trace; /* VIONET_FUZZ_TRACE: what each operation did, on stderr (seed writing) */

/* Rx bursts that returned packets, per Rx path: printed at exit, the evidence that each vector path
 * got traffic during the run. */
static struct {
	const char *dir;
	const char *name;
	uint64_t bursts;
	uint64_t packets;
} path_use[32];

static void
count_path_use(const char *dir, const char *name, uint16_t packets)
{
	unsigned int i;

	if (packets == 0)
		return;
	for (i = 0; i < RTE_DIM(path_use) && path_use[i].name != NULL; i++)
		if (path_use[i].dir == dir && strcmp(path_use[i].name, name) == 0)
			break;
	if (i == RTE_DIM(path_use))
		return;
	path_use[i].dir = dir;
	path_use[i].name = name;
	path_use[i].bursts++;
	path_use[i].packets += packets;
}

static void
print_path_use(void)
{
	for (unsigned int i = 0; i < RTE_DIM(path_use) && path_use[i].name != NULL; i++)
		fprintf(stderr, "fuzz_pmd: %s path \"%s\": %" PRIu64 " bursts, %" PRIu64 " packets\n",
			path_use[i].dir, path_use[i].name, path_use[i].bursts, path_use[i].packets);
}

#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (trace)                                                                         \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

static int
d_read_config(struct vionet_transport *t, size_t off, void *dst, size_t len)
{
	RTE_SET_USED(t);
	RTE_SET_USED(off);
	memset(dst, 0, len);
	return 0;
}

static int
d_write_config(struct vionet_transport *t, size_t off, const void *src, size_t len)
{
	RTE_SET_USED(t);
	RTE_SET_USED(off);
	RTE_SET_USED(src);
	RTE_SET_USED(len);
	return 0;
}

static uint64_t
d_get_features(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	return dev.offered;
}

static int
d_set_features(struct vionet_transport *t, uint64_t f)
{
	RTE_SET_USED(t);
	PROMISE((f & ~dev.offered) == 0);
	return 0;
}

static uint8_t
d_get_status(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	return dev.status;
}

static void
d_set_status(struct vionet_transport *t, uint8_t s)
{
	RTE_SET_USED(t);
	dev.status = s;
}

static int
d_reset(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	dev.status = 0;
	dev.q[0].live = false;
	dev.q[1].live = false;
	return 0;
}

static uint16_t
d_queue_max(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	return q < 2 ? dev.queue_max : 0;
}

static void *
d_translate(void *opaque, uint64_t addr, uint32_t len);

static int
d_setup_queue(struct vionet_transport *t, const struct vionet_vq_ring_addrs *r)
{
	struct dev_queue *q;
	int ret;

	if (r->queue_index >= 2)
		return -EINVAL;
	q = &dev.q[r->queue_index];
	q->addrs = *r;
	q->packed = r->packed;
	q->size = r->size;
	if (r->packed) {
		ret = virtq_packed_dev_init(&q->pd, r->size, r->desc_va, r->driver_area_va,
					    r->device_area_va, t->features);
		virtq_packed_dev_set_translate(&q->pd, d_translate, NULL);
	} else {
		ret = virtq_split_dev_init(&q->sd, r->size, r->desc_va, r->driver_area_va,
					   r->device_area_va, t->features);
		virtq_split_dev_set_translate(&q->sd, d_translate, NULL);
	}
	q->live = ret == 0;
	return ret;
}

static int
d_enable_queue(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	RTE_SET_USED(q);
	return 0;
}

static void
d_stop_queue(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	if (q < 2)
		dev.q[q].live = false;
}

static void
d_notify(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	RTE_SET_USED(q);
	dev.kicks++;
}

static int
d_ctrl(struct vionet_transport *t, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	RTE_SET_USED(t);
	RTE_SET_USED(class);
	RTE_SET_USED(cmd);
	RTE_SET_USED(data);
	RTE_SET_USED(len);
	return 0;
}

static int
d_link_up(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	return dev.link;
}

static void
d_close(struct vionet_transport *t)
{
	RTE_SET_USED(t);
}

static const struct vionet_transport_ops scripted_ops = {
	.name = "fuzz",
	.read_dev_config = d_read_config,
	.write_dev_config = d_write_config,
	.get_features = d_get_features,
	.set_features = d_set_features,
	.get_status = d_get_status,
	.set_status = d_set_status,
	.reset = d_reset,
	.get_queue_max_size = d_queue_max,
	.setup_queue = d_setup_queue,
	.enable_queue = d_enable_queue,
	.stop_queue = d_stop_queue,
	.notify_queue = d_notify,
	.ctrl_command = d_ctrl,
	.link_up = d_link_up,
	.close = d_close,
};

/* What the device may touch: reads, our pools' memory and the Tx header slots; writes, the buffers
 * of our mbufs only (a descriptor the fuzzer rewrote could otherwise point the model at an mbuf's
 * header, a corruption of the harness, not of the driver). */
static bool
in_range(const struct mem_range *r, uint64_t addr, uint32_t len)
{
	return addr >= r->start && addr < r->end && len <= r->end - addr;
}

static bool
mem_ok(uint64_t addr, uint32_t len, bool write)
{
	const struct vionet_txq *txq;

	if (write) {
		unsigned int lo = 0, hi = dev.n_bufs;

		while (lo < hi) {
			unsigned int mid = (lo + hi) / 2;

			if (dev.bufs[mid].end <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < dev.n_bufs && in_range(&dev.bufs[lo], addr, len);
	}
	for (unsigned int i = 0; i < dev.n_pool_mem; i++)
		if (in_range(&dev.pool_mem[i], addr, len))
			return true;
	if (eth_dev->data->tx_queues == NULL)
		return false;
	txq = eth_dev->data->tx_queues[0];
	if (txq != NULL && txq->slots_mz != NULL) {
		struct mem_range r = {(uintptr_t)txq->slots_mz->addr,
				      (uintptr_t)txq->slots_mz->addr + txq->slots_mz->len};

		return in_range(&r, addr, len);
	}
	return false;
}

static void *
d_translate(void *opaque, uint64_t addr, uint32_t len)
{
	RTE_SET_USED(opaque);
	return mem_ok(addr, len, false) ? (void *)(uintptr_t)addr : NULL;
}

static void
pool_mem_cb(struct rte_mempool *mp, void *opaque, struct rte_mempool_memhdr *memhdr,
	    unsigned int mem_idx)
{
	RTE_SET_USED(mp);
	RTE_SET_USED(opaque);
	RTE_SET_USED(mem_idx);
	if (dev.n_pool_mem < RTE_DIM(dev.pool_mem)) {
		dev.pool_mem[dev.n_pool_mem].start = (uintptr_t)memhdr->addr;
		dev.pool_mem[dev.n_pool_mem].end = (uintptr_t)memhdr->addr + memhdr->len;
		dev.n_pool_mem++;
	}
}

static void
pool_obj_cb(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	const struct rte_mbuf *m = obj;

	RTE_SET_USED(mp);
	RTE_SET_USED(opaque);
	RTE_SET_USED(idx);
	if (dev.n_bufs < RTE_DIM(dev.bufs)) {
		dev.bufs[dev.n_bufs].start = (uintptr_t)m->buf_addr;
		dev.bufs[dev.n_bufs].end = (uintptr_t)m->buf_addr + m->buf_len;
		dev.n_bufs++;
	}
}

static int
range_cmp(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int
dq_pop(struct dev_queue *q, struct virtq_dev_buf *buf, struct virtq_sg *sg)
{
	return q->packed ? virtq_packed_dev_pop(&q->pd, buf, sg, MAX_SG)
			 : virtq_split_dev_pop(&q->sd, buf, sg, MAX_SG);
}

static void
dq_push(struct dev_queue *q, uint16_t id, uint32_t len, uint16_t ndescs)
{
	if (q->packed)
		virtq_packed_dev_push(&q->pd, id, len, ndescs);
	else
		virtq_split_dev_push(&q->sd, id, len);
}

/* In-order batch: one used entry for n buffers (split) / ndescs descriptors (packed). */
static void
dq_push_batch(struct dev_queue *q, uint16_t last_id, uint32_t last_len, uint16_t nbufs,
	      uint16_t ndescs)
{
	if (q->packed)
		virtq_packed_dev_push_batch_last(&q->pd, last_id, last_len, ndescs);
	else
		virtq_split_dev_push_batch_last(&q->sd, last_id, last_len, nbufs);
}

static void
dq_publish(struct dev_queue *q)
{
	if (q->packed)
		virtq_packed_dev_publish(&q->pd);
	else
		virtq_split_dev_publish(&q->sd);
}

/* ---- The input ---- */

struct input {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static uint8_t
next_byte(struct input *in)
{
	return in->pos < in->len ? in->p[in->pos++] : 0;
}

static uint16_t
next_u16(struct input *in)
{
	uint16_t lo = next_byte(in);

	return (uint16_t)(lo | next_byte(in) << 8);
}

static uint32_t
next_u32(struct input *in)
{
	uint32_t lo = next_u16(in);

	return lo | (uint32_t)next_u16(in) << 16;
}

/* ---- Device operations ---- */

struct rx_buf {
	uint16_t id;
	uint16_t ndescs;
	uint32_t written;
};

/* Writes stream bytes [pos, pos + n) of the packet into a buffer's writable elements. */
static uint32_t
write_buf(const struct virtq_dev_buf *b, const struct virtq_sg *sg, const uint8_t *stream,
	  uint32_t pos, uint32_t n, uint8_t **num_buffers_at)
{
	uint32_t done = 0;

	for (uint16_t i = b->nreadable; i < b->nsegs && done < n; i++) {
		uint32_t chunk = RTE_MIN(sg[i].len, n - done);

		if (!mem_ok(sg[i].addr, chunk, true))
			return done; /* not ours to write (a descriptor the fuzzer rewrote) */
		memcpy((void *)(uintptr_t)sg[i].addr, stream + pos + done, chunk);
		if (num_buffers_at != NULL && *num_buffers_at == NULL && pos + done == 0 && chunk >= 12)
			*num_buffers_at = (uint8_t *)(uintptr_t)sg[i].addr + 10;
		done += chunk;
	}
	return done;
}

/* Honest Rx: K packets, each into one buffer (or num_buffers buffers with mergeable buffers). */
static void
op_rx_deliver(struct input *in)
{
	static uint8_t stream[12 + 10000];
	struct dev_queue *q = &dev.q[0];
	unsigned int k = next_byte(in) % 16 + 1;
	const bool mrg = vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF);
	const bool in_order = vionet_has_feature(hw, VIONET_F_IN_ORDER);
	const uint16_t hdr_size = hw->net_hdr_size;

	if (!q->live)
		return;
	for (unsigned int p = 0; p < k; p++) {
		uint32_t frame = next_u16(in) % 9800;
		uint8_t hf = next_byte(in);
		uint32_t total = hdr_size + frame, pos = 0;
		struct rx_buf bufs[64];
		unsigned int nb = 0;
		uint16_t ndescs = 0;
		uint8_t *num_buffers_at = NULL;
		struct virtq_dev_buf b;
		struct virtq_sg sg[MAX_SG];

		memset(stream, 0, hdr_size);
		if (hf & 1)
			stream[0] = next_byte(in); /* flags */
		if (hf & 2) {
			stream[1] = next_byte(in); /* gso_type, gso_size */
			stream[4] = next_byte(in);
			stream[5] = next_byte(in);
		}
		for (uint32_t i = 0; i < frame; i++)
			stream[hdr_size + i] = (uint8_t)(p + i);
		if ((hf & 8) && frame >= 14) {
			stream[hdr_size + 12] = 0x81; /* a VLAN tag for VLAN strip */
			stream[hdr_size + 13] = 0x00;
		}
		do {
			int rc = dq_pop(q, &b, sg);

			if (rc != 0)
				break;
			bufs[nb].id = b.id;
			bufs[nb].ndescs = b.ndescs;
			bufs[nb].written = write_buf(&b, sg, stream, pos, total - pos,
						     nb == 0 ? &num_buffers_at : NULL);
			pos += bufs[nb].written;
			ndescs = (uint16_t)(ndescs + b.ndescs);
			nb++;
		} while (mrg && pos < total && nb < RTE_DIM(bufs) && bufs[nb - 1].written != 0);
		if (nb == 0)
			return;
		/* A device reporting fewer bytes than it wrote (the rest is stale to the driver). */
		if (hf & 0x20)
			bufs[0].written = RTE_MIN(bufs[0].written, hdr_size + next_byte(in) % 20u);
		if (num_buffers_at != NULL && hdr_size >= 12) {
			uint16_t nbufs = (hf & 4) ? next_u16(in) : (uint16_t)nb;

			num_buffers_at[0] = (uint8_t)nbufs;
			num_buffers_at[1] = (uint8_t)(nbufs >> 8);
		}
		TRACE("rx_deliver: frame %u into %u buffers%s\n", frame, nb,
		      (hf & 16) && in_order ? " (in-order batch)" : "");
		if ((hf & 16) && in_order)
			dq_push_batch(q, bufs[nb - 1].id, bufs[nb - 1].written, (uint16_t)nb, ndescs);
		else
			for (unsigned int i = 0; i < nb; i++)
				dq_push(q, bufs[i].id, bufs[i].written, bufs[i].ndescs);
	}
	dq_publish(q);
}

/* Honest Tx: up to K buffers read and returned: in order, as one in-order batch, or reversed. */
static void
op_tx_consume(struct input *in)
{
	struct dev_queue *q = &dev.q[1];
	unsigned int k = next_byte(in) % 64 + 1;
	uint8_t fl = next_byte(in);
	struct rx_buf bufs[64];
	unsigned int nb = 0;
	uint16_t ndescs = 0;

	if (!q->live)
		return;
	while (nb < k) {
		struct virtq_dev_buf b;
		struct virtq_sg sg[MAX_SG];
		uint8_t x = 0;

		if (dq_pop(q, &b, sg) != 0)
			break;
		for (uint16_t i = 0; i < b.nreadable; i++)
			if (mem_ok(sg[i].addr, sg[i].len, false))
				for (uint32_t j = 0; j < sg[i].len; j += 64)
					x ^= *(const uint8_t *)(uintptr_t)(sg[i].addr + j);
		sink ^= x;
		bufs[nb].id = b.id;
		bufs[nb].ndescs = b.ndescs;
		bufs[nb].written = (fl & 4) ? b.readable_len : 0;
		ndescs = (uint16_t)(ndescs + b.ndescs);
		nb++;
	}
	TRACE("tx_consume: %u buffers\n", nb);
	if (nb == 0)
		return;
	if ((fl & 1) && vionet_has_feature(hw, VIONET_F_IN_ORDER))
		dq_push_batch(q, bufs[nb - 1].id, bufs[nb - 1].written, (uint16_t)nb, ndescs);
	else if (fl & 2)
		for (unsigned int i = nb; i-- > 0;)
			dq_push(q, bufs[i].id, bufs[i].written, bufs[i].ndescs);
	else
		for (unsigned int i = 0; i < nb; i++)
			dq_push(q, bufs[i].id, bufs[i].written, bufs[i].ndescs);
	dq_publish(q);
}

/* Fuzzer bytes into what the device writes: split used ring (flags, idx, ring, avail_event);
 * packed descriptor ring and device event suppression area. */
static void
op_raw_write(struct input *in)
{
	uint8_t sel = next_byte(in);
	struct dev_queue *q = &dev.q[sel & 1];
	uint32_t off = next_u16(in);
	unsigned int n = (sel >> 1) % 32 + 1;
	uint8_t bytes[32];

	for (unsigned int i = 0; i < n; i++)
		bytes[i] = next_byte(in);
	if (!q->live)
		return;
	if (q->packed) {
		uint32_t ring = 16u * q->size, area = ring + 4;

		for (unsigned int i = 0; i < n; i++) {
			uint32_t o = (off + i) % area;

			if (o < ring)
				((uint8_t *)q->addrs.desc_va)[o] = bytes[i];
			else
				((uint8_t *)q->addrs.device_area_va)[o - ring] = bytes[i];
		}
	} else {
		uint32_t area = 4 + 8u * q->size + 2;

		for (unsigned int i = 0; i < n; i++)
			((uint8_t *)q->addrs.device_area_va)[(off + i) % area] = bytes[i];
	}
}

/* A used entry with any id, length and descriptor count, published. */
static void
op_raw_push(struct input *in)
{
	uint8_t sel = next_byte(in);
	struct dev_queue *q = &dev.q[sel & 1];
	uint16_t id = next_u16(in);
	uint32_t len = (sel & 2) ? next_u32(in) : next_u16(in);
	uint16_t ndescs = next_byte(in);

	if (!q->live)
		return;
	if (!(sel & 4) && q->size != 0)
		id = (uint16_t)(id % q->size);
	if (!q->packed || ndescs != 0)
		dq_push(q, id, len, q->packed ? (uint16_t)(ndescs % q->size + 1) : 1);
	dq_publish(q);
}

/* ---- Application operations ---- */

static void
check_rx_mbuf(struct rte_mbuf *m, const struct rte_mempool *rx_pool)
{
	const char *reason = NULL;

	PROMISE(m != NULL);
	if (rte_mbuf_check(m, 1, &reason) != 0) {
		fprintf(stderr, "Rx mbuf %p: %s\n", (void *)m, reason);
		abort();
	}
	for (struct rte_mbuf *s = m; s != NULL; s = s->next)
		PROMISE(s->pool == rx_pool);
	PROMISE(m->port == port);
	/* a runt is dropped and counted on every path, vector ones included (rxtx_burst.h rx_drop) */
	PROMISE(m->pkt_len >= RTE_ETHER_HDR_LEN);
}

static void
op_rx_burst(struct input *in, const struct rte_mempool *rx_pool)
{
	struct rte_mbuf *pkts[MAX_BURST];
	uint16_t want = next_byte(in);
	uint16_t n = rte_eth_rx_burst(port, 0, pkts, want);

	PROMISE(n <= want);
	TRACE("rx_burst: %u of %u (%s)\n", n, want, vionet_rx_path_name(eth_dev));
	count_path_use("Rx", vionet_rx_path_name(eth_dev), n);
	for (uint16_t i = 0; i < n; i++) {
		TRACE("  pkt_len %u segs %u\n", pkts[i]->pkt_len, pkts[i]->nb_segs);
		check_rx_mbuf(pkts[i], rx_pool);
		for (uint16_t j = 0; j < i; j++)
			PROMISE(pkts[j] != pkts[i]);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

/* One Tx packet from 3 bytes: segments and their length, flags (offloads, headroom, sharing). */
static struct rte_mbuf *
make_tx_packet(struct input *in, bool *shared)
{
	uint8_t a = next_byte(in), b = next_byte(in), c = next_byte(in);
	unsigned int nseg = (a & 0x78) == 0x78 ? 60 + (a & 7) : (a & 7) + 1;
	uint16_t seg_len = (uint16_t)(b * 8 + 1);
	struct rte_mbuf *head = NULL, *last = NULL;

	*shared = false;
	for (unsigned int i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool_big);
		uint16_t len;
		char *data;

		if (m == NULL)
			break;
		if (i == 0 && (c & 2))
			m->data_off = (uint16_t)((c >> 5) * 2); /* little headroom: no header push */
		len = (uint16_t)RTE_MIN(seg_len, rte_pktmbuf_tailroom(m));
		data = rte_pktmbuf_append(m, len);
		if (data != NULL)
			memset(data, 0x5a ^ i, len);
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += m->data_len;
		}
		last = m;
		if (i == 0)
			seg_len = (uint16_t)((seg_len * 7) % 2000 + 1);
	}
	if (head == NULL)
		return NULL;
	if (c & 1) {
		head->ol_flags |= RTE_MBUF_F_TX_VLAN;
		head->vlan_tci = 42;
	}
	if (c & 0x70) {
		head->l2_len = 14;
		head->l3_len = (c & 0x80) ? 40 : 20;
		head->l4_len = 20;
		head->ol_flags |= (c & 0x80) ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4;
		if (c & 0x10)
			head->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		else if (c & 0x20)
			head->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		if (c & 0x40) {
			head->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
			head->tso_segsz = 1400;
		}
	}
	if ((c & 4) && head->nb_segs == 1) {
		/* an indirect mbuf: not ours to write a header into */
		struct rte_mbuf *mi = rte_pktmbuf_alloc(pool_big);

		if (mi != NULL) {
			rte_pktmbuf_attach(mi, head);
			mi->ol_flags |= head->ol_flags & ~RTE_MBUF_F_INDIRECT;
			rte_pktmbuf_free(head);
			head = mi;
		}
	} else if (c & 8) {
		rte_pktmbuf_refcnt_update(head, 1); /* shared with us, every segment: no header push */
		*shared = true;
	}
	return head;
}

static void
op_tx_burst(struct input *in)
{
	struct rte_mbuf *pkts[MAX_BURST];
	bool shared[MAX_BURST];
	uint16_t want = next_byte(in) % 80 + 1, n = 0, sent;

	while (n < want) {
		struct rte_mbuf *m = make_tx_packet(in, &shared[n]);

		if (m == NULL)
			break;
		pkts[n++] = m;
	}
	sent = rte_eth_tx_burst(port, 0, pkts, n);
	PROMISE(sent <= n);
	TRACE("tx_burst: %u of %u (%s)\n", sent, n, vionet_tx_path_name(eth_dev));
	count_path_use("Tx", vionet_tx_path_name(eth_dev), sent);
	for (uint16_t i = 0; i < n; i++) {
		if (shared[i])
			rte_pktmbuf_free(pkts[i]); /* our reference */
		if (i >= sent)
			rte_pktmbuf_free(pkts[i]);
	}
}

static void
op_xstats(struct input *in)
{
	struct rte_eth_xstat_name names[256];
	struct rte_eth_xstat xs[256];
	struct rte_eth_stats st;
	uint8_t sel = next_byte(in);
	int n = rte_eth_xstats_get_names(port, NULL, 0);

	PROMISE(n >= 0 && n <= 256);
	PROMISE(rte_eth_xstats_get_names(port, names, (unsigned int)n) == n);
	PROMISE(rte_eth_xstats_get(port, xs, (unsigned int)n) == n);
	PROMISE(rte_eth_stats_get(port, &st) == 0);
	if (sel & 1)
		rte_eth_xstats_reset(port);
	if (sel & 2)
		rte_eth_stats_reset(port);
}

/* Every mbuf back in its pool, each once: take them all out, look, put them back. */
static void
check_pool(struct rte_mempool *mp)
{
	static void *objs[4096];
	unsigned int n = 0;

	if (rte_mempool_in_use_count(mp) != 0) {
		fprintf(stderr, "leak: %u mbufs of pool %s not back after stop\n",
			rte_mempool_in_use_count(mp), mp->name);
		abort();
	}
	while (n < RTE_DIM(objs) && rte_mempool_get(mp, &objs[n]) == 0)
		n++;
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];

		if (m->pool != mp)
			abort();
		/* mark each: a second sighting is a second copy (double free) */
		if (m->dynfield1[0] == 0xf022ed) {
			fprintf(stderr, "double free: mbuf %p twice in pool %s\n", (void *)m, mp->name);
			abort();
		}
		m->dynfield1[0] = 0xf022ed;
	}
	for (unsigned int i = 0; i < n; i++)
		((struct rte_mbuf *)objs[i])->dynfield1[0] = 0;
	if (n != mp->size) {
		fprintf(stderr, "pool %s holds %u mbufs, expected %u\n", mp->name, n, mp->size);
		abort();
	}
	rte_mempool_put_bulk(mp, objs, n);
}

static void
check_pools(void)
{
	check_pool(pool_big);
	check_pool(pool_small);
}

/* The device resets itself and comes back (a vhost-user back end restarted): the port recovers. */
static void
op_link_flap(void)
{
	dev.link = 0;
	vionet_transport_link_changed(&hw->tp);
	dev.status = 0;
	dev.q[0].live = false;
	dev.q[1].live = false;
	dev.link = 1;
	vionet_transport_link_changed(&hw->tp);
}

/* ---- Per input ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* the SIMD limit up to AVX512: the input's width byte, the CPU and the selector decide */
	char *eal[] = {(*argv)[0], "-l", "0", "--no-huge", "-m", "48", "--no-pci", "--no-shconf",
		       "--iova-mode=va", "--no-telemetry", "--log-level=4",
		       "--force-max-simd-bitwidth=512", NULL};
	struct vionet_devargs devargs = {0};
	static struct rte_driver drv = {.name = "net_vionet_fuzz"};
	static struct rte_device rdev = {.name = "fuzz0", .driver = &drv, .numa_node = SOCKET_ID_ANY};
	int ret;

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(1);
	}
	trace = getenv("VIONET_FUZZ_TRACE") != NULL;
	if (getenv("VIONET_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_CRIT);
	pool_big = rte_pktmbuf_pool_create("fuzz_big", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   rte_socket_id());
	pool_small = rte_pktmbuf_pool_create("fuzz_small", POOL_SIZE, 0, 0,
					     RTE_PKTMBUF_HEADROOM + 128, rte_socket_id());
	eth_dev = rte_eth_dev_allocate("net_vionet_fuzz");
	if (pool_big == NULL || pool_small == NULL || eth_dev == NULL) {
		fprintf(stderr, "pool or port allocation failed\n");
		exit(1);
	}
	rte_mempool_mem_iter(pool_big, pool_mem_cb, NULL);
	rte_mempool_mem_iter(pool_small, pool_mem_cb, NULL);
	rte_mempool_obj_iter(pool_big, pool_obj_cb, NULL);
	rte_mempool_obj_iter(pool_small, pool_obj_cb, NULL);
	qsort(dev.bufs, dev.n_bufs, sizeof(dev.bufs[0]), range_cmp);
	eth_dev->device = &rdev;
	eth_dev->data->dev_private = rte_zmalloc("hw", sizeof(struct vionet_hw), 0);
	devargs.queue_pairs = 1;
	devargs.packed_vq = true;
	devargs.in_order = true;
	devargs.mrg_rxbuf = true;
	hw = vionet_ethdev_hw_prepare(eth_dev, "fuzz0", &devargs, true, SOCKET_ID_ANY);
	hw->tp.ops = &scripted_ops;
	dev.offered = VIRTQ_FEATURE(VIONET_F_VERSION_1);
	dev.queue_max = DEVICE_MAX_RING;
	dev.link = 1;
	ret = vionet_ethdev_init(eth_dev);
	if (ret < 0) {
		fprintf(stderr, "device init: %s\n", strerror(-ret));
		exit(1);
	}
	port = eth_dev->data->port_id;
	atexit(print_path_use);
	return 0;
}

/* Header byte 4, bits 3-4: the widest burst path the port may take, as a user names it in the
 * vectorized= devarg (parsed by the driver's own devargs code, like a probe's). */
static void
set_vector_width(uint8_t misc)
{
	static const char *const widths[] = {"vectorized=0", "vectorized=sse", "vectorized=avx2",
					     "vectorized=avx512"};
	struct vionet_devargs parsed;

	PROMISE(vionet_devargs_parse("fuzz0", widths[(misc >> 3) & 3], VIONET_DEVARGS_PCI, &parsed, NULL,
				     0) == 0);
	hw->tp.devargs.vector_bits_max = parsed.vector_bits_max;
}

/* Header byte 0: the features the device offers. */
#define H_PACKED 0x01
#define H_IN_ORDER 0x02
#define H_MRG 0x04
#define H_INDIRECT 0x08
#define H_EVENT_IDX 0x10
#define H_LEGACY 0x20
#define H_OFFLOADS 0x40
#define H_VLAN_STRIP 0x80

static uint64_t
offered_features(uint8_t h)
{
	uint64_t f = 0;

	if (!(h & H_LEGACY))
		f |= VIRTQ_FEATURE(VIONET_F_VERSION_1);
	if (h & H_PACKED)
		f |= VIRTQ_FEATURE(VIONET_F_RING_PACKED);
	if (h & H_IN_ORDER)
		f |= VIRTQ_FEATURE(VIONET_F_IN_ORDER);
	if (h & H_MRG)
		f |= VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF);
	if (h & H_INDIRECT)
		f |= VIRTQ_FEATURE(VIONET_F_INDIRECT_DESC);
	if (h & H_EVENT_IDX)
		f |= VIRTQ_FEATURE(VIONET_F_EVENT_IDX);
	if (h & H_OFFLOADS)
		f |= VIRTQ_FEATURE(VIONET_NET_F_CSUM) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM) |
		     VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO6) |
		     VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6);
	return f;
}

enum op {
	OP_RX_BURST,
	OP_TX_BURST,
	OP_RX_DELIVER,
	OP_TX_CONSUME,
	OP_RAW_WRITE,
	OP_RAW_PUSH,
	OP_TX_DONE_CLEANUP,
	OP_RX_QUEUE_COUNT,
	OP_XSTATS,
	OP_STOP_START,
	OP_LINK_FLAP,
	OP_COUNT,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size, 0};
	uint8_t h = next_byte(&in);
	uint16_t rx_desc = (uint16_t)(16 + next_byte(&in));
	uint16_t tx_desc = (uint16_t)(16 + next_byte(&in));
	uint8_t qmax = next_byte(&in);
	uint8_t misc = next_byte(&in);
	uint8_t thresh = next_byte(&in);
	struct rte_mempool *rx_pool = (misc & 1) ? pool_small : pool_big;
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	bool started;
	unsigned int ops = 0;

	/* The device this input talks to; a reset makes the port negotiate with it. */
	dev.offered = offered_features(h);
	dev.queue_max = DEVICE_MAX_RING;
	dev.link = 1;
	if (rte_eth_dev_reset(port) != 0)
		return 0;
	dev.queue_max = qmax < 128 ? (uint16_t)(qmax + 1) : DEVICE_MAX_RING;
	set_vector_width(misc);
	PROMISE(rte_eth_dev_info_get(port, &info) == 0);
	if (h & H_VLAN_STRIP)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	if ((h & H_OFFLOADS) && !(h & H_LEGACY))
		conf.rxmode.offloads |= info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
								RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
								RTE_ETH_RX_OFFLOAD_TCP_LRO);
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0)
		abort(); /* a configuration the port itself offered */
	rxconf = info.default_rxconf;
	txconf = info.default_txconf;
	if (misc & 2)
		rxconf.rx_free_thresh = thresh;
	if (misc & 4)
		txconf.tx_free_thresh = (uint16_t)(thresh >> 1);
	if (rte_eth_rx_queue_setup(port, 0, rx_desc, SOCKET_ID_ANY, &rxconf, rx_pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, tx_desc, SOCKET_ID_ANY, &txconf) != 0) {
		check_pools();
		return 0;
	}
	started = rte_eth_dev_start(port) == 0;
	TRACE("features 0x%" PRIx64 ", rings %u/%u, start %s, Rx %s, Tx %s\n", hw->tp.features,
	      dev.q[0].size, dev.q[1].size, started ? "ok" : "failed", vionet_rx_path_name(eth_dev),
	      vionet_tx_path_name(eth_dev));
	if (!started) {
		check_pools();
		return 0;
	}
	while (in.pos < in.len && ops++ < 4096) {
		uint8_t op = next_byte(&in) % OP_COUNT;

		switch (op) {
		case OP_RX_BURST:
			if (started)
				op_rx_burst(&in, rx_pool);
			else
				next_byte(&in);
			break;
		case OP_TX_BURST:
			if (started)
				op_tx_burst(&in);
			else
				next_byte(&in);
			break;
		case OP_RX_DELIVER:
			op_rx_deliver(&in);
			break;
		case OP_TX_CONSUME:
			op_tx_consume(&in);
			break;
		case OP_RAW_WRITE:
			op_raw_write(&in);
			break;
		case OP_RAW_PUSH:
			op_raw_push(&in);
			break;
		case OP_TX_DONE_CLEANUP: {
			uint32_t cnt = next_byte(&in);

			if (started)
				PROMISE(rte_eth_tx_done_cleanup(port, 0, cnt) >= 0);
			break;
		}
		case OP_RX_QUEUE_COUNT:
			if (started) {
				int n = rte_eth_rx_queue_count(port, 0);
				const struct vionet_rxq *rxq = eth_dev->data->rx_queues[0];

				PROMISE(n >= 0 && n <= rxq->ring_size);
			}
			break;
		case OP_XSTATS:
			op_xstats(&in);
			break;
		case OP_STOP_START:
			if (started) {
				PROMISE(rte_eth_dev_stop(port) == 0);
				check_pools();
			}
			started = rte_eth_dev_start(port) == 0;
			break;
		case OP_LINK_FLAP:
			if (started)
				op_link_flap();
			break;
		}
	}
	if (started)
		PROMISE(rte_eth_dev_stop(port) == 0);
	check_pools();
	PROMISE(rte_eth_dev_is_valid_port(port));
	return 0;
}
