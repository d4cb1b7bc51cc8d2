/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK version-specific calls in one place, so the rest of the driver reads the same on every release
 * we build against (22.11 is the floor).
 */
#ifndef VIONET_COMPAT_H
#define VIONET_COMPAT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_errno.h>
#include <rte_interrupts.h>
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
	return rte_mbuf_iova_get(m);
}

/*
 * Rx queue interrupt handles. Since 21.11 struct rte_intr_handle is opaque: handles come from
 * rte_intr_instance_alloc() and are filled through accessors (before, the driver wrote the fields).
 */

/*
 * A handle for event fds the driver owns (vhost-user call eventfds): type VDEV, so EAL's epoll callback
 * reads an 8-byte eventfd counter when one fires, and never closes the fds (max_intr == nb_efd, see
 * rte_intr_efd_disable). Returns NULL (rte_errno set) on failure.
 */
static inline struct rte_intr_handle *
vionet_intr_vdev_handle_alloc(void)
{
	struct rte_intr_handle *h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);

	if (h == NULL)
		return NULL;
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_VDEV) < 0 ||
	    rte_intr_efd_counter_size_set(h, sizeof(uint64_t)) < 0) {
		rte_intr_instance_free(h);
		return NULL;
	}
	return h;
}

/* Puts 'n' driver-owned fds in a VDEV handle as efds 0..n-1. Returns 0 or -rte_errno. */
static inline int
vionet_intr_vdev_handle_set_efds(struct rte_intr_handle *h, const int *fds, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (rte_intr_efds_index_set(h, i, fds[i]) < 0)
			return -rte_errno;
	if (rte_intr_nb_efd_set(h, n) < 0 || rte_intr_max_intr_set(h, n) < 0)
		return -rte_errno;
	return 0;
}

/*
 * The vector list ethdev reads in rte_eth_dev_rx_intr_ctl_q: Rx queue q uses efd (q % nb_efd), so
 * with fewer efds than queues the queues share them round-robin. Returns 0 or -rte_errno.
 */
static inline int
vionet_intr_map_rx_queues(struct rte_intr_handle *h, uint16_t nb_rx_queues, uint16_t nb_efd)
{
	if (rte_intr_vec_list_alloc(h, "vionet_rx_intr", nb_rx_queues) < 0)
		return -rte_errno;
	for (uint16_t q = 0; q < nb_rx_queues; q++)
		if (rte_intr_vec_list_index_set(h, q, RTE_INTR_VEC_RXTX_OFFSET + q % nb_efd) < 0)
			return -rte_errno;
	return 0;
}

/* The eventfd that wakes Rx queue q's waiter (the inverse of vionet_intr_map_rx_queues). */
static inline int
vionet_intr_rx_queue_fd(const struct rte_intr_handle *h, uint16_t q)
{
	int vec = rte_intr_vec_list_index_get(h, q);

	if (vec < RTE_INTR_VEC_RXTX_OFFSET)
		return -1;
	return rte_intr_efds_index_get(h, vec - RTE_INTR_VEC_RXTX_OFFSET);
}

/*
 * eth_dev_ops.dev_supported_ptypes_get: 24.03 added the list's length as an out parameter (the list
 * stays RTE_PTYPE_UNKNOWN-terminated before). VIONET_SUPPORTED_PTYPES_GET(fn) declares the op;
 * its body returns through VIONET_SUPPORTED_PTYPES_RETURN(list, n), n the entries before the end.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 3, 0, 0)
#define VIONET_SUPPORTED_PTYPES_GET(fn) const uint32_t *fn(struct rte_eth_dev *dev, size_t *nb_ptypes)
#define VIONET_SUPPORTED_PTYPES_RETURN(list, n) return (*nb_ptypes = (n), (list))
#else
#define VIONET_SUPPORTED_PTYPES_GET(fn) const uint32_t *fn(struct rte_eth_dev *dev)
#define VIONET_SUPPORTED_PTYPES_RETURN(list, n) return ((void)(n), (list))
#endif

#endif /* VIONET_COMPAT_H */
