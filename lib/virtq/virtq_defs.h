/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtqueue wire structures, flag and feature bits, little-endian accessors and the types shared by
 * the split and packed rings (virtio 1.2, "Basic Facilities of a Virtio Device / Virtqueues").
 * No DPDK here: lib/virtq builds with plain C11 and GCC/Clang builtins.
 */
#ifndef VIRTQ_DEFS_H
#define VIRTQ_DEFS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest queue size of either layout ("Split Virtqueues": maximum 32768; "Packed Virtqueues": up
 * to 2^15). */
#define VIRTQ_MAX_SIZE 32768

/* Feature bit numbers the ring core cares about (6 "Reserved Feature Bits"). */
#define VIRTQ_F_INDIRECT_DESC 28
#define VIRTQ_F_EVENT_IDX 29 /* VIRTIO_F_RING_EVENT_IDX for packed rings: same bit */
#define VIRTQ_F_VERSION_1 32
#define VIRTQ_F_RING_PACKED 34
#define VIRTQ_F_IN_ORDER 35
/* The mask of one feature bit, for the 64-bit `features` arguments of the init functions. */
#define VIRTQ_FEATURE(bit) (UINT64_C(1) << (bit))

/* Descriptor flags, both layouts (2.7.5 "The Virtqueue Descriptor Table"; packed "Next Flag",
 * "Write Flag"). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
/* Packed only: the driver's and the device's wrap counter bits (2.8.1 "Driver and Device Ring Wrap
 * Counters"). */
#define VIRTQ_DESC_F_AVAIL (1 << 7)
#define VIRTQ_DESC_F_USED (1 << 15)

/* Split ring suppression flags (2.7.7 and 2.7.10). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* Packed event suppression structure flags (packed "Event Suppression Structure Format"). */
#define VIRTQ_EVENT_F_ENABLE 0x0
#define VIRTQ_EVENT_F_DISABLE 0x1
#define VIRTQ_EVENT_F_DESC 0x2
#define VIRTQ_EVENT_WRAP_SHIFT 15

/* Little-endian wire types: a reminder at each field that it needs an accessor. */
typedef uint16_t virtq_le16;
typedef uint32_t virtq_le32;
typedef uint64_t virtq_le64;

/* Virtio 1.x rings are little-endian (le16/le32/le64 fields, "Structure Specifications"). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define VIRTQ_SWAP_LE16(v) __builtin_bswap16(v)
#define VIRTQ_SWAP_LE32(v) __builtin_bswap32(v)
#define VIRTQ_SWAP_LE64(v) __builtin_bswap64(v)
#else
#define VIRTQ_SWAP_LE16(v) (v)
#define VIRTQ_SWAP_LE32(v) (v)
#define VIRTQ_SWAP_LE64(v) (v)
#endif

/*
 * The accessors, one pair per width, generated from one definition: virtq_le16_to_cpu(),
 * virtq_cpu_to_le16(), virtq_le32_to_cpu(), virtq_cpu_to_le32(), virtq_le64_to_cpu(),
 * virtq_cpu_to_le64().
 */
