/* vionet-fwd's own options: parsed into struct fwd_options, every error names its option. */
#include "fwd_options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_names[FWD_MODE_COUNT] = {
	[FWD_MODE_IO] = "io",
	[FWD_MODE_MAC] = "mac",
	[FWD_MODE_MACSWAP] = "macswap",
	[FWD_MODE_RXONLY] = "rxonly",
	[FWD_MODE_TXONLY] = "txonly",
	[FWD_MODE_FLOWGEN] = "flowgen",
	[FWD_MODE_L2SWITCH] = "l2switch",
};

const char *fwd_mode_name(enum fwd_mode mode)
{
	return mode < FWD_MODE_COUNT ? mode_names[mode] : "?";
}

const char *fwd_options_usage(void)
{
	return
	"usage: vionet-fwd [EAL options] -- [options]\n"
	"  --mode MODE            io (default), mac, macswap, rxonly, txonly, flowgen, l2switch\n"
	"  --topology T           paired (default: 0<->1, 2<->3), chained (0->1->..->0), loop (to itself)\n"
	"  --rxq N, --txq N       Rx/Tx queues of every port (default 1 Rx; Tx: one per forwarding lcore)\n"
	"  --rxd N, --txd N       Rx/Tx ring sizes of every port (default 1024)\n"
	"  --port-config P:K=V[,K=V...]  one port's rxq, txq, rxd, txd (e.g. 1:rxq=2,txq=2,rxd=512)\n"
	"  --lcore-map MAP        LCORE:PORT.QUEUE[,PORT.QUEUE...][;LCORE:...], repeatable;\n"
	"                         default: every Rx queue spread evenly over the non-main lcores\n"
	"  --mbufs N              mbufs per NUMA socket (default: sized from the rings)\n"
	"  --mbuf-cache N         per-lcore mempool cache (default 256)\n"
	"  --duration SECONDS     stop after this time (default: at SIGINT/SIGTERM)\n"
	"  --packets N            stop after N packets received (sent, for txonly and flowgen)\n"
	"  --tx-retry N           retry a partly sent Tx burst N times, 1 us apart, then drop (default 0)\n"
	"  --pkt-size BYTES       txonly/flowgen frame size without CRC, 60..1514 (default 64)\n"
	"  --flows N              txonly/flowgen IPv4/UDP flows (default 1)\n"
	"  --rate PPS             txonly/flowgen total rate, k/M/G suffixes (default: no limit)\n"
	"  --latency              txonly/flowgen stamp each frame (TSC, sequence number); flowgen and\n"
	"                         rxonly report latency percentiles, lost and reordered frames\n"
	"  --eth-peer P,MAC       destination MAC for port P in mac/txonly/flowgen modes\n"
	"  --mac-table-size N     l2switch MAC table entries (default 4096)\n"
	"  --aging SECONDS        l2switch: forget a MAC unseen this long (default 300)\n"
	"  --link-wait SECONDS    wait for every link to come up before forwarding (default 10)\n"
	"  --no-promisc           leave promiscuous mode off\n"
	"  --record-cycles        count the TSC cycles of polls that moved packets (cycles per packet)\n"
	"  --live auto|on|off     live view each second (auto: when stdout is a terminal)\n"
	"  --json[=PATH]          final statistics as JSON to stdout or PATH\n"
	"  --help\n";
}

void fwd_options_init(struct fwd_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->mode = FWD_MODE_IO;
	opts->topology = FWD_TOPO_PAIRED;
	opts->port_default = (struct fwd_port_conf){ .nb_rxq = 1, .nb_txq = 0,
						     .nb_rxd = FWD_DEFAULT_RXD, .nb_txd = FWD_DEFAULT_TXD };
	opts->mbuf_cache = 256;
	opts->pkt_size = FWD_DEFAULT_PKT_SIZE;
	opts->flows = 1;
	opts->mac_table_size = 4096;
	opts->mac_aging_s = 300;
	opts->link_wait_s = 10;
	opts->promiscuous = true;
	opts->live = FWD_LIVE_AUTO;
}

