/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed virtqueue (virtio 1.2 "Packed Virtqueues"): memory layout and the driver half, with the
 * same shape and names as virtq_split.h so the two read side by side.
 *
 * Ring memory and shadow state are the caller's (virtq_packed_mem_size(),
 * virtq_packed_drv_state_size()). Posting writes descriptors in ring order; the flags of the first
 * descriptor of a batch are held back and written by publish() with one release store, so the
 * device sees the batch at once
 * ("Updating flags"). Buffer IDs index the shadow state; with IN_ORDER they are handed out
 * sequentially.
 */
#ifndef VIRTQ_PACKED_H
#define VIRTQ_PACKED_H

#include <errno.h>
#include <string.h>

#include "virtq_defs.h"

/* ---- Layout ("Structure Size and Alignment") ---- */

static inline size_t
virtq_packed_desc_size(uint16_t size)
{
	return sizeof(struct virtq_packed_desc) * (size_t)size;
}

/* Offset of the Driver Area (driver event suppression) in one contiguous block. */
static inline size_t
virtq_packed_driver_event_offset(uint16_t size)
{
	return virtq_packed_desc_size(size);
}

/* Offset of the Device Area (device event suppression). */
static inline size_t
virtq_packed_device_event_offset(uint16_t size)
{
	return virtq_packed_desc_size(size) + sizeof(struct virtq_packed_event);
}

static inline size_t
virtq_packed_mem_size(uint16_t size)
{
	return virtq_packed_desc_size(size) + 2 * sizeof(struct virtq_packed_event);
}

/* Packed sizes need not be powers of two ("Packed Virtqueues support up to 2^15 entries"). */
static inline bool
virtq_packed_size_valid(uint32_t size)
{
	return size >= 1 && size <= VIRTQ_MAX_SIZE;
}

/* Flags bits that make a descriptor available in the lap of wrap counter `wrap` (2.8.1). */
static inline uint16_t
virtq_packed_avail_bits(bool wrap)
{
	return wrap ? VIRTQ_DESC_F_AVAIL : VIRTQ_DESC_F_USED;
}

/* Flags bits of a used descriptor in the lap of wrap counter `wrap` (2.8.1). */
static inline uint16_t
virtq_packed_used_bits(bool wrap)
{
	return wrap ? (VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED) : 0;
}

/* Advance a ring position by n descriptors, flipping the wrap counter at each wrap (the driver
 * half never moves more than a lap; the device half may be told to by a bad caller). */
static inline void
virtq_packed_advance(uint16_t *pos, bool *wrap, uint16_t n, uint16_t size)
{
	uint32_t p = (uint32_t)*pos + n;

	while (p >= size) {
		p -= size;
		*wrap = !*wrap;
	}
	*pos = (uint16_t)p;
}

/*
 * Event suppression in descriptor-specific mode (EVENT_IDX), either direction ("Driver and Device
 * Event Suppression"): whether the `added` descriptors (fewer than a lap) published up to new_idx
 * in the lap of wrap counter new_wrap crossed the event offset off_wrap the other side wrote.
 */
static inline bool
virtq_packed_event_crossed(uint16_t off_wrap, uint16_t added, uint16_t new_idx, bool new_wrap,
                           uint16_t size)
{
	uint16_t event = off_wrap & 0x7fff;
	uint16_t old_idx = (uint16_t)(new_idx - added);

	/* An event offset of the previous lap is below new in one linear count (Linux does the
	 * same). */
	if ((bool)(off_wrap >> VIRTQ_EVENT_WRAP_SHIFT) != new_wrap)
		event = (uint16_t)(event - size);
	return virtq_need_event(event, new_idx, old_idx);
}

/*
 * Event suppression, either direction: ask the other side, through our event suppression
 * structure `ev`, for a notification once it has passed the descriptor n (>= 1) past position
 * pos in the lap of wrap counter `wrap` (descriptor-specific mode, EVENT_IDX only; without it, for
 * the next one). Returns the flags written, for the caller's shadow.
 */
static inline uint16_t
virtq_packed_event_enable_after(struct virtq_packed_event *ev, bool event_idx, uint16_t pos,
                                bool wrap, uint16_t n, uint16_t size)
{
	uint16_t flags;

	if (n == 0)
		n = 1;
	if (n > size)
		n = size;
	if (event_idx) {
		virtq_packed_advance(&pos, &wrap, (uint16_t)(n - 1), size);
		virtq_store16(&ev->off_wrap,
		              (uint16_t)(pos | (uint16_t)wrap << VIRTQ_EVENT_WRAP_SHIFT));
		flags = VIRTQ_EVENT_F_DESC;
		/* release: off_wrap before the flags that make the other side read it (it reads
		 * flags, then off_wrap) */
		__atomic_store_n(&ev->flags, virtq_cpu_to_le16(flags), __ATOMIC_RELEASE);
	} else {
		flags = VIRTQ_EVENT_F_ENABLE;
		virtq_store16(&ev->flags, flags);
	}
	return flags;
}

/* Fill one descriptor of an indirect table ("Indirect Flag: Scatter-Gather Support"); plain stores:
 * the table is read only after the release that publishes the ring descriptor pointing to it. (The
 * driver half writes ring descriptors with write_desc(), whose flags wait for publish().) */
static inline void
virtq_packed_fill_desc(struct virtq_packed_desc *d, uint64_t addr, uint32_t len, uint16_t id,
                       uint16_t flags)
{
	d->addr = virtq_cpu_to_le64(addr);
	d->len = virtq_cpu_to_le32(len);
	d->id = virtq_cpu_to_le16(id);
	d->flags = virtq_cpu_to_le16(flags);
}

/* ---- Driver half ---- */