#define VIRTQ_LE_ACCESSORS(bits)                                                                   \
	static inline uint##bits##_t virtq_le##bits##_to_cpu(virtq_le##bits v)                     \
	{                                                                                          \
		return (uint##bits##_t)VIRTQ_SWAP_LE##bits(v);                                     \
	}                                                                                          \
	static inline virtq_le##bits virtq_cpu_to_le##bits(uint##bits##_t v)                       \
	{                                                                                          \
		return (virtq_le##bits)VIRTQ_SWAP_LE##bits(v);                                     \
	}
VIRTQ_LE_ACCESSORS(16)
VIRTQ_LE_ACCESSORS(32)
VIRTQ_LE_ACCESSORS(64)
#undef VIRTQ_LE_ACCESSORS

/* ---- Split ring (2.7) ---- */

/* 2.7.5: one descriptor of the Descriptor Area or of an indirect table. */
struct virtq_split_desc {
	virtq_le64 addr;
	virtq_le32 len;
	virtq_le16 flags;
	virtq_le16 next;
};

/* 2.7.6: the Driver Area. ring[size] is followed by used_event (EVENT_IDX). */
struct virtq_split_avail {
	virtq_le16 flags;
	virtq_le16 idx;
	virtq_le16 ring[];
};

/* 2.7.8: one used element; id is le32 for padding reasons. */
struct virtq_split_used_elem {
	virtq_le32 id;
	virtq_le32 len;
};

/* 2.7.8: the Device Area. ring[size] is followed by avail_event (EVENT_IDX). */
struct virtq_split_used {
	virtq_le16 flags;
	virtq_le16 idx;
	struct virtq_split_used_elem ring[];
};

/* ---- Packed ring ("Packed Virtqueues") ---- */

/* "The Virtqueue Descriptor Format" (packed): one descriptor of the ring or of an indirect table.
 */
struct virtq_packed_desc {
	virtq_le64 addr;
	virtq_le32 len;
	virtq_le16 id;
	virtq_le16 flags;
};

/* packed "Event Suppression Structure Format": driver (Driver Area) and device (Device Area) event
 * suppression structure. */
struct virtq_packed_event {
	virtq_le16 off_wrap; /* bits 0-14 descriptor ring offset, bit 15 wrap counter */
	virtq_le16 flags;    /* VIRTQ_EVENT_F_* */
};

/* ---- Shared by both layouts ---- */

/* One element of a buffer: a device address (IOVA, guest-physical or VA: the caller's choice) and
 * a length. Device-readable elements come before device-writable ones (2.7.4.2 "Message Framing").
 */
struct virtq_sg {
	uint64_t addr;
	uint32_t len;
};

/*
 * What the driver half remembers per buffer id (split: head descriptor index; packed: buffer ID).
 * The cookie is the caller's (an mbuf); non-NULL exactly while the buffer is outstanding, so a used
 * entry naming a free id is caught and a cookie is never handed back twice.
 */
struct virtq_desc_state {
	void *cookie;
	uint32_t
	        writable_len; /* device-writable bytes posted: a used length above it is rejected */
	uint16_t ndescs;      /* ring descriptors the buffer occupies (1 for an indirect table) */
	uint16_t next;        /* split: chain / free-list link; packed: free buffer-id link */
};

/*
 * The checks of an add of one buffer (add_buf, add_chain, add_indirect of both layouts), in the
 * order their errors rank: -EIO (queue broken), -ENOTSUP (not `supported`: indirect descriptors
 * not negotiated), -EINVAL (NULL cookie, or not `valid`: no element, a NULL array, a table too
 * long), -ENOSPC (fewer than `descs` free descriptors). 0 when the add can go ahead.
 */
static inline int
virtq_drv_add_check(bool broken, bool supported, bool valid, const void *cookie, uint32_t descs,
                    uint16_t num_free)
{
	if (broken)
		return -EIO;
	if (!supported)
		return -ENOTSUP;
	if (cookie == NULL || !valid)
		return -EINVAL;
	if (descs > num_free)
		return -ENOSPC;
	return 0;
}

/*
 * What the driver half rejected from the device (the device is not trusted: Linux's BAD_RING idea).
 * Counted, never logged, on the fast path; `broken` in the queue says whether it can continue.
 */
struct virtq_err_stats {
	uint64_t bad_id;          /* used id >= queue size */
	uint64_t not_outstanding; /* used id names no outstanding buffer head */
	uint64_t len_too_big; /* used length > device-writable bytes posted; returned with len 0 */
	uint64_t idx_jump;    /* split used.idx moved by more than the queue size */
	uint64_t bad_wrap;    /* packed used flags contradicting the wrap counter */
	uint64_t bad_batch;   /* in-order batch longer than what the device published */
	/* Event suppression values no honest device writes (packed flags 3 or an event offset
	 * beyond the ring): notified anyway. Split has none: avail_event may hold any value. */
	uint64_t bad_event;
	/* Notifications sent after the device, having declined one, made no progress for
	 * VIRTQ_NOTIFY_OWED_POLLS empty harvests: a garbage event must not stall a sleeping device */
	uint64_t late_notify;
};

/*
 * Empty harvests after a declined notification, with no used entry from the device in between,
 * before the driver notifies anyway. A spurious notification is harmless; a missed one stalls a
 * device that sleeps behind an event value it wrote wrongly.
 */
#define VIRTQ_NOTIFY_OWED_POLLS 256

/*
 * return_buf() of both layouts, before the layout frees the buffer's descriptors: the cookie, and
 * the used length when the caller takes it. Returns 0, or -EMSGSIZE when the length is above what
 * was posted (*len_out 0, counted).
 */
static inline int
virtq_desc_state_return(const struct virtq_desc_state *st, struct virtq_err_stats *err,
                        uint32_t len, void **cookie, uint32_t *len_out)
{
	int rc = 0;

	/* Checked only when the caller takes the length (Tx passes none: legacy devices are known
	 * to write Tx lengths wrongly, 2.7.8.1, and the buffer is freed either way). */
	if (len_out != NULL && len > st->writable_len) {
		err->len_too_big++;
		len = 0;
		rc = -EMSGSIZE;
	}
	*cookie = st->cookie;
	if (len_out != NULL)
		*len_out = len;
	return rc;
}

/*
 * detach_unused() of both layouts: from state[*next] on, the next outstanding buffer's cookie,
 * forgotten, with its descriptors counted free and the buffer no longer outstanding; NULL when
 * none is left. *next keeps the place: detaching a full ring stays linear in its size.
 */
static inline void *
virtq_desc_state_detach(struct virtq_desc_state *state, uint16_t size, uint16_t *next,
                        uint16_t *outstanding, uint16_t *num_free)
{
	for (; *next < size; (*next)++) {
		struct virtq_desc_state *st = &state[*next];
		void *cookie = st->cookie;

		if (cookie == NULL)
			continue;
		st->cookie = NULL;
		(*outstanding)--;
		*num_free = (uint16_t)(*num_free + st->ndescs);
		return cookie;
	}
	return NULL;
}

/*
 * Device half: one popped buffer. `id` is what push() must return: split head index or packed
 * buffer ID; `ndescs` is the number of ring descriptors it occupied (packed push() skips that
 * many).
 */
struct virtq_dev_buf {
	uint16_t id;
	uint16_t ndescs;
	uint16_t nsegs;        /* entries filled in the caller's virtq_sg array */
	uint16_t nreadable;    /* the first nreadable segs are device-readable, the rest writable */
	uint32_t readable_len; /* bytes */
	uint32_t writable_len; /* bytes */
};

/*
 * Device half: turns a device address into a pointer the device code can read/write, or NULL if the
 * range is not mapped. NULL translate function: addresses are virtual addresses (tests,
 * in-process).
 */
typedef void *(*virtq_translate_t)(void *opaque, uint64_t addr, uint32_t len);

static inline void *
virtq_translate(virtq_translate_t fn, void *opaque, uint64_t addr, uint32_t len)
{
	if (fn == NULL)
		return (void *)(uintptr_t)addr;
	return fn(opaque, addr, len);
}

/*
 * 2.7.10 and packed "Driver and Device Event Suppression": the event index test of both directions.
 * True when new_idx has moved past event_idx since old_idx, all in free-running 16-bit arithmetic
 * (vring_need_event of the spec).
 */
static inline bool
virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/*
 * For a function written once for callers that each pass a constant selecting part of its code
 * (the packed harvest's in-order flag): inlined into every caller whatever the compiler's size
 * estimate, so each compiles to its own loop, as if written out for it. GCC and Clang.
 */
#define VIRTQ_ALWAYS_INLINE __attribute__((always_inline))

static inline size_t
virtq_align_up(size_t v, size_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/* Relaxed accessors for ring fields the other side reads or writes concurrently: single, untorn
 * accesses; ordering is given by the explicit acquire/release next to each use. */
static inline uint16_t
virtq_load16(const virtq_le16 *p)
{
	return virtq_le16_to_cpu(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void
virtq_store16(virtq_le16 *p, uint16_t v)
{
	__atomic_store_n(p, virtq_cpu_to_le16(v), __ATOMIC_RELAXED);
}

/* Full store-load fence: the one place a release/acquire pair is not enough, because a store must
 * be visible before a later load of a field the other side writes (2.7.7.2 "driver MUST perform a
 * suitable memory barrier before reading flags or avail_event"; likewise packed "Sending Available
 * Buffer Notifications"). */
static inline void
virtq_mb(void)
{
#if defined(__x86_64__)
	/* A locked add to the stack orders like mfence for the write-back memory rings live in, at a
	 * fraction of mfence's cost (mfence also waits for write-combining and non-temporal stores,
	 * which rings never use). Adding 0 leaves the word unchanged; 128 bytes down keeps it off the
	 * stack line the caller is likely storing to, so the add waits on no recent store of its own. */
	__asm__ volatile("lock addl $0, -128(%%rsp)" ::: "memory", "cc");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#endif /* VIRTQ_DEFS_H */
