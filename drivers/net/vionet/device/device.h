/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device layer: one virtio-net device, whatever transport reaches it. Feature negotiation, the
 * status state machine (3.1 Device Initialization), configuration space, link state. It reaches the
 * device only through the transport's ops (hw->tp) and reports upward only through the events the
 * layer above registered (struct vionet_dev_events).
 *
 * How a probe (vdev or PCI, in ethdev/) uses this layer:
 *   1. vionet_dev_prepare(hw, ...): name, devargs, addressing, the events; the transport's upcall;
 *   2. create the transport on &hw->tp (it sets hw->tp.ops and hw->tp.priv);
 *   3. vionet_dev_init(hw): reset, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK, config space.
 * Queues are set up and DRIVER_OK is written at port start (queue/queue_start.c).
 */
#ifndef VIONET_DEVICE_H
#define VIONET_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_dev.h>
#include <rte_ether.h>
#include <rte_spinlock.h>

#include "base/vionet_devargs.h"
#include "base/vionet_log.h"
#include "base/vionet_spec.h"
#include "transport/transport_ops.h"

struct rte_eth_dev;
struct vionet_ctrlq;
struct vionet_hw;

/*
 * The device layer's reports to the layer above, which registers them (a lower layer never calls a
 * higher one). Called on the transport's thread (vhost-user socket thread, PCI interrupt thread).
 */
struct vionet_dev_events {
	/* The link went up or down. A device that came back without DRIVER_OK lost its queues. */
	void (*link_changed)(struct vionet_hw *hw, bool up);
	/*
	 * The device broke the port (vionet_dev_report_broken: hw->fault.what says how). Called on
	 * the EAL interrupt thread through an alarm, never on the lcore that noticed the break.
	 */
	void (*broken)(struct vionet_hw *hw);
	/*
	 * The device asked for gratuitous packets (VIRTIO_NET_S_ANNOUNCE, after a live migration):
	 * the layer above sends them and acknowledges (vionet_ctrl_announce_ack), then calls
	 * vionet_dev_announce_done. On the EAL interrupt thread, through an alarm.
	 */
	void (*announce)(struct vionet_hw *hw);
};

/*
 * A port the device broke: a ring lib/virtq marked broken (a used entry it cannot skip), the
 * DEVICE_NEEDS_RESET status bit (2.1.2 Device Requirements: Device Status Field), a control
 * command left without an answer, or other ring features after a back end came back. The port
 * stays broken until its next successful start (after a stop, or rte_eth_dev_reset).
 */
enum vionet_fault_state {
	VIONET_FAULT_NONE,	/* healthy since the last start */
	VIONET_FAULT_PENDING,	/* recorded; the alarm that reports it has not run yet */
	VIONET_FAULT_REPORTED,	/* the layer above has it */
};

struct vionet_dev_fault {
	uint32_t state;	 /* enum vionet_fault_state; any thread, atomically */
	uint64_t count;	 /* breaks recorded since probe or the last xstats reset */
	char what[192];	 /* what the device did, for the one log line */
};

/* Ethernet frame limits: MTU plus Ethernet header, VLAN tag and CRC. */
#define VIONET_FRAME_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN)
#define VIONET_MAX_MTU 9698 /* 9728-byte frames: what testpmd and vhost handle comfortably */
#define VIONET_MAC_TABLE_SIZE 64
/* Link speed reported when neither the devarg nor the device gives one */
#define VIONET_DEFAULT_SPEED_MBPS RTE_ETH_SPEED_NUM_10G
#define VIONET_VLAN_IDS 4096

/* What the receive filters were last set to (recorded even where the device cannot filter). */
struct vionet_rx_filters {
	bool promisc;
	bool allmulti;
	uint64_t vlan[VIONET_VLAN_IDS / 64]; /* a bit per VLAN id */
};

/*
 * Receive-side scaling (VIRTIO_NET_F_RSS, device_rss.c): what the device can do, read from config
 * space at each negotiation, and what the application asked for, sent to the device at every start
 * and on every change while it runs.
 */