struct virtq_packed_drv {
	struct virtq_packed_desc *desc;
	struct virtq_packed_event *driver_event; /* we write: used buffer notification control */
	struct virtq_packed_event
	        *device_event;          /* device writes: available buffer notification control */
	struct virtq_desc_state *state; /* [size], indexed by buffer ID */
	uint16_t size;
	uint16_t num_free;      /* free descriptors */
	uint16_t free_id;       /* free buffer-ID list head; in-order: next ID in sequence */
	uint16_t next_avail;    /* next descriptor to write ... */
	bool avail_wrap;        /* ... and the driver ring wrap counter */
	bool used_wrap;         /* device ring wrap counter of ... */
	uint16_t last_used;     /* ... the next descriptor to read as used */
	uint16_t outstanding;   /* buffers added and not yet returned */
	uint16_t pending_descs; /* descriptors added since the last publish */
	uint16_t pending_head;  /* first of them: its flags wait for publish() */
	uint16_t pending_head_flags;
	uint16_t kick_added;     /* descriptors published since the last needs_notify() */
	uint16_t published_next; /* next_avail at the last publish ... */
	bool published_wrap;     /* ... and its wrap counter */
	bool event_idx;
	bool in_order;
	bool indirect;
	bool broken;              /* a device error it cannot continue after: every call fails */
	uint16_t in_order_oldest; /* in-order: ID of the oldest outstanding buffer */
	uint16_t batch_left;      /* in-order: buffers left in the batch being returned */
	uint16_t batch_last_id;
	uint32_t batch_last_len;
	uint16_t driver_event_flags; /* shadow of driver_event->flags */
	uint16_t detach_next;        /* detach_unused(): the next state entry to look at */
	/* A notification the device declined, owed until it shows progress: a used descriptor
	 * at last_used, or last_used moved; and the empty harvests since */
	bool notify_owed;
	uint16_t owed_last_used;
	uint16_t owed_polls;
	struct virtq_err_stats err;
};

static inline size_t
virtq_packed_drv_state_size(uint16_t size)
{
	return sizeof(struct virtq_desc_state) * (size_t)size;
}

/*
 * Set up the driver half over the descriptor ring, the driver and device event areas and `state`.
 * Zeroes them: no descriptor is available, notifications enabled. Both wrap counters start at 1
 * (2.8.1). `features`: INDIRECT_DESC, EVENT_IDX (RING_EVENT_IDX) and IN_ORDER matter.
 * Returns 0 or -EINVAL.
 */
static inline int
virtq_packed_drv_init(struct virtq_packed_drv *vq, uint16_t size, void *desc, void *driver_event,
                      void *device_event, void *state, uint64_t features)
{
	uint32_t i;

	if (vq == NULL || !virtq_packed_size_valid(size) || desc == NULL || driver_event == NULL ||
	    device_event == NULL || state == NULL)
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->desc = desc;
	vq->driver_event = driver_event;
	vq->device_event = device_event;
	vq->state = state;
	vq->size = size;
	vq->num_free = size;
	vq->avail_wrap = true;
	vq->used_wrap = true;
	vq->published_wrap = true;
	vq->event_idx = (features & VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX)) != 0;
	vq->in_order = (features & VIRTQ_FEATURE(VIRTQ_F_IN_ORDER)) != 0;
	vq->indirect = (features & VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC)) != 0;
	memset(desc, 0, virtq_packed_desc_size(size));
	memset(driver_event, 0, sizeof(struct virtq_packed_event));
	memset(device_event, 0, sizeof(struct virtq_packed_event));
	memset(state, 0, virtq_packed_drv_state_size(size));
	for (i = 0; i < size; i++)
		vq->state[i].next = (uint16_t)(i + 1 < size ? i + 1 : 0);
	return 0;
}

static inline int
virtq_packed_drv_init_mem(struct virtq_packed_drv *vq, uint16_t size, void *mem, void *state,
                          uint64_t features)
{
	if (mem == NULL)
		return -EINVAL;
	return virtq_packed_drv_init(
	        vq, size, mem, (char *)mem + virtq_packed_driver_event_offset(size),
	        (char *)mem + virtq_packed_device_event_offset(size), state, features);
}

static inline uint16_t
virtq_packed_drv_free_count(const struct virtq_packed_drv *vq)
{
	return vq->num_free;
}

static inline uint16_t
virtq_packed_drv_outstanding(const struct virtq_packed_drv *vq)
{
	return vq->outstanding;
}

static inline bool
virtq_packed_drv_is_broken(const struct virtq_packed_drv *vq)
{
	return vq->broken;
}

/* The buffer ID the next add_*() takes. */
static inline uint16_t
virtq_packed_drv_next_id(const struct virtq_packed_drv *vq)
{
	return vq->free_id;
}

/* Take the next free buffer ID (the one next_id() names); one per buffer, whatever its descriptor
 * count. Caller checked num_free. */
static inline uint16_t
virtq_packed_drv_take_id(struct virtq_packed_drv *vq)
{
	uint16_t id = vq->free_id;

	if (vq->in_order)
		vq->free_id = (uint16_t)(id + 1 < vq->size ? id + 1 : 0);
	else
		vq->free_id = vq->state[id].next;
	return id;
}

/*
 * Write the descriptor at next_avail and advance. `flags` excludes the AVAIL/USED bits. The first
 * descriptor since the last publish keeps its flags in the shadow; later ones are stored now: the
 * device reads in ring order, so it cannot look at them before it sees the batch head ("Updating
 * flags").
 */
static inline void
virtq_packed_drv_write_desc(struct virtq_packed_drv *vq, uint64_t addr, uint32_t len, uint16_t id,
                            uint16_t flags)
{
	struct virtq_packed_desc *d = &vq->desc[vq->next_avail];

	flags |= virtq_packed_avail_bits(vq->avail_wrap);
	d->addr = virtq_cpu_to_le64(addr);
	d->len = virtq_cpu_to_le32(len);
	d->id = virtq_cpu_to_le16(id);
	if (vq->pending_descs == 0) {
		vq->pending_head = vq->next_avail;
		vq->pending_head_flags = flags;
	} else {
		virtq_store16(&d->flags, flags);
	}
	vq->pending_descs++;
	virtq_packed_advance(&vq->next_avail, &vq->avail_wrap, 1, vq->size);
}

/*
 * The buffer whose descriptors are written goes out under its id: remember its cookie,
 * device-writable bytes and descriptor count (the descriptors already carry the id and sit in the
 * ring: there is no avail ring entry to put, unlike split).
 */
static inline void
virtq_packed_drv_post_id(struct virtq_packed_drv *vq, uint16_t id, uint16_t ndescs, uint32_t wlen,
                         void *cookie)
{
	struct virtq_desc_state *st = &vq->state[id];

	st->cookie = cookie;
	st->writable_len = wlen;
	st->ndescs = ndescs;
	vq->outstanding++;
	vq->num_free = (uint16_t)(vq->num_free - ndescs);
}

