/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue (virtio 1.2 section 2.7): memory layout and the driver half.
 *
 * The caller owns all memory: the ring (one block from virtq_split_mem_size(), or three areas) and
 * the driver's shadow state (virtq_split_drv_state_size() bytes, 8-byte aligned), so it can place
 * both on the right NUMA node. Device addresses are opaque 64-bit values the caller chooses (IOVA
 * for PCI, VA for vhost-user); the driver half only writes them into descriptors.
 *
 * Posting: add*() write descriptors and avail ring entries; publish() exposes them with one release
 * store of avail.idx; needs_notify() then says whether to kick. Harvesting: get_used*() check every
 * used entry against what was posted. One thread per queue; no locks.
 */
#ifndef VIRTQ_SPLIT_H
#define VIRTQ_SPLIT_H

#include <errno.h>
#include <string.h>

#include "virtq_defs.h"

/* ---- Layout (2.7 table "Virtqueue Part / Alignment / Size") ---- */

static inline size_t
virtq_split_desc_size(uint16_t size)
{
	return sizeof(struct virtq_split_desc) * (size_t)size;
}

/* flags, idx, ring[size], used_event */
static inline size_t
virtq_split_avail_size(uint16_t size)
{
	return sizeof(virtq_le16) * (3 + (size_t)size);
}

/* flags, idx, ring[size], avail_event */
static inline size_t
virtq_split_used_size(uint16_t size)
{
	return sizeof(virtq_le16) * 3 + sizeof(struct virtq_split_used_elem) * (size_t)size;
}

/* Offset of the Driver Area (avail ring) in one contiguous block: right after the descriptors. */
static inline size_t
virtq_split_avail_offset(uint16_t size)
{
	return virtq_split_desc_size(size);
}

/* Offset of the Device Area (used ring): aligned to `align` (4 minimum; 4096 for legacy PCI). */
static inline size_t
virtq_split_used_offset(uint16_t size, size_t align)
{
	if (align < 4)
		align = 4;
	return virtq_align_up(virtq_split_avail_offset(size) + virtq_split_avail_size(size), align);
}

/* Bytes of one contiguous block holding the three areas (legacy 2.7.2 formula for align 4096). */
static inline size_t
virtq_split_mem_size(uint16_t size, size_t align)
{
	if (align < 4)
		align = 4;
	return virtq_align_up(virtq_split_used_offset(size, align) + virtq_split_used_size(size),
	                      align);
}

/* Split sizes are powers of two up to 32768 (2.7 "Queue Size value is always a power of 2"). */
static inline bool
virtq_split_size_valid(uint32_t size)
{
	return size >= 1 && size <= VIRTQ_MAX_SIZE && (size & (size - 1)) == 0;
}

/* used_event sits after avail->ring[size]; avail_event after used->ring[size] (2.7.6, 2.7.8). */
static inline virtq_le16 *
virtq_split_used_event(struct virtq_split_avail *avail, uint16_t size)
{
	return &avail->ring[size];
}

static inline virtq_le16 *
virtq_split_avail_event(struct virtq_split_used *used, uint16_t size)
{
	return (virtq_le16 *)(void *)&used->ring[size];
}

/* Fill one descriptor of the ring or of an indirect table (2.7.5); plain stores: nothing is visible
 * to the other side before the release that publishes it. */
static inline void
virtq_split_fill_desc(struct virtq_split_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
                      uint16_t next)
{
	d->addr = virtq_cpu_to_le64(addr);
	d->len = virtq_cpu_to_le32(len);
	d->flags = virtq_cpu_to_le16(flags);
	d->next = virtq_cpu_to_le16(next);
}

/* ---- Driver half ---- */

struct virtq_split_drv {
	struct virtq_split_desc *desc;
	struct virtq_split_avail *avail;
	struct virtq_split_used *used;
	struct virtq_desc_state *state; /* [size], indexed by head descriptor index */
	uint16_t size;
	uint16_t mask;
	uint16_t num_free;        /* free descriptors */
	uint16_t free_head;       /* free-list head; in-order: next descriptor in ring order */
	uint16_t avail_idx;       /* next avail.idx value (entries added, published or not) */
	uint16_t avail_published; /* avail.idx as last published */
	uint16_t avail_kicked;    /* avail.idx at the last needs_notify() */
	uint16_t last_used_idx;   /* next used ring entry to read */
	uint16_t used_idx_cache;  /* used.idx as last read (acquire) */
	uint16_t outstanding;     /* buffers added and not yet returned */
	uint16_t in_order_oldest; /* in-order: head of the oldest outstanding buffer */
	uint16_t batch_left;      /* in-order: buffers left in the batch being returned */
	uint16_t batch_last_id;   /* in-order: head the device named for the batch */
	uint32_t batch_last_len;
	uint16_t avail_flags; /* shadow of avail.flags (driver-written) */
	bool event_idx;
	bool in_order;
	bool indirect;
	bool broken;          /* a device error it cannot continue after: every call fails */
	uint16_t detach_next; /* detach_unused(): the next state entry to look at */
	/* A notification the device declined, owed until it shows progress: used.idx then, and
	 * the empty harvests since (virtq_split_drv_notify_owed) */
	bool notify_owed;
	uint16_t owed_used_idx;
	uint16_t owed_polls;
	struct virtq_err_stats err;
};

