/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small driver-half queries the PMD needs beyond virtq_split.h / virtq_packed.h: which buffer id the
 * next post takes (the PMD keeps a per-id Tx header slot), and how many used buffers wait without
 * harvesting them (rte_eth_rx_queue_count). Read-only; no ring state changes.
 */
#ifndef VIRTQ_PMD_EXT_H
#define VIRTQ_PMD_EXT_H

#include "virtq_packed.h"
#include "virtq_split.h"

/* The head descriptor index the next add_*() takes (split: a buffer is named by its head). */
static inline uint16_t
virtq_split_drv_next_id(const struct virtq_split_drv *vq)
{
	return vq->free_head;
}

/* The buffer ID the next add_*() takes (packed). */
static inline uint16_t
virtq_packed_drv_next_id(const struct virtq_packed_drv *vq)
{
	return vq->free_id;
}

/*
 * Used descriptors waiting at the packed ring's last_used, up to `max`: walks the flags with the used
 * wrap counter (2.8.1), as the device wrote them in ring order. For single-descriptor buffers (Rx)
 * this is the used buffer count. Stops at the first slot not used in this lap.
 */
static inline uint16_t
virtq_packed_drv_used_count(const struct virtq_packed_drv *vq, uint16_t max)
{
	uint16_t pos = vq->last_used;
	bool wrap = vq->used_wrap;
	uint16_t inflight = virtq_packed_drv_inflight_descs(vq);
	uint16_t n = 0;

	if (vq->broken)
		return 0;
	if (max > inflight)
		max = inflight;
	while (n < max) {
		/* acquire: each used flag before anything the caller reads of that buffer (2.8.21.4) */
		uint16_t flags = virtq_le16_to_cpu(__atomic_load_n(&vq->desc[pos].flags, __ATOMIC_ACQUIRE));
		bool avail = (flags & VIRTQ_DESC_F_AVAIL) != 0;
		bool used = (flags & VIRTQ_DESC_F_USED) != 0;

		if (avail != used || avail != wrap)
			break;
		n++;
		virtq_packed_advance(&pos, &wrap, 1, vq->size);
	}
	return n;
}

#endif /* VIRTQ_PMD_EXT_H */