/* Post one single-descriptor buffer. Same contract as virtq_split_drv_add_buf(). */
static inline int
virtq_packed_drv_add_buf(struct virtq_packed_drv *vq, uint64_t addr, uint32_t len, uint16_t flags,
                         void *cookie)
{
	uint16_t id;
	int rc = virtq_drv_add_check(vq->broken, true, true, cookie, 1, vq->num_free);

	if (rc != 0)
		return rc;
	flags &= VIRTQ_DESC_F_WRITE;
	id = virtq_packed_drv_take_id(vq);
	virtq_packed_drv_write_desc(vq, addr, len, id, flags);
	virtq_packed_drv_post_id(vq, id, 1, flags ? len : 0, cookie);
	return 0;
}

/*
 * Post up to n single-descriptor buffers. Same contract as the split one. The ring position, wrap
 * counter and buffer ID run in locals: the descriptor stores could alias the queue's own 16-bit
 * fields, which would make the compiler reload and store them once per buffer.
 */
static inline uint16_t
virtq_packed_drv_add_bulk(struct virtq_packed_drv *vq, const uint64_t *addrs, const uint32_t *lens,
                          uint16_t flags, void *const *cookies, uint16_t n)
{
	struct virtq_packed_desc *desc = vq->desc;
	struct virtq_desc_state *state = vq->state;
	const uint16_t size = vq->size;
	const bool in_order = vq->in_order;
	uint16_t id = vq->free_id;
	uint16_t pos = vq->next_avail;
	bool wrap = vq->avail_wrap;
	uint16_t pending = vq->pending_descs;
	uint16_t i;

	if (vq->broken)
		return 0;
	if (n > vq->num_free)
		n = vq->num_free;
	flags &= VIRTQ_DESC_F_WRITE;
	for (i = 0; i < n; i++) {
		struct virtq_packed_desc *d = &desc[pos];
		struct virtq_desc_state *st = &state[id];
		uint16_t dflags = (uint16_t)(flags | virtq_packed_avail_bits(wrap));

		d->addr = virtq_cpu_to_le64(addrs[i]);
		d->len = virtq_cpu_to_le32(lens[i]);
		d->id = virtq_cpu_to_le16(id);
		/* The batch head's flags wait for publish() (see write_desc()). */
		if (pending == 0) {
			vq->pending_head = pos;
			vq->pending_head_flags = dflags;
		} else {
			virtq_store16(&d->flags, dflags);
		}
		pending++;
		st->cookie = cookies[i];
		st->writable_len = flags ? lens[i] : 0;
		st->ndescs = 1;
		/* In-order: IDs go in sequence, no free list to follow. */
		id = in_order ? (uint16_t)(id + 1 < size ? id + 1 : 0) : st->next;
		if (++pos == size) {
			pos = 0;
			wrap = !wrap;
		}
	}
	vq->free_id = id;
	vq->next_avail = pos;
	vq->avail_wrap = wrap;
	vq->pending_descs = pending;
	vq->outstanding = (uint16_t)(vq->outstanding + n);
	vq->num_free = (uint16_t)(vq->num_free - n);
	return n;
}

/*
 * A group of n single-descriptor buffers whose descriptors the caller writes itself (a vector
 * path): whether the ring takes it whole, in slots that do not run past the ring's end, so the
 * caller's stores are contiguous and every descriptor of the group is in the same wrap lap.
 */
static inline bool
virtq_packed_drv_group_fits(const struct virtq_packed_drv *vq, uint16_t n)
{
	return !vq->broken && vq->num_free >= n && (uint32_t)vq->next_avail + n <= vq->size;
}

/*
 * The bookkeeping of add_bulk() for a group that group_fits() accepted, without the descriptor
 * stores: takes n buffer IDs (into ids[]), records the cookies (device-readable buffers:
 * writable_len 0, one descriptor each) and moves next_avail. Returns the group's first slot. The
 * caller writes slot + i with ids[i] and the AVAIL/USED bits of the lap it was in before the
 * call (virtq_packed_avail_bits()), except the batch head (*head true: the group's first slot
 * is the first since the last publish), whose flags it must leave alone: publish() writes them
 * last, with one release store ("Updating flags").
 */
static inline uint16_t
virtq_packed_drv_post_group(struct virtq_packed_drv *vq, void *const *cookies, uint16_t *ids,
                            uint16_t n, bool *head)
{
	struct virtq_desc_state *state = vq->state;
	const uint16_t size = vq->size;
	const uint16_t slot = vq->next_avail;
	uint16_t id = vq->free_id;
	uint16_t i;

	*head = vq->pending_descs == 0;
	if (*head) {
		vq->pending_head = slot;
		vq->pending_head_flags = virtq_packed_avail_bits(vq->avail_wrap);
	}
	for (i = 0; i < n; i++) {
		struct virtq_desc_state *st = &state[id];

		ids[i] = id;
		st->cookie = cookies[i];
		st->writable_len = 0;
		st->ndescs = 1;
		/* In-order: IDs go in sequence, no free list to follow. */
		id = vq->in_order ? (uint16_t)(id + 1 < size ? id + 1 : 0) : st->next;
	}
	vq->free_id = id;
	vq->pending_descs = (uint16_t)(vq->pending_descs + n);
	vq->outstanding = (uint16_t)(vq->outstanding + n);
	vq->num_free = (uint16_t)(vq->num_free - n);
	virtq_packed_advance(&vq->next_avail, &vq->avail_wrap, n, size);
	return slot;
}

/* Post one buffer as a chain of consecutive descriptors ("Next Flag: Descriptor Chaining"). */
static inline int
virtq_packed_drv_add_chain(struct virtq_packed_drv *vq, const struct virtq_sg *sg, uint16_t out_num,
                           uint16_t in_num, void *cookie)
{
	uint32_t total = (uint32_t)out_num + in_num;
	uint32_t wlen = 0;
	uint16_t id;
	uint32_t i;
	int rc = virtq_drv_add_check(vq->broken, true, total != 0 && sg != NULL, cookie, total,
	                             vq->num_free);

	if (rc != 0)
		return rc;
	id = virtq_packed_drv_take_id(vq);
	for (i = 0; i < total; i++) {
		uint16_t flags = i >= out_num ? VIRTQ_DESC_F_WRITE : 0;

		if (i >= out_num)
			wlen += sg[i].len;
		if (i + 1 < total)
			flags |= VIRTQ_DESC_F_NEXT;
		virtq_packed_drv_write_desc(vq, sg[i].addr, sg[i].len, id, flags);
	}
	virtq_packed_drv_post_id(vq, id, (uint16_t)total, wlen, cookie);
	return 0;
}

