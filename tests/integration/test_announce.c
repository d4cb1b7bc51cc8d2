/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GUEST_ANNOUNCE on net_vionet PCI ports (the vm suite's guest: two virtio-net functions on one QEMU
 * hub; the host's QEMU monitor runs announce_self on request).
 *
 * usage: test_announce <request file> <done file> <EAL arguments: -d plugin -a bdf0 -a bdf1 ...>
 *   Both ports start (1 queue pair each). Port 1 takes another MAC address (02:00:00:00:00:a1), which
 *   QEMU does not know: a RARP frame carrying it can only come from the driver. Port 1 registers an
 *   announce callback (rte_pmd_vionet_announce_callback_register, found with dlsym). Then the test
 *   creates <request file> and waits for <done file>: the host has had QEMU announce every NIC
 *   (VIRTIO_NET_S_ANNOUNCE and a configuration interrupt per round, for a driver that negotiated
 *   VIRTIO_NET_F_GUEST_ANNOUNCE). Port 0 receives what port 1 sends. Checks:
 *     - port 1 negotiated the request and handled it: xstats announce_requests, announce_frames_sent
 *       and announce_acked at least 1 (the device took VIRTIO_NET_CTRL_ANNOUNCE_ACK: QEMU refuses it
 *       when it had not asked), announce_failed 0;
 *     - the application's callback ran once per handled request (announce_acked), for port 1;
 *     - port 0 received RARP frames (request reverse, 5.1.6.5.4's "gratuitous packets") whose
 *       Ethernet source and sender hardware address are port 1's new address, as many as port 1
 *       sent; QEMU's own frames for the function (its original address) are counted apart;
 *     - after an unregister the callback is no longer called (a second announce round).
 * A frame or a count not there is waited for with a bound that only turns a hang into a failure.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "test_ethdev.h"
#include "test_tally.h"

#define RING_SIZE 256
#define HANG_S 120 /* the host's announce not there after this long: a hang */
#define SETTLE_S 8 /* after the last round: late frames and requests */

typedef void (*announce_cb_t)(uint16_t port_id, void *arg);
typedef int (*announce_reg_t)(uint16_t port_id, announce_cb_t cb, void *arg);

static const struct rte_ether_addr new_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0xa1}};
static uint32_t callbacks[2];

static void
count_announce(uint16_t port_id, void *arg)
{
	if (port_id < RTE_DIM(callbacks))
		__atomic_add_fetch(&callbacks[port_id], 1, __ATOMIC_RELEASE);
	check(arg == &callbacks[0], "the callback's argument is not the registered one");
}

struct rarp_count {
	unsigned int ours;  /* source and sender address: port 1's new address */
	unsigned int qemu;  /* QEMU's own, for the function's original address */
	unsigned int other; /* any other RARP */
};

/* Receives on port 0 until the deadline, counting RARP frames by their source. */
static void
receive_rarp(struct rarp_count *c, const struct rte_ether_addr *qemu_mac, double seconds)
{
	double until = test_deadline(seconds);
	struct rte_mbuf *pkts[32];

	while (!test_past(until)) {
		uint16_t n = rte_eth_rx_burst(0, 0, pkts, RTE_DIM(pkts));

		for (uint16_t i = 0; i < n; i++) {
			const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
			const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

			if (pkts[i]->data_len >= sizeof(*eth) + sizeof(*arp) &&
			    eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP)) {
				if (rte_is_same_ether_addr(&eth->src_addr, &new_mac) &&
				    rte_is_same_ether_addr(&arp->arp_data.arp_sha, &new_mac) &&
				    arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REVREQUEST))
					c->ours++;
				else if (rte_is_same_ether_addr(&eth->src_addr, qemu_mac))
					c->qemu++;
				else
					c->other++;
			}
			rte_pktmbuf_free(pkts[i]);
		}
		if (n == 0)
			usleep(1000);
	}
}

/* Asks the host for one announce_self and waits until it says it ran. */
static void
host_announce(const char *request, const char *done)
{
	double until = test_deadline(HANG_S);
	FILE *f;

	unlink(done);
	f = fopen(request, "w");
	if (f == NULL)
		fatal("cannot create %s: %s", request, strerror(errno));
	fclose(f);
	while (access(done, F_OK) != 0) {
		if (test_past(until))
			fatal("the host did not announce within %d s", HANG_S);
		usleep(100000);
	}
	unlink(request);
}

