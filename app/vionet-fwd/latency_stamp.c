/* The --latency stamp in frames and its measurement on the receiving streams (see
 * fwd_latency_stamp.h). */
#include "fwd_latency_stamp.h"

#include <rte_byteorder.h>
#include <rte_malloc.h>

_Static_assert(FWD_LATENCY_STAMP_OFFSET + sizeof(struct fwd_latency_stamp) <= FWD_MIN_PKT_SIZE,
	       "the shortest generated frame must hold the stamp");

bool fwd_latency_stamp_read(const struct rte_mbuf *m, struct fwd_latency_stamp *st)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;

	if (m->data_len < FWD_LATENCY_STAMP_OFFSET + sizeof(*st))
		return false;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_UDP)
		return false;
	memcpy(st, rte_pktmbuf_mtod_offset(m, const void *, FWD_LATENCY_STAMP_OFFSET), sizeof(*st));
	return st->magic == FWD_LATENCY_STAMP_MAGIC;
}

void fwd_latency_rx_init(struct fwd_latency_rx *rx)
{
	fwd_latency_hist_init(&rx->hist);
	fwd_latency_seq_init(&rx->seq);
	rx->backwards = 0;
}

void fwd_latency_rx_burst(struct fwd_latency_rx *rx, struct rte_mbuf *const *pkts, uint16_t n,
			  uint64_t now_tsc)
{
	struct fwd_latency_stamp st;

	for (uint16_t i = 0; i < n; i++) {
		if (!fwd_latency_stamp_read(pkts[i], &st))
			continue;
		fwd_latency_seq_track(&rx->seq, fwd_latency_source_id(st.port, st.queue), st.seq);
		if (unlikely(st.tsc > now_tsc))
			fwd_latency_relaxed_add(&rx->backwards, 1);
		else
			fwd_latency_record(&rx->hist, now_tsc - st.tsc);
	}
}

int fwd_latency_streams_setup(struct fwd_ctx *ctx)
{
	if (!ctx->opts->latency)
		return 0;
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		struct fwd_lcore *lc = ctx->workers[w];
		int socket = (int)rte_lcore_to_socket_id(lc->lcore_id);

		for (uint16_t i = 0; i < lc->nb_streams; i++) {
			struct fwd_stream *s = &lc->streams[i];

			s->latency = rte_malloc_socket("fwd_latency", sizeof(*s->latency),
						       RTE_CACHE_LINE_SIZE, socket);
			if (s->latency == NULL) {
				fprintf(stderr, "vionet-fwd: error: no memory for the latency histogram of port %u queue %u on socket %d\n",
					s->rx_port, s->rx_queue, socket);
				fwd_latency_streams_teardown(ctx);
				return -ENOMEM;
			}
			fwd_latency_rx_init(s->latency);
		}
	}
	return 0;
}

void fwd_latency_streams_teardown(struct fwd_ctx *ctx)
{
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		struct fwd_lcore *lc = ctx->workers[w];

		for (uint16_t i = 0; i < lc->nb_streams; i++) {
			rte_free(lc->streams[i].latency);
			lc->streams[i].latency = NULL;
		}
	}
}

bool fwd_latency_measured(const struct fwd_ctx *ctx)
{
	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		for (uint16_t i = 0; i < ctx->workers[w]->nb_streams; i++)
			if (ctx->workers[w]->streams[i].latency != NULL)
				return true;
	return false;
}

void fwd_latency_port_summary(const struct fwd_ctx *ctx, uint16_t port,
			      struct fwd_latency_summary *out)
{
	/* About 15 KiB: on the reporting lcore's stack, once per port and report. */
	struct fwd_latency_hist hist;
	struct fwd_latency_seq seq;
	uint64_t backwards = 0;

	fwd_latency_hist_init(&hist);
	fwd_latency_seq_init(&seq);
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		const struct fwd_lcore *lc = ctx->workers[w];

		for (uint16_t i = 0; i < lc->nb_streams; i++) {
			const struct fwd_stream *s = &lc->streams[i];

			if (s->latency == NULL || (port != UINT16_MAX && s->rx_port != port))
				continue;
			fwd_latency_hist_merge(&hist, &s->latency->hist);
			fwd_latency_seq_merge(&seq, &s->latency->seq);
			backwards += __atomic_load_n(&s->latency->backwards, __ATOMIC_RELAXED);
		}
	}
	fwd_latency_summarize(&hist, &seq, out);
	out->backwards = backwards;
}