/* The indirection table the port keeps: a power of two no larger than the device's. 256 entries
 * and the largest key fit one control command (CTRLQ_DATA_MAX). */
#define VIONET_RSS_TABLE_MAX 256
#define VIONET_RSS_KEY_MAX 255

struct vionet_rss {
	/* The device's limits (config space, with VIRTIO_NET_F_RSS): key_size_max 0 without it. */
	uint8_t key_size_max;
	uint16_t table_size; /* entries the port uses */
	uint32_t hash_types_supported; /* VIONET_HASH_TYPE_* */
	/* The application's: sent while 'on' (Rx multi-queue mode RSS). */
	bool on;
	uint32_t hash_types;
	uint8_t key_len;
	uint8_t key[VIONET_RSS_KEY_MAX];
	uint16_t table[VIONET_RSS_TABLE_MAX]; /* receive queue numbers */
};

/*
 * What the application registered for the device's announce requests (rte_pmd_vionet.h), and what
 * came of the requests. The functions are the primary's (only the primary registers and calls).
 */
#define VIONET_ANNOUNCE_CALLBACKS_MAX 4

struct vionet_announce_cb {
	void (*fn)(uint16_t port_id, void *arg);
	void *arg;
};

struct vionet_announce_state {
	rte_spinlock_t lock; /* the callback table: the application's threads against the handler */
	struct vionet_announce_cb cb[VIONET_ANNOUNCE_CALLBACKS_MAX];
	uint64_t frames_sent; /* RARP frames the driver sent for the port's MAC address */
	uint64_t acked;	      /* acknowledgements the device took (VIRTIO_NET_CTRL_ANNOUNCE_ACK) */
	uint64_t failed;      /* requests left without a frame or without the acknowledgement */
};

/* The port's life: written under the lifecycle lock by the ethdev layer. */
struct vionet_port_state {
	bool started;
	/* Serialises start/stop/close with the queue re-creation a back end reconnect triggers. */
	pthread_mutex_t lifecycle_lock;
	/* rows of the Rx and Tx burst function tables chosen at start (rxtx_select.c) */
	unsigned int rx_path;
	unsigned int tx_path;
	/* Packet types the application asked the Rx queues to parse (dev_ptypes_set); 0: none */
	uint32_t rx_ptype_mask;
	/*
	 * rte_eth_dev_set_{rx,tx}_queue_stats_mapping: the q_* counter of rte_eth_stats each queue
	 * adds to, plus one; 0 is the default, queue i in counter i.
	 */
	uint8_t rx_stats_counter[VIONET_QUEUE_PAIRS_MAX];
	uint8_t tx_stats_counter[VIONET_QUEUE_PAIRS_MAX];
	/*
	 * "link up/down" lines: a device that flaps its link gets a few a second and a summary of
	 * the rest (every change is still an LSC event). Transport thread against the EAL alarm
	 * that writes the summary.
	 */
	rte_spinlock_t link_log_lock;
	struct vionet_log_ratelimit link_log;
	bool link_log_summary_armed; /* the alarm is set */
	struct vionet_announce_state announce;
};

/*
 * The device instance: the ethdev port's private data, in shared memory. 'eth_dev' is the primary's;
 * code that may run in a secondary goes through vionet_transport_proc_of(&hw->tp).
 */
struct vionet_hw {
	/* What the transport sees: ops, its state, name, devargs, features, addressing, upcall. */
	struct vionet_transport tp;
	/* What the device layer reports to the layer above, registered by it (vionet_dev_prepare). */
	struct vionet_dev_events events;
	struct rte_eth_dev *eth_dev; /* NULL until the ethdev port exists; the primary's */

	uint64_t device_features; /* offered by the device */
	uint16_t max_queue_pairs; /* from config space when VIONET_NET_F_MQ, else 1 */

