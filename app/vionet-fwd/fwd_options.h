/* vionet-fwd's own command line (after the EAL's "--"). Plain C without EAL, unit-tested. */
#ifndef FWD_OPTIONS_H
#define FWD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd_lcore_map.h"

enum fwd_mode {
	FWD_MODE_IO,       /* forward as received */
	FWD_MODE_MAC,      /* rewrite source (our port) and destination (the peer) MACs */
	FWD_MODE_MACSWAP,  /* swap source and destination MACs */
	FWD_MODE_RXONLY,   /* receive and free */
	FWD_MODE_TXONLY,   /* generate IPv4/UDP packets */
	FWD_MODE_FLOWGEN,  /* generate many IPv4 flows, receive and free what comes back */
	FWD_MODE_L2SWITCH, /* MAC-learning switch across all ports */
	FWD_MODE_COUNT
};

/* Where io, mac and macswap send what a port received. */
enum fwd_topology {
	FWD_TOPO_PAIRED,  /* 0<->1, 2<->3, ...; a last odd port to itself */
	FWD_TOPO_CHAINED, /* 0->1->2->...->0 */
	FWD_TOPO_LOOP,    /* each port to itself */
};

enum fwd_live {
	FWD_LIVE_AUTO, /* when stdout is a terminal */
	FWD_LIVE_ON,
	FWD_LIVE_OFF,
};

/* Per-port queue counts and ring sizes; 0 means "the default". */
struct fwd_port_conf {
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t nb_rxd;
	uint16_t nb_txd;
};

struct fwd_options {
	enum fwd_mode mode;
	enum fwd_topology topology;
	struct fwd_port_conf port_default;
	struct fwd_port_conf port[FWD_MAX_PORTS];
	bool lcore_map_given;
	struct fwd_lcore_map lcore_map;

	uint32_t nb_mbufs;      /* per socket; 0: sized from the rings */
	uint32_t mbuf_cache;
	double duration_s;      /* 0: until a signal */
	uint64_t packets;       /* 0: no limit; else stop after this many (received, or sent by txonly) */
	uint32_t tx_retry;      /* Tx bursts retried this many times, 1 us apart, before dropping */

	uint16_t pkt_size;      /* txonly/flowgen frame size without CRC */
	uint32_t flows;         /* txonly/flowgen distinct IPv4/UDP flows */
	uint64_t rate_pps;      /* txonly/flowgen total rate; 0: as fast as possible */
	bool latency;           /* txonly/flowgen stamp frames; flowgen/rxonly measure the stamps */

	bool peer_mac_given[FWD_MAX_PORTS];
	uint8_t peer_mac[FWD_MAX_PORTS][6];

	uint32_t mac_table_size;
	uint32_t mac_aging_s;

	uint32_t link_wait_s;
	bool promiscuous;
	bool record_cycles;     /* busy TSC cycles per lcore, as testpmd's --record-core-cycles */
	enum fwd_live live;
	bool json;
	char json_path[256];    /* empty: stdout */
	bool help;
};

#define FWD_DEFAULT_RXD 1024
#define FWD_DEFAULT_TXD 1024
#define FWD_DEFAULT_PKT_SIZE 64
#define FWD_MIN_PKT_SIZE 60     /* Ethernet minimum without CRC */
#define FWD_MAX_PKT_SIZE 1514   /* one mbuf of RTE_MBUF_DEFAULT_BUF_SIZE, no segments */

/* Sets every default. */
void fwd_options_init(struct fwd_options *opts);

/* Parses argv (argv[0] is the program name). Returns 0, or -EINVAL with a message that names the
 * option in err. Sets opts->help for --help. */
int fwd_options_parse(struct fwd_options *opts, int argc, char **argv, char *err, size_t err_len);

const char *fwd_mode_name(enum fwd_mode mode);

/* The usage text. */
const char *fwd_options_usage(void);

#endif