static int opt_error(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int opt_error(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An unsigned decimal in [min, max], the whole string. */
static int parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (text == NULL || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A rate: a decimal number with an optional k, M or G multiplier. */
static int parse_rate(const char *text, uint64_t *out)
{
	char *end;
	double v, mult = 1;

	if (text == NULL || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno != 0)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		mult = 1e3, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1e6, end++;
	else if (*end == 'G' || *end == 'g')
		mult = 1e9, end++;
	if (*end != '\0' || !isfinite(v) || v * mult < 1 || v * mult > 1e12)
		return -EINVAL;
	*out = (uint64_t)(v * mult);
	return 0;
}

static int parse_seconds(const char *text, double *out)
{
	char *end;
	double v;

	if (text == NULL || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_mac(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	int consumed = 0;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &consumed) != 6 || text[consumed] != '\0' || consumed != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* "P:rxq=N,txq=N,rxd=N,txd=N" */
static int parse_port_config(struct fwd_options *opts, const char *text, char *err, size_t err_len)
{
	char buf[256];
	char *colon, *item, *save = NULL;
	uint64_t port;

	if (strlen(text) >= sizeof(buf))
		return opt_error(err, err_len, "--port-config: '%s' is too long", text);
	strcpy(buf, text);
	colon = strchr(buf, ':');
	if (colon == NULL)
		return opt_error(err, err_len, "--port-config: '%s' is not PORT:KEY=VALUE[,...]", text);
	*colon = '\0';
	if (parse_u64(buf, 0, FWD_MAX_PORTS - 1, &port) != 0)
		return opt_error(err, err_len, "--port-config: bad port '%s' (0..%d)", buf,
				 FWD_MAX_PORTS - 1);
	if (colon[1] == '\0')
		return opt_error(err, err_len, "--port-config: nothing to set for port %s", buf);
	for (item = strtok_r(colon + 1, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		struct fwd_port_conf *pc = &opts->port[port];
		uint16_t *field;
		uint64_t v, min, max;

		if (eq == NULL)
			return opt_error(err, err_len, "--port-config: '%s' is not KEY=VALUE", item);
		*eq = '\0';
		if (strcmp(item, "rxq") == 0)
			field = &pc->nb_rxq, min = 1, max = FWD_MAX_QUEUES;
		else if (strcmp(item, "txq") == 0)
			field = &pc->nb_txq, min = 1, max = FWD_MAX_QUEUES;
		else if (strcmp(item, "rxd") == 0)
			field = &pc->nb_rxd, min = 32, max = 32768;
		else if (strcmp(item, "txd") == 0)
			field = &pc->nb_txd, min = 32, max = 32768;
		else
			return opt_error(err, err_len,
					 "--port-config: unknown key '%s' (rxq, txq, rxd, txd)", item);
		if (parse_u64(eq + 1, min, max, &v) != 0)
			return opt_error(err, err_len, "--port-config: %s=%s is out of range %lu..%lu",
					 item, eq + 1, (unsigned long)min, (unsigned long)max);
		*field = (uint16_t)v;
	}
	return 0;
}

static int parse_eth_peer(struct fwd_options *opts, const char *text, char *err, size_t err_len)
{
	const char *comma = strchr(text, ',');
	char port_text[8];
	uint64_t port;

	if (comma == NULL || (size_t)(comma - text) >= sizeof(port_text))
		return opt_error(err, err_len, "--eth-peer: '%s' is not PORT,MAC", text);
	memcpy(port_text, text, (size_t)(comma - text));
	port_text[comma - text] = '\0';
	if (parse_u64(port_text, 0, FWD_MAX_PORTS - 1, &port) != 0)
		return opt_error(err, err_len, "--eth-peer: bad port '%s'", port_text);
	if (parse_mac(comma + 1, opts->peer_mac[port]) != 0)
		return opt_error(err, err_len, "--eth-peer: bad MAC '%s' (want xx:xx:xx:xx:xx:xx)",
				 comma + 1);
	opts->peer_mac_given[port] = true;
	return 0;
}

enum {
	OPT_MODE = 256, OPT_TOPOLOGY, OPT_RXQ, OPT_TXQ, OPT_RXD, OPT_TXD, OPT_PORT_CONFIG,
	OPT_LCORE_MAP, OPT_MBUFS, OPT_MBUF_CACHE, OPT_DURATION, OPT_PACKETS, OPT_TX_RETRY,
	OPT_PKT_SIZE, OPT_FLOWS, OPT_RATE, OPT_ETH_PEER, OPT_MAC_TABLE_SIZE, OPT_AGING,
	OPT_LINK_WAIT, OPT_NO_PROMISC, OPT_RECORD_CYCLES, OPT_LIVE, OPT_JSON, OPT_HELP, OPT_LATENCY,
};

static const struct option long_options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "topology", required_argument, NULL, OPT_TOPOLOGY },
	{ "rxq", required_argument, NULL, OPT_RXQ },
	{ "txq", required_argument, NULL, OPT_TXQ },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "port-config", required_argument, NULL, OPT_PORT_CONFIG },
	{ "lcore-map", required_argument, NULL, OPT_LCORE_MAP },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "mbuf-cache", required_argument, NULL, OPT_MBUF_CACHE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "packets", required_argument, NULL, OPT_PACKETS },
	{ "tx-retry", required_argument, NULL, OPT_TX_RETRY },
	{ "pkt-size", required_argument, NULL, OPT_PKT_SIZE },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "latency", no_argument, NULL, OPT_LATENCY },
	{ "eth-peer", required_argument, NULL, OPT_ETH_PEER },
	{ "mac-table-size", required_argument, NULL, OPT_MAC_TABLE_SIZE },
	{ "aging", required_argument, NULL, OPT_AGING },
	{ "link-wait", required_argument, NULL, OPT_LINK_WAIT },
	{ "no-promisc", no_argument, NULL, OPT_NO_PROMISC },
	{ "record-cycles", no_argument, NULL, OPT_RECORD_CYCLES },
	{ "live", required_argument, NULL, OPT_LIVE },
	{ "json", optional_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char *option_name(int id)
{
	for (const struct option *o = long_options; o->name != NULL; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

/* Options that take a bounded integer: where it goes and its range. */
static int parse_number_option(struct fwd_options *opts, int id, const char *arg,
			       char *err, size_t err_len)
{
	uint64_t v, min = 1, max;

	switch (id) {
	case OPT_RXQ: case OPT_TXQ: max = FWD_MAX_QUEUES; break;
	case OPT_RXD: case OPT_TXD: min = 32; max = 32768; break;
	case OPT_MBUFS: min = 1024; max = UINT32_MAX; break;
	case OPT_MBUF_CACHE: min = 0; max = 512; break;
	case OPT_PACKETS: max = UINT64_MAX; break;
	case OPT_TX_RETRY: min = 0; max = UINT32_MAX; break;
	case OPT_PKT_SIZE: min = FWD_MIN_PKT_SIZE; max = FWD_MAX_PKT_SIZE; break;
	case OPT_FLOWS: max = 1u << 24; break;
	case OPT_MAC_TABLE_SIZE: min = 64; max = 1u << 24; break;
	case OPT_AGING: max = 86400; break;
	case OPT_LINK_WAIT: min = 0; max = 3600; break;
	default: return -EINVAL;
	}
	if (parse_u64(arg, min, max, &v) != 0)
		return opt_error(err, err_len, "--%s: '%s' is not a number in %llu..%llu",
				 option_name(id), arg, (unsigned long long)min,
				 (unsigned long long)max);
	switch (id) {
	case OPT_RXQ: opts->port_default.nb_rxq = (uint16_t)v; break;
	case OPT_TXQ: opts->port_default.nb_txq = (uint16_t)v; break;
	case OPT_RXD: opts->port_default.nb_rxd = (uint16_t)v; break;
	case OPT_TXD: opts->port_default.nb_txd = (uint16_t)v; break;
	case OPT_MBUFS: opts->nb_mbufs = (uint32_t)v; break;
	case OPT_MBUF_CACHE: opts->mbuf_cache = (uint32_t)v; break;
	case OPT_PACKETS: opts->packets = v; break;
	case OPT_TX_RETRY: opts->tx_retry = (uint32_t)v; break;
	case OPT_PKT_SIZE: opts->pkt_size = (uint16_t)v; break;
	case OPT_FLOWS: opts->flows = (uint32_t)v; break;
	case OPT_MAC_TABLE_SIZE: opts->mac_table_size = (uint32_t)v; break;
	case OPT_AGING: opts->mac_aging_s = (uint32_t)v; break;
	case OPT_LINK_WAIT: opts->link_wait_s = (uint32_t)v; break;
	default: break;
	}
	return 0;
}

static int parse_one(struct fwd_options *opts, int id, const char *arg, char *err, size_t err_len)
{
	switch (id) {
	case OPT_MODE:
		for (int m = 0; m < FWD_MODE_COUNT; m++) {
			if (strcmp(arg, mode_names[m]) == 0) {
				opts->mode = (enum fwd_mode)m;
				return 0;
			}
		}
		return opt_error(err, err_len,
				 "--mode: unknown mode '%s' (io, mac, macswap, rxonly, txonly, flowgen, l2switch)",
				 arg);
	case OPT_TOPOLOGY:
		if (strcmp(arg, "paired") == 0)
			opts->topology = FWD_TOPO_PAIRED;
		else if (strcmp(arg, "chained") == 0)
			opts->topology = FWD_TOPO_CHAINED;
		else if (strcmp(arg, "loop") == 0)
			opts->topology = FWD_TOPO_LOOP;
		else
			return opt_error(err, err_len,
					 "--topology: unknown topology '%s' (paired, chained, loop)", arg);
		return 0;
	case OPT_PORT_CONFIG:
		return parse_port_config(opts, arg, err, err_len);
	case OPT_LCORE_MAP:
		opts->lcore_map_given = true;
		return fwd_lcore_map_parse(&opts->lcore_map, arg, err, err_len);
	case OPT_DURATION:
		if (parse_seconds(arg, &opts->duration_s) != 0)
			return opt_error(err, err_len, "--duration: '%s' is not a positive number of seconds",
					 arg);
		return 0;
	case OPT_RATE:
		if (parse_rate(arg, &opts->rate_pps) != 0)
			return opt_error(err, err_len,
					 "--rate: '%s' is not a packet rate (e.g. 1000, 2.5M)", arg);
		return 0;
	case OPT_ETH_PEER:
		return parse_eth_peer(opts, arg, err, err_len);
	case OPT_NO_PROMISC:
		opts->promiscuous = false;
		return 0;
	case OPT_RECORD_CYCLES:
		opts->record_cycles = true;
		return 0;
	case OPT_LATENCY:
		opts->latency = true;
		return 0;
	case OPT_LIVE:
		if (strcmp(arg, "auto") == 0)
			opts->live = FWD_LIVE_AUTO;
		else if (strcmp(arg, "on") == 0)
			opts->live = FWD_LIVE_ON;
		else if (strcmp(arg, "off") == 0)
			opts->live = FWD_LIVE_OFF;
		else
			return opt_error(err, err_len, "--live: '%s' is not auto, on or off", arg);
		return 0;
	case OPT_JSON:
		opts->json = true;
		if (arg != NULL) {
			if (*arg == '\0' || strlen(arg) >= sizeof(opts->json_path))
				return opt_error(err, err_len, "--json: bad path '%s'", arg);
			strcpy(opts->json_path, arg);
		}
		return 0;
	case OPT_HELP:
		opts->help = true;
		return 0;
	default:
		return parse_number_option(opts, id, arg, err, err_len);
	}
}

int fwd_options_parse(struct fwd_options *opts, int argc, char **argv, char *err, size_t err_len)
{
	int id, rc;

	/* getopt keeps state between calls: 0 asks glibc for a full re-initialisation. */
	optind = 0;
	opterr = 0;
	while ((id = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		if (id == '?') {
			if (optopt != 0)
				return opt_error(err, err_len, "unknown option '-%c'", optopt);
			return opt_error(err, err_len, "unknown option '%s'", argv[optind - 1]);
		}
		if (id == ':')
			return opt_error(err, err_len, "option '%s' needs a value", argv[optind - 1]);
		rc = parse_one(opts, id, optarg, err, err_len);
		if (rc != 0)
			return rc;
	}
	if (optind < argc)
		return opt_error(err, err_len, "unexpected argument '%s'", argv[optind]);
	if (opts->latency && opts->mode != FWD_MODE_TXONLY && opts->mode != FWD_MODE_FLOWGEN &&
	    opts->mode != FWD_MODE_RXONLY)
		return opt_error(err, err_len,
				 "--latency: mode %s neither stamps nor measures frames (txonly, flowgen, rxonly)",
				 fwd_mode_name(opts->mode));
	return 0;
}