/* Post one buffer through an indirect table of packed descriptors ("Indirect Flag: Scatter-Gather
 * Support"). */
static inline int
virtq_packed_drv_add_indirect(struct virtq_packed_drv *vq, const struct virtq_sg *sg,
                              uint16_t out_num, uint16_t in_num, struct virtq_packed_desc *table,
                              uint64_t table_addr, void *cookie)
{
	uint32_t total = (uint32_t)out_num + in_num;
	uint32_t wlen = 0;
	uint16_t id;
	uint32_t i;
	bool valid = total != 0 && sg != NULL && table != NULL && total <= VIRTQ_MAX_SIZE;
	int rc = virtq_drv_add_check(vq->broken, vq->indirect, valid, cookie, 1, vq->num_free);

	if (rc != 0)
		return rc;
	for (i = 0; i < total; i++) {
		/* In a table only WRITE is meaningful; id is reserved ("Indirect Flag") */
		if (i >= out_num)
			wlen += sg[i].len;
		virtq_packed_fill_desc(&table[i], sg[i].addr, sg[i].len, 0,
		                       i >= out_num ? VIRTQ_DESC_F_WRITE : 0);
	}
	id = virtq_packed_drv_take_id(vq);
	virtq_packed_drv_write_desc(vq, table_addr,
	                            (uint32_t)(total * sizeof(struct virtq_packed_desc)), id,
	                            VIRTQ_DESC_F_INDIRECT);
	virtq_packed_drv_post_id(vq, id, 1, wlen, cookie);
	return 0;
}

/* Expose everything added since the last publish: one release store of the batch head's flags. */
static inline void
virtq_packed_drv_publish(struct virtq_packed_drv *vq)
{
	if (vq->pending_descs == 0)
		return;
	/* release: all descriptor fields of the batch (and later descriptors' flags) before the
	 * head's flags, the store that makes the batch available ("Updating flags") */
	__atomic_store_n(&vq->desc[vq->pending_head].flags,
	                 virtq_cpu_to_le16(vq->pending_head_flags), __ATOMIC_RELEASE);
	/* saturates at a lap: more than that since the last check always needs a notification */
	vq->kick_added = (uint16_t)(vq->kick_added + vq->pending_descs < vq->size
	                                    ? vq->kick_added + vq->pending_descs
	                                    : vq->size);
	vq->pending_descs = 0;
	vq->published_next = vq->next_avail;
	vq->published_wrap = vq->avail_wrap;
}

/*
 * After publish(): whether the device wants an available buffer notification ("Sending Available
 * Buffer Notifications"). Device event flags ENABLE: yes; DISABLE: no; DESC (EVENT_IDX): the event
 * offset was crossed.
 */
static inline bool
virtq_packed_drv_needs_notify(struct virtq_packed_drv *vq)
{
	uint16_t added = vq->kick_added;
	uint16_t flags;
	bool notify;

	if (added == 0)
		return false;
	vq->kick_added = 0;
	/* full fence: the head flags store before the load of the device event structure, or we
	 * miss a device that just enabled notifications ("Sending Available Buffer Notifications":
	 * "suitable memory barrier") */
	virtq_mb();
	/* acquire: the flags before off_wrap, which the other side wrote ahead of them */
	flags = virtq_le16_to_cpu(__atomic_load_n(&vq->device_event->flags, __ATOMIC_ACQUIRE)) &
	        0x3;
	if (flags == VIRTQ_EVENT_F_DISABLE) {
		notify = false;
	} else if (flags == VIRTQ_EVENT_F_DESC && vq->event_idx && added < vq->size) {
		uint16_t off_wrap = virtq_load16(&vq->device_event->off_wrap);

		/* An event offset beyond the ring names no descriptor: it would never be crossed. */
		if ((off_wrap & 0x7fff) >= vq->size) {
			vq->err.bad_event++;
			notify = true;
		} else {
			notify = virtq_packed_event_crossed(off_wrap, added, vq->published_next,
			                                    vq->published_wrap, vq->size);
		}
	} else {
		/* ENABLE; the reserved value 3 is taken as ENABLE, counted */
		if (flags == VIRTQ_EVENT_F_DESC + 1)
			vq->err.bad_event++;
		notify = true;
	}
	if (notify) {
		vq->notify_owed = false;
	} else if (!vq->notify_owed) {
		vq->notify_owed = true;
		vq->owed_last_used = vq->last_used;
		vq->owed_polls = 0;
	}
	return notify;
}

/* Descriptors the device may have used: published, not yet harvested. */
static inline uint16_t
virtq_packed_drv_inflight_descs(const struct virtq_packed_drv *vq)
{
	return (uint16_t)(vq->size - vq->num_free - vq->pending_descs);
}

/*
 * Classify the flags at last_used, a slot we made available in the used_wrap lap (2.8.1):
 * 1 used, 0 still available (not used yet), -1 contradicting the wrap counter.
 */
static inline int
virtq_packed_drv_used_state(const struct virtq_packed_drv *vq, uint16_t flags)
{
	bool avail = (flags & VIRTQ_DESC_F_AVAIL) != 0;
	bool used = (flags & VIRTQ_DESC_F_USED) != 0;

	if (avail == used)
		return avail == vq->used_wrap ? 1 : -1;
	return avail == vq->used_wrap ? 0 : -1;
}

/* Read the flags at last_used. 1 used, 0 not yet, -EIO broken (counted). */
static inline int
virtq_packed_drv_peek_used(struct virtq_packed_drv *vq)
{
	uint16_t flags;
	int st;

	if (vq->broken)
		return -EIO;
	if (virtq_packed_drv_inflight_descs(vq) == 0)
		return 0;
	/* acquire: the used flags before the id, len and buffer contents they publish ("Receiving
	 * Used Buffers From The Device") */
	flags = virtq_le16_to_cpu(
	        __atomic_load_n(&vq->desc[vq->last_used].flags, __ATOMIC_ACQUIRE));
	st = virtq_packed_drv_used_state(vq, flags);
	if (st < 0) {
		vq->err.bad_wrap++;
		vq->broken = true;
		return -EIO;
	}
	return st;
}

