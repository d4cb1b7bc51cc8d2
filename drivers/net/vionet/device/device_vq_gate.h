/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who may touch a ring: the bursts, or the control path re-creating it (port stop, back end
 * reconnect, device recovery). Bursts pass a gate on entry and exit; the control path closes the
 * gates of a port, waits until no burst is inside, does its work and opens them again.
 *
 * Why not a lock: a locked read-modify-write per burst and direction drains the store buffer, and at
 * burst entry that buffer holds the previous burst's ring stores to cache lines the device's core
 * owns. The gate costs a burst two plain stores and one load. The ordering a lock would give is paid
 * for on the (rare) control side instead: membarrier(MEMBARRIER_CMD_GLOBAL) runs a full barrier on
 * every thread of every process (primary and secondaries), between the control path's "closed"
 * store and its reads of the bursts' sequence counters. Where the kernel lacks that command
 * (nohz_full, old kernels), each burst pays the full fence itself (fence_needed).
 *
 * The protocol (a Dekker pair with one side's fence made asymmetric):
 *   burst:   seq = odd;  fence;      if closed: seq = even, return;  ...ring...;  seq = even
 *   control: closed = 1; membarrier; wait while seq is odd and unchanged;  ...ring...;  closed = 0
 * Either the burst's odd store is visible to the control path (it waits for the burst to end) or the
 * burst's load comes after the barrier and sees the gate closed.
 * A burst that finds its ring broken closes its own gate on the way out (vionet_vq_report_broken):
 * a control path can only close it too, and only a start opens it again.
 */
#ifndef VIONET_VQ_GATE_H
#define VIONET_VQ_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>

struct vionet_vq_gate {
	uint32_t seq;	     /* odd while a burst runs; written only by the lcore running the queue */
	/* written by the control path, and by a burst closing its own gate on a broken ring */
	uint8_t closed;
	uint8_t fence_needed; /* no system-wide barrier from the kernel: bursts fence themselves */
};

/* Starts closed: a queue takes traffic only once the port has started it. */
void vionet_vq_gate_init(struct vionet_vq_gate *g);

/* Burst entry: false when the ring belongs to the control path (the burst must return at once). */
static __rte_always_inline bool
vionet_vq_gate_enter(struct vionet_vq_gate *g)
{
	uint32_t seq = __atomic_load_n(&g->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&g->seq, seq + 1, __ATOMIC_RELAXED);
	if (unlikely(g->fence_needed))
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST); /* the compiler keeps the store before the load */
	/* acquire: ring accesses of the burst stay after the check (and see a re-created ring whole) */
	if (unlikely(__atomic_load_n(&g->closed, __ATOMIC_ACQUIRE) != 0)) {
		__atomic_store_n(&g->seq, seq + 2, __ATOMIC_RELEASE);
		return false;
	}
	return true;
}

/* Burst exit. release: the burst's ring and queue writes before the control path may look. */
static __rte_always_inline void
vionet_vq_gate_exit(struct vionet_vq_gate *g)
{
	__atomic_store_n(&g->seq, __atomic_load_n(&g->seq, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}

/*
 * Control path, for a set of gates (a port's queues): close each, one vionet_vq_gates_sync() for
 * the set (one system-wide barrier, about 10 ms here, whatever the set's size), then wait on each.
 * From then on the rings are the control path's until it opens the gates.
 */
static inline void
vionet_vq_gate_close(struct vionet_vq_gate *g)
{
	__atomic_store_n(&g->closed, 1, __ATOMIC_RELAXED);
}

/* fenced_bursts: some gate of the set has fence_needed (its bursts fence themselves). */
void vionet_vq_gates_sync(bool fenced_bursts);
/* Returns once no burst that could have missed the closing is inside the gate. */
void vionet_vq_gate_wait(const struct vionet_vq_gate *g);

/* The three steps above for a single gate: on return the ring is the control path's. */
static inline void
vionet_vq_gate_hold(struct vionet_vq_gate *g)
{
	vionet_vq_gate_close(g);
	vionet_vq_gates_sync(g->fence_needed);
	vionet_vq_gate_wait(g);
}

/* release: the control path's ring writes are visible to the next burst. */
static inline void
vionet_vq_gate_open(struct vionet_vq_gate *g)
{
	__atomic_store_n(&g->closed, 0, __ATOMIC_RELEASE);
}

#endif /* VIONET_VQ_GATE_H */
