/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport seam: how the device layer reaches a virtio-net device. One ops table per transport
 * (virtio-pci modern, virtio-pci legacy, vhost-user); the device layer calls only these and never
 * asks which transport it has. Return values are 0 or a negative errno; a transport logs its own
 * errors once, with the device name and the value that was wrong.
 */
#ifndef VIONET_TRANSPORT_H
#define VIONET_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_dev.h>

#include "base/vionet_devargs.h"
#include "base/vionet_spec.h"

struct vionet_transport;
struct rte_intr_handle;

/* Where a virtqueue's three areas are, as the device must address them and as we address them. */
struct vionet_vq_ring_addrs {
	/* Queue index (5.1.2 Virtqueues): 2n = receiveq n, 2n+1 = transmitq n, last = controlq */
	uint16_t queue_index;
	uint16_t size; /* descriptors */
	bool packed;   /* VIRTIO_F_RING_PACKED negotiated */
	/*
	 * Device addresses: IOVA for PCI (VFIO), our process virtual address for vhost-user (the
	 * memory table maps our virtual addresses 1:1). Split: descriptor table, available ring,
	 * used ring. Packed: descriptor ring, driver event suppression, device event suppression.
	 */
	uint64_t desc_addr;
	uint64_t driver_area_addr;
	uint64_t device_area_addr;
	/* The same areas in our address space. */
	void *desc_va;
	void *driver_area_va;
	void *device_area_va;
};

struct vionet_transport_ops {
	/* "pci-modern", "pci-legacy", "vhost-user": shown in logs and driver info */
	const char *name;

	/*
	 * Device-specific configuration space (5.1.4 Device configuration layout: mac, status, max
	 * pairs, mtu, speed).
	 */
	int (*read_dev_config)(struct vionet_transport *t, size_t offset, void *dst, size_t len);
	int (*write_dev_config)(struct vionet_transport *t, size_t offset, const void *src,
				size_t len);

	/* Feature bits offered by the device, and the driver's accepted subset. */
	uint64_t (*get_features)(struct vionet_transport *t);
	int (*set_features)(struct vionet_transport *t, uint64_t features);

	/* Device status byte (2.1 Device Status Field); reset writes 0 and waits for 0. */
	uint8_t (*get_status)(struct vionet_transport *t);
	void (*set_status)(struct vionet_transport *t, uint8_t status);
	int (*reset)(struct vionet_transport *t);

	/* Largest size the device allows for a queue (0: queue does not exist). */
	uint16_t (*get_queue_max_size)(struct vionet_transport *t, uint16_t queue_index);
	/* Tells the device a queue's size and ring addresses; the queue is not yet enabled. */
	int (*setup_queue)(struct vionet_transport *t, const struct vionet_vq_ring_addrs *ring);
	/* Enables a queue already set up (PCI queue_enable, vhost-user SET_VRING_ENABLE 1). */
	int (*enable_queue)(struct vionet_transport *t, uint16_t queue_index);
	/*
	 * The device stops using a queue and forgets it: vhost-user disables the ring and takes its
	 * base (GET_VRING_BASE); legacy PCI writes a PFN of 0. Modern PCI cannot stop one queue
	 * without VIRTIO_F_RING_RESET ("The driver MUST NOT write a 0 to queue_enable", 4.1.4.3.2
	 * Driver Requirements: Common configuration structure layout): the device reset that
	 * follows every stop does it.
	 */
	void (*stop_queue)(struct vionet_transport *t, uint16_t queue_index);
	/*
	 * Resets one queue while the device runs (VIRTIO_F_RING_RESET negotiated; 2.6.1 Virtqueue
	 * Reset): on return the device uses none of its buffers, has forgotten its ring state and
	 * shows it disabled, and setup_queue then enable_queue bring it back. Returns 0, or
	 * -ETIMEDOUT when the device did not finish in a bounded time (logged). NULL when the
	 * transport's devices never offer the feature.
	 */
	int (*reset_queue)(struct vionet_transport *t, uint16_t queue_index);
	/* Why this transport's devices never offer VIRTIO_F_RING_RESET (reset_queue NULL), for logs. */
	const char *no_queue_reset;

	/* Kicks the device for a queue (2.9 Driver Notifications): at most once per burst. */
	void (*notify_queue)(struct vionet_transport *t, uint16_t queue_index);

	/*
	 * Interrupts. A transport without vectors returns -ENOTSUP. 'intr_handle' is where the
	 * ethdev layer finds the event fds: rte_pci_device's for PCI, the transport's own for
	 * vhost-user (call fds).
	 */
	int (*set_config_vector)(struct vionet_transport *t, uint16_t vector);
	int (*set_queue_vector)(struct vionet_transport *t, uint16_t queue_index, uint16_t vector);
	/* Reads and clears the ISR status (legacy interrupts, config change bit). */
	uint8_t (*read_isr)(struct vionet_transport *t);

