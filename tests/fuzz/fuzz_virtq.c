/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the virtqueue driver half against a device that writes arbitrary bytes into
 * the ring memory it can write (split used ring with used.idx and avail_event; packed descriptors
 * and the device event suppression area), interleaved with honest device rounds (the device half)
 * so that deep ring states are reached too.
 *
 * The input is a script: byte 0 picks the layout and features, bytes 1-2 the queue size, then each
 * operation is one opcode byte followed by its arguments. Besides the sanitizers, the target
 * aborts when the driver half breaks one of its promises: a cookie handed back that is not
 * outstanding (never a double free), a length above what was posted, free descriptors not all
 * back after detach_unused(), or a cookie lost.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtq_packed_dev.h"
#include "virtq_split_dev.h"

#define MAX_QUEUE 512
#define MAX_COOKIES (2 * MAX_QUEUE)
#define TABLE_DESCS 4

/* Indirect tables live here, one per cookie, so the honest device can translate their address. */
union table {
	struct virtq_split_desc split[TABLE_DESCS];
	struct virtq_packed_desc packed[TABLE_DESCS];
};

struct fuzz {
	const uint8_t *in;
	size_t len;
	size_t pos;
	bool packed;
	uint16_t size;
	uint8_t *ring;
	size_t ring_bytes;
	void *state;
	struct virtq_split_drv sd;
	struct virtq_split_dev sv;
	struct virtq_packed_drv pd;
	struct virtq_packed_dev pv;
	/* the driver's promises, checked */
	bool outstanding[MAX_COOKIES];
	uint32_t writable[MAX_COOKIES];
	uint32_t n_outstanding;
	uint32_t next_cookie;
	union table *tables;
};

#define PROMISE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "broken promise: %s (line %d)\n", #cond, __LINE__);        \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static uint8_t
next_byte(struct fuzz *f)
{
	return f->pos < f->len ? f->in[f->pos++] : 0;
}

static uint16_t
next_u16(struct fuzz *f)
{
	uint16_t lo = next_byte(f);

	return (uint16_t)(lo | next_byte(f) << 8);
}

static void *
translate_table(void *opaque, uint64_t addr, uint32_t len)
{
	struct fuzz *f = opaque;
	uintptr_t base = (uintptr_t)f->tables;
	uintptr_t end = base + sizeof(union table) * MAX_COOKIES;

	if (addr < base || addr >= end || len > end - addr)
		return NULL;
	return (void *)(uintptr_t)addr;
}

/* A free cookie index, or -1: cookies are index + 1 so they are never NULL. */
static int
take_cookie(struct fuzz *f)
{
	uint32_t i;

	for (i = 0; i < MAX_COOKIES; i++) {
		uint32_t c = (f->next_cookie + i) % MAX_COOKIES;

		if (!f->outstanding[c]) {
			f->next_cookie = c + 1;
			return (int)c;
		}
	}
	return -1;
}

static void
posted(struct fuzz *f, int c, uint32_t writable)
{
	f->outstanding[c] = true;
	f->writable[c] = writable;
	f->n_outstanding++;
}

static void
returned(struct fuzz *f, void *cookie, const uint32_t *len)
{
	uintptr_t c = (uintptr_t)cookie - 1;

	PROMISE(c < MAX_COOKIES);
	PROMISE(f->outstanding[c]);
	PROMISE(len == NULL || *len <= f->writable[c]);
	f->outstanding[c] = false;
	f->n_outstanding--;
}

static int
drv_add_buf(struct fuzz *f, uint64_t addr, uint32_t len, uint16_t flags, int c)
{
	void *cookie = (void *)(uintptr_t)(c + 1);

	return f->packed ? virtq_packed_drv_add_buf(&f->pd, addr, len, flags, cookie)
	                 : virtq_split_drv_add_buf(&f->sd, addr, len, flags, cookie);
}

static void
op_add_buf(struct fuzz *f)
{
	uint16_t flags = next_byte(f) & VIRTQ_DESC_F_WRITE;
	uint32_t len = next_u16(f);
	int c = take_cookie(f);

	if (c >= 0 && drv_add_buf(f, 0x1000 + (uint64_t)c * 4096, len, flags, c) == 0)
		posted(f, c, flags ? len : 0);
}

