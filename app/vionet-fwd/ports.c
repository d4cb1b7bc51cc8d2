/* Port and mempool set-up, NUMA placement (see fwd_ports.h). */
#include "fwd_ports.h"
#include "fwd_port_setup.h"
#include "fwd_reset.h"

#include <errno.h>
#include <numa.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#define FWD_MBUF_SLACK 4096

static unsigned int pool_size_for_socket(const struct fwd_ctx *ctx, int socket)
{
	unsigned int need = FWD_MBUF_SLACK;

	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		const struct fwd_port_conf *pc = &ctx->port_conf[p];

		if (fwd_port_socket(p) == socket)
			need += (unsigned int)pc->nb_rxq * pc->nb_rxd + (unsigned int)pc->nb_txq * pc->nb_txd;
	}
	for (unsigned int w = 0; w < ctx->nb_workers; w++)
		if ((int)rte_lcore_to_socket_id(ctx->workers[w]->lcore_id) == socket)
			need += ctx->opts->mbuf_cache + FWD_BURST * (ctx->nb_ports + 1u);
	return need;
}

static int pool_create(struct fwd_ctx *ctx, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int size;

	if (ctx->pool_by_socket[socket] != NULL)
		return 0;
	if (numa_available() >= 0 && socket > numa_max_node()) {
		RTE_LOG(ERR, USER1, "socket %d is beyond the NUMA nodes libnuma knows (max %d)\n",
			socket, numa_max_node());
		return -EINVAL;
	}
	size = ctx->opts->nb_mbufs != 0 ? ctx->opts->nb_mbufs : pool_size_for_socket(ctx, socket);
	snprintf(name, sizeof(name), "fwd_mbufs_s%d", socket);
	ctx->pool_by_socket[socket] = rte_pktmbuf_pool_create(name, size, ctx->opts->mbuf_cache, 0,
							      RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (ctx->pool_by_socket[socket] == NULL) {
		RTE_LOG(ERR, USER1, "mempool of %u mbufs on socket %d: %s (more hugepage memory, -m, or --mbufs)\n",
			size, socket, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	printf("vionet-fwd: socket %d: %u mbufs\n", socket, size);
	return 0;
}

int fwd_pools_create(struct fwd_ctx *ctx)
{
	int rc;

	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		rc = pool_create(ctx, fwd_port_socket(p));
		if (rc != 0)
			return rc;
	}
	for (unsigned int w = 0; w < ctx->nb_workers; w++) {
		struct fwd_lcore *lc = ctx->workers[w];
		int socket = (int)rte_lcore_to_socket_id(lc->lcore_id);

		rc = pool_create(ctx, socket);
		if (rc != 0)
			return rc;
		lc->pool = ctx->pool_by_socket[socket];
	}
	return 0;
}

int fwd_ports_start(struct fwd_ctx *ctx)
{
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		int rc = fwd_reset_register(ctx, p);

		if (rc == 0) {
			rc = fwd_port_setup(ctx, p);
			if (rc != 0)
				fwd_reset_unregister(ctx, p);
		}
		if (rc != 0)
			return rc;
		ctx->port_used[p] = true;
	}
	return 0;
}

void fwd_ports_wait_link(const struct fwd_ctx *ctx)
{
	uint64_t deadline = rte_get_timer_cycles() + ctx->opts->link_wait_s * rte_get_timer_hz();
	struct rte_eth_link link;

	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		for (;;) {
			if (rte_eth_link_get_nowait(p, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
				break;
			if (rte_get_timer_cycles() >= deadline) {
				printf("vionet-fwd: warning: port %u link is down after %u s, forwarding anyway\n",
				       p, ctx->opts->link_wait_s);
				break;
			}
			usleep(10000);
		}
	}
}

void fwd_ports_close(struct fwd_ctx *ctx)
{
	struct rte_mbuf *pkts[FWD_BURST];

	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		if (!ctx->port_used[p])
			continue;
		for (uint16_t q = 0; q < ctx->port_conf[p].nb_rxq; q++) {
			/* Bounded: a peer still sending must not keep us here. */
			for (int round = 0; round < 1024; round++) {
				uint16_t n = rte_eth_rx_burst(p, q, pkts, FWD_BURST);

				if (n == 0)
					break;
				rte_pktmbuf_free_bulk(pkts, n);
			}
		}
	}
	for (uint16_t p = 0; p < ctx->nb_ports; p++) {
		int rc;

		if (!ctx->port_used[p])
			continue;
		fwd_reset_unregister(ctx, p);
		rc = rte_eth_dev_stop(p);
		if (rc != 0)
			RTE_LOG(WARNING, USER1, "port %u: rte_eth_dev_stop: %s\n", p, rte_strerror(-rc));
		rc = rte_eth_dev_close(p);
		if (rc != 0)
			RTE_LOG(WARNING, USER1, "port %u: rte_eth_dev_close: %s\n", p, rte_strerror(-rc));
		ctx->port_used[p] = false;
	}
}

unsigned int fwd_pools_in_use(const struct fwd_ctx *ctx, unsigned int *total)
{
	unsigned int in_use = 0;

	*total = 0;
	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		if (ctx->pool_by_socket[s] == NULL)
			continue;
		in_use += rte_mempool_in_use_count(ctx->pool_by_socket[s]);
		*total += ctx->pool_by_socket[s]->size;
	}
	return in_use;
}

void fwd_pools_free(struct fwd_ctx *ctx)
{
	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		rte_mempool_free(ctx->pool_by_socket[s]);
		ctx->pool_by_socket[s] = NULL;
	}
}
