/* --latency in the forwarder: the stamp a generator (txonly, flowgen) writes into each frame, and
 * what a receiving stream (flowgen's return, rxonly) does with the stamps it finds. */
#ifndef FWD_LATENCY_STAMP_H
#define FWD_LATENCY_STAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "fwd.h"
#include "fwd_latency.h"

/* "vnlt": tells a stamp from any other payload. */
#define FWD_LATENCY_STAMP_MAGIC UINT32_C(0x766e6c74)

/* The first bytes of the UDP payload of an untagged IPv4 frame without options; host byte order
 * (the receiver reads the same TSC, so it runs on the same machine). 18 bytes, so that the
 * shortest frame (60) holds it. */
struct fwd_latency_stamp {
	uint32_t magic;
	uint8_t port;   /* the generator's Tx port and queue: one sequence each */
	uint8_t queue;
	uint32_t seq;
	uint64_t tsc;   /* rte_rdtsc() just before the Tx burst */
} __attribute__((packed));

#define FWD_LATENCY_STAMP_OFFSET \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

/* A receiving stream's measurements: written by its lcore, merged per port by the reports. */
struct fwd_latency_rx {
	struct fwd_latency_hist hist;
	struct fwd_latency_seq seq;
	uint64_t backwards;
};

static inline uint16_t fwd_latency_source_id(uint8_t port, uint8_t queue)
{
	return (uint16_t)(port | (uint16_t)queue << 8);
}

/* Writes the stamp into a frame built by txgen (its UDP checksum is 0, "not computed" in RFC 768,
 * so the payload needs no checksum update). */
static inline void fwd_latency_stamp_write(struct rte_mbuf *m, uint8_t port, uint8_t queue,
					   uint32_t seq, uint64_t tsc)
{
	struct fwd_latency_stamp st = {
		.magic = FWD_LATENCY_STAMP_MAGIC, .port = port, .queue = queue, .seq = seq, .tsc = tsc,
	};

	memcpy(rte_pktmbuf_mtod_offset(m, void *, FWD_LATENCY_STAMP_OFFSET), &st, sizeof(st));
}

/* Reads the stamp of a frame; false for a frame that has none (not IPv4/UDP as txgen builds it,
 * too short in its first segment, or another payload). */
bool fwd_latency_stamp_read(const struct rte_mbuf *m, struct fwd_latency_stamp *st);

void fwd_latency_rx_init(struct fwd_latency_rx *rx);

/* Records the stamped frames of one received burst, which arrived at now_tsc. */
void fwd_latency_rx_burst(struct fwd_latency_rx *rx, struct rte_mbuf *const *pkts, uint16_t n,
			  uint64_t now_tsc);

/* Engine set-up and teardown of the receiving engines: one fwd_latency_rx per stream, on the
 * stream's lcore's socket, when --latency is given. */
int fwd_latency_streams_setup(struct fwd_ctx *ctx);
void fwd_latency_streams_teardown(struct fwd_ctx *ctx);

/* Whether some stream measures latency (the reports show it then). */
bool fwd_latency_measured(const struct fwd_ctx *ctx);

/* The streams receiving on port merged (every port: UINT16_MAX). */
void fwd_latency_port_summary(const struct fwd_ctx *ctx, uint16_t port,
			      struct fwd_latency_summary *out);

#endif