	/* From config space (or devargs when the device does not say), read by vionet_dev_init. */
	struct rte_ether_addr mac;
	uint16_t mtu;	     /* current MTU */
	uint16_t max_mtu;    /* VIONET_NET_F_MTU's value, else VIONET_MAX_MTU */
	uint32_t speed_mbps; /* VIONET_DEFAULT_SPEED_MBPS when unknown */
	bool speed_known;    /* speed_mbps came from the devarg or the device, not the default */
	bool full_duplex;
	uint16_t net_hdr_size; /* struct virtio_net_hdr(_mrg_rxbuf): 12 with VERSION_1 or MRG_RXBUF */
	/* Ring size limits for dev_infos_get, read once at probe: a secondary must not select queues. */
	uint16_t queue_size_max;
	uint16_t queue_size_default;

	/* Queue pairs the device currently serves (VIONET_CTRL_MQ_VQ_PAIRS_SET, else all). */
	uint16_t active_queue_pairs;
	bool needs_renegotiation; /* the device was reset (port stop): negotiate again at start */
	/* The offload features (VIONET_OFFLOAD_FEATURES) the application's configuration asks for */
	uint64_t offload_features;
	/* Offered offload features last logged as not asked for (one line per change) */
	uint64_t offloads_dropped_logged;
	volatile bool link_up; /* last state reported to ethdev; written from the transport thread too */

	/* Control path: the real control virtqueue when the device serves one, else ops->ctrl_command. */
	struct vionet_ctrlq *ctrlq;
	/* One command in flight (5.1.6.5); a sleeping lock: a command waits for the device. */
	pthread_mutex_t ctrl_lock;
	/* How long a control virtqueue command waits for its answer; 0: VIONET_CTRL_TIMEOUT_MS */
	uint32_t ctrl_timeout_ms;
	struct vionet_rx_filters filters; /* the control path's (device_ctrl.c) */
	struct vionet_rss rss;		  /* device_rss.c's */
	struct vionet_port_state port;	  /* the ethdev layer's and the burst selector's */
	struct vionet_dev_fault fault;	  /* written by whoever notices a break (bursts too) */
	/* Configuration values the device gave that the driver could not use, since probe or the
	 * last xstats reset (each negotiation reads them again) */
	uint64_t config_rejected;
	/* Announce requests the device made (VIRTIO_NET_S_ANNOUNCE seen on a config change), since
	 * probe or the last xstats reset; one is being handled while announce_pending is 1. */
	uint64_t announce_requests;
	uint32_t announce_pending;
};

static inline bool
vionet_has_feature(const struct vionet_hw *hw, unsigned int bit)
{
	return vionet_transport_has_feature(&hw->tp, bit);
}

/*
 * Fills a freshly allocated device before its transport is created: what the transport reads, the
 * transport's upcall (the link may have changed: the device layer re-reads it and, on a change,
 * calls events->link_changed), and the control path's lock.
 */
void vionet_dev_prepare(struct vionet_hw *hw, const char *name, const struct vionet_devargs *devargs,
			uint16_t port_id, bool use_va, int numa_node,
			const struct vionet_dev_events *events);

/*
 * Brings a device from reset to FEATURES_OK (3.1 Device Initialization, steps 1-6) and reads
 * its configuration: MAC, MTU, max queue pairs, speed/duplex. The features we want come from
 * vionet_dev_wanted_features() (devargs decide packed/in-order/mergeable). On failure writes FAILED
 * and returns a negative errno.
 */
int vionet_dev_init(struct vionet_hw *hw);

/* The feature set this driver accepts for its devargs and the application's offloads (before
 * intersecting with the device's). */
uint64_t vionet_dev_wanted_features(const struct vionet_hw *hw);

/* The checksum, segmentation and hash report features, negotiated only as the application's
 * offloads ask. */
#define VIONET_OFFLOAD_FEATURES                                                                    \
	(VIRTQ_FEATURE(VIONET_NET_F_CSUM) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_CSUM) |               \
	 VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_HOST_TSO6) |           \
	 VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO4) | VIRTQ_FEATURE(VIONET_NET_F_GUEST_TSO6) |         \
	 VIRTQ_FEATURE(VIONET_NET_F_HASH_REPORT))