/* Bytes of shadow state for a queue of `size`; pass that memory to init. */
static inline size_t
virtq_split_drv_state_size(uint16_t size)
{
	return sizeof(struct virtq_desc_state) * (size_t)size;
}

/*
 * Set up the driver half over three ring areas and `state` (virtq_split_drv_state_size() bytes).
 * Zeroes the areas (2.7.10: the driver MUST initialize used flags to 0) and the state.
 * `features` are the negotiated virtio feature bits; INDIRECT_DESC, EVENT_IDX and IN_ORDER matter.
 * Returns 0 or -EINVAL (size not a power of two up to 32768, NULL area).
 */
static inline int
virtq_split_drv_init(struct virtq_split_drv *vq, uint16_t size, void *desc, void *avail, void *used,
                     void *state, uint64_t features)
{
	uint16_t i;

	if (vq == NULL || !virtq_split_size_valid(size) || desc == NULL || avail == NULL ||
	    used == NULL || state == NULL)
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->state = state;
	vq->size = size;
	vq->mask = (uint16_t)(size - 1);
	vq->num_free = size;
	vq->event_idx = (features & VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX)) != 0;
	vq->in_order = (features & VIRTQ_FEATURE(VIRTQ_F_IN_ORDER)) != 0;
	vq->indirect = (features & VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC)) != 0;
	memset(desc, 0, virtq_split_desc_size(size));
	memset(avail, 0, virtq_split_avail_size(size));
	memset(used, 0, virtq_split_used_size(size));
	memset(state, 0, virtq_split_drv_state_size(size));
	/* Free list in the shadow, not in desc[].next: the device cannot corrupt it. */
	for (i = 0; i < size; i++)
		vq->state[i].next = (uint16_t)((i + 1) & vq->mask);
	return 0;
}

/* Set up over one contiguous block laid out by virtq_split_*_offset(size, align). */
static inline int
virtq_split_drv_init_mem(struct virtq_split_drv *vq, uint16_t size, void *mem, size_t align,
                         void *state, uint64_t features)
{
	if (mem == NULL)
		return -EINVAL;
	return virtq_split_drv_init(vq, size, mem, (char *)mem + virtq_split_avail_offset(size),
	                            (char *)mem + virtq_split_used_offset(size, align), state,
	                            features);
}

static inline uint16_t
virtq_split_drv_free_count(const struct virtq_split_drv *vq)
{
	return vq->num_free;
}

/* Buffers posted (published or not) and not yet harvested or detached. */
static inline uint16_t
virtq_split_drv_outstanding(const struct virtq_split_drv *vq)
{
	return vq->outstanding;
}

static inline bool
virtq_split_drv_is_broken(const struct virtq_split_drv *vq)
{
	return vq->broken;
}

/* The head descriptor index the next add_*() takes (split: a buffer is named by its head). */
static inline uint16_t
virtq_split_drv_next_id(const struct virtq_split_drv *vq)
{
	return vq->free_head;
}

/*
 * Take the next free descriptor (the one next_id() names): the first one taken for a buffer is its
 * id. A chain takes one per element. Caller checked num_free.
 */
static inline uint16_t
virtq_split_drv_take_id(struct virtq_split_drv *vq)
{
	uint16_t id = vq->free_head;

	if (vq->in_order)
		vq->free_head = (uint16_t)((id + 1) & vq->mask);
	else
		vq->free_head = vq->state[id].next;
	return id;
}

/*
 * The buffer whose descriptors are written goes out under its id (head): remember its cookie,
 * device-writable bytes and descriptor count, and put the head in the next avail ring entry (seen
 * by the device at publish()).
 */
static inline void
virtq_split_drv_post_id(struct virtq_split_drv *vq, uint16_t head, uint16_t ndescs, uint32_t wlen,
                        void *cookie)
{
	struct virtq_desc_state *st = &vq->state[head];

	st->cookie = cookie;
	st->writable_len = wlen;
	st->ndescs = ndescs;
	if (vq->avail->ring[vq->avail_idx & vq->mask] != virtq_cpu_to_le16(head))
		vq->avail->ring[vq->avail_idx & vq->mask] = virtq_cpu_to_le16(head); /* see add_bulk */
	vq->avail_idx++;
	vq->outstanding++;
	vq->num_free = (uint16_t)(vq->num_free - ndescs);
}

