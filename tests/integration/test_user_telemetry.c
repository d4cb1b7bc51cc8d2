/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /vionet/... telemetry endpoints through the real telemetry socket of this process (EAL with
 * telemetry on), as dpdk-telemetry.py would reach them. net_vionet_user (2 queue pairs, devarg
 * speed=25000) against DPDK's vhost library in the same process; a net_null port beside it, which
 * is not ours.
 *
 * usage: test_user_telemetry <plugin.so> split|packed
 *
 * Checks: /vionet/ports lists our port and not the other; /vionet/info says what dev_info, the
 * burst mode, fw_version (the negotiated features), rx queue info and the link say, with the ring
 * layout of the scenario; /vionet/queues has every queue started and unbroken with the ring size
 * and the error counters of the xstats (one Tx packet dropped on queue 1 shows there); speed_capa
 * is 25G and FIXED; every bad parameter gets telemetry's error reply (null) and the socket still
 * answers. After a stop: stopped, queues not started. split only, started again: a used index
 * jumping past Rx ring 1 breaks the port: state broken with the reason, rx1 broken, rx0 not.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_telemetry_json.h"
#include "test_vhost_backend.h"

#define RING_SIZE 256
#define PAIRS 2
#define WAIT_S 30
#define SPEED_MBPS 25000
/* Tx segments our port drops a packet for (VIONET_TX_MAX_SEGS) */
#define TX_SEGS_TOO_MANY 64

static struct {
	bool packed;
	struct test_loop loop;
	uint16_t other_port; /* net_null: not ours */
	int sock;
	char reply[TEST_TELEMETRY_REPLY_MAX];
	char obj[4096];
	uint32_t resets;
} t;

/* The reply to cmd with its "<command>": prefix and closing brace taken off. */
static const char *
query(const char *cmd)
{
	char name[64];
	size_t prefix;

	test_telemetry_query(t.sock, cmd, t.reply, sizeof(t.reply));
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	prefix = strlen(name) + 4; /* {"name": */
	require(strncmp(t.reply, "{\"", 2) == 0 && strncmp(t.reply + 2, name, strlen(name)) == 0 &&
			strlen(t.reply) > prefix && t.reply[strlen(t.reply) - 1] == '}',
		"%s: reply is not {\"%s\":...}: %s", cmd, name, t.reply);
	t.reply[strlen(t.reply) - 1] = '\0';
	return t.reply + prefix;
}

static bool
is_error_reply(const char *cmd)
{
	return strcmp(query(cmd), "null") == 0;
}

static void
check_string(const char *json, const char *key, const char *want, const char *when)
{
	char got[256];

	if (!check(test_json_string(json, key, got, sizeof(got)), "%s: no string \"%s\"", when, key))
		return;
	check(strcmp(got, want) == 0, "%s: \"%s\" is \"%s\", expected \"%s\"", when, key, got, want);
}

static void
check_number(const char *json, const char *key, uint64_t want, const char *when)
{
	uint64_t got = test_json_u64(json, key);

	check(got == want, "%s: \"%s\" is %" PRIu64 ", expected %" PRIu64, when, key, got, want);
}

/* The negotiated features as fw_version tells them ("... features 0x..."). */
static uint64_t
fw_features(void)
{
	char fw[256];
	const char *p;

	require(rte_eth_dev_fw_version_get(t.loop.port, fw, sizeof(fw)) == 0, "fw_version_get");
	p = strstr(fw, "features 0x");
	require(p != NULL, "fw_version without features: %s", fw);
	return strtoull(p + strlen("features "), NULL, 16);
}

static void
check_ports(void)
{
	char list[256], want[16];
	const char *r = query("/vionet/ports");

	if (!check(r[0] == '[' && r[strlen(r) - 1] == ']', "/vionet/ports: not an array: %s", r))
		return;
	/* ",0,3," from "[0,3]": each port between commas */
	snprintf(list, sizeof(list), ",%.*s,", (int)strlen(r) - 2, r + 1);
	snprintf(want, sizeof(want), ",%u,", t.loop.port);
	check(strstr(list, want) != NULL, "/vionet/ports %s lacks our port %u", r, t.loop.port);
	snprintf(want, sizeof(want), ",%u,", t.other_port);
	check(strstr(list, want) == NULL, "/vionet/ports %s lists the net_null port %u", r,
	      t.other_port);
}

