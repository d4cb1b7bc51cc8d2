/* Port set-up at start and after a reset (see fwd_port_setup.h). */
#include "fwd_port_setup.h"

#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

int fwd_port_socket(uint16_t port)
{
	int socket = rte_eth_dev_socket_id(port);

	return socket >= 0 ? socket : (int)rte_socket_id();
}

int fwd_port_setup(struct fwd_ctx *ctx, uint16_t port)
{
	struct fwd_port_conf *pc = &ctx->port_conf[port];
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	int socket = fwd_port_socket(port);
	struct rte_mempool *pool = ctx->pool_by_socket[socket];
	int rc;

	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "port %u: rte_eth_dev_info_get: %s\n", port, rte_strerror(-rc));
		return rc;
	}
	if (pc->nb_rxq > info.max_rx_queues || pc->nb_txq > info.max_tx_queues) {
		RTE_LOG(ERR, USER1,
			"port %u (%s): %u Rx / %u Tx queues asked, the device has at most %u / %u (--rxq/--txq/--port-config)\n",
			port, info.driver_name, pc->nb_rxq, pc->nb_txq, info.max_rx_queues,
			info.max_tx_queues);
		return -EINVAL;
	}
	rc = rte_eth_dev_configure(port, pc->nb_rxq, pc->nb_txq, &conf);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "port %u: rte_eth_dev_configure(%u, %u): %s\n", port, pc->nb_rxq,
			pc->nb_txq, rte_strerror(-rc));
		return rc;
	}
	/* The device may round ring sizes to what it supports; the summary shows the result. */
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &pc->nb_rxd, &pc->nb_txd);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "port %u: ring sizes %u/%u: %s\n", port, pc->nb_rxd, pc->nb_txd,
			rte_strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < pc->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, pc->nb_rxd, (unsigned int)socket, NULL, pool);
		if (rc != 0) {
			RTE_LOG(ERR, USER1, "port %u Rx queue %u (%u descriptors, socket %d): %s\n",
				port, q, pc->nb_rxd, socket, rte_strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < pc->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(port, q, pc->nb_txd, (unsigned int)socket, NULL);
		if (rc != 0) {
			RTE_LOG(ERR, USER1, "port %u Tx queue %u (%u descriptors, socket %d): %s\n",
				port, q, pc->nb_txd, socket, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "port %u: rte_eth_dev_start: %s\n", port, rte_strerror(-rc));
		return rc;
	}
	if (ctx->opts->promiscuous) {
		rc = rte_eth_promiscuous_enable(port);
		if (rc != 0 && rc != -ENOTSUP)
			RTE_LOG(WARNING, USER1, "port %u: promiscuous mode: %s\n", port,
				rte_strerror(-rc));
	}
	rte_eth_macaddr_get(port, &ctx->port_mac[port]);
	printf("vionet-fwd: port %u: %s, socket %d, %u Rx x %u, %u Tx x %u, MAC " RTE_ETHER_ADDR_PRT_FMT "\n",
	       port, info.driver_name, socket, pc->nb_rxq, pc->nb_rxd, pc->nb_txq, pc->nb_txd,
	       RTE_ETHER_ADDR_BYTES(&ctx->port_mac[port]));
	return 0;
}

int fwd_port_reset(struct fwd_ctx *ctx, uint16_t port)
{
	/* Stops the port and brings the device back to its state after probe; the PMD returns the
	 * mbufs its rings held. */
	int rc = rte_eth_dev_reset(port);

	if (rc != 0) {
		RTE_LOG(ERR, USER1, "port %u: rte_eth_dev_reset: %s\n", port, rte_strerror(-rc));
		return rc;
	}
	return fwd_port_setup(ctx, port);
}
