/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Rx queue's wake-up condition for rte_power's monitor mode (queue_rx_monitor.h).
 */
#include "queue/queue_rx_monitor.h"

#include <rte_byteorder.h>
#include <rte_common.h>

#include "queue/queue.h"

/* opaque[] of the condition: what the monitored value is compared with. */
enum {
	MONITOR_SLEEP_VALUE, /* split: used.idx while nothing is new; packed: flags of a used slot */
};

/* Split: a used.idx other than the next entry we read means the device added entries. */
static int
split_used_arrived(const uint64_t val, const uint64_t opaque[RTE_POWER_MONITOR_OPAQUE_SZ])
{
	return rte_le_to_cpu_16((uint16_t)val) != (uint16_t)opaque[MONITOR_SLEEP_VALUE] ? -1 : 0;
}

/* Packed: AVAIL and USED of the slot both equal to the used wrap counter: the device used it. */
static int
packed_used_arrived(const uint64_t val, const uint64_t opaque[RTE_POWER_MONITOR_OPAQUE_SZ])
{
	uint16_t flags = rte_le_to_cpu_16((uint16_t)val);

	return (flags & (VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED)) ==
			       (uint16_t)opaque[MONITOR_SLEEP_VALUE]
		       ? -1
		       : 0;
}

int
vionet_rx_queue_monitor_addr(void *rx_queue, struct rte_power_monitor_cond *pmc)
{
	struct vionet_rxq *rxq = rx_queue;
	struct vionet_vq *vq = &rxq->vq;

	if (vq->packed_ring) {
		const struct virtq_packed_drv *r = &vq->packed;

		pmc->addr = &r->desc[r->last_used].flags;
		pmc->fn = packed_used_arrived;
		pmc->opaque[MONITOR_SLEEP_VALUE] =
			r->used_wrap ? VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED : 0;
		pmc->size = sizeof(r->desc[0].flags);
	} else {
		const struct virtq_split_drv *r = &vq->split;

		pmc->addr = &r->used->idx;
		pmc->fn = split_used_arrived;
		pmc->opaque[MONITOR_SLEEP_VALUE] = r->last_used_idx;
		pmc->size = sizeof(r->used->idx);
	}
	return 0;
}
