/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtqueue memory (ring areas on the device's socket, the cookie shadow), the ring's hand-over to
 * the transport, and the count of used entries the ring rejected.
 */
#include "device/device_vq.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "base/vionet_log.h"

/* Ring block and used ring on a page boundary: what legacy PCI needs (2.7.2 Legacy Interfaces: A
 * Note on Virtqueue Layout, used ring at 4096), harmless for modern PCI and vhost-user. */
#define VIONET_RING_ALIGN 4096

uint16_t
vionet_vq_size_fit(const struct vionet_hw *hw, uint32_t wanted, uint16_t device_max)
{
	uint32_t max = RTE_MIN((uint32_t)device_max, (uint32_t)VIONET_QUEUE_SIZE_MAX);
	uint32_t size = RTE_MIN(wanted, max);

	if (!vionet_has_feature(hw, VIONET_F_RING_PACKED))
		size = rte_align32prevpow2(size);
	return (uint16_t)size;
}

static size_t
ring_mem_size(bool packed, uint16_t size)
{
	if (packed)
		return virtq_packed_mem_size(size);
	return virtq_split_mem_size(size, VIONET_RING_ALIGN);
}

static size_t
ring_state_size(bool packed, uint16_t size)
{
	if (packed)
		return virtq_packed_drv_state_size(size);
	return virtq_split_drv_state_size(size);
}

void
vionet_vq_free(struct vionet_vq *vq)
{
	rte_memzone_free(vq->ring_mz);
	vq->ring_mz = NULL;
	rte_free(vq->state);
	vq->state = NULL;
}

/* Allocates ring memory (device-visible, IOVA-contiguous) and the cookie shadow on 'socket'. */
int
vionet_vq_alloc(struct vionet_vq *vq, struct vionet_hw *hw, uint16_t vq_index, uint16_t size, int socket)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	bool packed = vionet_has_feature(hw, VIONET_F_RING_PACKED);

	vq->hw = hw;
	vq->vq_index = vq_index;
	vionet_vq_gate_init(&vq->gate);
	rte_spinlock_init(&vq->intr_lock);
	vq->packed_ring = packed;
	snprintf(mz_name, sizeof(mz_name), "vionet_p%u_vq%u", hw->eth_dev->data->port_id, vq_index);
	vq->ring_mz = rte_memzone_reserve_aligned(mz_name, ring_mem_size(packed, size), socket,
						  RTE_MEMZONE_IOVA_CONTIG, VIONET_RING_ALIGN);
	if (vq->ring_mz == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot reserve ring memory for queue %u (%u descriptors): %s",
				hw->tp.name, vq_index, size, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	vq->ring_dev_addr = vionet_dev_mem_addr(hw, vq->ring_mz);
	vq->state = rte_zmalloc_socket(mz_name, ring_state_size(packed, size), RTE_CACHE_LINE_SIZE,
				       socket);
	if (vq->state == NULL) {
		VIONET_INIT_LOG(ERR, "%s: cannot allocate the cookie shadow of queue %u", hw->tp.name,
				vq_index);
		vionet_vq_free(vq);
		return -ENOMEM;
	}
	vq->addrs.queue_index = vq_index;
	vq->addrs.size = size;
	vq->addrs.packed = packed;
	return 0;
}

static const struct virtq_err_stats *
vq_err(const struct vionet_vq *vq)
{
	return vq->packed_ring ? &vq->packed.err : &vq->split.err;
}

/*
 * Used entries lib/virtq rejected. A length on a transmit buffer is not counted: we posted nothing
 * writable, use no length there, and DPDK's vhost library reports the read length on some packed
 * Tx paths; an id, index or wrap error is counted on every queue.
 */
static uint64_t
vq_err_total(const struct vionet_vq *vq)
{
	const struct virtq_err_stats *e = vq->packed_ring ? &vq->packed.err : &vq->split.err;
	bool tx = (vq->vq_index & 1) != 0;

	return e->bad_id + e->not_outstanding + (tx ? 0 : e->len_too_big) + e->idx_jump +
	       e->bad_wrap + e->bad_batch;
}

/* Fresh ring state (all zero, indexes at 0) and the addresses the transport will pass on. */
static int
vq_init_ring(struct vionet_vq *vq)
{
	struct vionet_hw *hw = vq->hw;
	uint16_t size = vq->addrs.size;
	char *va = vq->ring_mz->addr;
	size_t driver_off, device_off;
	int ret;

	vq->invalid_used_folded += vq_err_total(vq);
	vq->bad_event_folded += vq_err(vq)->bad_event;
	vq->late_notify_folded += vq_err(vq)->late_notify;
	if (vq->packed_ring) {
		ret = virtq_packed_drv_init_mem(&vq->packed, size, va, vq->state, hw->tp.features);
		driver_off = virtq_packed_driver_event_offset(size);
		device_off = virtq_packed_device_event_offset(size);
	} else {
		ret = virtq_split_drv_init_mem(&vq->split, size, va, VIONET_RING_ALIGN, vq->state,
					       hw->tp.features);
		driver_off = virtq_split_avail_offset(size);
		device_off = virtq_split_used_offset(size, VIONET_RING_ALIGN);
	}
	if (ret < 0) {
		VIONET_INIT_LOG(ERR, "%s: cannot initialise ring of queue %u (size %u)", hw->tp.name,
				vq->vq_index, size);
		return ret;
	}
	/* We poll: ask the device not to signal used buffers (2.7.7 / 2.8.10 suppression). */
	if (vq->packed_ring)
		virtq_packed_drv_disable_used_notify(&vq->packed);
	else
		virtq_split_drv_disable_used_notify(&vq->split);
	vq->addrs.desc_va = va;
	vq->addrs.driver_area_va = va + driver_off;
	vq->addrs.device_area_va = va + device_off;
	vq->addrs.desc_addr = vq->ring_dev_addr;
	vq->addrs.driver_area_addr = vq->ring_dev_addr + driver_off;
	vq->addrs.device_area_addr = vq->ring_dev_addr + device_off;
	return 0;
}

void *
vionet_vq_detach_unused(struct vionet_vq *vq)
{
	if (vq->packed_ring)
		return virtq_packed_drv_detach_unused(&vq->packed);
	return virtq_split_drv_detach_unused(&vq->split);
}

int
vionet_vq_setup_at_transport(struct vionet_hw *hw, struct vionet_vq *vq)
{
	int ret = vq_init_ring(vq);

	if (ret < 0)
		return ret;
	ret = hw->tp.ops->setup_queue(&hw->tp, &vq->addrs);
	if (ret < 0)
		VIONET_INIT_LOG(ERR, "%s: transport refused queue %u: %s", hw->tp.name, vq->vq_index,
				strerror(-ret));
	return ret;
}

void
vionet_vq_report_broken(struct vionet_vq *vq)
{
	const struct virtq_err_stats *e = vq->packed_ring ? &vq->packed.err : &vq->split.err;
	struct vionet_hw *hw = vq->hw;
	uint16_t qid = vq->vq_index / 2;
	const char *kind = vq->vq_index == 2 * hw->max_queue_pairs ? "control"
			   : vq->vq_index % 2 == 0		 ? "Rx"
								 : "Tx";

	/* The caller is inside the gate: once it leaves, bursts find the gate closed. */
	vionet_vq_gate_close(&vq->gate);
	vionet_dev_report_broken(hw,
				 "%s queue %u (virtqueue %u, %s ring): the device wrote a used entry the "
				 "ring cannot skip (bad id %" PRIu64 ", not outstanding %" PRIu64
				 ", index jump %" PRIu64 ", wrap %" PRIu64 ", in-order batch %" PRIu64 ")",
				 kind, kind[0] == 'c' ? 0 : qid, vq->vq_index,
				 vq->packed_ring ? "packed" : "split", e->bad_id, e->not_outstanding,
				 e->idx_jump, e->bad_wrap, e->bad_batch);
}

uint64_t
vionet_vq_invalid_used(const struct vionet_vq *vq)
{
	return vq->invalid_used_folded + vq_err_total(vq);
}

void
vionet_vq_invalid_used_reset(struct vionet_vq *vq)
{
	vq->invalid_used_folded = 0 - vq_err_total(vq);
	vq->bad_event_folded = 0 - vq_err(vq)->bad_event;
	vq->late_notify_folded = 0 - vq_err(vq)->late_notify;
}

uint64_t
vionet_vq_bad_event(const struct vionet_vq *vq)
{
	return vq->bad_event_folded + vq_err(vq)->bad_event;
}

uint64_t
vionet_vq_late_notify(const struct vionet_vq *vq)
{
	return vq->late_notify_folded + vq_err(vq)->late_notify;
}