/*
 * Used descriptors waiting at last_used, as the device wrote them in ring order: walks the flags
 * with the used wrap counter (2.8.1) over the descriptors published and not yet harvested, and
 * stops at the first slot not used in this lap. For single-descriptor buffers (Rx) this is the
 * used buffer count (in-order: one per used descriptor, as split counts used entries). Changes no
 * ring state (split's twin also refreshes its used.idx cache and breaks on an idx jump).
 */
static inline uint16_t
virtq_packed_drv_used_count(const struct virtq_packed_drv *vq)
{
	uint16_t pos = vq->last_used;
	bool wrap = vq->used_wrap;
	uint16_t max = virtq_packed_drv_inflight_descs(vq);
	uint16_t n = 0;

	if (vq->broken)
		return 0;
	while (n < max) {
		/* acquire: each used flag before anything the caller reads of that buffer
		 * (2.8.21.4) */
		uint16_t flags =
		        virtq_le16_to_cpu(__atomic_load_n(&vq->desc[pos].flags, __ATOMIC_ACQUIRE));
		bool avail = (flags & VIRTQ_DESC_F_AVAIL) != 0;
		bool used = (flags & VIRTQ_DESC_F_USED) != 0;

		if (avail != used || avail != wrap)
			break;
		n++;
		virtq_packed_advance(&pos, &wrap, 1, vq->size);
	}
	return n;
}

/*
 * After a harvest that found nothing: whether to notify the device anyway, because it declined a
 * notification and has used nothing since, for VIRTQ_NOTIFY_OWED_POLLS such harvests (counted in
 * err.late_notify). Cheap: one flag test unless a notification is owed.
 */
static inline bool
virtq_packed_drv_notify_owed(struct virtq_packed_drv *vq)
{
	if (!vq->notify_owed)
		return false;
	if (vq->last_used != vq->owed_last_used || virtq_packed_drv_peek_used(vq) == 1) {
		vq->notify_owed = false;
		return false;
	}
	if (++vq->owed_polls < VIRTQ_NOTIFY_OWED_POLLS)
		return false;
	vq->notify_owed = false;
	vq->err.late_notify++;
	return true;
}

static inline bool
virtq_packed_drv_has_used(struct virtq_packed_drv *vq)
{
	if (vq->batch_left != 0)
		return !vq->broken;
	return virtq_packed_drv_peek_used(vq) == 1;
}

static inline void
virtq_packed_drv_free_buf(struct virtq_packed_drv *vq, uint16_t id)
{
	struct virtq_desc_state *st = &vq->state[id];

	st->cookie = NULL;
	vq->num_free = (uint16_t)(vq->num_free + st->ndescs);
	vq->outstanding--;
	if (vq->in_order) {
		vq->in_order_oldest = (uint16_t)(id + 1 < vq->size ? id + 1 : 0);
		return;
	}
	st->next = vq->free_id;
	vq->free_id = id;
}

static inline int
virtq_packed_drv_return_buf(struct virtq_packed_drv *vq, uint16_t id, uint32_t len, void **cookie,
                            uint32_t *len_out)
{
	int rc = virtq_desc_state_return(&vq->state[id], &vq->err, len, cookie, len_out);

	virtq_packed_drv_free_buf(vq, id);
	return rc;
}

/*
 * Bytes written, from a used descriptor. The spec reserves the length unless the device sets WRITE
 * ("Element Address and Length"), but QEMU's virtio-net (7.2) writes the length of Rx buffers without
 * ever setting WRITE in used descriptors. So the length counts whenever WRITE is set or the buffer was
 * posted with device-writable elements; it is still checked against what was posted. A read-only
 * buffer (Tx) has no length.
 */
static inline uint32_t
virtq_packed_used_len(const struct virtq_packed_desc *d, const struct virtq_desc_state *st)
{
	if (!(virtq_load16(&d->flags) & VIRTQ_DESC_F_WRITE) && st->writable_len == 0)
		return 0;
	return virtq_le32_to_cpu(d->len);
}

/* A used descriptor's length, checked against what its buffer offered: above it, counted and 0. */
static inline uint32_t
virtq_packed_drv_checked_len(struct virtq_packed_drv *vq, const struct virtq_packed_desc *d,
                             const struct virtq_desc_state *st)
{
	uint32_t len = virtq_packed_used_len(d, st);

	if (len > st->writable_len) {
		vq->err.len_too_big++;
		return 0;
	}
	return len;
}

/* A used descriptor names an ID: it must be an outstanding buffer whose descriptors fit in what we
 * published. Otherwise we cannot know how far to skip: broken. */
static inline int
virtq_packed_drv_check_id(struct virtq_packed_drv *vq, uint32_t id)
{
	if (id >= vq->size) {
		vq->err.bad_id++;
		vq->broken = true;
		return -EIO;
	}
	if (vq->state[id].cookie == NULL ||
	    vq->state[id].ndescs > virtq_packed_drv_inflight_descs(vq)) {
		vq->err.not_outstanding++;
		vq->broken = true;
		return -EIO;
	}
	return 0;
}

/* In-order ("In-order use of descriptors", both layouts): one used descriptor for a batch ending
 * with buffer `id`; the device skips the batch's descriptors. Count the batch from the oldest
 * outstanding ID. */
static inline int
virtq_packed_drv_start_batch(struct virtq_packed_drv *vq)
{
	const struct virtq_packed_desc *d = &vq->desc[vq->last_used];
	uint16_t id = virtq_le16_to_cpu(d->id);
	uint16_t cur = vq->in_order_oldest;
	uint32_t descs = 0;
	uint16_t n = 1;

	if (virtq_packed_drv_check_id(vq, id) < 0)
		return -EIO;
	for (;;) {
		if (vq->state[cur].cookie == NULL) {
			vq->err.not_outstanding++;
			vq->broken = true;
			return -EIO;
		}
		descs += vq->state[cur].ndescs;
		if (cur == id)
			break;
		if (n >= vq->outstanding) {
			vq->err.not_outstanding++;
			vq->broken = true;
			return -EIO;
		}
		cur = (uint16_t)(cur + 1 < vq->size ? cur + 1 : 0);
		n++;
	}
	if (descs > virtq_packed_drv_inflight_descs(vq)) {
		vq->err.bad_batch++;
		vq->broken = true;
		return -EIO;
	}
	vq->batch_left = n;
	vq->batch_last_id = id;
	vq->batch_last_len = virtq_packed_used_len(d, &vq->state[id]);
	return 0;
}