	/*
	 * Rx queue interrupts (ethdev intr_conf.rxq), called at port start before the queues are
	 * set up. Gives every Rx queue 0..nb_rx_queues-1 an event fd the device signals on used
	 * buffers and returns, in *handle, the interrupt handle that holds them as DPDK's ethdev
	 * expects: efds[] and nb_efd, and a vector list where entry i is RTE_INTR_VEC_RXTX_OFFSET +
	 * the efd index of Rx queue i (rte_eth_dev_rx_intr_ctl_q resolves queue i's fd through it).
	 * Every efd is an eventfd. Returns 0, -ENOTSUP when the transport cannot deliver them
	 * (logged with the reason).
	 */
	int (*rx_intr_setup)(struct vionet_transport *t, uint16_t nb_rx_queues,
			     struct rte_intr_handle **handle);
	/* Undoes rx_intr_setup at port stop: queue vectors off, epoll registrations dropped. */
	void (*rx_intr_release)(struct vionet_transport *t);

	/*
	 * Control queue commands answered by the transport itself (vhost-user back ends do not
	 * serve the control virtqueue). NULL when the device has a real control virtqueue (PCI).
	 * 'class' and 'cmd' as in 5.1.6.5 Control Virtqueue; returns VIONET_CTRL_OK/ERR or a
	 * negative errno.
	 */
	int (*ctrl_command)(struct vionet_transport *t, uint8_t class, uint8_t cmd,
			    const void *data, size_t len);

	/* Link state when the transport knows it better than config space (vhost-user socket). */
	int (*link_up)(struct vionet_transport *t);

	/* Frees what the transport holds (mappings, fds, sockets). */
	void (*close)(struct vionet_transport *t);
	/*
	 * A secondary process lets go of a device the primary owns: frees this process's mappings
	 * and per-process state only, never touching the device or the shared state. NULL when the
	 * transport cannot be used from a secondary.
	 */
	void (*detach)(struct vionet_transport *t);
};

/*
 * What each process has of a transport, in its rte_eth_dev's process_private (rte_eth_dev is per
 * process; its data, and the struct vionet_transport in it, are shared with secondary processes). A
 * secondary that loaded this driver with -d has its code, hence the ops table, at another address
 * than the primary, and its own handles on the device (a VFIO device fd behind a legacy I/O port).
 */
struct vionet_transport_proc {
	const struct vionet_transport_ops *ops; /* this process's copy of the transport's table */
	void *local;				/* the transport's per-process state, or NULL */
};

/*
 * A device as its transport sees it: the part of the port's private data (shared memory) that a
 * transport reads and writes. The device layer embeds it (struct vionet_hw.tp) and registers the
 * upcall; a transport never sees the layers above. Pointers are valid in every process except 'ops'
 * and 'link_changed', which are the primary's: code that may run in a secondary (the fast paths)
 * goes through vionet_transport_proc_of() instead.
 */
struct vionet_transport {
	const struct vionet_transport_ops *ops; /* the primary's */
	void *priv;				/* the transport's own state (shared memory) */
	char name[RTE_DEV_NAME_MAX_LEN];
	uint16_t port_id; /* finds this process's rte_eth_dev, hence its vionet_transport_proc */
	struct vionet_devargs devargs;
	/* How descriptors address our memory: virtual addresses (vhost-user) or IOVA (PCI). */
	bool use_va;
	int numa_node; /* where queue memory goes (SOCKET_ID_ANY when unknown) */
	uint64_t features; /* negotiated; written by the device layer */
	/*
	 * The device layer's upcall: the link may have changed (vhost-user back end gone or back,
	 * PCI config-change interrupt). Called from the transport's own thread, in the primary
	 * only.
	 */
	void (*link_changed)(struct vionet_transport *t);
};

/* This process's part of the transport: a few loads, cheap enough for a kick. */
static inline struct vionet_transport_proc *
vionet_transport_proc_of(const struct vionet_transport *t)
{
	return rte_eth_devices[t->port_id].process_private;
}

static inline bool
vionet_transport_has_feature(const struct vionet_transport *t, unsigned int bit)
{
	return (t->features & VIRTQ_FEATURE(bit)) != 0;
}

static inline void
vionet_transport_link_changed(struct vionet_transport *t)
{
	if (t->link_changed != NULL)
		t->link_changed(t);
}

#endif /* VIONET_TRANSPORT_H */
