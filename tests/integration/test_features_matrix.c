/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * doc/features.md kept true: its net_vionet_user column against what a started net_vionet_user port
 * reports (DPDK's vhost library as the back end, in this process). Each row the test can check is
 * one line of 'rows' below: the row's name as the doc spells it and what says the port has it (a
 * dev_info capability, an eth_dev_op or fast-path function the port has, its telemetry). A row
 * marked Y or P must be there; a blank one must not. Rows the doc has and the table does not know
 * fail too, unless listed in 'unchecked' with the reason. Also: the queue stats mapping (the "Stats
 * per queue" row) moves a queue's counts to the counter it names.
 *
 * usage: test_features_matrix <plugin.so> <doc/features.md>
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_telemetry_json.h"
#include "test_vhost_backend.h"

#define RING_SIZE 256
#define PAIRS 2
#define WAIT_S 30
#define COLUMN "net_vionet_user"

static struct {
	struct test_loop loop;
	struct rte_eth_dev_info info;
	const struct rte_eth_dev *dev; /* the port's ethdev internals: which ops it fills */
} t;

/* ---- What the port has, per row ---- */

static bool
has_rx_offload(uint64_t bits)
{
	return (t.info.rx_offload_capa & bits) != 0;
}

static bool
has_tx_offload(uint64_t bits)
{
	return (t.info.tx_offload_capa & bits) != 0;
}

#define OP(name) (t.dev->dev_ops->name != NULL)

static bool speed_capa(void) { return (t.info.speed_capa & ~RTE_ETH_LINK_SPEED_FIXED) != 0; }
static bool link_status(void) { return OP(link_update); }
static bool link_status_event(void) { return (t.dev->data->dev_flags & RTE_ETH_DEV_INTR_LSC) != 0; }
static bool rx_interrupt(void) { return OP(rx_queue_intr_enable) && OP(rx_queue_intr_disable); }
/*
 * The ops are always there; whether a queue stops alone is the device's (VIRTIO_F_RING_RESET, which
 * vhost-user back ends do not offer): the port is asked, and a queue it stopped is started again.
 */
static bool queue_start_stop(void)
{
	int ret;

	if (!(OP(rx_queue_start) && OP(rx_queue_stop) && OP(tx_queue_start) && OP(tx_queue_stop)))
		return false;
	ret = rte_eth_dev_rx_queue_stop(t.loop.port, 0);
	if (ret == 0)
		check(rte_eth_dev_rx_queue_start(t.loop.port, 0) == 0, "Rx queue 0 started again");
	else
		check(ret == -ENOTSUP, "rx_queue_stop returned %d, not 0 or -ENOTSUP", ret);
	return ret == 0;
}
static bool burst_mode_info(void) { return OP(rx_burst_mode_get) && OP(tx_burst_mode_get); }
static bool power_monitor(void) { return OP(get_monitor_addr); }
static bool mtu_update(void) { return OP(mtu_set); }
static bool scattered_rx(void) { return has_rx_offload(RTE_ETH_RX_OFFLOAD_SCATTER); }
static bool lro(void) { return has_rx_offload(RTE_ETH_RX_OFFLOAD_TCP_LRO); }
static bool tso(void) { return has_tx_offload(RTE_ETH_TX_OFFLOAD_TCP_TSO); }
static bool promiscuous(void) { return OP(promiscuous_enable) && OP(promiscuous_disable); }
static bool allmulticast(void) { return OP(allmulticast_enable) && OP(allmulticast_disable); }
static bool mac_filter(void) { return OP(mac_addr_add) && t.info.max_mac_addrs > 1; }
static bool rss_hash(void)
{
	return t.info.flow_type_rss_offloads != 0 || has_rx_offload(RTE_ETH_RX_OFFLOAD_RSS_HASH);
}
static bool rss_key_update(void) { return OP(rss_hash_update) && t.info.hash_key_size != 0; }
static bool rss_reta_update(void) { return OP(reta_update) && t.info.reta_size != 0; }
static bool vlan_filter(void)
{
	return OP(vlan_filter_set) && has_rx_offload(RTE_ETH_RX_OFFLOAD_VLAN_FILTER);
}
static bool vlan_offload(void)
{
	return has_rx_offload(RTE_ETH_RX_OFFLOAD_VLAN_STRIP) ||
	       has_tx_offload(RTE_ETH_TX_OFFLOAD_VLAN_INSERT);
}
static bool l4_checksum(void)
{
	return has_rx_offload(RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM) ||
	       has_tx_offload(RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
}
static bool timestamp(void) { return has_rx_offload(RTE_ETH_RX_OFFLOAD_TIMESTAMP); }
static bool ptypes(void) { return OP(dev_supported_ptypes_get); }
static bool rx_desc_status(void)
{
	return t.dev->rx_queue_count != NULL || t.dev->rx_descriptor_status != NULL;
}
static bool tx_desc_status(void) { return t.dev->tx_descriptor_status != NULL; }
static bool basic_stats(void) { return OP(stats_get) && OP(stats_reset); }
static bool xstats(void) { return OP(xstats_get) && OP(xstats_get_names); }
static bool stats_per_queue(void) { return OP(queue_stats_mapping_set); }
static bool fw_version(void) { return OP(fw_version_get); }
static bool reset_event(void) { return OP(dev_reset); }

/* Our endpoints among the commands of this process's telemetry socket ("/" lists them). */
static bool
telemetry(void)
{
	char reply[TEST_TELEMETRY_REPLY_MAX];
	int s = test_telemetry_connect();

	test_telemetry_query(s, "/", reply, sizeof(reply));
	close(s);
	return strstr(reply, "\"/vionet/info\"") != NULL && strstr(reply, "\"/vionet/queues\"") != NULL &&
	       strstr(reply, "\"/vionet/ports\"") != NULL;
}

/*
 * The device's announce requests are answered where GUEST_ANNOUNCE was negotiated (the port's
 * telemetry lists the negotiated features by name) and counted (the xstat is there).
 */
static bool
announce(void)
{
	char reply[TEST_TELEMETRY_REPLY_MAX], cmd[64];
	uint64_t id;
	int s = test_telemetry_connect();

	snprintf(cmd, sizeof(cmd), "/vionet/info,%u", t.loop.port);
	test_telemetry_query(s, cmd, reply, sizeof(reply));
	close(s);
	check(rte_eth_xstats_get_id_by_name(t.loop.port, "announce_requests", &id) == 0,
	      "xstat announce_requests");
	return strstr(reply, "\"VIRTIO_NET_F_GUEST_ANNOUNCE\"") != NULL;
}

static const struct row_check {
	const char *row; /* as doc/features.md spells it (DPDK's default.ini names) */
	bool (*has)(void);
} rows[] = {
	{"Speed capabilities", speed_capa},
	{"Link status", link_status},
	{"Link status event", link_status_event},
	{"Rx interrupt", rx_interrupt},
	{"Queue start/stop", queue_start_stop},
	{"Burst mode info", burst_mode_info},
	{"Power mgmt address monitor", power_monitor},
	{"MTU update", mtu_update},
	{"Scattered Rx", scattered_rx},
	{"LRO", lro},
	{"TSO", tso},
	{"Promiscuous mode", promiscuous},
	{"Allmulticast mode", allmulticast},
	{"Unicast MAC filter", mac_filter},
	{"Multicast MAC filter", mac_filter},
	{"RSS hash", rss_hash},
	{"RSS key update", rss_key_update},
	{"RSS reta update", rss_reta_update},
	{"VLAN filter", vlan_filter},
	{"VLAN offload", vlan_offload},
	{"L4 checksum offload", l4_checksum},
	{"Timestamp offload", timestamp},
	{"Packet type parsing", ptypes},
	{"Rx descriptor status", rx_desc_status},
	{"Tx descriptor status", tx_desc_status},
	{"Basic stats", basic_stats},
	{"Extended stats", xstats},
	{"Stats per queue", stats_per_queue},
	{"FW version", fw_version},
	{"Reset event", reset_event},
	{"Telemetry", telemetry},
	{"Announce after migration", announce},
};

/* Rows of the doc no check here decides, and why. */
static const char *const unchecked[] = {
	"Multiprocess aware",	/* a secondary process's attach: the vm suite's test_multiprocess */
	"Linux", "x86-64",	/* where this runs */
	"Usage doc",		/* doc/guide.md */
	"Packed ring", "In-order", "Event index", "Indirect descriptors", "Multi-queue",
	"Vector paths",		/* the datapath tests run each */
};

/* ---- doc/features.md ---- */

#define MAX_DOC_ROWS 128

struct doc_row {
	char name[64];
	char cell[8]; /* the net_vionet_user column: "Y", "P" or "" */
	bool checked;
};

static struct doc_row doc[MAX_DOC_ROWS];
static unsigned int n_doc;

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* Every table row "| name | ... |" under a header naming COLUMN; its cell in that column. */
static void
read_doc(const char *path)
{
	char line[2048];
	int column = -1;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		fatal("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *cells[16], *save = NULL, *c;
		int n = 0;

		if (line[0] != '|') {
			column = -1;
			continue;
		}
		for (c = strtok_r(line + 1, "|", &save); c != NULL && n < 16; c = strtok_r(NULL, "|", &save))
			cells[n++] = trim(c);
		if (n > 0 && strcmp(cells[0], "feature") == 0) {
			column = -1;
			for (int i = 1; i < n; i++)
				if (strcmp(cells[i], COLUMN) == 0)
					column = i;
			require(column > 0, "%s: a table without a %s column", path, COLUMN);
			continue;
		}
		if (column < 0 || n <= column || strncmp(cells[0], "---", 3) == 0)
			continue;
		require(n_doc < MAX_DOC_ROWS, "%s: too many rows", path);
		snprintf(doc[n_doc].name, sizeof(doc[n_doc].name), "%s", cells[0]);
		snprintf(doc[n_doc].cell, sizeof(doc[n_doc].cell), "%s", cells[column]);
		check(strcmp(cells[column], "Y") == 0 || strcmp(cells[column], "P") == 0 ||
			      cells[column][0] == '\0',
		      "%s: row \"%s\": \"%s\" is not Y, P or blank", path, cells[0], cells[column]);
		n_doc++;
	}
	fclose(f);
	require(n_doc > 0, "%s: no row under a %s column", path, COLUMN);
}

static struct doc_row *
doc_row(const char *name)
{
	for (unsigned int i = 0; i < n_doc; i++)
		if (strcmp(doc[i].name, name) == 0)
			return &doc[i];
	return NULL;
}

static void
compare(void)
{
	for (unsigned int i = 0; i < RTE_DIM(rows); i++) {
		struct doc_row *d = doc_row(rows[i].row);
		bool claimed, has;

		if (!check(d != NULL, "doc/features.md has no row \"%s\"", rows[i].row))
			continue;
		d->checked = true;
		claimed = d->cell[0] != '\0';
		has = rows[i].has();
		check(claimed == has, "\"%s\": the doc says \"%s\", the port %s", rows[i].row, d->cell,
		      has ? "has it" : "does not have it");
	}
	for (unsigned int i = 0; i < RTE_DIM(unchecked); i++) {
		struct doc_row *d = doc_row(unchecked[i]);

		if (d != NULL)
			d->checked = true;
	}
	for (unsigned int i = 0; i < n_doc; i++)
		check(doc[i].checked, "doc/features.md row \"%s\": no check here knows it (add it to "
		      "'rows' or 'unchecked')", doc[i].name);
}

/* ---- Stats per queue: rte_eth_dev_set_{rx,tx}_queue_stats_mapping ---- */

static void
check_queue_stats_mapping(void)
{
	struct rte_eth_stats st;
	uint16_t port = t.loop.port;
	uint64_t rx0, tx0;

	test_loop_round_trip(&t.loop, 32, 200, "before the mapping");
	rx0 = test_xstat(port, "rx_q0_packets");
	tx0 = test_xstat(port, "tx_q0_packets");
	require(rte_eth_stats_get(port, &st) == 0, "stats");
	check(st.q_ipackets[0] == rx0 && st.q_opackets[0] == tx0 && rx0 == 32,
	      "default mapping: q_ipackets[0] %" PRIu64 " q_opackets[0] %" PRIu64 ", xstats %" PRIu64
	      " %" PRIu64, st.q_ipackets[0], st.q_opackets[0], rx0, tx0);
	check(rte_eth_dev_set_rx_queue_stats_mapping(port, 0, 5) == 0, "map Rx queue 0 to 5");
	check(rte_eth_dev_set_rx_queue_stats_mapping(port, 1, 5) == 0, "map Rx queue 1 to 5");
	check(rte_eth_dev_set_tx_queue_stats_mapping(port, 0, 7) == 0, "map Tx queue 0 to 7");
	check(rte_eth_dev_set_rx_queue_stats_mapping(port, 0, RTE_ETHDEV_QUEUE_STAT_CNTRS) < 0,
	      "a counter beyond RTE_ETHDEV_QUEUE_STAT_CNTRS accepted");
	check(rte_eth_dev_set_rx_queue_stats_mapping(port, PAIRS, 1) < 0,
	      "a queue beyond the port's accepted");
	require(rte_eth_stats_get(port, &st) == 0, "stats");
	check(st.q_ipackets[5] == rx0 + test_xstat(port, "rx_q1_packets") && st.q_ipackets[0] == 0 &&
		      st.q_ibytes[5] == test_xstat(port, "rx_q0_bytes") + test_xstat(port, "rx_q1_bytes"),
	      "Rx queues 0 and 1 in counter 5: q_ipackets[5] %" PRIu64 ", [0] %" PRIu64,
	      st.q_ipackets[5], st.q_ipackets[0]);
	check(st.q_opackets[7] == tx0 && st.q_opackets[0] == 0 && st.q_opackets[1] == 0,
	      "Tx queue 0 in counter 7: q_opackets[7] %" PRIu64 ", [0] %" PRIu64, st.q_opackets[7],
	      st.q_opackets[0]);
	check(st.ipackets == rx0 + test_xstat(port, "rx_q1_packets"),
	      "port totals changed by the mapping");
}

/* A port whose speed is unknown or has no ethdev bit claims FIXED only (another client of the same
 * back end socket; probed, not started). */
static void
check_speed_capa_unclaimed(const char *devarg, const char *what)
{
	struct rte_eth_dev_info info;
	char args[256];
	uint16_t port;

	snprintf(args, sizeof(args), "path=%s%s", test_backend.sock, devarg);
	if (rte_vdev_init("net_vionet_user1", args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user1", &port) != 0)
		fatal("net_vionet_user1 probe (%s)", what);
	require(rte_eth_dev_info_get(port, &info) == 0, "dev_info");
	check(info.speed_capa == RTE_ETH_LINK_SPEED_FIXED, "%s: speed_capa 0x%x, expected FIXED only",
	      what, info.speed_capa);
	check(rte_eth_dev_close(port) == 0, "close net_vionet_user1");
	rte_vdev_uninit("net_vionet_user1");
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf = {0};
	char args[256];

	tally.name = "test_features_matrix";
	if (argc != 3)
		fatal("usage: %s <plugin.so> <doc/features.md>", argv[0]);
	read_doc(argv[2]);
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	test_vhost_eal_init(argv[0], argv[1], "vionet_feat", NULL, NULL);
	t.loop.ours_pool = test_pool("ours", 4095);
	t.loop.vhost_pool = test_pool("vhost", 4095);
	test_backend_start(0);
	/* A known speed: "Speed capabilities" claims the speed itself. */
	snprintf(args, sizeof(args), "path=%s,queues=%u,speed=10000", test_backend.sock, PAIRS);
	if (rte_vdev_init("net_vionet_user0", args) < 0 ||
	    rte_eth_dev_get_port_by_name("net_vionet_user0", &t.loop.port) != 0)
		fatal("net_vionet_user0 probe");
	test_port_configure(t.loop.port, &conf, PAIRS, RING_SIZE, t.loop.ours_pool);
	test_port_start(t.loop.port, WAIT_S, "start");
	test_backend_wait_running("start");
	require(rte_eth_dev_info_get(t.loop.port, &t.info) == 0, "dev_info");
	t.dev = &rte_eth_devices[t.loop.port];

	compare();
	check(t.info.speed_capa == (RTE_ETH_LINK_SPEED_10G | RTE_ETH_LINK_SPEED_FIXED),
	      "speed_capa 0x%x with speed=10000", t.info.speed_capa);
	if (stats_per_queue())
		check_queue_stats_mapping();

	check_speed_capa_unclaimed("", "no speed devarg, a back end that gives none");
	check_speed_capa_unclaimed(",speed=12345", "a speed ethdev has no bit for");

	check(rte_eth_dev_stop(t.loop.port) == 0, "stop");
	check(rte_eth_dev_close(t.loop.port) == 0, "close");
	test_backend_stop();
	rte_eal_cleanup();
	return tally_finish();
}
