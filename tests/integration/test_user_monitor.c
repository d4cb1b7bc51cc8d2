/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_power's monitor mode on net_vionet_user's Rx queue: rte_eth_get_monitor_addr gives the
 * address where the device's next used buffer shows and a condition on its value. This CPU may not
 * have WAITPKG (rte_power_monitor then returns -ENOTSUP), so the test checks the condition itself,
 * with DPDK's vhost library as the device in this process:
 *   - the address is the used ring's idx (split) or the flags of the descriptor at our next used
 *     position (packed), as the back end sees that ring (its memory table maps back to ours), and
 *     2 bytes wide;
 *   - the condition on the value there now says "sleep" (0);
 *   - after the back end enqueued a frame, the condition on the value then at the address says
 *     "wake" (-1); after our Rx took the frame, a fresh condition says "sleep" again;
 *   - the same across a lap of the ring (packed: the wrap counter flips the value that means used).
 *
 * usage: test_user_monitor <plugin.so> split|packed
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_power_intrinsics.h>
#include <rte_vhost.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_vhost_backend.h"

#define RING_SIZE 64
#define FRAME_LEN 100
#define LAPS 3 /* frames: LAPS rings' worth, so every position and both wrap values are seen */

static struct {
	bool packed;
	struct test_loop loop;
} t;

/* An address in the back end's mapping of our memory, as our process addresses it. */
static uintptr_t
ours_from_backend(const void *backend_addr)
{
	struct rte_vhost_memory *mem = NULL;
	uintptr_t a = (uintptr_t)backend_addr, ours = 0;

	if (rte_vhost_get_mem_table(test_backend.vid, &mem) != 0)
		fatal("the back end's memory table");
	for (uint32_t i = 0; i < mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &mem->regions[i];

		if (a >= r->host_user_addr && a < r->host_user_addr + r->size)
			ours = (uintptr_t)(a - r->host_user_addr + r->guest_user_addr);
	}
	free(mem);
	if (ours == 0)
		fatal("the back end's address %p is outside its memory table", backend_addr);
	return ours;
}

/* Where the next used buffer of our Rx ring shows, per the back end's view of the ring. */
static uintptr_t
expected_addr(void)
{
	struct rte_vhost_vring vr;
	uint16_t next_avail, next_used;

	if (rte_vhost_get_vhost_vring(test_backend.vid, TEST_BACKEND_RXQ, &vr) != 0 ||
	    rte_vhost_get_vring_base(test_backend.vid, TEST_BACKEND_RXQ, &next_avail, &next_used) != 0)
		fatal("the back end's Rx ring");
	if (!t.packed)
		return ours_from_backend(&vr.used->idx);
	/* packed: the slot in bits 0-14, the wrap counter in bit 15 */
	return ours_from_backend(&vr.desc_packed[next_used & 0x7fff].flags);
}

static uint64_t
value_at(const struct rte_power_monitor_cond *pmc)
{
	return *(const volatile uint16_t *)pmc->addr;
}

static struct rte_power_monitor_cond
monitor_cond(const char *when)
{
	struct rte_power_monitor_cond pmc;
	int ret;

	memset(&pmc, 0, sizeof(pmc));
	ret = rte_eth_get_monitor_addr(t.loop.port, 0, &pmc);
	require(ret == 0, "%s: rte_eth_get_monitor_addr: %s", when, strerror(-ret));
	require(pmc.fn != NULL && pmc.size == 2, "%s: condition fn %p size %u", when,
		(void *)pmc.fn, pmc.size);
	check((uintptr_t)pmc.addr == expected_addr(), "%s: monitored address %p, the ring's is %p",
	      when, (void *)(uintptr_t)pmc.addr, (void *)expected_addr());
	return pmc;
}

/* One frame through the back end into our Rx ring, watched by the condition. */
static void
one_frame(uint32_t i)
{
	char when[64];
	struct rte_power_monitor_cond pmc;
	struct rte_mbuf *m, *got = NULL;
	unsigned int spins = 0;
	uint16_t n = 0;

	snprintf(when, sizeof(when), "frame %u", i);
	pmc = monitor_cond(when);
	check(pmc.fn(value_at(&pmc), pmc.opaque) == 0,
	      "%s: the condition on an idle ring (value 0x%" PRIx64 ") says wake", when,
	      value_at(&pmc));
	m = test_frame(&t.loop, t.loop.seq, FRAME_LEN);
	require(rte_vhost_enqueue_burst(test_backend.vid, TEST_BACKEND_RXQ, &m, 1) == 1,
		"%s: the back end could not enqueue", when);
	rte_pktmbuf_free(m);
	check(pmc.fn(value_at(&pmc), pmc.opaque) == -1,
	      "%s: a used buffer arrived (value 0x%" PRIx64 ") and the condition says sleep", when,
	      value_at(&pmc));
	while (n == 0 && ++spins < TEST_SPIN_LIMIT)
		n = rte_eth_rx_burst(t.loop.port, 0, &got, 1);
	require(n == 1 && test_frame_ok(got, t.loop.seq, FRAME_LEN), "%s: our Rx got %u frames", when,
		n);
	rte_pktmbuf_free(got);
	t.loop.seq++;
	pmc = monitor_cond(when);
	check(pmc.fn(value_at(&pmc), pmc.opaque) == 0,
	      "%s: after our Rx took the frame the condition (value 0x%" PRIx64 ") says wake", when,
	      value_at(&pmc));
}

int
main(int argc, char **argv)
{
	char args[256];
	struct rte_eth_conf conf = {0};

	tally.name = "test_user_monitor";
	if (argc != 3 || (strcmp(argv[2], "split") != 0 && strcmp(argv[2], "packed") != 0))
		fatal("usage: %s <plugin.so> split|packed", argv[0]);
	t.packed = strcmp(argv[2], "packed") == 0;
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	test_vhost_eal_init(argv[0], argv[1], "vionet_monitor", NULL, NULL);
	t.loop.ours_pool = test_pool("ours", 1023);
	t.loop.vhost_pool = test_pool("vhost", 1023);
	test_backend_start(0);
	/* mrg_rxbuf=0: one descriptor per frame, so each frame moves the used position by one. */
	snprintf(args, sizeof(args), "path=%s,queues=1,packed_vq=%d,mrg_rxbuf=0", test_backend.sock,
		 t.packed);
	if (rte_vdev_init("net_vionet_user0", args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.loop.port) != 0)
		fatal("net_vionet_user0 probe");
	test_port_configure(t.loop.port, &conf, 1, RING_SIZE, t.loop.ours_pool);
	test_port_start(t.loop.port, TEST_BACKEND_WAIT_S, "start");
	test_backend_wait_running("start");
	for (uint32_t i = 0; i < LAPS * RING_SIZE; i++)
		one_frame(i);
	printf("%s: %d frames, each watched by a fresh condition\n", argv[2], LAPS * RING_SIZE);
	check(rte_eth_dev_stop(t.loop.port) == 0, "stop");
	check(rte_eth_dev_close(t.loop.port) == 0, "close");
	test_backend_stop();
	rte_eal_cleanup();
	return tally_finish();
}
