/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast paths and their selector. One Rx and one Tx burst function per ring layout (split,
 * packed) and Rx buffer scheme (mergeable or not); IN_ORDER lives in lib/virtq's ring state, so the
 * same functions serve both. rxtx_select.c chooses at dev_start from negotiated features, devargs and
 * CPU flags, and logs the choice; vector variants (rxtx_split_vec.h) add rows to its table.
 */
#ifndef VIONET_RXTX_H
#define VIONET_RXTX_H

#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_mbuf.h>

struct vionet_txq;

uint16_t vionet_recv_split(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_split_mrg(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
/* Split Rx, one per vector width (compiled where the compiler has the target: VIONET_VEC_SSE,
 * _AVX2, _AVX512), without and with mergeable buffers. */
uint16_t vionet_recv_split_sse(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_split_avx2(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_split_avx512(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_split_mrg_sse(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_split_mrg_avx2(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_split_mrg_avx512(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_xmit_split(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
/* Split Tx, in order or not, one per vector width (VIONET_VEC_*): packets the vector groups cannot
 * take (chains, offloads, shared mbufs, no headroom) go through the scalar step one by one. */
uint16_t vionet_xmit_split_sse(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
uint16_t vionet_xmit_split_avx2(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
uint16_t vionet_xmit_split_avx512(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_packed(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_packed_mrg(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
/* Packed Rx, with and without mergeable buffers, without header offloads or VLAN strip, in order or
 * not, one per vector width (rxtx_packed_vec.h; compiled as the split ones are). */
uint16_t vionet_recv_packed_sse(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_packed_avx2(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_packed_avx512(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_packed_mrg_sse(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_packed_mrg_avx2(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_recv_packed_mrg_avx512(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_xmit_packed(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
/* Packed Tx, in order or not, one per vector width (rxtx_packed_tx_vec.h); packets the groups do not
 * take go the scalar way one at a time. */
uint16_t vionet_xmit_packed_sse(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
uint16_t vionet_xmit_packed_avx2(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
uint16_t vionet_xmit_packed_avx512(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
/* ethdev tx_done_cleanup of either layout (vionet_tx_done_cleanup() picks the queue's). */
int vionet_tx_done_cleanup_split(void *tx_queue, uint32_t free_cnt);
int vionet_tx_done_cleanup_packed(void *tx_queue, uint32_t free_cnt);
int vionet_tx_done_cleanup(void *tx_queue, uint32_t free_cnt);

/*
 * tx_pkt_prepare of every layout: the offload requests checked against the negotiated features
 * (rte_errno ENOTSUP), the size and header layout (EINVAL), the pseudo-header checksum written.
 */
uint16_t vionet_tx_prepare(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);

/*
 * Sends on a Tx queue the caller holds (closed its gate and waited, vionet_vq_gate_*): the
 * driver's own frames, such as the announcement after a migration. Returns the frames the ring
 * took; the rest stay the caller's.
 */
uint16_t vionet_xmit_held(struct vionet_txq *txq, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);

/* Installed while the port is stopped: receive and send nothing. */
uint16_t vionet_rx_burst_stopped(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t vionet_tx_burst_stopped(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);

/* Chooses and installs the burst functions of a port about to start; logs the choice. */
void vionet_rxtx_select(struct rte_eth_dev *dev);
/*
 * A secondary process's port: the burst functions the primary chose at its last start (the row in
 * hw->port.rx_path and tx_path, shared), or the stopped ones when the primary has not started the
 * port.
 */
void vionet_rxtx_attach(struct rte_eth_dev *dev);
/* The name of the chosen Rx or Tx path ("split avx2", "packed mergeable scalar", ...; "stopped"):
 * burst mode, logs. */
const char *vionet_rx_path_name(const struct rte_eth_dev *dev);
const char *vionet_tx_path_name(const struct rte_eth_dev *dev);

#endif /* VIONET_RXTX_H */