/*
 * Post one single-descriptor buffer. flags: 0 (device-readable) or VIRTQ_DESC_F_WRITE.
 * Returns 0, -ENOSPC (no free descriptor), -EINVAL (NULL cookie), -EIO (queue broken).
 */
static inline int
virtq_split_drv_add_buf(struct virtq_split_drv *vq, uint64_t addr, uint32_t len, uint16_t flags,
                        void *cookie)
{
	uint16_t head;
	int rc = virtq_drv_add_check(vq->broken, true, true, cookie, 1, vq->num_free);

	if (rc != 0)
		return rc;
	head = virtq_split_drv_take_id(vq);
	flags &= VIRTQ_DESC_F_WRITE;
	virtq_split_fill_desc(&vq->desc[head], addr, len, flags, 0);
	virtq_split_drv_post_id(vq, head, 1, flags ? len : 0, cookie);
	return 0;
}

/*
 * Post up to n single-descriptor buffers, all with the same flags (Rx refill: WRITE; Tx: 0).
 * Writes descriptors four at a time; nothing is visible to the device before publish().
 * Returns the number posted: min(n, free descriptors), 0 when broken. Cookies must be non-NULL.
 */
static inline uint16_t
virtq_split_drv_add_bulk(struct virtq_split_drv *vq, const uint64_t *addrs, const uint32_t *lens,
                         uint16_t flags, void *const *cookies, uint16_t n)
{
	struct virtq_split_desc *desc = vq->desc;
	struct virtq_desc_state *state = vq->state;
	virtq_le16 *ring = vq->avail->ring;
	const uint16_t mask = vq->mask;
	const bool in_order = vq->in_order;
	uint16_t head = vq->free_head;
	uint16_t avail_idx = vq->avail_idx;
	uint16_t i;

	if (vq->broken)
		return 0;
	if (n > vq->num_free)
		n = vq->num_free;
	flags &= VIRTQ_DESC_F_WRITE;
	/* Ring indexes in locals: the descriptor and avail stores could alias the queue's own
	 * 16-bit fields, which would make the compiler reload and store them once per buffer. */
	for (i = 0; i < n; i++) {
		struct virtq_desc_state *st = &state[head];

		virtq_split_fill_desc(&desc[head], addrs[i], lens[i], flags, 0);
		st->cookie = cookies[i];
		st->writable_len = flags ? lens[i] : 0;
		st->ndescs = 1;
		/* Written only when it changes: in steady state (in order, or a free list that
		 * cycles) the slot already names this head, and skipping the store keeps the line
		 * shared with the device instead of taking it back from the device's cache. */
		if (ring[avail_idx & mask] != virtq_cpu_to_le16(head))
			ring[avail_idx & mask] = virtq_cpu_to_le16(head);
		avail_idx++;
		/* In-order: descriptors go in ring order (2.7.9), no free list to follow. */
		head = in_order ? (uint16_t)((head + 1) & mask) : st->next;
	}
	vq->free_head = head;
	vq->avail_idx = avail_idx;
	vq->outstanding = (uint16_t)(vq->outstanding + n);
	vq->num_free = (uint16_t)(vq->num_free - n);
	return n;
}

/*
 * Post one buffer as a descriptor chain (2.7.13.1): out_num device-readable elements, then in_num
 * device-writable ones. Returns 0, -ENOSPC, -EINVAL (no element, NULL cookie), -EIO (broken).
 */
static inline int
virtq_split_drv_add_chain(struct virtq_split_drv *vq, const struct virtq_sg *sg, uint16_t out_num,
                          uint16_t in_num, void *cookie)
{
	uint32_t total = (uint32_t)out_num + in_num;
	uint32_t wlen = 0;
	uint16_t head, cur, next;
	uint32_t i;
	int rc = virtq_drv_add_check(vq->broken, true, total != 0 && sg != NULL, cookie, total,
	                             vq->num_free);

	if (rc != 0)
		return rc;
	head = cur = virtq_split_drv_take_id(vq);
	for (i = 0; i < total; i++) {
		uint16_t flags = i >= out_num ? VIRTQ_DESC_F_WRITE : 0;

		if (i >= out_num)
			wlen += sg[i].len;
		next = 0;
		if (i + 1 < total) {
			/* In-order: next = x + 1, 0 after the last table entry (2.7.5.2). */
			next = virtq_split_drv_take_id(vq);
			flags |= VIRTQ_DESC_F_NEXT;
			vq->state[cur].next = next;
		}
		virtq_split_fill_desc(&vq->desc[cur], sg[i].addr, sg[i].len, flags, next);
		cur = next;
	}
	virtq_split_drv_post_id(vq, head, (uint16_t)total, wlen, cookie);
	return 0;
}

/*
 * Post one buffer through an indirect table (2.7.5.3): the caller provides `table` memory for
 * out_num + in_num descriptors and its device address; one ring descriptor is used.
 * Returns 0, -ENOTSUP (INDIRECT_DESC not negotiated), -ENOSPC, -EINVAL, -EIO.
 */
