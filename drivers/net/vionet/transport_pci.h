/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-pci transports (virtio 1.x "Virtio Over PCI Bus"): modern (capabilities, memory BARs)
 * and legacy (I/O BAR), both over a function bound to vfio-pci (or UIO for legacy). This header holds
 * what both share: the transport state behind vionet_hw.transport_priv, MSI-X facts read from PCI
 * configuration space, and the config-change interrupt that turns into an LSC event.
 */
#ifndef VIONET_TRANSPORT_PCI_H
#define VIONET_TRANSPORT_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <bus_pci_driver.h>

#include "vionet_devargs.h"
#include "vionet_device.h"

/* "The device MUST return vector mapped to VIRTIO_MSI_NO_VECTOR (0xffff)" when it has none to give. */
#define VIONET_PCI_MSI_NO_VECTOR 0xffff

/* ISR status bits (4.1.4.5 "ISR status capability"): bit 0 queue interrupt, bit 1 config change. */
#define VIONET_PCI_ISR_QUEUE 0x1
#define VIONET_PCI_ISR_CONFIG 0x2

/* Feature bits only the transport deals with (6 "Reserved Feature Bits"). */
#define VIONET_F_ACCESS_PLATFORM 33
#define VIONET_F_NOTIFICATION_DATA 38
#define VIONET_F_RING_RESET 40

#define VIONET_PCI_QUEUES_MAX (2 * VIONET_QUEUE_PAIRS_MAX + 1)

/* Where the modern register windows are mapped (4.1.4 "Virtio Structure PCI Capabilities"). */
struct vionet_pci_modern_regs {
	uint8_t *common;     /* struct virtio_pci_common_cfg */
	uint8_t *isr;	     /* one byte, read-to-clear */
	uint8_t *device;     /* device-specific configuration (virtio-net config) */
	uint32_t device_len; /* bytes of device configuration the capability covers */
	uint8_t *notify_base;
	uint32_t notify_len;
	uint32_t notify_off_multiplier;
	uint16_t *notify_addr[VIONET_PCI_QUEUES_MAX]; /* per queue, set at setup_queue */
};

struct vionet_pci_legacy_regs {
	struct rte_pci_ioport io; /* BAR0, the legacy register block */
	bool features_ok;	  /* FEATURES_OK written since the last reset (no such bit in legacy) */
};

struct vionet_pci_transport {
	struct rte_pci_device *pci_dev;
	bool legacy;
	bool mapped; /* rte_pci_map_device succeeded: unmap at close */
	/* MSI-X capability offset in PCI config space, 0 when the function has none. */
	off_t msix_cap;
	uint16_t msix_vectors;
	/* Vectors the device layer asked for; re-applied after a device reset, which forgets them. */
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

static inline struct vionet_pci_transport *
vionet_pci_of(const struct vionet_hw *hw)
{
	return hw->transport_priv;
}

/*
 * Creates the transport on hw (sets hw->ops and hw->transport_priv). Modern returns -ENODEV when the
 * function has no virtio 1.x capabilities (a legacy-only device), so the probe can fall back to legacy.
 */
int vionet_pci_modern_create(struct vionet_hw *hw, struct rte_pci_device *pci_dev);
int vionet_pci_legacy_create(struct vionet_hw *hw, struct rte_pci_device *pci_dev);

/* Shared by both transports (transport_pci.c). */
struct vionet_pci_transport *vionet_pci_transport_alloc(struct vionet_hw *hw,
							 struct rte_pci_device *pci_dev, bool legacy);
void vionet_pci_transport_free(struct vionet_hw *hw);
/* Maps the function's BARs (rte_pci_map_device) and reads its MSI-X capability. */
int vionet_pci_transport_map(struct vionet_hw *hw);
/* Whether MSI-X is enabled right now (the legacy register layout depends on it). */
bool vionet_pci_msix_enabled(const struct vionet_pci_transport *pci);
/*
 * Config-change interrupt: registers the callback on the function's interrupt handle, enables it
 * (vector 0 under VFIO MSI-X) and points the device's config vector at it. The callback reads ISR and
 * calls vionet_dev_link_changed(). Returns 0 or a negative errno (no interrupt support: -ENOTSUP).
 */
int vionet_pci_lsc_enable(struct vionet_hw *hw);
void vionet_pci_lsc_disable(struct vionet_hw *hw);
/* Rx queue interrupts, the transport ops of both PCI transports (vionet_transport.h). */
int vionet_pci_rx_intr_setup(struct vionet_hw *hw, uint16_t nb_rx_queues,
			     struct rte_intr_handle **handle);
void vionet_pci_rx_intr_release(struct vionet_hw *hw);

#endif /* VIONET_TRANSPORT_PCI_H */