static void
op_add_bulk(struct fuzz *f)
{
	uint16_t n = next_byte(f) % 64, i, done;
	uint16_t flags = next_byte(f) & VIRTQ_DESC_F_WRITE;
	uint64_t addrs[64];
	uint32_t lens[64];
	void *cookies[64];
	int c[64];

	for (i = 0; i < n; i++) {
		c[i] = take_cookie(f);
		if (c[i] < 0)
			break;
		f->outstanding[c[i]] = true; /* reserve while picking the rest */
		addrs[i] = 0x1000 + (uint64_t)c[i] * 4096;
		lens[i] = 64 + i;
		cookies[i] = (void *)(uintptr_t)(c[i] + 1);
	}
	n = i;
	for (i = 0; i < n; i++)
		f->outstanding[c[i]] = false;
	done = f->packed ? virtq_packed_drv_add_bulk(&f->pd, addrs, lens, flags, cookies, n)
	                 : virtq_split_drv_add_bulk(&f->sd, addrs, lens, flags, cookies, n);
	PROMISE(done <= n);
	for (i = 0; i < done; i++)
		posted(f, c[i], flags ? lens[i] : 0);
}

static void
op_add_sg(struct fuzz *f, bool indirect)
{
	uint8_t shape = next_byte(f);
	uint16_t out = shape & 3, in = (shape >> 2) & 3, i;
	struct virtq_sg sg[6];
	uint32_t wlen = 0;
	int c = take_cookie(f);
	void *cookie;
	int rc;

	if (c < 0)
		return;
	if (indirect && out + in > TABLE_DESCS)
		in = (uint16_t)(TABLE_DESCS - out);
	for (i = 0; i < out + in; i++) {
		sg[i].addr = 0x1000 + (uint64_t)c * 4096 + i * 512;
		sg[i].len = 100 + next_byte(f);
		if (i >= out)
			wlen += sg[i].len;
	}
	cookie = (void *)(uintptr_t)(c + 1);
	if (indirect && f->packed)
		rc = virtq_packed_drv_add_indirect(&f->pd, sg, out, in, f->tables[c].packed,
		                                   (uintptr_t)f->tables[c].packed, cookie);
	else if (indirect)
		rc = virtq_split_drv_add_indirect(&f->sd, sg, out, in, f->tables[c].split,
		                                  (uintptr_t)f->tables[c].split, cookie);
	else if (f->packed)
		rc = virtq_packed_drv_add_chain(&f->pd, sg, out, in, cookie);
	else
		rc = virtq_split_drv_add_chain(&f->sd, sg, out, in, cookie);
	if (rc == 0)
		posted(f, c, wlen);
}

static void
op_publish(struct fuzz *f)
{
	if (f->packed) {
		virtq_packed_drv_publish(&f->pd);
		(void)virtq_packed_drv_needs_notify(&f->pd);
	} else {
		virtq_split_drv_publish(&f->sd);
		(void)virtq_split_drv_needs_notify(&f->sd);
	}
}

/* The hostile device: arbitrary bytes anywhere the device may write. */
static void
op_device_scribble(struct fuzz *f)
{
	uint16_t off = next_u16(f);
	uint8_t n = next_byte(f) % 16, i;
	size_t start, limit;

	if (f->packed) {
		/* descriptors and the device event area; the driver event area is the driver's */
		start = 0;
		limit = virtq_packed_desc_size(f->size);
		if (off & 0x8000) {
			start = virtq_packed_device_event_offset(f->size);
			limit = start + sizeof(struct virtq_packed_event);
		}
	} else {
		start = (uint8_t *)f->sd.used - f->ring;
		limit = start + virtq_split_used_size(f->size);
	}
	for (i = 0; i < n; i++) {
		size_t at = start + ((size_t)off + i) % (limit - start);

		f->ring[at] = next_byte(f);
	}
}

/* A plausible but wrong used entry: often the quickest way to the checks. */
static void
op_device_forge(struct fuzz *f)
{
	uint16_t id = next_u16(f);
	uint32_t len = next_u16(f);
	uint8_t how = next_byte(f);

	if (f->packed) {
		struct virtq_packed_desc *d = &f->pd.desc[f->pv.next_used % f->size];
		uint16_t flags =
		        (how & 1) ? virtq_packed_used_bits(f->pv.used_wrap) : (uint16_t)(how << 7);

		d->id = virtq_cpu_to_le16(id % (f->size + 2));
		d->len = virtq_cpu_to_le32(len);
		__atomic_store_n(&d->flags, virtq_cpu_to_le16(flags), __ATOMIC_RELEASE);
		virtq_packed_advance(&f->pv.next_used, &f->pv.used_wrap, 1 + how % 3, f->size);
	} else {
		struct virtq_split_used_elem *e = &f->sd.used->ring[f->sv.used_idx & f->sd.mask];

		e->id = virtq_cpu_to_le32(id % (f->size + 2));
		e->len = virtq_cpu_to_le32(len);
		f->sv.used_idx = (uint16_t)(f->sv.used_idx + 1 + (how & 1 ? how % 5 : 0));
		f->sv.used_published = f->sv.used_idx;
		__atomic_store_n(&f->sd.used->idx, virtq_cpu_to_le16(f->sv.used_idx),
		                 __ATOMIC_RELEASE);
	}
}

