/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue, device half (virtio 1.2 section 2.7): pops available buffers, pushes used ones.
 * It runs over the same ring memory as the driver half: an in-process device for unit tests,
 * fuzzers, micro-benchmarks and the PMD's own tests. It distrusts the driver too: every index it
 * reads from the ring is bounds-checked and chains are bounded, so a bad driver gets -EIO, not a
 * hang.
 */
#ifndef VIRTQ_SPLIT_DEV_H
#define VIRTQ_SPLIT_DEV_H

#include "virtq_split.h"

struct virtq_split_dev {
	struct virtq_split_desc *desc;
	struct virtq_split_avail *avail;
	struct virtq_split_used *used;
	virtq_translate_t translate; /* indirect tables' addresses; NULL: addresses are VAs */
	void *translate_opaque;
	uint16_t size;
	uint16_t mask;
	uint16_t last_avail_idx;  /* next avail ring entry to pop */
	uint16_t avail_idx_cache; /* avail.idx as last read (acquire) */
	uint16_t used_idx;        /* next used.idx value (entries pushed, published or not) */
	uint16_t used_published;  /* used.idx as last published */
	uint16_t used_signalled;  /* used.idx at the last needs_interrupt() */
	uint16_t used_flags;      /* shadow of used.flags (device-written) */
	bool event_idx;
};

/*
 * Attach the device half to the areas a driver set up (it does not clear them).
 * Returns 0 or -EINVAL.
 */
static inline int
virtq_split_dev_init(struct virtq_split_dev *dev, uint16_t size, void *desc, void *avail,
                     void *used, uint64_t features)
{
	if (dev == NULL || !virtq_split_size_valid(size) || desc == NULL || avail == NULL ||
	    used == NULL)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->desc = desc;
	dev->avail = avail;
	dev->used = used;
	dev->size = size;
	dev->mask = (uint16_t)(size - 1);
	dev->event_idx = (features & VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX)) != 0;
	return 0;
}

static inline int
virtq_split_dev_init_mem(struct virtq_split_dev *dev, uint16_t size, void *mem, size_t align,
                         uint64_t features)
{
	if (mem == NULL)
		return -EINVAL;
	return virtq_split_dev_init(dev, size, mem, (char *)mem + virtq_split_avail_offset(size),
	                            (char *)mem + virtq_split_used_offset(size, align), features);
}

static inline void
virtq_split_dev_set_translate(struct virtq_split_dev *dev, virtq_translate_t fn, void *opaque)
{
	dev->translate = fn;
	dev->translate_opaque = opaque;
}

/* Available buffers not yet popped; reads avail.idx with acquire. */
static inline uint16_t
virtq_split_dev_avail_count(struct virtq_split_dev *dev)
{
	/* acquire: avail.idx before the avail ring entries and descriptors it exposes (2.7.13.3.1)
	 */
	dev->avail_idx_cache =
	        virtq_le16_to_cpu(__atomic_load_n(&dev->avail->idx, __ATOMIC_ACQUIRE));
	return (uint16_t)(dev->avail_idx_cache - dev->last_avail_idx);
}

/* Append one descriptor's element to the popped buffer; -EIO on a layout the spec forbids. */
static inline int
virtq_split_dev_take_seg(struct virtq_dev_buf *buf, const struct virtq_split_desc *d,
                         uint16_t flags, struct virtq_sg *sg, uint16_t max_sg)
{
	uint32_t len = virtq_le32_to_cpu(d->len);

	if (buf->nsegs >= max_sg)
		return -ENOBUFS;
	if (flags & VIRTQ_DESC_F_WRITE) {
		buf->writable_len += len;
	} else {
		/* readable elements MUST come before writable ones (2.7.4.2) */
		if (buf->nsegs != buf->nreadable)
			return -EIO;
		buf->readable_len += len;
		buf->nreadable++;
	}
	sg[buf->nsegs].addr = virtq_le64_to_cpu(d->addr);
	sg[buf->nsegs].len = len;
	buf->nsegs++;
	return 0;
}

