/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One virtqueue of a device, either layout: its memory (ring areas the device reads and writes, the
 * cookie shadow), its hand-over to the transport, the gate bursts pass, and the ring steps every user
 * of a queue shares (Rx/Tx bursts, Rx refill, the control queue), written once here with a
 * compile-time 'packed' flag so each caller keeps only the layout it runs.
 */
#ifndef VIONET_DEVICE_VQ_H
#define VIONET_DEVICE_VQ_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_memzone.h>
#include <rte_spinlock.h>

#include <virtq_packed.h>
#include <virtq_split.h>

#include "device/device.h"
#include "device/device_vq_gate.h"

/* The driver half of one virtqueue, either layout. */
struct vionet_vq {
	union {
		struct virtq_split_drv split;
		struct virtq_packed_drv packed;
	};
	bool packed_ring;
	uint16_t vq_index; /* virtio queue index */
	/* Bursts pass it; the control path closes it while it re-creates the ring (stop, back end
	 * reconnect): a burst never sees a ring being re-initialised. */
	struct vionet_vq_gate gate;
	/* Rx interrupt arm/disarm (application lcore) against ring re-creation (control path): rare on
	 * both sides, so a plain lock. */
	rte_spinlock_t intr_lock;
	struct vionet_hw *hw;
	const struct rte_memzone *ring_mz; /* ring areas; device-visible */
	void *state;			   /* lib/virtq shadow state (cookies) */
	uint64_t ring_dev_addr;		   /* ring_mz as the device addresses it */
	struct vionet_vq_ring_addrs addrs; /* what setup_queue told the transport */
	/* Used entries rejected by earlier ring incarnations (lib/virtq's counters restart at init),
	 * minus those counted at the last stats reset: modulo-2^64 arithmetic keeps the sum right. */
	uint64_t invalid_used_folded;
	/* The same for the event suppression counters (bad_event, late_notify) */
	uint64_t bad_event_folded;
	uint64_t late_notify_folded;
};

/* Where the device reaches a memzone: our virtual address (vhost-user) or its IOVA (PCI). */
static inline uint64_t
vionet_dev_mem_addr(const struct vionet_hw *hw, const struct rte_memzone *mz)
{
	return hw->tp.use_va ? (uint64_t)(uintptr_t)mz->addr : mz->iova;
}

/*
 * The ring size a queue gets: 'wanted' clamped to what the device allows ('device_max') and to the
 * spec's 32768, a power of two for split rings (2.7 Split Virtqueues: "Queue Size ... a power of
 * 2"), rounded down. 0 when 'device_max' is 0: the queue is unavailable (4.1.4.3 Common
 * configuration structure layout: queue_size 0), never a size the device did not give.
 */
uint16_t vionet_vq_size_fit(const struct vionet_hw *hw, uint32_t wanted, uint16_t device_max);

/* Ring memory (device-visible, IOVA-contiguous) and the cookie shadow on 'socket'. */
int vionet_vq_alloc(struct vionet_vq *vq, struct vionet_hw *hw, uint16_t vq_index, uint16_t size,
		    int socket);
void vionet_vq_free(struct vionet_vq *vq);
/* Fresh ring state (zeroed, indexes 0, used notifications off) and setup_queue at the transport. */
int vionet_vq_setup_at_transport(struct vionet_hw *hw, struct vionet_vq *vq);
/* One outstanding cookie per call, NULL when none is left (the device no longer uses the ring). */
void *vionet_vq_detach_unused(struct vionet_vq *vq);

/* Used entries the ring rejected from the device (bad id, length, index, wrap) since the last reset. */
uint64_t vionet_vq_invalid_used(const struct vionet_vq *vq);
void vionet_vq_invalid_used_reset(struct vionet_vq *vq);

/*
 * Event suppression values the device wrote that no honest device writes (notified anyway), and
 * notifications sent after a device that declined one used nothing for long; since the last reset.
 */
uint64_t vionet_vq_bad_event(const struct vionet_vq *vq);
uint64_t vionet_vq_late_notify(const struct vionet_vq *vq);

/*
 * The ring is broken (lib/virtq met a used entry it cannot skip): the queue's gate is closed from
 * inside the burst that noticed, so every later burst returns at once, and the device layer
 * reports the break (vionet_dev_report_broken). Cold: once per break.
 */
void vionet_vq_report_broken(struct vionet_vq *vq);

/* ---- Ring steps of either layout: a dispatch on a constant, inlined into each caller ---- */

/* lib/virtq met a used entry it cannot skip: every ring step fails from now on. */
static __rte_always_inline bool
vionet_vq_is_broken(const struct vionet_vq *vq, const bool packed)
{
	return packed ? virtq_packed_drv_is_broken(&vq->packed) : virtq_split_drv_is_broken(&vq->split);
}

