/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed virtqueue, device half (virtio 1.2 "Packed Virtqueues"), the mirror of virtq_split_dev.h:
 * pops available buffers (chains, indirect tables), pushes used ones (in-order batches too),
 * honours the driver's event suppression and sets its own. Distrusts the driver: chains are
 * bounded by the queue size and indirect tables by their length.
 */
#ifndef VIRTQ_PACKED_DEV_H
#define VIRTQ_PACKED_DEV_H

#include "virtq_packed.h"

struct virtq_packed_dev {
	struct virtq_packed_desc *desc;
	struct virtq_packed_event
	        *driver_event; /* driver writes: used buffer notification control */
	struct virtq_packed_event
	        *device_event; /* we write: available buffer notification control */
	virtq_translate_t translate;
	void *translate_opaque;
	uint16_t size;
	uint16_t next_avail;    /* next descriptor to pop ... */
	bool avail_wrap;        /* ... in the lap of this driver wrap counter */
	bool used_wrap;         /* device ring wrap counter of ... */
	uint16_t next_used;     /* ... the next used descriptor to write */
	uint16_t pending_descs; /* descriptors skipped by pushes since the last publish */
	uint16_t pending_head;  /* first used descriptor written since the last publish */
	uint16_t pending_head_flags;
	uint16_t signal_added;   /* descriptors published since the last needs_interrupt() */
	uint16_t published_next; /* next_used at the last publish ... */
	bool published_wrap;     /* ... and its wrap counter */
	bool event_idx;
	uint16_t device_event_flags;
};

static inline int
virtq_packed_dev_init(struct virtq_packed_dev *dev, uint16_t size, void *desc, void *driver_event,
                      void *device_event, uint64_t features)
{
	if (dev == NULL || !virtq_packed_size_valid(size) || desc == NULL || driver_event == NULL ||
	    device_event == NULL)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->desc = desc;
	dev->driver_event = driver_event;
	dev->device_event = device_event;
	dev->size = size;
	dev->avail_wrap = true;
	dev->used_wrap = true;
	dev->published_wrap = true;
	dev->event_idx = (features & VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX)) != 0;
	return 0;
}

static inline int
virtq_packed_dev_init_mem(struct virtq_packed_dev *dev, uint16_t size, void *mem, uint64_t features)
{
	if (mem == NULL)
		return -EINVAL;
	return virtq_packed_dev_init(
	        dev, size, mem, (char *)mem + virtq_packed_driver_event_offset(size),
	        (char *)mem + virtq_packed_device_event_offset(size), features);
}

static inline void
virtq_packed_dev_set_translate(struct virtq_packed_dev *dev, virtq_translate_t fn, void *opaque)
{
	dev->translate = fn;
	dev->translate_opaque = opaque;
}

/* Whether flags mark a descriptor available in the lap of wrap counter `wrap` (2.8.1). */
static inline bool
virtq_packed_desc_is_avail(uint16_t flags, bool wrap)
{
	return ((flags & VIRTQ_DESC_F_AVAIL) != 0) == wrap &&
	       ((flags & VIRTQ_DESC_F_USED) != 0) != wrap;
}

static inline bool
virtq_packed_dev_has_avail(struct virtq_packed_dev *dev)
{
	/* acquire: the flags before the descriptor fields the driver wrote ahead of them ("Updating
	 * flags") */
	uint16_t flags = virtq_le16_to_cpu(
	        __atomic_load_n(&dev->desc[dev->next_avail].flags, __ATOMIC_ACQUIRE));

	return virtq_packed_desc_is_avail(flags, dev->avail_wrap);
}

static inline int
virtq_packed_dev_take_seg(struct virtq_dev_buf *buf, uint64_t addr, uint32_t len, uint16_t flags,
                          struct virtq_sg *sg, uint16_t max_sg)
{
	if (buf->nsegs >= max_sg)
		return -ENOBUFS;
	if (flags & VIRTQ_DESC_F_WRITE) {
		buf->writable_len += len;
	} else {
		/* readable elements MUST come before writable ones (2.7.4.2; packed "Scatter-Gather
		 * Support" driver requirements) */
		if (buf->nsegs != buf->nreadable)
			return -EIO;
		buf->readable_len += len;
		buf->nreadable++;
	}
	sg[buf->nsegs].addr = addr;
	sg[buf->nsegs].len = len;
	buf->nsegs++;
	return 0;
}