/* Walk an indirect table (2.7.5.3): entries chained by next within the table, no nesting. */
static inline int
virtq_split_dev_walk_indirect(struct virtq_split_dev *dev, const struct virtq_split_desc *ind,
                              struct virtq_dev_buf *buf, struct virtq_sg *sg, uint16_t max_sg)
{
	uint32_t table_len = virtq_le32_to_cpu(ind->len);
	uint32_t n = table_len / sizeof(struct virtq_split_desc);
	const struct virtq_split_desc *table;
	uint32_t i = 0, steps;
	int rc;

	if (n == 0 || table_len % sizeof(struct virtq_split_desc) != 0)
		return -EIO;
	table = virtq_translate(dev->translate, dev->translate_opaque, virtq_le64_to_cpu(ind->addr),
	                        table_len);
	/* read in place: a table this device half cannot address as an array is refused */
	if (table == NULL || (uintptr_t)table % _Alignof(struct virtq_split_desc) != 0)
		return -EIO;
	for (steps = 0; steps < n; steps++) {
		const struct virtq_split_desc *d = &table[i];
		uint16_t flags = virtq_le16_to_cpu(d->flags);

		if (flags & VIRTQ_DESC_F_INDIRECT)
			return -EIO;
		rc = virtq_split_dev_take_seg(buf, d, flags, sg, max_sg);
		if (rc < 0)
			return rc;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = virtq_le16_to_cpu(d->next);
		if (i >= n)
			return -EIO;
	}
	return -EIO; /* a loop */
}

/*
 * Pop the next available buffer: its head id, and its elements into sg[max_sg] (readable first).
 * Returns 0; -EAGAIN (none available); -ENOBUFS (more than max_sg elements: nothing consumed);
 * -EIO (driver error: bad head, loop, indirect misuse; the entry is consumed).
 */
static inline int
virtq_split_dev_pop(struct virtq_split_dev *dev, struct virtq_dev_buf *buf, struct virtq_sg *sg,
                    uint16_t max_sg)
{
	uint16_t head, i;
	uint32_t steps;
	int rc = -EIO;

	if (dev->avail_idx_cache == dev->last_avail_idx && virtq_split_dev_avail_count(dev) == 0)
		return -EAGAIN;
	if ((uint16_t)(dev->avail_idx_cache - dev->last_avail_idx) > dev->size) {
		dev->last_avail_idx = dev->avail_idx_cache;
		return -EIO;
	}
	memset(buf, 0, sizeof(*buf));
	head = virtq_le16_to_cpu(dev->avail->ring[dev->last_avail_idx & dev->mask]);
	if (head >= dev->size)
		goto consume;
	buf->id = head;
	i = head;
	for (steps = 0; steps < dev->size; steps++) {
		const struct virtq_split_desc *d = &dev->desc[i];
		uint16_t flags = virtq_le16_to_cpu(d->flags);

		buf->ndescs++;
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			/* INDIRECT and NEXT together are forbidden (2.7.5.3.1) */
			rc = (flags & VIRTQ_DESC_F_NEXT)
			             ? -EIO
			             : virtq_split_dev_walk_indirect(dev, d, buf, sg, max_sg);
			break;
		}
		rc = virtq_split_dev_take_seg(buf, d, flags, sg, max_sg);
		if (rc < 0 || !(flags & VIRTQ_DESC_F_NEXT))
			break;
		i = virtq_le16_to_cpu(d->next);
		rc = -EIO;
		if (i >= dev->size)
			break;
	}
	if (rc == -ENOBUFS)
		return rc;
consume:
	dev->last_avail_idx++;
	return rc;
}

/* Return a buffer: one used entry (id, bytes written). Visible after publish(). */
static inline void
virtq_split_dev_push(struct virtq_split_dev *dev, uint16_t id, uint32_t len)
{
	struct virtq_split_used_elem *e = &dev->used->ring[dev->used_idx & dev->mask];

	e->id = virtq_cpu_to_le32(id);
	e->len = virtq_cpu_to_le32(len);
	dev->used_idx++;
}