static const char *
plugin_of(int argc, char **argv)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], "-d") == 0)
			return argv[i + 1];
	fatal("no -d <plugin> among the EAL arguments");
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	struct rte_ether_addr qemu_mac;
	struct rarp_count c = {0};
	announce_reg_t reg, unreg;
	struct rte_mempool *pool;
	const char *request, *done;
	void *lib;

	tally.name = "test_announce";
	if (argc < 4)
		fatal("usage: %s <request file> <done file> <EAL arguments>", argv[0]);
	request = argv[1];
	done = argv[2];
	argv[2] = argv[0];
	if (rte_eal_init(argc - 2, argv + 2) < 0)
		fatal("EAL init");
	if (rte_eth_dev_count_avail() != 2)
		fatal("%u ports, expected the two functions on the hub", rte_eth_dev_count_avail());
	for (uint16_t p = 0; p < 2; p++)
		if (rte_eth_dev_info_get(p, &info) != 0 || strcmp(info.driver_name, "net_vionet") != 0)
			fatal("port %u is not driven by net_vionet", p);
	lib = dlopen(plugin_of(argc - 2, argv + 2), RTLD_NOW | RTLD_NOLOAD);
	reg = lib != NULL ? (announce_reg_t)dlsym(lib, "rte_pmd_vionet_announce_callback_register")
			  : NULL;
	unreg = lib != NULL ? (announce_reg_t)dlsym(lib, "rte_pmd_vionet_announce_callback_unregister")
			    : NULL;
	require(reg != NULL && unreg != NULL, "the announce callback calls are not in the plugin");

	pool = test_pool("announce_pool", 4095);
	for (uint16_t p = 0; p < 2; p++) {
		test_port_configure(p, &conf, 1, RING_SIZE, pool);
		test_port_start(p, 30, "start");
	}
	rte_eth_macaddr_get(1, &qemu_mac);
	require(rte_eth_dev_default_mac_addr_set(1, (struct rte_ether_addr *)&new_mac) == 0,
		"port 1 takes the address 02:00:00:00:00:a1");
	rte_eth_promiscuous_enable(0);
	check(reg(1, count_announce, &callbacks[0]) == 0, "callback registered on port 1");
	check(reg(1, count_announce, &callbacks[0]) == -EEXIST, "the same registration twice: -EEXIST");
	check(reg(1, NULL, NULL) == -EINVAL, "a NULL callback: -EINVAL");
	check(reg(RTE_MAX_ETHPORTS - 1, count_announce, NULL) == -ENODEV, "no such port: -ENODEV");

	host_announce(request, done);
	receive_rarp(&c, &qemu_mac, SETTLE_S);
	uint64_t requests = test_xstat(1, "announce_requests");
	uint64_t sent = test_xstat(1, "announce_frames_sent");
	uint64_t acked = test_xstat(1, "announce_acked");
	uint64_t failed = test_xstat(1, "announce_failed");
	uint32_t called = __atomic_load_n(&callbacks[1], __ATOMIC_ACQUIRE);

	printf("test_announce: port 1: %" PRIu64 " requests, %" PRIu64 " RARP sent, %" PRIu64
	       " acknowledged, %" PRIu64 " failed, %u callbacks; port 0 received %u of ours, %u of "
	       "QEMU's, %u other RARP\n",
	       requests, sent, acked, failed, called, c.ours, c.qemu, c.other);
	check(requests >= 1, "port 1 saw the device's announce request");
	check(sent >= 1 && sent <= requests, "port 1 sent a RARP per handled request (%" PRIu64 ")",
	      sent);
	check(acked >= 1 && acked == sent, "the device took the acknowledgements (%" PRIu64 " of %" PRIu64
	      ")", acked, sent);
	check(failed == 0, "no request failed (%" PRIu64 ")", failed);
	check(called == acked, "the callback ran once per handled request (%u, %" PRIu64 ")", called,
	      acked);
	check(callbacks[0] == 0, "port 0's requests called no callback (none registered)");
	check(c.ours == sent, "port 0 received port 1's RARP frames with its new address (%u of %" PRIu64
	      ")", c.ours, sent);
	check(test_xstat(0, "announce_acked") >= 1, "port 0 announced too");

	/* Unregistered: the next round runs without the application. */
	check(unreg(1, count_announce, &callbacks[0]) == 0, "callback unregistered");
	check(unreg(1, count_announce, &callbacks[0]) == -ENOENT, "unregistered twice: -ENOENT");
	host_announce(request, done);
	receive_rarp(&c, &qemu_mac, SETTLE_S);
	check(test_xstat(1, "announce_acked") > acked, "port 1 announced again");
	check(__atomic_load_n(&callbacks[1], __ATOMIC_ACQUIRE) == called,
	      "no callback after the unregister");

	for (uint16_t p = 0; p < 2; p++) {
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	rte_eal_cleanup();
	return tally_finish();
}
