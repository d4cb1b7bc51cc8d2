/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the modern and legacy virtio-pci transports share, below both of them: the transport state
 * behind vionet_transport.priv (shared memory), each process's handles on the function (struct
 * vionet_pci_local), MSI-X facts read from PCI configuration space, the config-change interrupt
 * that turns into an LSC event, and the Rx queue interrupt vectors. Both transports run over a
 * function bound to vfio-pci (or UIO for legacy).
 *
 * Multi-process: the primary creates the transport; a secondary attaches to it. The modern register
 * windows are BAR addresses kept in the shared state, which is right in a secondary because DPDK's
 * PCI bus maps a secondary's BARs at the primary's addresses (VFIO: pci_vfio_map_resource_secondary
 * mmaps each BAR MAP_FIXED at the address the primary recorded in the shared resource list). What
 * is per process: the rte_pci_device (each process's bus has its own, with its own VFIO device fd),
 * hence config space reads, interrupts, and the legacy I/O port (pread/pwrite on that fd).
 */
#ifndef VIONET_TRANSPORT_PCI_COMMON_H
#define VIONET_TRANSPORT_PCI_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <bus_pci_driver.h>

#include "base/vionet_devargs.h"
#include "transport/transport_ops.h"

/* PCI configuration space (PCI Local Bus 3.0, 6.7 and 6.8.2). */
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_STD_HEADER_SIZE 0x40 /* capabilities start after the standard header */
#define PCI_CAP_ID_VNDR 0x09	 /* vendor-specific: virtio's struct virtio_pci_cap */
#define PCI_CAP_ID_MSIX 0x11
#define PCI_MSIX_FLAGS 2 /* Message Control, from the capability start */
#define PCI_MSIX_FLAGS_QSIZE 0x07ff
#define PCI_MSIX_FLAGS_ENABLE 0x8000
/* A capability list is at most 48 entries long (256 bytes, 4-byte aligned, 64 of header). */
#define PCI_CAP_LIST_MAX 48

#define VIONET_PCI_QUEUES_MAX (2 * VIONET_QUEUE_PAIRS_MAX + 1)

/* Where the modern register windows are mapped (4.1.4 Virtio Structure PCI Capabilities). */
struct vionet_pci_modern_regs {
	uint8_t *common;     /* struct virtio_pci_common_cfg */
	uint32_t common_len; /* bytes of it the capability covers: queue_reset needs 0x3c */
	uint8_t *isr;	     /* one byte, read-to-clear */
	uint8_t *device;     /* device-specific configuration (virtio-net config) */
	uint32_t device_len; /* bytes of device configuration the capability covers */
	uint8_t *notify_base;
	uint32_t notify_len;
	uint32_t notify_off_multiplier;
	uint16_t *notify_addr[VIONET_PCI_QUEUES_MAX]; /* per queue, set at setup_queue */
};

struct vionet_pci_legacy_regs {
	bool features_ok; /* FEATURES_OK written since the last reset (no such bit in legacy) */
};

/* The transport's shared state (rte_zmalloc, vionet_transport.priv): one per device. */
struct vionet_pci_transport {
	bool legacy;
	/* MSI-X capability offset in PCI config space, 0 when the function has none. */
	off_t msix_cap;
	uint16_t msix_vectors;
	/* Vectors the device layer asked for, re-applied after a device reset (it forgets them). */
	uint16_t config_vector;
	uint16_t queue_vector[VIONET_PCI_QUEUES_MAX];
	uint64_t device_features;
	bool lsc_registered; /* our config-change callback is on the PCI interrupt handle */
	bool rx_intr_active; /* Rx queue vectors added to the handle (vionet_pci_rx_intr_setup) */
	union {
		struct vionet_pci_modern_regs modern;
		struct vionet_pci_legacy_regs legacy_regs;
	};
};

/* One process's handles on the function (vionet_transport_proc.local). */
struct vionet_pci_local {
	struct rte_pci_device *pci_dev; /* this process's bus object, with its VFIO device fd */
	bool mapped;			/* rte_pci_map_device succeeded here: unmap when done */
	bool io_mapped;			/* legacy: 'io' is mapped */
	struct rte_pci_ioport io;	/* legacy: BAR 0, the register block, in this process */
};

static inline struct vionet_pci_transport *
vionet_pci_of(const struct vionet_transport *t)
{
	return t->priv;
}

static inline struct vionet_pci_local *
vionet_pci_local_of(const struct vionet_transport *t)
{
	return vionet_transport_proc_of(t)->local;
}

static inline struct rte_pci_device *
vionet_pci_dev_of(const struct vionet_transport *t)
{
	return vionet_pci_local_of(t)->pci_dev;
}

/* Allocates the shared state on the function's NUMA node and sets t->priv; NULL without memory. */
struct vionet_pci_transport *vionet_pci_transport_alloc(struct vionet_transport *t,
							 struct rte_pci_device *pci_dev,
							 bool legacy);
/*
 * Frees what the transport holds: the config-change interrupt, this process's handles and the
 * shared state. The ops' close of both transports.
 */
void vionet_pci_transport_free(struct vionet_transport *t);
/*
 * This process's handles: allocates vionet_pci_local, maps the function's BARs (rte_pci_map_device)
 * and, for legacy, I/O BAR 0. vionet_pci_local_close() unmaps and frees them; it is also the ops'
 * detach of both transports (a secondary lets go of the function, the device is not touched).
 */
int vionet_pci_local_open(struct vionet_transport *t, struct rte_pci_device *pci_dev, bool legacy);
void vionet_pci_local_close(struct vionet_transport *t);
/* Reads the function's MSI-X capability into the shared state (primary, after local_open). */
void vionet_pci_read_msix_cap(struct vionet_transport *t);
/* Whether MSI-X is enabled right now (the legacy register layout depends on it). */
bool vionet_pci_msix_enabled(const struct vionet_transport *t);
/*
 * Config-change interrupt: registers the callback on the function's interrupt handle, enables it
 * (vector 0 under VFIO MSI-X) and points the device's config vector at it through
 * t->ops->set_config_vector. The callback reads ISR (t->ops->read_isr) and calls
 * vionet_transport_link_changed(). Returns 0 or a negative errno (no interrupt support: -ENOTSUP).
 */
int vionet_pci_config_intr_enable(struct vionet_transport *t);
void vionet_pci_config_intr_disable(struct vionet_transport *t);
/* Rx queue interrupts, the transport ops of both PCI transports (transport_ops.h). */
int vionet_pci_rx_intr_setup(struct vionet_transport *t, uint16_t nb_rx_queues,
			     struct rte_intr_handle **handle);
void vionet_pci_rx_intr_release(struct vionet_transport *t);

#endif /* VIONET_TRANSPORT_PCI_COMMON_H */