static void
check_info_started(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_burst_mode rx_mode, tx_mode;
	struct rte_eth_rxq_info rxq;
	struct rte_eth_link link;
	char cmd[64], hex[24], names[2048];
	uint64_t features = fw_features();
	uint16_t mtu;
	unsigned int n_names = 0;
	const char *r;

	require(rte_eth_dev_info_get(t.loop.port, &info) == 0, "dev_info_get");
	require(rte_eth_rx_burst_mode_get(t.loop.port, 0, &rx_mode) == 0 &&
			rte_eth_tx_burst_mode_get(t.loop.port, 0, &tx_mode) == 0,
		"burst_mode_get");
	require(rte_eth_rx_queue_info_get(t.loop.port, 0, &rxq) == 0, "rx_queue_info_get");
	require(rte_eth_link_get_nowait(t.loop.port, &link) == 0, "link_get");
	require(rte_eth_dev_get_mtu(t.loop.port, &mtu) == 0, "get_mtu");
	snprintf(cmd, sizeof(cmd), "/vionet/info,%u", t.loop.port);
	r = query(cmd);

	check_number(r, "port", t.loop.port, cmd);
	check_string(r, "driver", "net_vionet_user", cmd);
	check_string(r, "transport", "vhost-user", cmd);
	check_string(r, "device", "net_vionet_user0", cmd);
	check_string(r, "socket", test_backend.sock, cmd);
	check_string(r, "socket_mode", "client", cmd);
	snprintf(hex, sizeof(hex), "0x%016" PRIx64, features);
	check_string(r, "features", hex, cmd);
	if (check(test_json_array(r, "feature_names", names, sizeof(names)), "%s: no feature_names",
		  cmd)) {
		for (const char *p = names; (p = strchr(p, '"')) != NULL; p = strchr(p + 1, '"') + 1)
			n_names++;
		check(n_names == (unsigned int)__builtin_popcountll(features),
		      "%s: %u feature names for %d feature bits: %s", cmd, n_names,
		      __builtin_popcountll(features), names);
		check(strstr(names, "\"VIRTIO_F_VERSION_1\"") != NULL, "%s: no VERSION_1 in %s", cmd,
		      names);
		check((strstr(names, "\"VIRTIO_F_RING_PACKED\"") != NULL) == t.packed,
		      "%s: RING_PACKED %s in %s", cmd, t.packed ? "missing" : "named", names);
		check((strstr(names, "\"VIRTIO_NET_F_MRG_RXBUF\"") != NULL) == !t.packed,
		      "%s: MRG_RXBUF %s in %s", cmd, t.packed ? "named" : "missing", names);
	}
	check_string(r, "ring_layout", t.packed ? "packed" : "split", cmd);
	check_number(r, "in_order", !t.packed, cmd);
	check_number(r, "mergeable_rx_buffers", !t.packed, cmd);
	check_number(r, "mergeable_rx_buffers", rxq.scattered_rx, cmd);
	check_number(r, "ring_size_default", info.default_rxportconf.ring_size, cmd);
	check_number(r, "ring_size_max", info.rx_desc_lim.nb_max, cmd);
	check_number(r, "max_queue_pairs", info.max_rx_queues, cmd);
	check_number(r, "active_queue_pairs", PAIRS, cmd);
	check_number(r, "rx_queues", PAIRS, cmd);
	check_number(r, "tx_queues", PAIRS, cmd);
	check_number(r, "max_mtu", info.max_mtu, cmd);
	check_number(r, "mtu", mtu, cmd);
	check_number(r, "speed_mbps", link.link_speed, cmd);
	check_number(r, "speed_mbps", SPEED_MBPS, cmd);
	check_string(r, "duplex", "full", cmd);
	check_string(r, "link", "up", cmd);
	check_string(r, "rx_burst_mode", rx_mode.info, cmd);
	check_string(r, "tx_burst_mode", tx_mode.info, cmd);
	check_string(r, "state", "started", cmd);
	check_number(r, "started", 1, cmd);
	check_number(r, "broken", 0, cmd);
	check(test_json_value(r, "broken_reason") == NULL, "%s: a broken_reason on a healthy port", cmd);
	check(info.speed_capa == (RTE_ETH_LINK_SPEED_25G | RTE_ETH_LINK_SPEED_FIXED),
	      "speed_capa 0x%x with devarg speed=%u, expected 25G and FIXED", info.speed_capa,
	      SPEED_MBPS);
}

static void
check_info_stopped(void)
{
	char cmd[64];
	const char *r;

	snprintf(cmd, sizeof(cmd), "/vionet/info,%u", t.loop.port);
	r = query(cmd);
	check_string(r, "state", "stopped", cmd);
	check_number(r, "started", 0, cmd);
	check_string(r, "rx_burst_mode", "stopped", cmd);
	check_string(r, "tx_burst_mode", "stopped", cmd);
	check_string(r, "link", "down", cmd);
}

