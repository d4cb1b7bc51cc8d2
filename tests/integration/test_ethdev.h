/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethdev helpers the integration test programs share: EAL for one process that holds a net_vhost
 * port and our plugin, a mempool, a port configured with its queue pairs, a start that waits for
 * the link, an xstat read by name. What the test did not set out to check and still fails ends the
 * program (fatal).
 */
#ifndef TEST_ETHDEV_H
#define TEST_ETHDEV_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cpuflags.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test_tally.h"

/* A temporary folder for a vhost-user socket: its path in sock; both are removed at exit. */
static inline void
test_socket_path(char *sock, size_t sock_len)
{
	char dir[] = "/run/vionet-test-XXXXXX";

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	snprintf(sock, sock_len, "%s/vh.sock", dir);
	tally_remove_on_exit(dir, sock);
}

/*
 * EAL for a net_vionet_user port and the net_vhost0 port (with vhost_args) it talks to, in this
 * process: one lcore, 256 MB in one file, no PCI, the plugin, and eal_extra (one more EAL option,
 * or NULL). file_tag and the pid name the run's files. vhost_args NULL: no net_vhost0 at start
 * (the test creates its back end itself).
 */
static inline void
test_vhost_eal_init(const char *argv0, const char *plugin, const char *file_tag,
                    const char *vhost_args, const char *eal_extra)
{
	char prefix[64], vdev_vhost[300];
	char *eal[16];
	int n = 0;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", file_tag, getpid());
	eal[n++] = (char *)argv0;
	eal[n++] = "-l";
	eal[n++] = "0";
	eal[n++] = prefix;
	eal[n++] = "-m";
	eal[n++] = "256";
	eal[n++] = "--no-pci";
	eal[n++] = "--single-file-segments";
	eal[n++] = "-d";
	eal[n++] = (char *)plugin;
	if (vhost_args != NULL) {
		snprintf(vdev_vhost, sizeof(vdev_vhost), "net_vhost0,%s", vhost_args);
		eal[n++] = "--vdev";
		eal[n++] = vdev_vhost;
	}
	if (eal_extra != NULL)
		eal[n++] = (char *)eal_extra;
	eal[n] = NULL;
	if (rte_eal_init(n, eal) < 0)
		fatal("EAL init");
}

/* Whether this CPU has what the driver's vector path of that width ("sse", "avx2", "avx512")
 * needs. */
static inline bool
test_cpu_runs(const char *width)
{
	if (strcmp(width, "sse") == 0)
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2) > 0;
	if (strcmp(width, "avx2") == 0)
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
	return strcmp(width, "avx512") == 0 && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512VL) > 0;
}

/* A packet mbuf pool of `count` default-size buffers, 256 of them cached per lcore. */
static inline struct rte_mempool *
test_pool(const char *name, unsigned int count)
{
	struct rte_mempool *pool = rte_pktmbuf_pool_create(
	        name, count, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());

	if (pool == NULL)
		fatal("mempool %s: %s", name, rte_strerror(rte_errno));
	return pool;
}

/* `port` configured with conf and `queues` Rx/Tx queue pairs of ring_size descriptors each, its Rx
 * buffers from pool. */
static inline void
test_port_configure_queues(uint16_t port, const struct rte_eth_conf *conf, uint16_t nb_rx,
                           uint16_t nb_tx, uint16_t ring_size, struct rte_mempool *pool)
{
	int ret = rte_eth_dev_configure(port, nb_rx, nb_tx, conf);

	if (ret < 0)
		fatal("configure port %u with %u Rx and %u Tx queues: %s", port, nb_rx, nb_tx,
		      strerror(-ret));
	for (uint16_t q = 0; q < RTE_MAX(nb_rx, nb_tx); q++) {
		ret = q < nb_rx ? rte_eth_rx_queue_setup(port, q, ring_size, rte_socket_id(), NULL, pool)
				: 0;
		if (ret == 0 && q < nb_tx)
			ret = rte_eth_tx_queue_setup(port, q, ring_size, rte_socket_id(), NULL);
		if (ret < 0)
			fatal("queue %u setup on port %u: %s", q, port, strerror(-ret));
	}
}

static inline void
test_port_configure(uint16_t port, const struct rte_eth_conf *conf, uint16_t queues,
                    uint16_t ring_size, struct rte_mempool *pool)
{
	test_port_configure_queues(port, conf, queues, queues, ring_size, pool);
}

/* Polls the link every 10 ms until it is up (or down); not there after timeout_s is a hang. */
static inline void
test_port_wait_link(uint16_t port, bool up, unsigned int timeout_s, const char *when)
{
	struct rte_eth_link link;

	for (unsigned int i = 0; i < timeout_s * 100; i++) {
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    (link.link_status == RTE_ETH_LINK_UP) == up)
			return;
		usleep(10000);
	}
	fatal("%s: link of port %u never went %s", when, port, up ? "up" : "down");
}

/* Starts the port and waits (up to timeout_s) for its link to come up. */
static inline void
test_port_start(uint16_t port, unsigned int timeout_s, const char *when)
{
	int ret = rte_eth_dev_start(port);

	if (ret < 0)
		fatal("%s: start port %u: %s", when, port, strerror(-ret));
	test_port_wait_link(port, true, timeout_s, when);
}

/* An ethdev event callback that counts: register it with a uint32_t counter as its argument. */
static inline int
test_count_event(uint16_t port, enum rte_eth_event_type type, void *counter, void *ret)
{
	RTE_SET_USED(port);
	RTE_SET_USED(type);
	RTE_SET_USED(ret);
	__atomic_add_fetch((uint32_t *)counter, 1, __ATOMIC_RELEASE);
	return 0;
}

/* The xstat `name` of `port`; one that does not exist is a failed check (and UINT64_MAX). */
static inline uint64_t
test_xstat(uint16_t port, const char *name)
{
	uint64_t id, value;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1) {
		check(false, "port %u has no xstat %s", port, name);
		return UINT64_MAX;
	}
	return value;
}

#endif /* TEST_ETHDEV_H */
