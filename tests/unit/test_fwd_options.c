/* vionet-fwd's options: every option parsed into place, defaults, and a message naming each bad
 * option or value. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../app/vionet-fwd/fwd_options.h"
#include "test_run_suite.h"

static struct fwd_options opts;
static char err[256];

/* Parses a NULL-terminated list of arguments after the program name. */
static int parse_args(const char *first, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"vionet-fwd";
	va_start(ap, first);
	for (const char *a = first; a != NULL && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fwd_options_init(&opts);
	err[0] = '\0';
	return fwd_options_parse(&opts, argc, argv, err, sizeof(err));
}

static void test_defaults(void)
{
	CU_ASSERT_EQUAL(parse_args(NULL), 0);
	CU_ASSERT_EQUAL(opts.mode, FWD_MODE_IO);
	CU_ASSERT_EQUAL(opts.topology, FWD_TOPO_PAIRED);
	CU_ASSERT_EQUAL(opts.port_default.nb_rxq, 1);
	CU_ASSERT_EQUAL(opts.port_default.nb_txq, 0);
	/* --help: "Rx/Tx ring sizes of every port (default 1024)" */
	CU_ASSERT_EQUAL(opts.port_default.nb_rxd, 1024);
	CU_ASSERT_EQUAL(opts.port_default.nb_txd, 1024);
	CU_ASSERT_EQUAL(opts.pkt_size, 64);
	CU_ASSERT_EQUAL(opts.flows, 1);
	CU_ASSERT_EQUAL(opts.packets, 0);
	CU_ASSERT_TRUE(opts.promiscuous);
	CU_ASSERT_FALSE(opts.record_cycles);
	CU_ASSERT_FALSE(opts.latency);
	CU_ASSERT_FALSE(opts.json);
	CU_ASSERT_FALSE(opts.lcore_map_given);
	CU_ASSERT_EQUAL(opts.live, FWD_LIVE_AUTO);
}

static void test_every_option(void)
{
	CU_ASSERT_EQUAL(parse_args("--mode", "txonly", "--topology", "chained", "--rxq", "2", "--txq", "3",
				   "--rxd", "512", "--txd", "256", "--port-config", "1:rxq=4,txd=2048",
				   "--lcore-map", "1:0.0,1.0", "--lcore-map", "2:0.1;3:1.1", "--mbufs", "16384",
				   "--mbuf-cache", "128", "--duration", "2.5", "--packets", "1000",
				   "--tx-retry", "8", "--pkt-size", "128", "--flows", "16", "--rate", "2.5M",
				   "--eth-peer", "1,02:aa:bb:cc:dd:ee", "--mac-table-size", "1024",
				   "--aging", "30", "--link-wait", "0", "--no-promisc", "--record-cycles", "--live", "off",
				   "--json=/tmp/x.json", "--latency", NULL), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(opts.mode, FWD_MODE_TXONLY);
	CU_ASSERT_EQUAL(opts.topology, FWD_TOPO_CHAINED);
	CU_ASSERT_EQUAL(opts.port_default.nb_rxq, 2);
	CU_ASSERT_EQUAL(opts.port_default.nb_txq, 3);
	CU_ASSERT_EQUAL(opts.port_default.nb_rxd, 512);
	CU_ASSERT_EQUAL(opts.port_default.nb_txd, 256);
	CU_ASSERT_EQUAL(opts.port[1].nb_rxq, 4);
	CU_ASSERT_EQUAL(opts.port[1].nb_txd, 2048);
	CU_ASSERT_EQUAL(opts.port[1].nb_txq, 0);
	CU_ASSERT_EQUAL(opts.port[0].nb_rxq, 0);
	CU_ASSERT_TRUE(opts.lcore_map_given);
	CU_ASSERT_EQUAL(opts.lcore_map.nb_lcores, 3);
	CU_ASSERT_EQUAL(opts.lcore_map.lcores[2].lcore_id, 3);
	CU_ASSERT_EQUAL(opts.nb_mbufs, 16384);
	CU_ASSERT_EQUAL(opts.mbuf_cache, 128);
	CU_ASSERT_DOUBLE_EQUAL(opts.duration_s, 2.5, 1e-9);
	CU_ASSERT_EQUAL(opts.packets, 1000);
	CU_ASSERT_EQUAL(opts.tx_retry, 8);
	CU_ASSERT_EQUAL(opts.pkt_size, 128);
	CU_ASSERT_EQUAL(opts.flows, 16);
	CU_ASSERT_EQUAL(opts.rate_pps, 2500000);
	CU_ASSERT_TRUE(opts.peer_mac_given[1]);
	CU_ASSERT_FALSE(opts.peer_mac_given[0]);
	CU_ASSERT_EQUAL(opts.peer_mac[1][0], 0x02);
	CU_ASSERT_EQUAL(opts.peer_mac[1][5], 0xee);
	CU_ASSERT_EQUAL(opts.mac_table_size, 1024);
	CU_ASSERT_EQUAL(opts.mac_aging_s, 30);
	CU_ASSERT_EQUAL(opts.link_wait_s, 0);
	CU_ASSERT_FALSE(opts.promiscuous);
	CU_ASSERT_TRUE(opts.record_cycles);
	CU_ASSERT_TRUE(opts.latency);
	CU_ASSERT_EQUAL(opts.live, FWD_LIVE_OFF);
	CU_ASSERT_TRUE(opts.json);
	CU_ASSERT_STRING_EQUAL(opts.json_path, "/tmp/x.json");
}

/* --latency: the generators stamp, flowgen and rxonly measure; the other modes do neither. */
static void test_latency_modes(void)
{
	static const char *const accepted[] = { "txonly", "flowgen", "rxonly" };
	static const char *const refused[] = { "io", "mac", "macswap", "l2switch" };

	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		CU_ASSERT_EQUAL(parse_args("--latency", "--mode", accepted[i], NULL), 0);
		CU_ASSERT_TRUE(opts.latency);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		CU_ASSERT_EQUAL(parse_args("--mode", refused[i], "--latency", NULL), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "--latency"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, refused[i]));
	}
	CU_ASSERT_EQUAL(parse_args("--latency", NULL), -EINVAL);
}

