/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry endpoints of the vionet ports, beside ethdev's generic ones (dpdk-telemetry.py):
 *   /vionet/ports                   the ports this driver runs, in this process
 *   /vionet/info,<port>             transport, features, ring layout, burst path, port state
 *   /vionet/queues,<port>[,<pair>]  per queue: state and the error counters of the xstats
 * A parameter that is not a number, or names no port of ours, gets an error (telemetry answers
 * null). The endpoints read what the port holds; they never configure anything, so a secondary
 * process answers them too (from the shared port data, through its own transport ops).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_telemetry.h>

#include "base/vionet_feature_names.h"
#include "ethdev/ethdev.h"
#include "queue/queue.h"
#include "rxtx/rxtx.h"

/* What /vionet/queues reports of each queue's xstats ("rx_q<N>_<name>"): its error counters. */
static const char *const rx_error_xstats[] = {
	"errors", "mbuf_alloc_failed", "runt_frames_dropped", "invalid_used_rejected",
	"event_suppression_rejected", "notifications_late",
};
static const char *const tx_error_xstats[] = {
	"errors", "invalid_used_rejected", "event_suppression_rejected", "notifications_late",
};

static bool
is_vionet_port(const struct rte_eth_dev *dev)
{
	const char *driver;

	if (dev->data == NULL || dev->device == NULL || rte_dev_driver(dev->device) == NULL)
		return false;
	driver = rte_driver_name(rte_dev_driver(dev->device));
	return driver != NULL &&
	       (strcmp(driver, "net_vionet") == 0 || strcmp(driver, "net_vionet_user") == 0);
}

/* A decimal number up to 'max', the whole of [s, end): nothing else is a number here. */
static int
parse_number(const char *s, const char *end, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (s == end)
		return -EINVAL;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/*
 * "<port>" or, when 'pair' is not NULL, "<port>" or "<port>,<pair>" (*pair = UINT16_MAX when
 * absent). The port must be one of ours in this process.
 */
static int
parse_port_params(const char *params, struct rte_eth_dev **dev, uint16_t *pair)
{
	const char *comma, *end;
	unsigned long port, q;

	if (params == NULL)
		return -EINVAL;
	end = params + strlen(params);
	comma = strchr(params, ',');
	if (comma != NULL && pair == NULL)
		return -EINVAL;
	if (parse_number(params, comma != NULL ? comma : end, RTE_MAX_ETHPORTS - 1, &port) < 0)
		return -EINVAL;
	if (!rte_eth_dev_is_valid_port((uint16_t)port) || !is_vionet_port(&rte_eth_devices[port]))
		return -ENODEV;
	if (pair != NULL) {
		*pair = UINT16_MAX;
		if (comma != NULL) {
			if (parse_number(comma + 1, end, UINT16_MAX - 1, &q) < 0)
				return -EINVAL;
			*pair = (uint16_t)q;
		}
	}
	*dev = &rte_eth_devices[port];
	return 0;
}

/*
 * The primary serialises with start, stop and the recovery of a back end's return; a secondary
 * reads without (the lock is the primary's).
 */
static void
port_lock(struct vionet_hw *hw)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		pthread_mutex_lock(&hw->port.lifecycle_lock);
}

static void
port_unlock(struct vionet_hw *hw)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		pthread_mutex_unlock(&hw->port.lifecycle_lock);
}

static int
telemetry_ports(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	uint16_t port;

	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	RTE_ETH_FOREACH_DEV(port)
		if (is_vionet_port(&rte_eth_devices[port]))
			rte_tel_data_add_array_int(d, port);
	return 0;
}

static void
add_dict_hex(struct rte_tel_data *d, const char *name, uint64_t value)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "0x%016" PRIx64, value);
	rte_tel_data_add_dict_string(d, name, hex);
}

/* The names of the set bits of 'features', as an array container under 'name'. */
static void
add_feature_names(struct rte_tel_data *d, const char *name, uint64_t features)
{
	struct rte_tel_data *names = rte_tel_data_alloc();
	char unnamed[24];

	if (names == NULL)
		return;
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (unsigned int bit = 0; bit < 64; bit++) {
		const char *s = vionet_feature_name(bit);

		if ((features & VIRTQ_FEATURE(bit)) == 0)
			continue;
		if (s == NULL) {
			snprintf(unnamed, sizeof(unnamed), "bit_%u", bit);
			s = unnamed;
		}
		rte_tel_data_add_array_string(names, s);
	}
	if (rte_tel_data_add_dict_container(d, name, names, 0) != 0)
		rte_tel_data_free(names);
}