static inline int
virtq_split_drv_add_indirect(struct virtq_split_drv *vq, const struct virtq_sg *sg,
                             uint16_t out_num, uint16_t in_num, struct virtq_split_desc *table,
                             uint64_t table_addr, void *cookie)
{
	uint32_t total = (uint32_t)out_num + in_num;
	uint32_t wlen = 0;
	uint16_t head;
	uint32_t i;
	bool valid = total != 0 && sg != NULL && table != NULL && total <= VIRTQ_MAX_SIZE;
	int rc = virtq_drv_add_check(vq->broken, vq->indirect, valid, cookie, 1, vq->num_free);

	if (rc != 0)
		return rc;
	for (i = 0; i < total; i++) {
		uint16_t flags = i >= out_num ? VIRTQ_DESC_F_WRITE : 0;

		if (i >= out_num)
			wlen += sg[i].len;
		if (i + 1 < total)
			flags |= VIRTQ_DESC_F_NEXT;
		/* In-order: table entries are sequential, next = i + 1 (2.7.5.3.1). */
		virtq_split_fill_desc(&table[i], sg[i].addr, sg[i].len, flags,
		                      (uint16_t)(i + 1 < total ? i + 1 : 0));
	}
	head = virtq_split_drv_take_id(vq);
	virtq_split_fill_desc(&vq->desc[head], table_addr,
	                      (uint32_t)(total * sizeof(struct virtq_split_desc)),
	                      VIRTQ_DESC_F_INDIRECT, 0);
	virtq_split_drv_post_id(vq, head, 1, wlen, cookie);
	return 0;
}

/*
 * Expose everything added since the last publish (2.7.13.3-4). The release store orders the
 * descriptor and avail ring writes before avail.idx: a device that reads the new idx with acquire
 * sees them ("driver MUST perform a suitable memory barrier before the idx update", 2.7.13.3.1).
 */
static inline void
virtq_split_drv_publish(struct virtq_split_drv *vq)
{
	if (vq->avail_published == vq->avail_idx)
		return;
	/* release: descriptors + avail ring entries before avail.idx (2.7.13.3.1) */
	__atomic_store_n(&vq->avail->idx, virtq_cpu_to_le16(vq->avail_idx), __ATOMIC_RELEASE);
	vq->avail_published = vq->avail_idx;
	/* a caller that skipped needs_notify() for half the index space: keep the window valid */
	if ((uint16_t)(vq->avail_idx - vq->avail_kicked) > 0x8000)
		vq->avail_kicked = (uint16_t)(vq->avail_idx - 0x8000);
}

/*
 * After publish(): whether the device wants an available buffer notification (2.7.10).
 * With EVENT_IDX: avail_event passed since the last call; else used.flags lacks NO_NOTIFY.
 */
static inline bool
virtq_split_drv_needs_notify(struct virtq_split_drv *vq)
{
	uint16_t old = vq->avail_kicked;
	uint16_t new_idx = vq->avail_published;
	bool notify;

	if (old == new_idx)
		return false;
	vq->avail_kicked = new_idx;
	/* full fence: our avail.idx store before the load of avail_event / used.flags, or we could
	 * miss the device going to sleep right after we read its old value (2.7.13.4.1) */
	virtq_mb();
	if (vq->event_idx) {
		/* Any value is one an honest device may hold: a polling device leaves avail_event
		 * where it last set it, so "ahead" and "far behind" look the same over 16 bits. A
		 * device asleep behind a stale value gets the owed kick (notify_owed). */
		notify = virtq_need_event(virtq_load16(virtq_split_avail_event(vq->used, vq->size)),
		                          new_idx, old);
	} else {
		notify = (virtq_load16(&vq->used->flags) & VIRTQ_USED_F_NO_NOTIFY) == 0;
	}
	if (notify)
		vq->notify_owed = false;
	else if (!vq->notify_owed) {
		vq->notify_owed = true;
		vq->owed_used_idx = virtq_load16(&vq->used->idx);
		vq->owed_polls = 0;
	}
	return notify;
}

/*
 * After a harvest that found nothing: whether to notify the device anyway, because it declined a
 * notification and has used nothing since, for VIRTQ_NOTIFY_OWED_POLLS such harvests (counted in
 * err.late_notify). Cheap: one flag test unless a notification is owed.
 */
static inline bool
virtq_split_drv_notify_owed(struct virtq_split_drv *vq)
{
	if (!vq->notify_owed)
		return false;
	if (virtq_load16(&vq->used->idx) != vq->owed_used_idx) {
		vq->notify_owed = false;
		return false;
	}
	if (++vq->owed_polls < VIRTQ_NOTIFY_OWED_POLLS)
		return false;
	vq->notify_owed = false;
	vq->err.late_notify++;
	return true;
}

