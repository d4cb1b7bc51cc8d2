/* SPDX-License-Identifier: BSD-3-Clause */
/* The control path's half of the burst gates (vionet_vq_gate.h says why and how). */
#include "device/device_vq_gate.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "base/vionet_log.h"

static long
membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

static bool
system_barrier_available(void)
{
	long cmds = membarrier(MEMBARRIER_CMD_QUERY);

	return cmds > 0 && (cmds & MEMBARRIER_CMD_GLOBAL) != 0;
}

void
vionet_vq_gate_init(struct vionet_vq_gate *g)
{
	g->seq = 0;
	g->closed = 1;
	g->fence_needed = !system_barrier_available();
	if (g->fence_needed)
		VIONET_INIT_LOG(DEBUG, "membarrier(MEMBARRIER_CMD_GLOBAL) unavailable: bursts fence on entry");
}

/* A burst is bounded (one ring's worth of work): spin briefly, then let it run. */
void
vionet_vq_gate_wait(const struct vionet_vq_gate *g)
{
	uint32_t seq = __atomic_load_n(&g->seq, __ATOMIC_ACQUIRE);
	unsigned int spins = 0;

	if ((seq & 1) == 0)
		return;
	while (__atomic_load_n(&g->seq, __ATOMIC_ACQUIRE) == seq) {
		if (++spins < 1000)
			rte_pause();
		else
			rte_delay_us_sleep(10);
	}
}

void
vionet_vq_gates_sync(bool fenced_bursts)
{
	/* With fencing bursts a local fence pairs with theirs; otherwise the kernel's barrier does. */
	if (!fenced_bursts && membarrier(MEMBARRIER_CMD_GLOBAL) == 0)
		return;
	if (!fenced_bursts)
		VIONET_LOG(ERR, "membarrier: %s: bursts that do not fence may still be running",
			   strerror(errno));
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}