static void
add_transport(struct rte_tel_data *d, const struct rte_eth_dev *dev, const struct vionet_hw *hw)
{
	const struct vionet_transport_proc *proc = vionet_transport_proc_of(&hw->tp);
	const char *transport = proc != NULL && proc->ops != NULL ? proc->ops->name : "unknown";

	rte_tel_data_add_dict_string(d, "driver", rte_driver_name(rte_dev_driver(dev->device)));
	rte_tel_data_add_dict_string(d, "transport", transport);
	/* A PCI device's name is its address; a vdev's the name it was created with. */
	rte_tel_data_add_dict_string(d, "device", rte_dev_name(dev->device));
	if (strcmp(transport, "vhost-user") == 0) {
		rte_tel_data_add_dict_string(d, "socket", hw->tp.devargs.path);
		rte_tel_data_add_dict_string(d, "socket_mode",
					     hw->tp.devargs.server ? "server" : "client");
	}
}

static void
add_rings(struct rte_tel_data *d, const struct vionet_hw *hw)
{
	rte_tel_data_add_dict_string(d, "ring_layout",
				     vionet_has_feature(hw, VIONET_F_RING_PACKED) ? "packed" : "split");
	rte_tel_data_add_dict_int(d, "in_order", vionet_has_feature(hw, VIONET_F_IN_ORDER));
	rte_tel_data_add_dict_int(d, "mergeable_rx_buffers",
				  vionet_has_feature(hw, VIONET_NET_F_MRG_RXBUF));
	rte_tel_data_add_dict_int(d, "event_idx", vionet_has_feature(hw, VIONET_F_EVENT_IDX));
	rte_tel_data_add_dict_int(d, "indirect_desc", vionet_has_feature(hw, VIONET_F_INDIRECT_DESC));
	rte_tel_data_add_dict_int(d, "ring_size_default", hw->queue_size_default);
	rte_tel_data_add_dict_int(d, "ring_size_max", hw->queue_size_max);
	rte_tel_data_add_dict_int(d, "net_hdr_size", hw->net_hdr_size);
}