/*
 * Used entries the device has published and we have not read (in-order: buffers, since the
 * device advances used.idx by the size of a batch, 2.7.9). Reads used.idx with acquire. A used.idx
 * ahead by more than the buffers outstanding (at most the queue size) is a device error: counted
 * in idx_jump, the queue is broken, returns 0.
 */
static inline uint16_t
virtq_split_drv_used_count(struct virtq_split_drv *vq)
{
	uint16_t idx, n;

	if (vq->broken)
		return 0;
	/* acquire: used.idx before the used ring entries and buffer contents it covers (2.7.8.2) */
	idx = virtq_le16_to_cpu(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE));
	n = (uint16_t)(idx - vq->last_used_idx);
	if (n > vq->outstanding) {
		vq->err.idx_jump++;
		vq->broken = true;
		return 0;
	}
	vq->used_idx_cache = idx;
	return n;
}

static inline bool
virtq_split_drv_has_used(struct virtq_split_drv *vq)
{
	if (vq->batch_left != 0 || vq->used_idx_cache != vq->last_used_idx)
		return !vq->broken;
	return virtq_split_drv_used_count(vq) != 0;
}

/* Return a buffer's descriptors to the free list and forget its cookie. */
static inline void
virtq_split_drv_free_buf(struct virtq_split_drv *vq, uint16_t head)
{
	struct virtq_desc_state *st = &vq->state[head];
	uint16_t tail = head;
	uint16_t i;

	st->cookie = NULL;
	vq->num_free = (uint16_t)(vq->num_free + st->ndescs);
	vq->outstanding--;
	if (vq->in_order) {
		vq->in_order_oldest = (uint16_t)((head + st->ndescs) & vq->mask);
		return;
	}
	for (i = 1; i < st->ndescs; i++)
		tail = vq->state[tail].next;
	vq->state[tail].next = vq->free_head;
	vq->free_head = head;
}

/* Hand back a buffer: checks the used length against what was posted. */
static inline int
virtq_split_drv_return_buf(struct virtq_split_drv *vq, uint16_t head, uint32_t len, void **cookie,
                           uint32_t *len_out)
{
	int rc = virtq_desc_state_return(&vq->state[head], &vq->err, len, cookie, len_out);

	virtq_split_drv_free_buf(vq, head);
	return rc;
}

/*
 * In-order: the used entry at last_used_idx names the last buffer of a batch that starts at the
 * oldest outstanding buffer (2.7.9). Find how many buffers that is, trusting nothing.
 */
static inline int
virtq_split_drv_start_batch(struct virtq_split_drv *vq)
{
	const struct virtq_split_used_elem *e = &vq->used->ring[vq->last_used_idx & vq->mask];
	/* used entries published and not read: the batch cannot be longer (2.7.9) */
	uint16_t avail_used = (uint16_t)(vq->used_idx_cache - vq->last_used_idx);
	uint32_t id = virtq_le32_to_cpu(e->id);
	uint16_t head = vq->in_order_oldest;
	uint16_t n = 1;

	if (id >= vq->size) {
		vq->err.bad_id++;
		vq->broken = true;
		return -EIO;
	}
	while (head != id) {
		if (n >= vq->outstanding || vq->state[head].cookie == NULL) {
			vq->err.not_outstanding++;
			vq->broken = true;
			return -EIO;
		}
		head = (uint16_t)((head + vq->state[head].ndescs) & vq->mask);
		n++;
	}
	if (vq->state[head].cookie == NULL) {
		vq->err.not_outstanding++;
		vq->broken = true;
		return -EIO;
	}
	if (n > avail_used) {
		vq->err.bad_batch++;
		vq->broken = true;
		return -EIO;
	}
	vq->batch_left = n;
	vq->batch_last_id = (uint16_t)id;
	vq->batch_last_len = virtq_le32_to_cpu(e->len);
	return 0;
}

static inline int
virtq_split_drv_get_used_in_order(struct virtq_split_drv *vq, void **cookie, uint32_t *len)
{
	uint16_t head;
	uint32_t used_len;

	if (vq->batch_left == 0) {
		uint16_t n = (uint16_t)(vq->used_idx_cache - vq->last_used_idx);
		int rc;

		if (n == 0)
			n = virtq_split_drv_used_count(vq);
		if (vq->broken)
			return -EIO;
		if (n == 0)
			return -EAGAIN;
		rc = virtq_split_drv_start_batch(vq);
		if (rc < 0)
			return rc;
	}
	head = vq->in_order_oldest;
	/* Skipped buffers were used completely (2.7.9): their length is what was posted. */
	used_len = head == vq->batch_last_id && vq->batch_left == 1 ? vq->batch_last_len
	                                                            : vq->state[head].writable_len;
	vq->batch_left--;
	vq->last_used_idx++;
	return virtq_split_drv_return_buf(vq, head, used_len, cookie, len);
}