static inline int
virtq_packed_drv_get_used_in_order(struct virtq_packed_drv *vq, void **cookie, uint32_t *len)
{
	uint16_t id;
	uint32_t used_len;

	if (vq->batch_left == 0) {
		int st = virtq_packed_drv_peek_used(vq);

		if (st <= 0)
			return st == 0 ? -EAGAIN : st;
		if (virtq_packed_drv_start_batch(vq) < 0)
			return -EIO;
	}
	id = vq->in_order_oldest;
	/* Skipped buffers were used completely ("In-order use of descriptors"): their length is
	 * what was posted. */
	used_len = vq->batch_left == 1 ? vq->batch_last_len : vq->state[id].writable_len;
	vq->batch_left--;
	virtq_packed_advance(&vq->last_used, &vq->used_wrap, vq->state[id].ndescs, vq->size);
	return virtq_packed_drv_return_buf(vq, id, used_len, cookie, len);
}

/*
 * Harvest one used buffer. Returns 0; -EAGAIN; -EMSGSIZE (length above what was posted: returned
 * with *len 0, counted); -EIO (bad ID or flags contradicting the wrap counter: counted, broken).
 */
static inline int
virtq_packed_drv_get_used(struct virtq_packed_drv *vq, void **cookie, uint32_t *len)
{
	const struct virtq_packed_desc *d;
	uint16_t id;
	int st;

	if (vq->in_order)
		return virtq_packed_drv_get_used_in_order(vq, cookie, len);
	st = virtq_packed_drv_peek_used(vq);
	if (st <= 0)
		return st == 0 ? -EAGAIN : st;
	d = &vq->desc[vq->last_used];
	id = virtq_le16_to_cpu(d->id);
	if (virtq_packed_drv_check_id(vq, id) < 0)
		return -EIO;
	/* The device skips as many descriptors as the buffer had ("Next Flag: Descriptor Chaining")
	 */
	virtq_packed_advance(&vq->last_used, &vq->used_wrap, vq->state[id].ndescs, vq->size);
	return virtq_packed_drv_return_buf(vq, id, virtq_packed_used_len(d, &vq->state[id]), cookie,
	                                   len);
}

/*
 * The bulk harvest of used descriptors, with the ring state in locals and stored back once: the
 * descriptor and state stores could alias the queue's own 16-bit fields, which would make the
 * compiler reload and store them once per buffer. Stops at the first descriptor not used yet.
 * Lengths (lens not NULL) are checked against what was posted. Returns the number of cookies
 * stored. The two orders differ only in which used descriptors they take and where the IDs go:
 * - in order (get_used_singles()): only descriptors that each name the oldest outstanding buffer
 *   (a batch of one, what a device writing every used descriptor produces, e.g. a receive queue);
 *   anything else (a longer batch, a bad ID or wrap) stops the loop uncounted, for the checked
 *   path of get_used_bulk_in_order(); IDs come back in sequence.
 * - any order (get_used_bulk_any_order()): the checks of get_used(); a descriptor that breaks
 *   the queue is counted and ends the harvest; IDs go back to the free list.
 * `in_order` is a constant at both callers and the function is always inlined, so each compiles
 * to its own loop, as if written out twice.
 */
static inline VIRTQ_ALWAYS_INLINE uint16_t
virtq_packed_drv_harvest(struct virtq_packed_drv *vq, void **cookies, uint32_t *lens, uint16_t max,
                         const bool in_order)
{
	const struct virtq_packed_desc *desc = vq->desc;
	struct virtq_desc_state *state = vq->state;
	const uint16_t size = vq->size;
	uint16_t last = vq->last_used;
	bool wrap = vq->used_wrap;
	uint16_t oldest = vq->in_order_oldest; /* in order */
	uint16_t free_id = vq->free_id;        /* any order */
	uint16_t num_free = vq->num_free;
	uint16_t inflight = virtq_packed_drv_inflight_descs(vq);
	uint16_t n = 0;

	if ((in_order && vq->batch_left != 0) || vq->broken)
		return 0;
	while (n < max && inflight != 0) {
		const struct virtq_packed_desc *d = &desc[last];
		/* acquire: the flags before the id, len and buffer contents they publish */
		uint16_t flags = virtq_le16_to_cpu(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE));
		bool avail = (flags & VIRTQ_DESC_F_AVAIL) != 0;
		bool used = (flags & VIRTQ_DESC_F_USED) != 0;
		struct virtq_desc_state *st;
		uint16_t id;

		if (in_order) {
			if (avail != wrap || avail != used)
				break; /* not used yet, or a bad wrap the checked path counts */
			if (virtq_le16_to_cpu(d->id) != oldest)
				break; /* a batch, or a bad ID: the checked path */
			id = oldest;
			st = &state[id];
			if (st->cookie == NULL || st->ndescs > inflight)
				break;
		} else {
			if (avail != wrap) {
				/* neither "used in this lap" nor "still ours in this lap"
				 * (2.8.1) */
				vq->err.bad_wrap++;
				vq->broken = true;
				break;
			}
			if (avail != used)
				break; /* not used yet */
			id = virtq_le16_to_cpu(d->id);
			if (id >= size) {
				vq->err.bad_id++;
				vq->broken = true;
				break;
			}
			st = &state[id];
			if (st->cookie == NULL || st->ndescs > inflight) {
				vq->err.not_outstanding++;
				vq->broken = true;
				break;
			}
		}
		if (lens != NULL)
			lens[n] = virtq_packed_drv_checked_len(vq, d, st);
		cookies[n++] = st->cookie;
		st->cookie = NULL;
		num_free = (uint16_t)(num_free + st->ndescs);
		inflight = (uint16_t)(inflight - st->ndescs);
		/* the device skips as many descriptors as the buffer had ("Next Flag") */
		virtq_packed_advance(&last, &wrap, st->ndescs, size);
		if (in_order) {
			oldest = (uint16_t)(oldest + 1 < size ? oldest + 1 : 0);
		} else {
			st->next = free_id;
			free_id = id;
		}
	}
	vq->last_used = last;
	vq->used_wrap = wrap;
	vq->num_free = num_free;
	if (in_order)
		vq->in_order_oldest = oldest;
	else
		vq->free_id = free_id;
	vq->outstanding = (uint16_t)(vq->outstanding - n);
	return n;
}