/* One queue's dict from /vionet/queues: started, broken, ring size and its xstats' errors. */
static void
check_queue(const char *r, const char *dir, uint16_t q, bool started, bool broken,
	    const char *const *errors, unsigned int n_errors, const char *when)
{
	char key[16], xstat[64], what[96];

	snprintf(key, sizeof(key), "%s%u", dir, q);
	snprintf(what, sizeof(what), "%s %s", when, key);
	if (!check(test_json_object(r, key, t.obj, sizeof(t.obj)), "%s: missing", what))
		return;
	check_number(t.obj, "set_up", 1, what);
	check_number(t.obj, "started", started, what);
	check_number(t.obj, "broken", broken, what);
	check_number(t.obj, "ring_size", RING_SIZE, what);
	for (unsigned int i = 0; i < n_errors; i++) {
		snprintf(xstat, sizeof(xstat), "%s_q%u_%s", dir, q, errors[i]);
		check_number(t.obj, errors[i], test_xstat(t.loop.port, xstat), what);
	}
}

static const char *const rx_errors[] = {"errors", "mbuf_alloc_failed", "runt_frames_dropped",
					"invalid_used_rejected", "event_suppression_rejected",
					"notifications_late"};
static const char *const tx_errors[] = {"errors", "invalid_used_rejected",
					"event_suppression_rejected", "notifications_late"};

static void
check_queues(bool started, const char *when)
{
	char cmd[64];
	const char *r;

	snprintf(cmd, sizeof(cmd), "/vionet/queues,%u", t.loop.port);
	r = query(cmd);
	for (uint16_t q = 0; q < PAIRS; q++) {
		check_queue(r, "rx", q, started, false, rx_errors, RTE_DIM(rx_errors), when);
		check_queue(r, "tx", q, started, false, tx_errors, RTE_DIM(tx_errors), when);
	}
	check(test_json_value(r, "rx2") == NULL, "%s: a queue rx2 on a port of %u pairs", when, PAIRS);
	/* One pair only. */
	snprintf(cmd, sizeof(cmd), "/vionet/queues,%u,1", t.loop.port);
	r = query(cmd);
	check(test_json_value(r, "rx1") != NULL && test_json_value(r, "tx1") != NULL &&
		      test_json_value(r, "rx0") == NULL,
	      "%s: /vionet/queues,<port>,1 is not pair 1 alone: %s", when, r);
}

/* A packet of too many segments on Tx queue 1: dropped, counted in tx_q1_errors. */
static void
drop_on_tx_queue_1(void)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(t.loop.ours_pool);

	require(head != NULL, "mbuf");
	rte_pktmbuf_append(head, 60);
	for (unsigned int i = 1; i < TX_SEGS_TOO_MANY; i++) {
		struct rte_mbuf *seg = rte_pktmbuf_alloc(t.loop.ours_pool);

		require(seg != NULL && rte_pktmbuf_append(seg, 1) != NULL && rte_pktmbuf_chain(head, seg) == 0,
			"segment %u", i);
	}
	check(rte_eth_tx_burst(t.loop.port, 1, &head, 1) == 1, "the 64-segment packet not taken");
	check(test_xstat(t.loop.port, "tx_q1_errors") == 1, "tx_q1_errors %" PRIu64 ", expected 1",
	      test_xstat(t.loop.port, "tx_q1_errors"));
}

static void
check_bad_parameters(void)
{
	char cmd[64];
	const char *bad[] = {"/vionet/info", "/vionet/info,", "/vionet/info,abc", "/vionet/info,0x0",
			     "/vionet/info,-1", "/vionet/info,99999999999999999999",
			     "/vionet/info, 0", "/vionet/queues,x", "/vionet/ports,0",
			     "/vionet/info,65535"};

	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		check(is_error_reply(bad[i]), "%s: no error reply: %s", bad[i], t.reply);
	snprintf(cmd, sizeof(cmd), "/vionet/info,%u", t.other_port);
	check(is_error_reply(cmd), "%s (net_null, not ours): no error reply: %s", cmd, t.reply);
	snprintf(cmd, sizeof(cmd), "/vionet/queues,%u", t.other_port);
	check(is_error_reply(cmd), "%s (net_null, not ours): no error reply: %s", cmd, t.reply);
	snprintf(cmd, sizeof(cmd), "/vionet/info,%u,1", t.loop.port);
	check(is_error_reply(cmd), "%s (a second parameter): no error reply: %s", cmd, t.reply);
	snprintf(cmd, sizeof(cmd), "/vionet/queues,%u,%u", t.loop.port, PAIRS);
	check(is_error_reply(cmd), "%s (no such pair): no error reply: %s", cmd, t.reply);
	snprintf(cmd, sizeof(cmd), "/vionet/queues,%u,1x", t.loop.port);
	check(is_error_reply(cmd), "%s: no error reply: %s", cmd, t.reply);
	/* Still answering. */
	snprintf(cmd, sizeof(cmd), "/vionet/info,%u", t.loop.port);
	check(!is_error_reply(cmd), "%s after the bad ones: %s", cmd, t.reply);
}