/*
 * Harvest one used buffer: its cookie and the bytes the device wrote (len may be NULL: not
 * checked). Returns 0; -EAGAIN (nothing used); -EBADMSG (entry with a bad or not outstanding id:
 * skipped and counted, call again); -EMSGSIZE (length above what was posted: the buffer is returned
 * in *cookie with *len 0, counted); -EIO (queue broken, see vq->err).
 */
static inline int
virtq_split_drv_get_used(struct virtq_split_drv *vq, void **cookie, uint32_t *len)
{
	const struct virtq_split_used_elem *e;
	uint32_t id;

	if (vq->broken)
		return -EIO;
	if (vq->in_order)
		return virtq_split_drv_get_used_in_order(vq, cookie, len);
	if (vq->used_idx_cache == vq->last_used_idx && virtq_split_drv_used_count(vq) == 0)
		return vq->broken ? -EIO : -EAGAIN;
	e = &vq->used->ring[vq->last_used_idx & vq->mask];
	id = virtq_le32_to_cpu(e->id);
	vq->last_used_idx++;
	if (id >= vq->size) {
		vq->err.bad_id++;
		return -EBADMSG;
	}
	if (vq->state[id].cookie == NULL) {
		vq->err.not_outstanding++;
		return -EBADMSG;
	}
	return virtq_split_drv_return_buf(vq, (uint16_t)id, virtq_le32_to_cpu(e->len), cookie, len);
}

/*
 * In-order bulk harvest. Fast path: while the used entry names the oldest outstanding buffer (a
 * batch of one, what a device that writes every used entry produces), take it with the ring state
 * in locals. A longer batch or a bad entry goes through get_used_in_order(), which checks it.
 * used.idx is read (acquire) at most once, when the cached value does not cover max.
 */