/* The honest device: pop up to n, push them back (reversed, or as one in-order batch). */
static void
op_device_round(struct fuzz *f)
{
	uint8_t n = next_byte(f) % 32, mode = next_byte(f), k = 0;
	struct virtq_dev_buf b[32];
	struct virtq_sg sg[8];
	uint32_t descs = 0;
	int i;

	while (k < n) {
		int rc = f->packed ? virtq_packed_dev_pop(&f->pv, &b[k], sg, 8)
		                   : virtq_split_dev_pop(&f->sv, &b[k], sg, 8);

		if (rc == -EAGAIN || rc == -ENOBUFS)
			break;
		if (rc == 0)
			descs += b[k++].ndescs;
	}
	if (k == 0)
		return;
	if (mode & 1) {
		uint32_t len = b[k - 1].writable_len;

		if (f->packed)
			virtq_packed_dev_push_batch_last(&f->pv, b[k - 1].id, len, (uint16_t)descs);
		else
			virtq_split_dev_push_batch_last(&f->sv, b[k - 1].id, len, k);
	} else {
		for (i = k - 1; i >= 0; i--) {
			uint32_t len = (mode & 2) ? b[i].writable_len + 1 : b[i].writable_len;

			if (f->packed)
				virtq_packed_dev_push(&f->pv, b[i].id, len, b[i].ndescs);
			else
				virtq_split_dev_push(&f->sv, b[i].id, len);
		}
	}
	if (f->packed) {
		virtq_packed_dev_publish(&f->pv);
		(void)virtq_packed_dev_needs_interrupt(&f->pv);
	} else {
		virtq_split_dev_publish(&f->sv);
		(void)virtq_split_dev_needs_interrupt(&f->sv);
	}
}

static void
op_get_used(struct fuzz *f)
{
	void *cookie = NULL;
	uint32_t len = 0;
	int rc = f->packed ? virtq_packed_drv_get_used(&f->pd, &cookie, &len)
	                   : virtq_split_drv_get_used(&f->sd, &cookie, &len);

	if (rc == 0 || rc == -EMSGSIZE)
		returned(f, cookie, &len);
	else
		PROMISE(rc == -EAGAIN || rc == -EBADMSG || rc == -EIO);
}

static void
op_get_used_bulk(struct fuzz *f)
{
	uint16_t max = next_byte(f) % 64, n, i;
	void *cookies[64];
	uint32_t lens[64];
	bool with_lens = max & 1;

	/* Split: without lengths, the transmit-side in-order reclaim half the time. */
	if (!f->packed && !with_lens && (max & 2))
		n = virtq_split_drv_reclaim_in_order(&f->sd, cookies, max);
	else
		n = f->packed ? virtq_packed_drv_get_used_bulk(&f->pd, cookies,
		                                               with_lens ? lens : NULL, max)
		              : virtq_split_drv_get_used_bulk(&f->sd, cookies,
		                                              with_lens ? lens : NULL, max);
	PROMISE(n <= max);
	for (i = 0; i < n; i++)
		returned(f, cookies[i], with_lens ? &lens[i] : NULL);
}