/* Split: used.idx of the back end's Rx ring 1 (vring 2) moved past the ring; our next Rx burst on
 * queue 1 sees it and breaks the port. */
static void
break_rx_queue_1(void)
{
	struct rte_vhost_vring vr;
	struct rte_mbuf *pkts[32];
	uint16_t last_avail, last_used;
	char cmd[64], reason[192];
	const char *r;
	double deadline;

	require(rte_vhost_get_vhost_vring(test_backend.vid, 2, &vr) == 0 &&
			rte_vhost_get_vring_base(test_backend.vid, 2, &last_avail, &last_used) == 0,
		"the back end's ring 2");
	__atomic_store_n(&vr.used->idx, (uint16_t)(last_used + RING_SIZE + 5), __ATOMIC_RELEASE);
	rte_eth_rx_burst(t.loop.port, 1, pkts, RTE_DIM(pkts));
	deadline = test_deadline(WAIT_S);
	while (__atomic_load_n(&t.resets, __ATOMIC_ACQUIRE) == 0 && !test_past(deadline))
		usleep(1000);
	require(t.resets == 1, "the used index past the ring raised no RTE_ETH_EVENT_INTR_RESET");

	snprintf(cmd, sizeof(cmd), "/vionet/info,%u", t.loop.port);
	r = query(cmd);
	check_string(r, "state", "broken", cmd);
	check_number(r, "broken", 1, cmd);
	check_number(r, "device_broken_count", 1, cmd);
	check(test_json_string(r, "broken_reason", reason, sizeof(reason)) && reason[0] != '\0',
	      "%s: a broken port without broken_reason: %s", cmd, r);
	check_string(r, "link", "down", cmd);
	snprintf(cmd, sizeof(cmd), "/vionet/queues,%u", t.loop.port);
	r = query(cmd);
	check(test_json_object(r, "rx1", t.obj, sizeof(t.obj)) && test_json_u64(t.obj, "broken") == 1,
	      "%s: rx1 not broken: %s", cmd, r);
	check(test_json_object(r, "rx0", t.obj, sizeof(t.obj)) && test_json_u64(t.obj, "broken") == 0,
	      "%s: rx0 broken: %s", cmd, r);
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf = {0};
	char args[256];

	tally.name = "test_user_telemetry";
	if (argc != 3 || (strcmp(argv[2], "split") != 0 && strcmp(argv[2], "packed") != 0))
		fatal("usage: %s <plugin.so> split|packed", argv[0]);
	t.packed = strcmp(argv[2], "packed") == 0;
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	test_vhost_eal_init(argv[0], argv[1], "vionet_tel", NULL, NULL);
	t.loop.ours_pool = test_pool("ours", 4095);
	t.loop.vhost_pool = test_pool("vhost", 4095);
	t.sock = test_telemetry_connect();

	test_backend_start(0);
	snprintf(args, sizeof(args),
		 "path=%s,queues=%u,packed_vq=%d,in_order=%d,mrg_rxbuf=%d,speed=%u", test_backend.sock,
		 PAIRS, t.packed, !t.packed, !t.packed, SPEED_MBPS);
	if (rte_vdev_init("net_vionet_user0", args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.loop.port) != 0)
		fatal("net_vionet_user0 probe");
	if (rte_vdev_init("net_null0", NULL) < 0 ||
	    rte_eth_dev_get_port_by_name("net_null0", &t.other_port) != 0)
		fatal("net_null0 probe (DPDK's net_null driver)");
	rte_eth_dev_callback_register(t.loop.port, RTE_ETH_EVENT_INTR_RESET, test_count_event,
				      &t.resets);
	conf.intr_conf.lsc = 1;
	test_port_configure(t.loop.port, &conf, PAIRS, RING_SIZE, t.loop.ours_pool);
	test_port_start(t.loop.port, WAIT_S, "start");
	test_backend_wait_running("start");
	test_loop_round_trip(&t.loop, 32, 200, "traffic");

	check_ports();
	check_info_started();
	drop_on_tx_queue_1();
	check_queues(true, "started");
	check_bad_parameters();

	check(rte_eth_dev_stop(t.loop.port) == 0, "stop");
	check_info_stopped();
	check_queues(false, "stopped");

	if (!t.packed) {
		test_port_start(t.loop.port, WAIT_S, "start again");
		test_backend_wait_running("start again");
		break_rx_queue_1();
		check(rte_eth_dev_stop(t.loop.port) == 0, "stop of the broken port");
	}
	close(t.sock);
	check(rte_mempool_in_use_count(t.loop.ours_pool) == 0, "%u mbufs of our pool in use",
	      rte_mempool_in_use_count(t.loop.ours_pool));
	check(rte_eth_dev_close(t.loop.port) == 0, "close");
	test_backend_stop();
	rte_eal_cleanup();
	return tally_finish();
}
