/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user memory table of this process: every DPDK memory segment, as the file that backs it,
 * so the back end can map our hugepages and read descriptors that carry our virtual addresses.
 */
#ifndef VHOST_USER_MEM_H
#define VHOST_USER_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "transport/vhost_user/vhost_user_msg.h"

struct vhost_user_mem_map {
	size_t nregions;
	struct vhost_user_mem_region regions[VHOST_USER_MEM_REGIONS_MAX];
	int fds[VHOST_USER_MEM_REGIONS_MAX]; /* EAL's own descriptors: never closed by us */
};

/*
 * Builds the table from DPDK's memory segments: guest_phys_addr = userspace_addr = our virtual
 * address, so the back end translates our descriptors' addresses 1:1. Segments that are VA- and
 * file-contiguous merge into one region; memory in [exclude_va, exclude_va + exclude_len) is left out
 * (a segment being freed, see RTE_MEM_EVENT_FREE).
 *
 * The caller holds the memory hotplug lock: rte_mcfg_mem_read_lock(), or is inside a memory event
 * callback (rte_mem_event_callback_register: the walks there must be the _thread_unsafe ones).
 * Returns 0; -E2BIG when more than 'max_regions' regions are needed (*needed says how many: running
 * with --single-file-segments makes one file, so one region, per memory segment list); -ENOTSUP when
 * the memory has no file descriptors (--no-huge without memfd support, external memory only).
 */
int vhost_user_mem_build(struct vhost_user_mem_map *map, size_t max_regions, const void *exclude_va,
			 size_t exclude_len, size_t *needed);

#endif /* VHOST_USER_MEM_H */