static inline uint16_t
virtq_split_drv_get_used_bulk_in_order(struct virtq_split_drv *vq, void **cookies, uint32_t *lens,
                                       uint16_t max)
{
	const struct virtq_split_used_elem *ring = vq->used->ring;
	struct virtq_desc_state *state = vq->state;
	const uint16_t mask = vq->mask;
	bool refreshed = false;
	uint16_t n = 0;

	while (n < max) {
		uint16_t last = vq->last_used_idx;
		uint16_t ready = (uint16_t)(vq->used_idx_cache - last);
		uint16_t oldest, num_free, outstanding, k;
		int rc;

		if (vq->batch_left == 0) {
			if (ready < max - n && !refreshed) {
				ready = virtq_split_drv_used_count(vq);
				refreshed = true;
			}
			if (ready == 0 || vq->broken)
				break;
			oldest = vq->in_order_oldest;
			num_free = vq->num_free;
			outstanding = vq->outstanding;
			k = ready < max - n ? ready : (uint16_t)(max - n);
			for (; k > 0; k--) {
				const struct virtq_split_used_elem *e = &ring[last & mask];
				struct virtq_desc_state *st;

				if (virtq_le32_to_cpu(e->id) != oldest)
					break;
				st = &state[oldest];
				if (st->cookie == NULL)
					break;
				if (lens != NULL) {
					uint32_t len = virtq_le32_to_cpu(e->len);

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
				oldest = (uint16_t)((oldest + st->ndescs) & mask);
				last++;
			}
			vq->in_order_oldest = oldest;
			vq->num_free = num_free;
			vq->outstanding = outstanding;
			vq->last_used_idx = last;
			if (k == 0)
				continue;
		}
		rc = virtq_split_drv_get_used_in_order(vq, &cookies[n], lens != NULL ? &lens[n] : NULL);
		if (rc != 0 && rc != -EMSGSIZE)
			break;
		n++;
	}
	return n;
}

/*
 * Harvest up to max used buffers into cookies[] and lens[] (lens may be NULL, e.g. Tx: lengths
 * are then neither returned nor checked). Rejected entries are skipped and counted in vq->err; a
 * buffer with a too-long length is returned with length 0. Returns the number of cookies stored;
 * check is_broken() when it matters.
 */
static inline uint16_t
virtq_split_drv_get_used_bulk(struct virtq_split_drv *vq, void **cookies, uint32_t *lens,
                              uint16_t max)
{
	uint16_t n = 0, ready;

	if (vq->in_order && !vq->broken)
		return virtq_split_drv_get_used_bulk_in_order(vq, cookies, lens, max);
	if (vq->broken) {
		while (n < max) {
			int rc = virtq_split_drv_get_used(vq, &cookies[n],
			                                  lens != NULL ? &lens[n] : NULL);

			if (rc != 0 && rc != -EMSGSIZE)
				break;
			n++;
		}
		return n;
	}
	/* one acquire load of used.idx for the burst, unless the cached value already covers it */
	ready = (uint16_t)(vq->used_idx_cache - vq->last_used_idx);
	if (ready < max)
		ready = virtq_split_drv_used_count(vq);
	for (; ready > 0 && n < max; ready--) {
		const struct virtq_split_used_elem *e =
		        &vq->used->ring[vq->last_used_idx & vq->mask];
		uint32_t id = virtq_le32_to_cpu(e->id);

		vq->last_used_idx++;
		if (id >= vq->size) {
			vq->err.bad_id++;
			continue;
		}
		if (vq->state[id].cookie == NULL) {
			vq->err.not_outstanding++;
			continue;
		}
		(void)virtq_split_drv_return_buf(vq, (uint16_t)id, virtq_le32_to_cpu(e->len),
		                                 &cookies[n], lens != NULL ? &lens[n] : NULL);
		n++;
	}
	return n;
}

/*
 * ---- Group harvest and refill, for callers that check and write in vectors (the PMD's vector Rx
 * paths). The ring logic stays here; the caller only loads used entries and stores descriptors. ----
 */

/*
 * Used entries a group harvest may take from last_used_idx on, at most max: 0 when the queue is
 * broken or an in-order batch is being returned (get_used_bulk() takes those). Reads used.idx
 * (acquire, with the idx_jump check) only when the cached value does not cover max, as
 * get_used_bulk() does.
 */
static inline uint16_t
virtq_split_drv_group_ready(struct virtq_split_drv *vq, uint16_t max)
{
	uint16_t ready;

	if (vq->broken || vq->batch_left != 0)
		return 0;
	ready = (uint16_t)(vq->used_idx_cache - vq->last_used_idx);
	if (ready < max)
		ready = virtq_split_drv_used_count(vq);
	return ready < max ? ready : max;
}

/* The used entry `ahead` entries after last_used_idx (its ring slot: callers that load several at
 * once stop at the ring's end, `size - (last_used_idx & mask)` slots away). */
static inline const struct virtq_split_used_elem *
virtq_split_drv_used_elem(const struct virtq_split_drv *vq, uint16_t ahead)
{
	return &vq->used->ring[(uint16_t)(vq->last_used_idx + ahead) & vq->mask];
}

/*
 * Take up to n used entries from last_used_idx on (n within group_ready() and the ring's end), each
 * naming a buffer of one descriptor (what Rx refills post), as the caller copied them from the ring
 * into used[] (one read of the device's memory: a device rewriting an entry cannot make the caller's
 * checks and this take see different values). Cookies into cookies[], the ring state left as
 * get_used_bulk() leaves it. Stops before the first entry get_used_bulk() would not take the same
 * way: an id out of range or of no outstanding buffer, a length above the bytes posted, a chained
 * buffer, or (in order) an id that is not the oldest outstanding buffer (a batch, 2.7.9). Returns the
 * entries taken; the caller's scalar step takes the rest, which checks, rejects and counts them.
 */
static inline uint16_t
virtq_split_drv_take_used_group(struct virtq_split_drv *vq,
                                const struct virtq_split_used_elem *used, void **cookies,
                                uint16_t n)
{
	struct virtq_desc_state *state = vq->state;
	const uint16_t mask = vq->mask;
	const bool in_order = vq->in_order;
	const uint16_t last = vq->last_used_idx;
	uint16_t oldest = vq->in_order_oldest;
	uint16_t free_head = vq->free_head;
	uint16_t k;

	for (k = 0; k < n; k++) {
		uint32_t id = virtq_le32_to_cpu(used[k].id);
		struct virtq_desc_state *st;

		if (id > mask || (in_order && id != oldest))
			break;
		st = &state[id];
		if (st->cookie == NULL || st->ndescs != 1 ||
		    virtq_le32_to_cpu(used[k].len) > st->writable_len)
			break;
		cookies[k] = st->cookie;
		st->cookie = NULL;
		if (in_order) {
			oldest = (uint16_t)((oldest + 1) & mask);
		} else {
			/* free_buf() of one descriptor: it goes to the head of the free list */
			st->next = free_head;
			free_head = (uint16_t)id;
		}
	}
	vq->free_head = free_head;
	vq->in_order_oldest = oldest;
	vq->num_free = (uint16_t)(vq->num_free + k);
	vq->outstanding = (uint16_t)(vq->outstanding - k);
	vq->last_used_idx = (uint16_t)(last + k);
	return k;
}

/*
 * Post n single-descriptor buffers whose descriptors the caller writes itself (a vector refill or
 * transmit): their cookies and device-writable bytes (wlen: the same for each, 0 for device-readable
 * buffers) go in the state, their heads in the avail ring, as add_bulk() does; ids[] gets the
 * descriptor index of each, which the caller fills (addr, len, flags, next 0) before publish().
 * Returns the number posted: min(n, free descriptors), 0 when broken. Cookies must be non-NULL.
 */
static inline uint16_t
virtq_split_drv_post_ids(struct virtq_split_drv *vq, void *const *cookies, uint32_t wlen,
                         uint16_t *ids, uint16_t n)
{
	struct virtq_desc_state *state = vq->state;
	virtq_le16 *ring = vq->avail->ring;
	const uint16_t mask = vq->mask;
	const bool in_order = vq->in_order;
	uint16_t head = vq->free_head;
	uint16_t avail_idx = vq->avail_idx;
	uint16_t i;

	if (vq->broken)
		return 0;
	if (n > vq->num_free)
		n = vq->num_free;
	for (i = 0; i < n; i++) {
		struct virtq_desc_state *st = &state[head];

		ids[i] = head;
		st->cookie = cookies[i];
		st->writable_len = wlen;
		st->ndescs = 1;
		/* written only when it changes, as in add_bulk() */
		if (ring[avail_idx & mask] != virtq_cpu_to_le16(head))
			ring[avail_idx & mask] = virtq_cpu_to_le16(head);
		avail_idx++;
		head = in_order ? (uint16_t)((head + 1) & mask) : st->next;
	}
	vq->free_head = head;
	vq->avail_idx = avail_idx;
	vq->outstanding = (uint16_t)(vq->outstanding + n);
	vq->num_free = (uint16_t)(vq->num_free - n);
	return n;
}

/* An Rx refill's post_ids(): n buffers of `len` device-writable bytes each (VIRTQ_DESC_F_WRITE). */
static inline uint16_t
virtq_split_drv_post_writable_ids(struct virtq_split_drv *vq, void *const *cookies, uint32_t len,
                                  uint16_t *ids, uint16_t n)
{
	return virtq_split_drv_post_ids(vq, cookies, len, ids, n);
}

/* A transmit's post_ids(): n device-readable buffers (descriptor flags 0). */
static inline uint16_t
virtq_split_drv_post_readable_ids(struct virtq_split_drv *vq, void *const *cookies,
                                  uint16_t *ids, uint16_t n)
{
	return virtq_split_drv_post_ids(vq, cookies, 0, ids, n);
}

/*
 * In-order completion of buffers whose used length the driver ignores (transmit): get_used_bulk()
 * without lengths. The used entries are read, one per batch (2.7.9), and their ids checked: a device
 * that names a buffer it was not given breaks the queue here as on every other path. The packed
 * twin is the same call. Returns the number of cookies stored.
 */
static inline uint16_t
virtq_split_drv_reclaim_in_order(struct virtq_split_drv *vq, void **cookies, uint16_t max)
{
	return virtq_split_drv_get_used_bulk(vq, cookies, NULL, max);
}

/*
 * Used buffer notifications (2.7.7). disable: the device SHOULD NOT interrupt (without EVENT_IDX
 * avail.flags = NO_INTERRUPT; with it used_event is moved a full 16-bit lap away, since flags must
 * stay 0). enable: interrupt on the next used buffer; returns true when used buffers are already
 * there, so the caller polls again instead of sleeping (the race of 2.7.14's note).
 */
static inline void
virtq_split_drv_disable_used_notify(struct virtq_split_drv *vq)
{
	if (vq->event_idx) {
		virtq_store16(virtq_split_used_event(vq->avail, vq->size),
		              (uint16_t)(vq->last_used_idx - 1));
		return;
	}
	vq->avail_flags |= VIRTQ_AVAIL_F_NO_INTERRUPT;
	virtq_store16(&vq->avail->flags, vq->avail_flags);
}

/* Interrupt once n (>= 1) more buffers are used: used_event = last_used + n - 1 (EVENT_IDX only;
 * without it this is enable). Returns true if used buffers are already pending. */
static inline bool
virtq_split_drv_enable_used_notify_after(struct virtq_split_drv *vq, uint16_t n)
{
	if (n == 0)
		n = 1;
	if (vq->event_idx) {
		virtq_store16(virtq_split_used_event(vq->avail, vq->size),
		              (uint16_t)(vq->last_used_idx + n - 1));
	} else {
		vq->avail_flags &= (uint16_t)~VIRTQ_AVAIL_F_NO_INTERRUPT;
		virtq_store16(&vq->avail->flags, vq->avail_flags);
	}
	/* full fence: the used_event / flags store before re-reading used.idx (2.7.14 note) */
	virtq_mb();
	return virtq_split_drv_has_used(vq);
}

static inline bool
virtq_split_drv_enable_used_notify(struct virtq_split_drv *vq)
{
	return virtq_split_drv_enable_used_notify_after(vq, 1);
}

/*
 * At queue stop (device reset or disabled): returns one outstanding cookie per call and frees its
 * descriptors, NULL when none is left. The caller frees what it gets, so nothing leaks. Once
 * called, the queue is stopped: init it again before any other use.
 */
static inline void *
virtq_split_drv_detach_unused(struct virtq_split_drv *vq)
{
	/* resumes where the last call stopped: detaching a full ring stays linear in its size */
	return virtq_desc_state_detach(vq->state, vq->size, &vq->detach_next, &vq->outstanding,
	                               &vq->num_free);
}

#endif /* VIRTQ_SPLIT_H */
