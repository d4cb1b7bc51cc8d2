/* SPDX-License-Identifier: BSD-3-Clause */
#include "transport/vhost_user/vhost_user_mem.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memory.h>

struct mem_walk {
	struct vhost_user_mem_map *map;
	size_t max_regions;
	uintptr_t exclude_start;
	uintptr_t exclude_end;
	size_t count; /* regions needed so far, may exceed max_regions */
	int error;    /* first negative errno from EAL */
	/* The region being grown, kept even past max_regions so that 'count' stays exact. */
	int last_fd;
	uint64_t last_va_end;
	uint64_t last_offset_end;
};

static int
add_segment(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct mem_walk *w = arg;
	uintptr_t va = (uintptr_t)ms->addr;
	size_t offset;
	int fd;

	/* External memory (rte_extmem) has no fd EAL can give; the application registers it itself. */
	if (msl->external)
		return 0;
	if (va >= w->exclude_start && va < w->exclude_end)
		return 0;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &offset) < 0) {
		w->error = -rte_errno;
		return -1;
	}
	if (w->count > 0 && fd == w->last_fd && va == w->last_va_end && offset == w->last_offset_end) {
		if (w->count <= w->max_regions)
			w->map->regions[w->count - 1].memory_size += ms->len;
	} else {
		w->count++;
		if (w->count <= w->max_regions) {
			struct vhost_user_mem_region *r = &w->map->regions[w->count - 1];

			r->guest_phys_addr = va;
			r->userspace_addr = va;
			r->memory_size = ms->len;
			r->mmap_offset = offset;
			w->map->fds[w->count - 1] = fd;
		}
	}
	w->last_fd = fd;
	w->last_va_end = va + ms->len;
	w->last_offset_end = offset + ms->len;
	return 0;
}

int
vhost_user_mem_build(struct vhost_user_mem_map *map, size_t max_regions, const void *exclude_va,
		     size_t exclude_len, size_t *needed)
{
	struct mem_walk w = {
		.map = map,
		.max_regions = max_regions < VHOST_USER_MEM_REGIONS_MAX ? max_regions
									: VHOST_USER_MEM_REGIONS_MAX,
		.exclude_start = (uintptr_t)exclude_va,
		.exclude_end = (uintptr_t)exclude_va + exclude_len,
		.last_fd = -1,
	};

	memset(map, 0, sizeof(*map));
	if (rte_memseg_walk_thread_unsafe(add_segment, &w) < 0)
		return w.error != 0 ? w.error : -EINVAL;
	*needed = w.count;
	if (w.count == 0)
		return -ENOTSUP;
	if (w.count > w.max_regions)
		return -E2BIG;
	map->nregions = w.count;
	return 0;
}