static void test_every_mode(void)
{
	for (int m = 0; m < FWD_MODE_COUNT; m++) {
		CU_ASSERT_EQUAL(parse_args("--mode", fwd_mode_name((enum fwd_mode)m), NULL), 0);
		CU_ASSERT_EQUAL(opts.mode, m);
	}
	CU_ASSERT_EQUAL(parse_args("--json", NULL), 0);
	CU_ASSERT_TRUE(opts.json);
	CU_ASSERT_STRING_EQUAL(opts.json_path, "");
	CU_ASSERT_EQUAL(parse_args("--help", NULL), 0);
	CU_ASSERT_TRUE(opts.help);
}

/* Each call fails with -EINVAL and its message contains the expected words. */
static void expect_error(const char *needle, const char *a, const char *b)
{
	int rc = parse_args(a, b, NULL);

	CU_ASSERT_EQUAL(rc, -EINVAL);
	if (strstr(err, needle) == NULL) {
		fprintf(stderr, "\n  '%s %s': message '%s' lacks '%s'\n", a, b ? b : "", err, needle);
		CU_FAIL("message does not name the problem");
	}
}

static void test_bad_values_name_the_option(void)
{
	expect_error("--mode", "--mode", "bridge");
	expect_error("--topology", "--topology", "ring");
	expect_error("--rxq", "--rxq", "0");
	expect_error("--rxq", "--rxq", "65");
	expect_error("--txq", "--txq", "two");
	expect_error("--rxd", "--rxd", "16");
	expect_error("--txd", "--txd", "100000");
	expect_error("--pkt-size", "--pkt-size", "59");
	expect_error("--pkt-size", "--pkt-size", "1515");
	expect_error("--flows", "--flows", "0");
	expect_error("--rate", "--rate", "fast");
	expect_error("--rate", "--rate", "1X");
	expect_error("--duration", "--duration", "0");
	expect_error("--duration", "--duration", "-1");
	expect_error("--packets", "--packets", "1e6");
	expect_error("--mbufs", "--mbufs", "10");
	expect_error("--mbuf-cache", "--mbuf-cache", "1024");
	expect_error("--eth-peer", "--eth-peer", "0,02:00:00:00:00");
	expect_error("--eth-peer", "--eth-peer", "02:00:00:00:00:01");
	expect_error("--eth-peer", "--eth-peer", "40,02:00:00:00:00:01");
	expect_error("--live", "--live", "maybe");
	expect_error("--aging", "--aging", "0");
	expect_error("--port-config", "--port-config", "0");
	expect_error("--port-config", "--port-config", "x:rxq=1");
	expect_error("--port-config", "--port-config", "0:");
	expect_error("unknown key 'rings'", "--port-config", "0:rings=2");
	expect_error("rxq=0", "--port-config", "0:rxq=0");
	expect_error("lcore map", "--lcore-map", "1");
}

static void test_unknown_and_missing(void)
{
	expect_error("unknown option '--frobnicate'", "--frobnicate", NULL);
	expect_error("'--mode' needs a value", "--mode", NULL);
	expect_error("unexpected argument 'extra'", "extra", NULL);
	expect_error("unknown option '-x'", "-x", NULL);
	/* after an error, a fresh parse starts over */
	CU_ASSERT_EQUAL(parse_args("--mode", "macswap", NULL), 0);
	CU_ASSERT_EQUAL(opts.mode, FWD_MODE_MACSWAP);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "defaults", test_defaults },
		{ "every option", test_every_option },
		{ "every mode, --json, --help", test_every_mode },
		{ "--latency only where frames are stamped or measured", test_latency_modes },
		{ "bad values name the option", test_bad_values_name_the_option },
		{ "unknown options and missing values", test_unknown_and_missing },
		CU_TEST_INFO_NULL,
	};

	return test_run_suite("fwd_options", tests);
}