/*
 * The offload features ethdev Rx and Tx offloads (RTE_ETH_RX_OFFLOAD_*, RTE_ETH_TX_OFFLOAD_*) need:
 * Rx L4 checksums GUEST_CSUM, LRO GUEST_TSO4/6 (and GUEST_CSUM), Tx L4 checksums CSUM, TSO
 * HOST_TSO4/6 (and CSUM).
 */
uint64_t vionet_dev_offload_features_for(uint64_t rx_offloads, uint64_t tx_offloads);

/* The offload features the device offers, with their dependencies (what dev_info advertises). */
uint64_t vionet_dev_offload_features_offered(const struct vionet_hw *hw);

/*
 * The application's offloads changed (ethdev configure, port stopped): the features they need
 * from now on. A set other than the negotiated one resets the device and negotiates again
 * (features are fixed until a reset). Logs, once per change, the offered offload features left
 * out. Returns 0 or the renegotiation's negative errno.
 */
int vionet_dev_set_offloads(struct vionet_hw *hw, uint64_t offload_features);

/*
 * Re-runs reset and negotiation (after a reset or a back end reconnect) and reads the configuration
 * again: max queue pairs, maximum MTU, speed and duplex take the device's new values (the port's
 * MAC and MTU stay the application's); queues must be set up again.
 */
int vionet_dev_renegotiate(struct vionet_hw *hw);

/* Writes DRIVER_OK (step 8): queues are set up; the device may now use them. */
int vionet_dev_driver_ok(struct vionet_hw *hw);

/* Resets the device (status 0): the device forgets every queue. */
void vionet_dev_reset(struct vionet_hw *hw);

/*
 * Reads the link state: the transport's view when it has one, else config status, else up. 'ops' is
 * the calling process's table: hw->tp.ops in the primary, vionet_transport_proc_of(&hw->tp)->ops in a secondary.
 */
bool vionet_dev_read_link(struct vionet_hw *hw, const struct vionet_transport_ops *ops);

/*
 * Records that the device broke the port ('fmt': what it did) and has events->broken called on the
 * EAL interrupt thread. Cheap enough for a burst's rare branch: no log, no callback on the caller's
 * thread. Only the first report since the last start counts; later ones return at once. In a
 * secondary process the break is recorded and counted, and the primary is told over rte_mp (its
 * handler sets the alarm there: the events are the primary's).
 */
void vionet_dev_report_broken(struct vionet_hw *hw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A configuration value the device gave that the driver cannot use: one line naming the field, the
 * value and what the driver uses instead ('fmt'), and the port's count of them (xstat
 * device_config_rejected).
 */
void vionet_dev_reject_config(struct vionet_hw *hw, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether the port is broken (recorded, reported or not). */
static inline bool
vionet_dev_is_broken(const struct vionet_hw *hw)
{
	return __atomic_load_n(&hw->fault.state, __ATOMIC_ACQUIRE) != VIONET_FAULT_NONE;
}

/*
 * Takes the recorded break for reporting: true once per break, false when there is none or it was
 * taken already (or a start cleared it before the alarm ran).
 */
bool vionet_dev_fault_take(struct vionet_hw *hw);

/* A start that set the queues up again: the port is healthy. Before any burst may run. */
void vionet_dev_fault_clear(struct vionet_hw *hw);

/*
 * At close: a report still waiting for the interrupt thread is dropped (it waits for one running),
 * and a secondary's report that comes later is ignored.
 */
void vionet_dev_fault_cancel(struct vionet_hw *hw);

/* The announce request taken by events->announce is handled: a new one may be scheduled. */
void vionet_dev_announce_done(struct vionet_hw *hw);

/* At stop and close: a request not yet handled is dropped (a reset clears the device's bit). Waits
 * for a handler already running: not to be called from it, nor with a lock it takes. */
void vionet_dev_announce_cancel(struct vionet_hw *hw);

/* The device instance of an ethdev port (its private data). */
static inline struct vionet_hw *
vionet_hw_of(const struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

#endif /* VIONET_DEVICE_H */