/* In-order fast path of get_used_bulk_in_order(): batches of one; see harvest(). */
static inline uint16_t
virtq_packed_drv_get_used_singles(struct virtq_packed_drv *vq, void **cookies, uint32_t *lens,
                                  uint16_t max)
{
	return virtq_packed_drv_harvest(vq, cookies, lens, max, true);
}

/*
 * In-order bulk harvest: each used descriptor starts a batch (checked by start_batch()), whose
 * buffers are then returned with the ring state in locals.
 */
static inline uint16_t
virtq_packed_drv_get_used_bulk_in_order(struct virtq_packed_drv *vq, void **cookies,
                                        uint32_t *lens, uint16_t max)
{
	struct virtq_desc_state *state = vq->state;
	const uint16_t size = vq->size;
	uint16_t n = virtq_packed_drv_get_used_singles(vq, cookies, lens, max);

	while (n < max) {
		uint16_t id, last, num_free, outstanding, left, k;
		bool wrap;

		if (vq->batch_left == 0) {
			if (virtq_packed_drv_peek_used(vq) <= 0 || virtq_packed_drv_start_batch(vq) < 0)
				break;
		}
		id = vq->in_order_oldest;
		last = vq->last_used;
		wrap = vq->used_wrap;
		num_free = vq->num_free;
		outstanding = vq->outstanding;
		left = vq->batch_left;
		for (k = left < max - n ? left : (uint16_t)(max - n); k > 0; k--) {
			struct virtq_desc_state *st = &state[id];

			if (lens != NULL) {
				/* Skipped buffers were used completely ("In-order use of
				 * descriptors"): their length is what was posted. */
				uint32_t len = left == 1 ? vq->batch_last_len : st->writable_len;

				if (len > st->writable_len) {
					vq->err.len_too_big++;
					len = 0;
				}
				lens[n] = len;
			}
			cookies[n++] = st->cookie;
			st->cookie = NULL;
			num_free = (uint16_t)(num_free + st->ndescs);
			outstanding--;
			left--;
			virtq_packed_advance(&last, &wrap, st->ndescs, size);
			id = (uint16_t)(id + 1 < size ? id + 1 : 0);
		}
		vq->in_order_oldest = id;
		vq->last_used = last;
		vq->used_wrap = wrap;
		vq->num_free = num_free;
		vq->outstanding = outstanding;
		vq->batch_left = left;
	}
	return n;
}

/*
 * Bulk harvest in any order: the checks of get_used() (wrap counter, ID outstanding, descriptors
 * within what was published, length within what was posted) per used descriptor; see harvest().
 */
static inline uint16_t
virtq_packed_drv_get_used_bulk_any_order(struct virtq_packed_drv *vq, void **cookies,
                                         uint32_t *lens, uint16_t max)
{
	return virtq_packed_drv_harvest(vq, cookies, lens, max, false);
}

/* Harvest up to max used buffers; same contract as virtq_split_drv_get_used_bulk(). */
static inline uint16_t
virtq_packed_drv_get_used_bulk(struct virtq_packed_drv *vq, void **cookies, uint32_t *lens,
                               uint16_t max)
{
	uint16_t n = 0;

	if (vq->in_order)
		return virtq_packed_drv_get_used_bulk_in_order(vq, cookies, lens, max);
	if (!vq->broken)
		return virtq_packed_drv_get_used_bulk_any_order(vq, cookies, lens, max);
	while (n < max) {
		int rc = virtq_packed_drv_get_used(vq, &cookies[n], lens != NULL ? &lens[n] : NULL);

		if (rc != 0 && rc != -EMSGSIZE)
			break;
		n++;
	}
	return n;
}

/*
 * ---- Group harvest and refill, for callers that check and write in vectors (the PMD's vector Rx
 * paths), the twins of virtq_split.h's. The ring logic stays here; the caller only loads used
 * descriptors and stores available ones. ----
 */

/*
 * Descriptors a group harvest may look at from last_used on, at most max: the published ones not yet
 * harvested (as harvest() stops at them), 0 when the queue is broken or an in-order batch is being
 * returned (get_used_bulk() takes those). Reads nothing the device writes.
 */
static inline uint16_t
virtq_packed_drv_group_ready(const struct virtq_packed_drv *vq, uint16_t max)
{
	uint16_t inflight = virtq_packed_drv_inflight_descs(vq);

	if (vq->broken || vq->batch_left != 0)
		return 0;
	return inflight < max ? inflight : max;
}

/*
 * Whether get_used_bulk() at last_used would take or reject anything: an in-order batch being
 * returned, or, with descriptors in flight, flags there other than those of a descriptor still
 * available in this lap (used, or contradicting the wrap counter, 2.8.1). One relaxed load; changes
 * nothing. A group harvest that took something asks before its scalar step, so that an empty scalar
 * step (with its end-of-harvest work) runs exactly when get_used_bulk() would have found nothing.
 */
static inline bool
virtq_packed_drv_used_waiting(const struct virtq_packed_drv *vq)
{
	if (vq->broken)
		return true;
	if (vq->batch_left != 0)
		return true;
	if (virtq_packed_drv_inflight_descs(vq) == 0)
		return false;
	return virtq_packed_drv_used_state(vq, virtq_load16(&vq->desc[vq->last_used].flags)) != 0;
}

/*
 * Take up to n used descriptors from last_used on (n within group_ready() and the ring's end), each
 * naming a buffer of one descriptor (what Rx refills post). The caller has seen the flags of all n
 * say "used in this lap" (2.8.1), then, after an acquire fence, copied the descriptors into used[]
 * (one read of the device's memory: a device rewriting one cannot make the caller's checks and this
 * take see different values). Cookies into cookies[], the ring state left as get_used_bulk() leaves
 * it. Stops before the first descriptor get_used_bulk() would not take the same way: an id out of
 * range or of no outstanding buffer (a repeat within the group too), a chained buffer, a length above
 * the bytes posted, or (in order) an id that is not the oldest outstanding buffer (a batch, "In-order
 * use of descriptors"). Returns the descriptors taken; the caller's scalar step takes the rest, which
 * checks, rejects and counts them.
 */
