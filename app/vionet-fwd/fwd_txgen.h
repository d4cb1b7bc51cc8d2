/* Packet generation shared by txonly and flowgen: IPv4/UDP frames of --pkt-size over --flows flows,
 * paced to --rate. */
#ifndef FWD_TXGEN_H
#define FWD_TXGEN_H

#include "fwd.h"

/* How a flow differs from the others. */
enum fwd_txgen_flow_field {
	FWD_TXGEN_VARY_UDP_SRC_PORT, /* txonly: IPv4 header the same for every packet */
	FWD_TXGEN_VARY_IPV4_DST,     /* flowgen: distinct IPv4 destinations, checksum per flow */
};

/* Per-lcore pacing from --rate; on the lcore before its loop. */
void fwd_txgen_lcore_start(struct fwd_lcore *lc);

/* Builds and sends up to one burst on port within the budget and the rate. Returns packets sent. */
uint16_t fwd_txgen_burst(struct fwd_lcore *lc, uint16_t port, enum fwd_txgen_flow_field vary);

#endif
