/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK version-specific calls in one place, so the rest of the driver reads the same on every release
 * we build against (22.11 is the floor).
 */
#ifndef VIONET_COMPAT_H
#define VIONET_COMPAT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_version.h>

/*
 * Where a device reaches an mbuf's buffer start: our virtual address when the device shares our
 * address space 1:1 (vhost-user memory table), else its IOVA. rte_mbuf_iova_get() appeared in 22.11
 * (buf_iova may be compiled out with RTE_IOVA_AS_VA builds).
 */
static inline uint64_t
vionet_mbuf_buf_addr(const struct rte_mbuf *m, bool use_va)
{
	if (use_va)
		return (uint64_t)(uintptr_t)m->buf_addr;
#if RTE_VERSION >= RTE_VERSION_NUM(22, 11, 0, 0)
	return rte_mbuf_iova_get(m);
#else
	return m->buf_iova;
#endif
}

#endif /* VIONET_COMPAT_H */