/* An indirect table ("Indirect Flag: Scatter-Gather Support"): len / 16 consecutive entries, no
 * NEXT needed, no nesting. */
static inline int
virtq_packed_dev_walk_indirect(struct virtq_packed_dev *dev, const struct virtq_packed_desc *ind,
                               struct virtq_dev_buf *buf, struct virtq_sg *sg, uint16_t max_sg)
{
	uint32_t table_len = virtq_le32_to_cpu(ind->len);
	uint32_t n = table_len / sizeof(struct virtq_packed_desc);
	const struct virtq_packed_desc *table;
	uint32_t i;
	int rc;

	if (n == 0 || table_len % sizeof(struct virtq_packed_desc) != 0)
		return -EIO;
	table = virtq_translate(dev->translate, dev->translate_opaque, virtq_le64_to_cpu(ind->addr),
	                        table_len);
	/* read in place: a table this device half cannot address as an array is refused */
	if (table == NULL || (uintptr_t)table % _Alignof(struct virtq_packed_desc) != 0)
		return -EIO;
	for (i = 0; i < n; i++) {
		uint16_t flags = virtq_le16_to_cpu(table[i].flags);

		if (flags & VIRTQ_DESC_F_INDIRECT)
			return -EIO;
		rc = virtq_packed_dev_take_seg(buf, virtq_le64_to_cpu(table[i].addr),
		                               virtq_le32_to_cpu(table[i].len), flags, sg, max_sg);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Pop the next available buffer: ID (from its last descriptor, "Next Flag"), ring descriptors used,
 * and its elements into sg[max_sg]. Returns 0; -EAGAIN; -ENOBUFS (too many elements: nothing
 * consumed); -EIO (driver error: the descriptors walked are consumed).
 */
static inline int
virtq_packed_dev_pop(struct virtq_packed_dev *dev, struct virtq_dev_buf *buf, struct virtq_sg *sg,
                     uint16_t max_sg)
{
	uint16_t pos = dev->next_avail;
	bool wrap = dev->avail_wrap;
	uint32_t steps;
	int rc = -EIO;

	if (!virtq_packed_dev_has_avail(dev))
		return -EAGAIN;
	memset(buf, 0, sizeof(*buf));
	for (steps = 0; steps < dev->size; steps++) {
		const struct virtq_packed_desc *d = &dev->desc[pos];
		uint16_t flags = virtq_load16(&d->flags);

		if (!virtq_packed_desc_is_avail(flags, wrap)) {
			rc = -EIO; /* a chain that stops being available midway */
			break;
		}
		buf->ndescs++;
		buf->id = virtq_le16_to_cpu(d->id);
		virtq_packed_advance(&pos, &wrap, 1, dev->size);
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			/* an indirect descriptor stands alone (no INDIRECT in a NEXT list:
			 * "Indirect Descriptors" driver requirements) */
			rc = (flags & VIRTQ_DESC_F_NEXT) || buf->nsegs != 0
			             ? -EIO
			             : virtq_packed_dev_walk_indirect(dev, d, buf, sg, max_sg);
			break;
		}
		rc = virtq_packed_dev_take_seg(buf, virtq_le64_to_cpu(d->addr),
		                               virtq_le32_to_cpu(d->len), flags, sg, max_sg);
		if (rc < 0 || !(flags & VIRTQ_DESC_F_NEXT))
			break;
		rc = -EIO; /* a chain longer than the ring */
	}
	if (rc == -ENOBUFS)
		return rc;
	dev->next_avail = pos;
	dev->avail_wrap = wrap;
	return rc;
}

/*
 * Return a buffer: write one used descriptor (ID, bytes written) and skip `ndescs` descriptors, the
 * number the buffer occupied ("Next Flag: Descriptor Chaining"). The first used descriptor since
 * publish() keeps its flags in the shadow; publish() writes them last.
 */
static inline void
virtq_packed_dev_push(struct virtq_packed_dev *dev, uint16_t id, uint32_t len, uint16_t ndescs)
{
	struct virtq_packed_desc *d = &dev->desc[dev->next_used];
	uint16_t flags = virtq_packed_used_bits(dev->used_wrap);

	/* WRITE set: len is meaningful ("Element Address and Length": "Element Length is reserved
	 * for used descriptors without the VIRTQ_DESC_F_WRITE flag") */
	if (len != 0)
		flags |= VIRTQ_DESC_F_WRITE;
	d->id = virtq_cpu_to_le16(id);
	d->len = virtq_cpu_to_le32(len);
	if (dev->pending_descs == 0) {
		dev->pending_head = dev->next_used;
		dev->pending_head_flags = flags;
	} else {
		virtq_store16(&d->flags, flags);
	}
	if (ndescs == 0)
		ndescs = 1;
	dev->pending_descs = (uint16_t)(dev->pending_descs + ndescs);
	virtq_packed_advance(&dev->next_used, &dev->used_wrap, ndescs, dev->size);
}

/* IN_ORDER ("In-order use of descriptors"): one used descriptor naming the last buffer of a batch,
 * skipping all the batch's descriptors (total_ndescs). */
static inline void
virtq_packed_dev_push_batch_last(struct virtq_packed_dev *dev, uint16_t last_id, uint32_t last_len,
                                 uint16_t total_ndescs)
{
	virtq_packed_dev_push(dev, last_id, last_len, total_ndescs);
}

static inline void
virtq_packed_dev_publish(struct virtq_packed_dev *dev)
{
	if (dev->pending_descs == 0)
		return;
	/* release: used ids, lengths, later used flags and the buffers written before the flags of
	 * the first used descriptor ("Receiving Used Buffers From The Device") */
	__atomic_store_n(&dev->desc[dev->pending_head].flags,
	                 virtq_cpu_to_le16(dev->pending_head_flags), __ATOMIC_RELEASE);
	/* saturates at a lap: more than that since the last check always needs an interrupt */
	dev->signal_added = (uint16_t)(dev->signal_added + dev->pending_descs < dev->size
	                                       ? dev->signal_added + dev->pending_descs
	                                       : dev->size);
	dev->pending_descs = 0;
	dev->published_next = dev->next_used;
	dev->published_wrap = dev->used_wrap;
}

/* After publish(): whether the driver wants a used buffer notification (driver event suppression
 * structure). */
static inline bool
virtq_packed_dev_needs_interrupt(struct virtq_packed_dev *dev)
{
	uint16_t added = dev->signal_added;
	uint16_t flags;

	if (added == 0)
		return false;
	dev->signal_added = 0;
	/* full fence: the used flags store before the load of the driver event structure */
	virtq_mb();
	/* acquire: the flags before off_wrap, which the other side wrote ahead of them */
	flags = virtq_le16_to_cpu(__atomic_load_n(&dev->driver_event->flags, __ATOMIC_ACQUIRE)) &
	        0x3;
	if (flags == VIRTQ_EVENT_F_DISABLE)
		return false;
	if (flags != VIRTQ_EVENT_F_DESC || !dev->event_idx || added >= dev->size)
		return true;
	return virtq_packed_event_crossed(virtq_load16(&dev->driver_event->off_wrap), added,
	                                  dev->published_next, dev->published_wrap, dev->size);
}

/* Available buffer notifications through the device event suppression structure ("Driver and Device
 * Event Suppression"). */
static inline void
virtq_packed_dev_disable_avail_notify(struct virtq_packed_dev *dev)
{
	dev->device_event_flags = VIRTQ_EVENT_F_DISABLE;
	virtq_store16(&dev->device_event->flags, dev->device_event_flags);
}

/* Notify when the driver makes the descriptor n (>= 1) past next_avail available (EVENT_IDX;
 * without it this is enable). Returns true if a buffer is already available. */
static inline bool
virtq_packed_dev_enable_avail_notify_after(struct virtq_packed_dev *dev, uint16_t n)
{
	dev->device_event_flags = virtq_packed_event_enable_after(
	        dev->device_event, dev->event_idx, dev->next_avail, dev->avail_wrap, n, dev->size);
	/* full fence: the event structure store before re-reading the next descriptor's flags */
	virtq_mb();
	return virtq_packed_dev_has_avail(dev);
}

static inline bool
virtq_packed_dev_enable_avail_notify(struct virtq_packed_dev *dev)
{
	dev->device_event_flags = VIRTQ_EVENT_F_ENABLE;
	virtq_store16(&dev->device_event->flags, dev->device_event_flags);
	/* full fence: the flags store before re-reading the next descriptor's flags */
	virtq_mb();
	return virtq_packed_dev_has_avail(dev);
}

#endif /* VIRTQ_PACKED_DEV_H */