static void
add_port_state(struct rte_tel_data *d, const struct rte_eth_dev *dev, const struct vionet_hw *hw)
{
	bool broken = vionet_dev_is_broken(hw);
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_tel_data_add_dict_string(d, "state", broken ? "broken"
					       : hw->port.started ? "started" : "stopped");
	rte_tel_data_add_dict_int(d, "started", hw->port.started);
	rte_tel_data_add_dict_int(d, "broken", broken);
	if (broken)
		rte_tel_data_add_dict_string(d, "broken_reason", hw->fault.what);
	rte_tel_data_add_dict_u64(d, "device_broken_count",
				  __atomic_load_n(&hw->fault.count, __ATOMIC_RELAXED));
	/* the device's requests to announce the port after a migration, and those answered */
	rte_tel_data_add_dict_u64(d, "announce_requests",
				  __atomic_load_n(&hw->announce_requests, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "announce_acked",
				  __atomic_load_n(&hw->port.announce.acked, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_string(d, "link", dev->data->dev_link.link_status ? "up" : "down");
	rte_tel_data_add_dict_int(d, "speed_mbps", (int)hw->speed_mbps);
	rte_tel_data_add_dict_string(d, "duplex", hw->full_duplex ? "full" : "half");
	rte_tel_data_add_dict_int(d, "mtu", hw->mtu);
	rte_tel_data_add_dict_int(d, "max_mtu", hw->max_mtu);
	rte_ether_format_addr(mac, sizeof(mac), &hw->mac);
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_int(d, "max_queue_pairs", hw->max_queue_pairs);
	rte_tel_data_add_dict_int(d, "active_queue_pairs", hw->active_queue_pairs);
	rte_tel_data_add_dict_int(d, "rx_queues", dev->data->nb_rx_queues);
	rte_tel_data_add_dict_int(d, "tx_queues", dev->data->nb_tx_queues);
	/* The same texts as rte_eth_rx_burst_mode_get and rte_eth_tx_burst_mode_get. */
	rte_tel_data_add_dict_string(d, "rx_burst_mode", vionet_rx_path_name(dev));
	rte_tel_data_add_dict_string(d, "tx_burst_mode", vionet_tx_path_name(dev));
}

static int
telemetry_info(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct rte_eth_dev *dev;
	struct vionet_hw *hw;
	int ret = parse_port_params(params, &dev, NULL);

	if (ret < 0)
		return ret;
	hw = vionet_hw_of(dev);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port", dev->data->port_id);
	port_lock(hw);
	add_transport(d, dev, hw);
	add_dict_hex(d, "features", hw->tp.features);
	add_feature_names(d, "feature_names", hw->tp.features);
	add_dict_hex(d, "device_features", hw->device_features);
	add_rings(d, hw);
	add_port_state(d, dev, hw);
	port_unlock(hw);
	return 0;
}

/* The port's xstats, names and values, taken at once: the queue dicts read them by name. */
struct xstats_snapshot {
	int count;
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *values;
};

static int
xstats_snapshot(struct rte_eth_dev *dev, struct xstats_snapshot *s)
{
	s->count = vionet_xstats_get_names(dev, NULL, 0);
	s->names = calloc(s->count, sizeof(*s->names));
	s->values = calloc(s->count, sizeof(*s->values));
	if (s->names == NULL || s->values == NULL ||
	    vionet_xstats_get_names(dev, s->names, s->count) != s->count ||
	    vionet_xstats_get(dev, s->values, s->count) != s->count) {
		free(s->names);
		free(s->values);
		return -ENOMEM;
	}
	return 0;
}

static uint64_t
xstat_value(const struct xstats_snapshot *s, const char *name)
{
	for (int i = 0; i < s->count; i++)
		if (strcmp(s->names[i].name, name) == 0)
			return s->values[i].value;
	return 0;
}

/* One queue's dict: ring state and its error counters, each as its xstat "<dir>_q<N>_<name>". */
static struct rte_tel_data *
queue_dict(const struct xstats_snapshot *s, const char *dir, uint16_t q, const struct vionet_vq *vq,
	   uint16_t ring_size, uint8_t state, const char *const *errors, size_t n_errors)
{
	struct rte_tel_data *qd = rte_tel_data_alloc();
	char name[RTE_ETH_XSTATS_NAME_SIZE];

	if (qd == NULL)
		return NULL;
	rte_tel_data_start_dict(qd);
	rte_tel_data_add_dict_int(qd, "set_up", vq != NULL);
	rte_tel_data_add_dict_int(qd, "started", state == RTE_ETH_QUEUE_STATE_STARTED);
	rte_tel_data_add_dict_int(qd, "broken",
				  vq != NULL && vq->ring_mz != NULL &&
					  vionet_vq_is_broken(vq, vq->packed_ring));
	rte_tel_data_add_dict_int(qd, "ring_size", ring_size);
	for (size_t i = 0; i < n_errors; i++) {
		snprintf(name, sizeof(name), "%s_q%u_%s", dir, q, errors[i]);
		rte_tel_data_add_dict_u64(qd, errors[i], xstat_value(s, name));
	}
	return qd;
}

static void
add_queue(struct rte_tel_data *d, struct rte_tel_data *qd, const char *dir, uint16_t q)
{
	char key[16];

	if (qd == NULL)
		return;
	snprintf(key, sizeof(key), "%s%u", dir, q);
	if (rte_tel_data_add_dict_container(d, key, qd, 0) != 0)
		rte_tel_data_free(qd);
}

static int
telemetry_queues(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct xstats_snapshot s;
	struct rte_eth_dev *dev;
	struct vionet_hw *hw;
	uint16_t pair, first, last;
	int ret = parse_port_params(params, &dev, &pair);

	if (ret < 0)
		return ret;
	hw = vionet_hw_of(dev);
	last = RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	first = 0;
	if (pair != UINT16_MAX) {
		if (pair >= last)
			return -EINVAL;
		first = pair;
		last = pair + 1;
	}
	port_lock(hw);
	ret = xstats_snapshot(dev, &s);
	if (ret < 0) {
		port_unlock(hw);
		return ret;
	}
	rte_tel_data_start_dict(d);
	for (uint16_t q = first; q < last; q++) {
		if (q < dev->data->nb_rx_queues) {
			const struct vionet_rxq *rxq = dev->data->rx_queues[q];

			add_queue(d, queue_dict(&s, "rx", q, rxq != NULL ? &rxq->vq : NULL,
						rxq != NULL ? rxq->ring_size : 0,
						dev->data->rx_queue_state[q], rx_error_xstats,
						RTE_DIM(rx_error_xstats)), "rx", q);
		}
		if (q < dev->data->nb_tx_queues) {
			const struct vionet_txq *txq = dev->data->tx_queues[q];

			add_queue(d, queue_dict(&s, "tx", q, txq != NULL ? &txq->vq : NULL,
						txq != NULL ? txq->ring_size : 0,
						dev->data->tx_queue_state[q], tx_error_xstats,
						RTE_DIM(tx_error_xstats)), "tx", q);
		}
	}
	port_unlock(hw);
	free(s.names);
	free(s.values);
	return 0;
}

/* Once per process that loads the driver; the commands live in this process's telemetry. */
RTE_INIT(vionet_telemetry_register)
{
	rte_telemetry_register_cmd("/vionet/ports", telemetry_ports,
				   "vionet ports of this process. No parameters");
	rte_telemetry_register_cmd("/vionet/info", telemetry_info,
				   "vionet port: transport, features, rings. Params: port");
	rte_telemetry_register_cmd("/vionet/queues", telemetry_queues,
				   "vionet queues: state, errors. Params: port[,pair]");
}