/* Both sides' notification controls, and the read-only queries the PMD uses. */
static void
op_notify_control(struct fuzz *f)
{
	uint8_t v = next_byte(f);
	uint16_t n = v >> 3;

	if (f->packed) {
		switch (v & 7) {
		case 0:
			virtq_packed_drv_disable_used_notify(&f->pd);
			break;
		case 1:
			(void)virtq_packed_drv_enable_used_notify(&f->pd);
			break;
		case 2:
			(void)virtq_packed_drv_enable_used_notify_after(&f->pd, n);
			break;
		case 3:
			virtq_packed_dev_disable_avail_notify(&f->pv);
			break;
		case 4:
			(void)virtq_packed_dev_enable_avail_notify(&f->pv);
			break;
		case 5:
			(void)virtq_packed_dev_enable_avail_notify_after(&f->pv, n);
			break;
		default:
			(void)virtq_packed_drv_used_count(&f->pd);
			break;
		}
		(void)virtq_packed_drv_has_used(&f->pd);
		PROMISE(virtq_packed_drv_next_id(&f->pd) < f->size);
	} else {
		switch (v & 7) {
		case 0:
			virtq_split_drv_disable_used_notify(&f->sd);
			break;
		case 1:
			(void)virtq_split_drv_enable_used_notify(&f->sd);
			break;
		case 2:
			(void)virtq_split_drv_enable_used_notify_after(&f->sd, n);
			break;
		case 3:
			virtq_split_dev_disable_avail_notify(&f->sv);
			break;
		case 4:
			(void)virtq_split_dev_enable_avail_notify(&f->sv);
			break;
		case 5:
			(void)virtq_split_dev_enable_avail_notify_after(&f->sv, n);
			break;
		default:
			(void)virtq_split_drv_used_count(&f->sd);
			break;
		}
		(void)virtq_split_drv_has_used(&f->sd);
		PROMISE(virtq_split_drv_next_id(&f->sd) < f->size);
	}
}

/* Stop: every outstanding cookie comes back exactly once and every descriptor is free. */
static void
finish(struct fuzz *f)
{
	void *cookie;

	while ((cookie = f->packed ? virtq_packed_drv_detach_unused(&f->pd)
	                           : virtq_split_drv_detach_unused(&f->sd)) != NULL)
		returned(f, cookie, NULL);
	PROMISE(f->n_outstanding == 0);
	PROMISE((f->packed ? virtq_packed_drv_free_count(&f->pd)
	                   : virtq_split_drv_free_count(&f->sd)) == f->size);
}

static int
setup(struct fuzz *f)
{
	uint8_t cfg = next_byte(f);
	uint16_t raw = next_u16(f);
	uint64_t features = 0;

	f->packed = cfg & 1;
	if (cfg & 2)
		features |= VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX);
	if (cfg & 4)
		features |= VIRTQ_FEATURE(VIRTQ_F_IN_ORDER);
	if (cfg & 8)
		features |= VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC);
	if (f->packed)
		f->size = (uint16_t)(1 + raw % MAX_QUEUE);
	else
		f->size = (uint16_t)(1u << (raw % 10)); /* 1 .. 512 */
	f->ring_bytes =
	        f->packed ? virtq_packed_mem_size(f->size) : virtq_split_mem_size(f->size, 4);
	f->ring = aligned_alloc(64, (f->ring_bytes + 63) & ~(size_t)63);
	f->state = malloc(virtq_split_drv_state_size(f->size));
	f->tables = calloc(MAX_COOKIES, sizeof(union table));
	if (f->ring == NULL || f->state == NULL || f->tables == NULL)
		return -1;
	if (f->packed) {
		if (virtq_packed_drv_init_mem(&f->pd, f->size, f->ring, f->state, features) != 0 ||
		    virtq_packed_dev_init_mem(&f->pv, f->size, f->ring, features) != 0)
			return -1;
		virtq_packed_dev_set_translate(&f->pv, translate_table, f);
	} else {
		if (virtq_split_drv_init_mem(&f->sd, f->size, f->ring, 4, f->state, features) !=
		            0 ||
		    virtq_split_dev_init_mem(&f->sv, f->size, f->ring, 4, features) != 0)
			return -1;
		virtq_split_dev_set_translate(&f->sv, translate_table, f);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz f;

	memset(&f, 0, sizeof(f));
	f.in = data;
	f.len = size;
	if (setup(&f) == 0) {
		while (f.pos < f.len) {
			switch (next_byte(&f) % 11) {
			case 0:
				op_add_buf(&f);
				break;
			case 1:
				op_add_bulk(&f);
				break;
			case 2:
				op_add_sg(&f, false);
				break;
			case 3:
				op_add_sg(&f, true);
				break;
			case 4:
				op_publish(&f);
				break;
			case 5:
				op_device_scribble(&f);
				break;
			case 6:
				op_device_forge(&f);
				break;
			case 7:
				op_device_round(&f);
				break;
			case 8:
				op_get_used(&f);
				break;
			case 9:
				op_get_used_bulk(&f);
				break;
			default:
				op_notify_control(&f);
				break;
			}
		}
		finish(&f);
	}
	free(f.ring);
	free(f.state);
	free(f.tables);
	return 0;
}