static inline uint16_t
virtq_packed_drv_take_used_group(struct virtq_packed_drv *vq, const struct virtq_packed_desc *used,
                                 void **cookies, uint16_t n)
{
	struct virtq_desc_state *state = vq->state;
	const uint16_t size = vq->size;
	const bool in_order = vq->in_order;
	uint16_t oldest = vq->in_order_oldest;
	uint16_t free_id = vq->free_id;
	uint16_t last = vq->last_used;
	bool wrap = vq->used_wrap;
	uint16_t k;

	for (k = 0; k < n; k++) {
		uint16_t id = virtq_le16_to_cpu(used[k].id);
		struct virtq_desc_state *st;

		if (id >= size || (in_order && id != oldest))
			break;
		st = &state[id];
		if (st->cookie == NULL || st->ndescs != 1 ||
		    virtq_packed_used_len(&used[k], st) > st->writable_len)
			break;
		cookies[k] = st->cookie;
		st->cookie = NULL;
		if (in_order) {
			oldest = (uint16_t)(oldest + 1 < size ? oldest + 1 : 0);
		} else {
			/* free_buf(): the id goes to the head of the free list */
			st->next = free_id;
			free_id = id;
		}
	}
	virtq_packed_advance(&last, &wrap, k, size);
	vq->last_used = last;
	vq->used_wrap = wrap;
	vq->in_order_oldest = oldest;
	vq->free_id = free_id;
	vq->num_free = (uint16_t)(vq->num_free + k);
	vq->outstanding = (uint16_t)(vq->outstanding - k);
	return k;
}

/* Where the descriptors of a post_writable_ids() go: the caller writes them from here on. */
struct virtq_packed_post_at {
	uint16_t pos;   /* ring position of the first */
	bool wrap;      /* its driver wrap counter (the AVAIL/USED bits: avail_bits()) */
	bool head_held; /* the first is the head of the unpublished batch: the caller writes its addr,
	                 * len and id but not its flags, which publish() stores ("Updating flags") */
};

/*
 * Post n single-descriptor buffers of `len` device-writable bytes each (an Rx refill) whose
 * descriptors the caller writes itself, in ring order from at->pos: descriptor i (addr, len, ids[i],
 * flags VIRTQ_DESC_F_WRITE | avail_bits() of its lap) at at->pos + i, the wrap counter flipping at
 * the ring's end; all of its fields but the held head's flags before publish(). Their cookies and
 * lengths go in the state and the ring position advances, as add_bulk() leaves them. Returns the
 * number posted: min(n, free descriptors), 0 when broken. Cookies must be non-NULL.
 */
static inline uint16_t
virtq_packed_drv_post_writable_ids(struct virtq_packed_drv *vq, void *const *cookies, uint32_t len,
                                   uint16_t *ids, uint16_t n, struct virtq_packed_post_at *at)
{
	struct virtq_desc_state *state = vq->state;
	const uint16_t size = vq->size;
	const bool in_order = vq->in_order;
	uint16_t id = vq->free_id;
	uint16_t i;

	if (vq->broken)
		return 0;
	if (n > vq->num_free)
		n = vq->num_free;
	at->pos = vq->next_avail;
	at->wrap = vq->avail_wrap;
	at->head_held = vq->pending_descs == 0;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct virtq_desc_state *st = &state[id];

		ids[i] = id;
		st->cookie = cookies[i];
		st->writable_len = len;
		st->ndescs = 1;
		id = in_order ? (uint16_t)(id + 1 < size ? id + 1 : 0) : st->next;
	}
	if (at->head_held) {
		vq->pending_head = at->pos;
		vq->pending_head_flags =
		        (uint16_t)(VIRTQ_DESC_F_WRITE | virtq_packed_avail_bits(at->wrap));
	}
	vq->pending_descs = (uint16_t)(vq->pending_descs + n);
	virtq_packed_advance(&vq->next_avail, &vq->avail_wrap, n, size);
	vq->free_id = id;
	vq->outstanding = (uint16_t)(vq->outstanding + n);
	vq->num_free = (uint16_t)(vq->num_free - n);
	return n;
}

/*
 * Completion of buffers whose used length the driver ignores (transmit); the twin of
 * virtq_split_drv_reclaim_in_order(). A packed ring has no used index that says how many buffers
 * are done without reading the ring: the used flags are the only signal ("In-order use of
 * descriptors" still writes one used descriptor per batch), so this is get_used_bulk() without
 * lengths, in order or not. Returns the number of cookies stored.
 */
static inline uint16_t
virtq_packed_drv_reclaim_in_order(struct virtq_packed_drv *vq, void **cookies, uint16_t max)
{
	return virtq_packed_drv_get_used_bulk(vq, cookies, NULL, max);
}

/* Used buffer notifications through the driver event suppression structure ("Driver and Device
 * Event Suppression"). */
static inline void
virtq_packed_drv_disable_used_notify(struct virtq_packed_drv *vq)
{
	vq->driver_event_flags = VIRTQ_EVENT_F_DISABLE;
	virtq_store16(&vq->driver_event->flags, vq->driver_event_flags);
}

/*
 * Interrupt when the device has used the descriptor n (>= 1) descriptors past last_used
 * (descriptor-specific mode, EVENT_IDX only; without it this is enable). Returns true if used
 * buffers are already pending, so the caller polls again instead of sleeping.
 */
static inline bool
virtq_packed_drv_enable_used_notify_after(struct virtq_packed_drv *vq, uint16_t n)
{
	vq->driver_event_flags = virtq_packed_event_enable_after(
	        vq->driver_event, vq->event_idx, vq->last_used, vq->used_wrap, n, vq->size);
	/* full fence: the event structure store before re-reading the used flags ("Receiving Used
	 * Buffers From The Device" note) */
	virtq_mb();
	return virtq_packed_drv_has_used(vq);
}

static inline bool
virtq_packed_drv_enable_used_notify(struct virtq_packed_drv *vq)
{
	if (vq->driver_event_flags != VIRTQ_EVENT_F_ENABLE) {
		vq->driver_event_flags = VIRTQ_EVENT_F_ENABLE;
		virtq_store16(&vq->driver_event->flags, vq->driver_event_flags);
	}
	/* full fence: the flags store before re-reading the used flags */
	virtq_mb();
	return virtq_packed_drv_has_used(vq);
}

/* At queue stop: one outstanding cookie per call, NULL when none is left; then init again before
 * any other use. */
static inline void *
virtq_packed_drv_detach_unused(struct virtq_packed_drv *vq)
{
	/* resumes where the last call stopped: detaching a full ring stays linear in its size */
	return virtq_desc_state_detach(vq->state, vq->size, &vq->detach_next, &vq->outstanding,
	                               &vq->num_free);
}

#endif /* VIRTQ_PACKED_H */