/*
 * IN_ORDER (2.7.9): return nbufs buffers, popped in order, with one used entry naming the last
 * one's head (len is the last one's); used.idx advances by nbufs.
 */
static inline void
virtq_split_dev_push_batch_last(struct virtq_split_dev *dev, uint16_t last_id, uint32_t last_len,
                                uint16_t nbufs)
{
	struct virtq_split_used_elem *e = &dev->used->ring[dev->used_idx & dev->mask];

	e->id = virtq_cpu_to_le32(last_id);
	e->len = virtq_cpu_to_le32(last_len);
	dev->used_idx = (uint16_t)(dev->used_idx + nbufs);
}

/* Expose pushed entries: the release store orders used elements (and the buffer contents the
 * device wrote) before used.idx (2.7.8.2 "device MUST set len prior to updating the used idx"). */
static inline void
virtq_split_dev_publish(struct virtq_split_dev *dev)
{
	if (dev->used_published == dev->used_idx)
		return;
	/* release: used ring entries and written buffers before used.idx (2.7.8.2) */
	__atomic_store_n(&dev->used->idx, virtq_cpu_to_le16(dev->used_idx), __ATOMIC_RELEASE);
	dev->used_published = dev->used_idx;
	/* a caller that skipped needs_interrupt() for half the index space: keep the window valid
	 */
	if ((uint16_t)(dev->used_idx - dev->used_signalled) > 0x8000)
		dev->used_signalled = (uint16_t)(dev->used_idx - 0x8000);
}

/* After publish(): whether the driver wants a used buffer notification (2.7.7.2). */
static inline bool
virtq_split_dev_needs_interrupt(struct virtq_split_dev *dev)
{
	uint16_t old = dev->used_signalled;
	uint16_t new_idx = dev->used_published;

	if (old == new_idx)
		return false;
	dev->used_signalled = new_idx;
	/* full fence: our used.idx store before the load of used_event / avail.flags (2.7.7.2) */
	virtq_mb();
	if (dev->event_idx)
		return virtq_need_event(virtq_load16(virtq_split_used_event(dev->avail, dev->size)),
		                        new_idx, old);
	return (virtq_load16(&dev->avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
}

/* Available buffer notifications (2.7.10), the device's mirror of the driver's used controls. */
static inline void
virtq_split_dev_disable_avail_notify(struct virtq_split_dev *dev)
{
	if (dev->event_idx) {
		virtq_store16(virtq_split_avail_event(dev->used, dev->size),
		              (uint16_t)(dev->last_avail_idx - 1));
		return;
	}
	dev->used_flags |= VIRTQ_USED_F_NO_NOTIFY;
	virtq_store16(&dev->used->flags, dev->used_flags);
}

/* Notify once n (>= 1) more buffers are available. Returns true if some already are. */
static inline bool
virtq_split_dev_enable_avail_notify_after(struct virtq_split_dev *dev, uint16_t n)
{
	if (n == 0)
		n = 1;
	if (dev->event_idx) {
		virtq_store16(virtq_split_avail_event(dev->used, dev->size),
		              (uint16_t)(dev->last_avail_idx + n - 1));
	} else {
		dev->used_flags &= (uint16_t)~VIRTQ_USED_F_NO_NOTIFY;
		virtq_store16(&dev->used->flags, dev->used_flags);
	}
	/* full fence: the avail_event / flags store before re-reading avail.idx */
	virtq_mb();
	return virtq_split_dev_avail_count(dev) != 0;
}

static inline bool
virtq_split_dev_enable_avail_notify(struct virtq_split_dev *dev)
{
	return virtq_split_dev_enable_avail_notify_after(dev, 1);
}

#endif /* VIRTQ_SPLIT_DEV_H */