/*
 * For a burst's rare branch (a harvest that returned nothing or stopped short): true when the ring
 * is broken, which is then reported (vionet_vq_report_broken); the burst must leave the ring alone.
 */
static __rte_always_inline bool
vionet_vq_check_broken(struct vionet_vq *vq, const bool packed)
{
	if (likely(!vionet_vq_is_broken(vq, packed)))
		return false;
	vionet_vq_report_broken(vq);
	return true;
}

static __rte_always_inline uint16_t
vionet_vq_free_count(const struct vionet_vq *vq, const bool packed)
{
	return packed ? virtq_packed_drv_free_count(&vq->packed) : virtq_split_drv_free_count(&vq->split);
}

static __rte_always_inline void vionet_vq_kick(struct vionet_vq *vq);

static __rte_always_inline uint16_t
vionet_vq_get_used_bulk(struct vionet_vq *vq, const bool packed, void **cookies, uint32_t *lens,
			uint16_t max)
{
	uint16_t n = packed ? virtq_packed_drv_get_used_bulk(&vq->packed, cookies, lens, max)
			    : virtq_split_drv_get_used_bulk(&vq->split, cookies, lens, max);

	/* A device that declined a kick and then used nothing for long gets one anyway. */
	if (unlikely(n == 0) && (packed ? virtq_packed_drv_notify_owed(&vq->packed)
					: virtq_split_drv_notify_owed(&vq->split)))
		vionet_vq_kick(vq);
	return n;
}

static __rte_always_inline int
vionet_vq_get_used(struct vionet_vq *vq, const bool packed, void **cookie, uint32_t *len)
{
	return packed ? virtq_packed_drv_get_used(&vq->packed, cookie, len)
		      : virtq_split_drv_get_used(&vq->split, cookie, len);
}

static __rte_always_inline uint16_t
vionet_vq_add_bulk(struct vionet_vq *vq, const bool packed, const uint64_t *addrs,
		   const uint32_t *lens, uint16_t flags, void *const *cookies, uint16_t n)
{
	return packed ? virtq_packed_drv_add_bulk(&vq->packed, addrs, lens, flags, cookies, n)
		      : virtq_split_drv_add_bulk(&vq->split, addrs, lens, flags, cookies, n);
}

static __rte_always_inline uint16_t
vionet_vq_next_id(const struct vionet_vq *vq, const bool packed)
{
	return packed ? virtq_packed_drv_next_id(&vq->packed) : virtq_split_drv_next_id(&vq->split);
}

/* One buffer as a chain: 'out_num' device-readable elements of 'sg', then 'in_num' writable ones. */
static __rte_always_inline int
vionet_vq_add_chain(struct vionet_vq *vq, const bool packed, const struct virtq_sg *sg,
		    uint16_t out_num, uint16_t in_num, void *cookie)
{
	return packed ? virtq_packed_drv_add_chain(&vq->packed, sg, out_num, in_num, cookie)
		      : virtq_split_drv_add_chain(&vq->split, sg, out_num, in_num, cookie);
}

/* 'n' device-readable elements through an indirect table at 'table' (ours) / 'table_addr' (the
 * device's). */
static __rte_always_inline int
vionet_vq_add_indirect(struct vionet_vq *vq, const bool packed, const struct virtq_sg *sg,
		       uint16_t n, void *table, uint64_t table_addr, void *cookie)
{
	return packed ? virtq_packed_drv_add_indirect(&vq->packed, sg, n, 0, table, table_addr, cookie)
		      : virtq_split_drv_add_indirect(&vq->split, sg, n, 0, table, table_addr, cookie);
}

/* Makes what was added visible to the device; true when the device asked to be notified. */
static __rte_always_inline bool
vionet_vq_publish(struct vionet_vq *vq, const bool packed)
{
	if (packed) {
		virtq_packed_drv_publish(&vq->packed);
		return virtq_packed_drv_needs_notify(&vq->packed);
	}
	virtq_split_drv_publish(&vq->split);
	return virtq_split_drv_needs_notify(&vq->split);
}

/*
 * Kicks the device (2.9 Driver Notifications). Through this process's ops: the caller may be a
 * burst in a secondary process, where hw->tp.ops is the primary's.
 */
static __rte_always_inline void
vionet_vq_kick(struct vionet_vq *vq)
{
	struct vionet_transport *t = &vq->hw->tp;

	vionet_transport_proc_of(t)->ops->notify_queue(t, vq->vq_index);
}

#endif /* VIONET_DEVICE_VQ_H */
