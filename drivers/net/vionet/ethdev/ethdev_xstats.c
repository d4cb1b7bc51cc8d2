/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Extended statistics with stable names: per queue "rx_q<N>_<counter>" / "tx_q<N>_<counter>", then
 * the port's own. The names and their order are part of the interface: append, never rename or
 * reorder.
 */
#include <stdio.h>
#include <string.h>

#include "ethdev/ethdev.h"
#include "queue/queue.h"

struct xstat_def {
	const char *name;
	size_t offset; /* in struct vionet_queue_stats, or one of the ring's counters below */
};

/* Counters of the ring (device/device_vq.h), not of struct vionet_queue_stats. */
#define XSTAT_RING_INVALID_USED SIZE_MAX
#define XSTAT_RING_BAD_EVENT (SIZE_MAX - 1)
#define XSTAT_RING_LATE_NOTIFY (SIZE_MAX - 2)

#define XSTAT(field) {#field, offsetof(struct vionet_queue_stats, field)}
#define XSTAT_SIZE(name, bucket) {name, offsetof(struct vionet_queue_stats, size[bucket])}

static const struct xstat_def queue_xstats[] = {
	XSTAT(packets),
	XSTAT(bytes),
	XSTAT(errors),
	XSTAT_SIZE("size_under_64_packets", VIONET_SIZE_UNDER_64),
	XSTAT_SIZE("size_64_packets", VIONET_SIZE_64),
	XSTAT_SIZE("size_65_to_127_packets", VIONET_SIZE_65_127),
	XSTAT_SIZE("size_128_to_255_packets", VIONET_SIZE_128_255),
	XSTAT_SIZE("size_256_to_511_packets", VIONET_SIZE_256_511),
	XSTAT_SIZE("size_512_to_1023_packets", VIONET_SIZE_512_1023),
	XSTAT_SIZE("size_1024_to_1518_packets", VIONET_SIZE_1024_1518),
	XSTAT_SIZE("size_1519_to_max_packets", VIONET_SIZE_OVER_1518),
	XSTAT(notifications_sent),
	XSTAT(notifications_suppressed),
	{"invalid_used_rejected", XSTAT_RING_INVALID_USED},
	XSTAT(mbuf_alloc_failed),
	XSTAT(multi_seg),
	XSTAT(intr_self_signalled),
	XSTAT(runt_frames_dropped),
	/* event suppression values no honest device writes: notified anyway */
	{"event_suppression_rejected", XSTAT_RING_BAD_EVENT},
	/* notifications sent after the device declined one and then used nothing for long */
	{"notifications_late", XSTAT_RING_LATE_NOTIFY},
};

#define N_QUEUE_XSTATS RTE_DIM(queue_xstats)

/* The port's, after every queue's. */
static const char *const port_xstats[] = {
	"device_broken", /* breaks the device caused: one RTE_ETH_EVENT_INTR_RESET each */
	"device_config_rejected", /* configuration values the device gave that were not used */
	/* the device's requests to announce the port (VIRTIO_NET_S_ANNOUNCE, after a migration) and
	 * what came of them: RARP frames sent, acknowledgements taken, requests left unanswered */
	"announce_requests",
	"announce_frames_sent",
	"announce_acked",
	"announce_failed",
};

#define N_PORT_XSTATS RTE_DIM(port_xstats)

static unsigned int
xstats_count(const struct rte_eth_dev *dev)
{
	return (unsigned int)(dev->data->nb_rx_queues + dev->data->nb_tx_queues) * N_QUEUE_XSTATS +
	       N_PORT_XSTATS;
}

int
vionet_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			unsigned int size)
{
	unsigned int count = xstats_count(dev), k = 0;

	if (names == NULL || size < count)
		return (int)count;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		for (unsigned int i = 0; i < N_QUEUE_XSTATS; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q,
				 queue_xstats[i].name);
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		for (unsigned int i = 0; i < N_QUEUE_XSTATS; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q,
				 queue_xstats[i].name);
	for (unsigned int i = 0; i < N_PORT_XSTATS; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", port_xstats[i]);
	return (int)count;
}

static void
fill_queue(struct rte_eth_xstat *xstats, unsigned int *k, const struct vionet_queue_stats *s,
	   const struct vionet_vq *vq)
{
	for (unsigned int i = 0; i < N_QUEUE_XSTATS; i++) {
		uint64_t v = 0;

		if (s != NULL && queue_xstats[i].offset == XSTAT_RING_INVALID_USED)
			v = vionet_vq_invalid_used(vq);
		else if (s != NULL && queue_xstats[i].offset == XSTAT_RING_BAD_EVENT)
			v = vionet_vq_bad_event(vq);
		else if (s != NULL && queue_xstats[i].offset == XSTAT_RING_LATE_NOTIFY)
			v = vionet_vq_late_notify(vq);
		else if (s != NULL)
			v = *(const uint64_t *)((const char *)s + queue_xstats[i].offset);
		xstats[*k].id = *k;
		xstats[*k].value = v;
		(*k)++;
	}
}

int
vionet_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n)
{
	unsigned int count = xstats_count(dev), k = 0;

	if (xstats == NULL || n < count)
		return (int)count;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vionet_rxq *rxq = dev->data->rx_queues[q];

		fill_queue(xstats, &k, rxq != NULL ? &rxq->stats : NULL, rxq != NULL ? &rxq->vq : NULL);
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vionet_txq *txq = dev->data->tx_queues[q];

		fill_queue(xstats, &k, txq != NULL ? &txq->stats : NULL, txq != NULL ? &txq->vq : NULL);
	}
	const struct vionet_hw *hw = vionet_hw_of(dev);
	const uint64_t port_values[N_PORT_XSTATS] = {
		__atomic_load_n(&hw->fault.count, __ATOMIC_RELAXED),
		__atomic_load_n(&hw->config_rejected, __ATOMIC_RELAXED),
		__atomic_load_n(&hw->announce_requests, __ATOMIC_RELAXED),
		__atomic_load_n(&hw->port.announce.frames_sent, __ATOMIC_RELAXED),
		__atomic_load_n(&hw->port.announce.acked, __ATOMIC_RELAXED),
		__atomic_load_n(&hw->port.announce.failed, __ATOMIC_RELAXED),
	};

	for (unsigned int i = 0; i < N_PORT_XSTATS; i++, k++) {
		xstats[k].id = k;
		xstats[k].value = port_values[i];
	}
	return (int)count;
}

int
vionet_xstats_reset(struct rte_eth_dev *dev)
{
	__atomic_store_n(&vionet_hw_of(dev)->fault.count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vionet_hw_of(dev)->config_rejected, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vionet_hw_of(dev)->announce_requests, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vionet_hw_of(dev)->port.announce.frames_sent, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vionet_hw_of(dev)->port.announce.acked, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vionet_hw_of(dev)->port.announce.failed, 0, __ATOMIC_RELAXED);
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vionet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL) {
			memset(&rxq->stats, 0, sizeof(rxq->stats));
			vionet_vq_invalid_used_reset(&rxq->vq);
		}
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vionet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL) {
			memset(&txq->stats, 0, sizeof(txq->stats));
			vionet_vq_invalid_used_reset(&txq->vq);
		}
	}
	return 0;
}
