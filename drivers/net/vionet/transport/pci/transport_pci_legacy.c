/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The legacy virtio-pci transport (4.1.4.10 Legacy Interfaces: A Note on PCI Device Layout): one
 * register block in I/O BAR 0, reached through rte_pci_ioport_* (pread/pwrite on the VFIO device
 * under vfio-pci). Used for legacy-only devices and, with devarg legacy=1, for transitional ones.
 *
 * The device layer speaks virtio 1.x. On a little-endian CPU a legacy device's rings and header are
 * those of 1.x, but for two things this transport takes care of:
 * - the 12-byte net header: 1.x always has num_buffers, legacy only with VIONET_NET_F_MRG_RXBUF, so
 *   the transport always accepts MRG_RXBUF (the device then also uses 12 bytes; with receive
 *   buffers larger than a frame it never spreads one over several);
 * - the ring layout: legacy takes one page frame number for the whole queue, laid out as in 2.7.2
 *   Legacy Interfaces: A Note on Virtqueue Layout (used ring on the next 4096-byte boundary), at
 *   the device's own queue size; setup_queue checks that the device layer laid the ring out that
 *   way.
 * It reports VERSION_1 as offered so the device layer's negotiation proceeds, and never writes it.
 */
#include "transport/pci/transport_pci_legacy.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>

#include "base/vionet_log.h"
#include "transport/pci/transport_pci_common.h"

/* Bytes of the legacy virtio-net config: mac, status, max_virtqueue_pairs and mtu. */
#define LEGACY_DEVICE_CONFIG_LEN VIONET_CFG_SPEED

/* This process's I/O port: under VFIO a pread/pwrite on its own device fd. */
static inline struct rte_pci_ioport *
io(struct vionet_transport *t)
{
	return &vionet_pci_local_of(t)->io;
}

static uint8_t
io_read8(struct vionet_transport *t, off_t off)
{
	uint8_t v;

	rte_pci_ioport_read(io(t), &v, 1, off);
	return v;
}

static uint16_t
io_read16(struct vionet_transport *t, off_t off)
{
	uint16_t v;

	rte_pci_ioport_read(io(t), &v, 2, off);
	return rte_le_to_cpu_16(v);
}

static uint32_t
io_read32(struct vionet_transport *t, off_t off)
{
	uint32_t v;

	rte_pci_ioport_read(io(t), &v, 4, off);
	return rte_le_to_cpu_32(v);
}

static void
io_write8(struct vionet_transport *t, off_t off, uint8_t v)
{
	rte_pci_ioport_write(io(t), &v, 1, off);
}

static void
io_write16(struct vionet_transport *t, off_t off, uint16_t v)
{
	v = rte_cpu_to_le_16(v);
	rte_pci_ioport_write(io(t), &v, 2, off);
}

static void
io_write32(struct vionet_transport *t, off_t off, uint32_t v)
{
	v = rte_cpu_to_le_32(v);
	rte_pci_ioport_write(io(t), &v, 4, off);
}

/*
 * Where the device configuration starts right now: it moves when MSI-X is switched on
 * (4.1.4.10 Legacy Interfaces: A Note on PCI Device Layout).
 */
static off_t
device_config_base(struct vionet_transport *t)
{
	return vionet_pci_msix_enabled(t) ? VIONET_PCI_LEGACY_DEVICE_CONFIG_MSIX
					  : VIONET_PCI_LEGACY_DEVICE_CONFIG_NO_MSIX;
}

static int
legacy_read_dev_config(struct vionet_transport *t, size_t offset, void *dst, size_t len)
{
	uint8_t *out = dst;
	off_t base = device_config_base(t);

	if (offset + len > LEGACY_DEVICE_CONFIG_LEN) {
		VIONET_INIT_LOG(ERR,
				"%s: legacy device config read [%zu, +%zu) outside its %zu bytes",
				t->name, offset, len, LEGACY_DEVICE_CONFIG_LEN);
		return -EINVAL;
	}
	/* Legacy config is guest-endian: little-endian here, as the 1.x caller expects. */
	for (size_t i = 0; i < len; i++)
		out[i] = io_read8(t, base + offset + i);
	return 0;
}

static int
legacy_write_dev_config(struct vionet_transport *t, size_t offset, const void *src, size_t len)
{
	const uint8_t *in = src;
	off_t base = device_config_base(t);

	if (offset + len > LEGACY_DEVICE_CONFIG_LEN) {
		VIONET_INIT_LOG(ERR,
				"%s: legacy device config write [%zu, +%zu) outside its %zu bytes",
				t->name, offset, len, LEGACY_DEVICE_CONFIG_LEN);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		io_write8(t, base + offset + i, in[i]);
	return 0;
}

static uint64_t
legacy_get_features(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);

	pci->device_features = io_read32(t, VIONET_PCI_LEGACY_HOST_FEATURES);
	return pci->device_features | VIRTQ_FEATURE(VIONET_F_VERSION_1);
}

static int
legacy_set_features(struct vionet_transport *t, uint64_t features)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	uint64_t legacy = features & ~VIRTQ_FEATURE(VIONET_F_VERSION_1);

	if (legacy > UINT32_MAX || (legacy & ~pci->device_features) != 0) {
		VIONET_INIT_LOG(ERR,
				"%s: features 0x%" PRIx64 " not offered by the legacy device "
				"(0x%" PRIx64 ")",
				t->name, legacy & ~pci->device_features, pci->device_features);
		return -EINVAL;
	}
	if ((pci->device_features & VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF)) == 0) {
		VIONET_INIT_LOG(ERR,
				"%s: legacy device without VIONET_NET_F_MRG_RXBUF: its 10-byte net "
				"header is not supported",
				t->name);
		return -ENOTSUP;
	}
	legacy |= VIRTQ_FEATURE(VIONET_NET_F_MRG_RXBUF);
	legacy |= pci->device_features & VIRTQ_FEATURE(VIONET_F_ANY_LAYOUT);
	io_write32(t, VIONET_PCI_LEGACY_GUEST_FEATURES, (uint32_t)legacy);
	return 0;
}

/*
 * Legacy devices have no FEATURES_OK handshake (3.1.2 Legacy Interface: Device Initialization):
 * they take the features as written. The bit is not written to the device but kept in our view of
 * the status, so the 1.x negotiation reads it back as accepted.
 */
static uint8_t
legacy_get_status(struct vionet_transport *t)
{
	uint8_t status = io_read8(t, VIONET_PCI_LEGACY_STATUS);

	if (vionet_pci_of(t)->legacy_regs.features_ok)
		status |= VIONET_STATUS_FEATURES_OK;
	return status;
}

static void
legacy_set_status(struct vionet_transport *t, uint8_t status)
{
	vionet_pci_of(t)->legacy_regs.features_ok = (status & VIONET_STATUS_FEATURES_OK) != 0;
	io_write8(t, VIONET_PCI_LEGACY_STATUS, status & ~VIONET_STATUS_FEATURES_OK);
}

static int
legacy_set_config_vector(struct vionet_transport *t, uint16_t vector);

static int
legacy_reset(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);

	/*
	 * A legacy reset is synchronous: writing 0 resets the device
	 * (4.1.4.10 Legacy Interfaces: A Note on PCI Device Layout).
	 */
	pci->legacy_regs.features_ok = false;
	io_write8(t, VIONET_PCI_LEGACY_STATUS, 0);
	if (io_read8(t, VIONET_PCI_LEGACY_STATUS) != 0) {
		VIONET_INIT_LOG(ERR, "%s: legacy device status not 0 after reset", t->name);
		return -EIO;
	}
	if (pci->config_vector != VIONET_MSI_NO_VECTOR)
		return legacy_set_config_vector(t, pci->config_vector);
	return 0;
}

static uint16_t
legacy_get_queue_max_size(struct vionet_transport *t, uint16_t queue_index)
{
	if (queue_index >= VIONET_PCI_QUEUES_MAX)
		return 0;
	io_write16(t, VIONET_PCI_LEGACY_QUEUE_SELECT, queue_index);
	return io_read16(t, VIONET_PCI_LEGACY_QUEUE_SIZE);
}

static int
write_queue_vector(struct vionet_transport *t, uint16_t queue_index, uint16_t vector)
{
	uint16_t got;

	io_write16(t, VIONET_PCI_LEGACY_QUEUE_SELECT, queue_index);
	io_write16(t, VIONET_PCI_LEGACY_QUEUE_VECTOR, vector);
	got = io_read16(t, VIONET_PCI_LEGACY_QUEUE_VECTOR);
	if (got != vector) {
		VIONET_INIT_LOG(ERR, "%s: device refused MSI-X vector %u for queue %u (reads %u)",
				t->name, vector, queue_index, got);
		return -EIO;
	}
	return 0;
}

static int
legacy_setup_queue(struct vionet_transport *t, const struct vionet_vq_ring_addrs *ring)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	uint16_t q = ring->queue_index, size;
	uint64_t avail_at, avail_end, used_at;

	if (ring->packed) {
		VIONET_INIT_LOG(ERR,
				"%s: packed rings need a virtio 1.x device, not the legacy "
				"interface",
				t->name);
		return -ENOTSUP;
	}
	size = legacy_get_queue_max_size(t, q);
	if (size == 0 || ring->size != size) {
		VIONET_INIT_LOG(ERR,
				"%s: legacy queue %u has %u descriptors, fixed by the device; "
				"asked %u",
				t->name, q, size, ring->size);
		return -EINVAL;
	}
	/*
	 * 2.7.2 Legacy Interfaces: A Note on Virtqueue Layout: descriptors, then the available ring
	 * (with used_event), then the used ring on the next 4096-byte boundary; one page frame
	 * number addresses all three.
	 */
	avail_at = ring->desc_addr + sizeof(struct virtq_split_desc) * (uint64_t)size;
	avail_end = ring->driver_area_addr + sizeof(struct virtq_split_avail) +
		    sizeof(virtq_le16) * ((uint64_t)size + 1);
	used_at = RTE_ALIGN_CEIL(avail_end, VIONET_PCI_LEGACY_VRING_ALIGN);
	if (ring->desc_addr % VIONET_PCI_LEGACY_VRING_ALIGN != 0 ||
	    ring->driver_area_addr != avail_at || ring->device_area_addr != used_at ||
	    (ring->desc_addr >> VIONET_PCI_LEGACY_QUEUE_ADDR_SHIFT) > UINT32_MAX) {
		VIONET_INIT_LOG(ERR,
				"%s: queue %u ring (desc 0x%" PRIx64 ", avail 0x%" PRIx64
				", used 0x%" PRIx64 ") is not in the legacy 4096-aligned layout",
				t->name, q, ring->desc_addr, ring->driver_area_addr,
				ring->device_area_addr);
		return -EINVAL;
	}
	if (vionet_pci_msix_enabled(t)) {
		int ret = write_queue_vector(t, q, pci->queue_vector[q]);

		if (ret < 0 && pci->queue_vector[q] != VIONET_MSI_NO_VECTOR)
			return ret;
	}
	io_write16(t, VIONET_PCI_LEGACY_QUEUE_SELECT, q);
	io_write32(t, VIONET_PCI_LEGACY_QUEUE_PFN,
		   (uint32_t)(ring->desc_addr >> VIONET_PCI_LEGACY_QUEUE_ADDR_SHIFT));
	return 0;
}

/*
 * A legacy queue is live once its PFN is written (4.1.4.10 Legacy Interfaces: A Note on PCI Device
 * Layout): nothing more to enable.
 */
static int
legacy_enable_queue(struct vionet_transport *t __rte_unused, uint16_t queue_index)
{
	return queue_index < VIONET_PCI_QUEUES_MAX ? 0 : -EINVAL;
}

/* Writing a PFN of 0 stops the queue (4.1.4.10 Legacy Interfaces: A Note on PCI Device Layout). */
static void
legacy_stop_queue(struct vionet_transport *t, uint16_t queue_index)
{
	if (queue_index >= VIONET_PCI_QUEUES_MAX)
		return;
	io_write16(t, VIONET_PCI_LEGACY_QUEUE_SELECT, queue_index);
	io_write32(t, VIONET_PCI_LEGACY_QUEUE_PFN, 0);
}

static void
legacy_notify_queue(struct vionet_transport *t, uint16_t queue_index)
{
	/*
	 * The port write is a system call (VFIO) or an out instruction (UIO): both are ordered
	 * after the ring stores that precede it on x86.
	 */
	io_write16(t, VIONET_PCI_LEGACY_QUEUE_NOTIFY, queue_index);
}

static int
legacy_set_config_vector(struct vionet_transport *t, uint16_t vector)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	uint16_t got;

	if (!vionet_pci_msix_enabled(t)) {
		VIONET_INIT_LOG(ERR, "%s: MSI-X is off: no legacy vector registers", t->name);
		return -ENOTSUP;
	}
	io_write16(t, VIONET_PCI_LEGACY_CONFIG_VECTOR, vector);
	got = io_read16(t, VIONET_PCI_LEGACY_CONFIG_VECTOR);
	if (got != vector) {
		VIONET_INIT_LOG(ERR,
				"%s: device refused MSI-X vector %u for config changes (reads %u)",
				t->name, vector, got);
		return -EIO;
	}
	pci->config_vector = vector;
	return 0;
}

static int
legacy_set_queue_vector(struct vionet_transport *t, uint16_t queue_index, uint16_t vector)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);

	if (queue_index >= VIONET_PCI_QUEUES_MAX)
		return -EINVAL;
	pci->queue_vector[queue_index] = vector;
	if (!vionet_pci_msix_enabled(t))
		return vector == VIONET_MSI_NO_VECTOR ? 0 : -ENOTSUP;
	return write_queue_vector(t, queue_index, vector);
}

static uint8_t
legacy_read_isr(struct vionet_transport *t)
{
	return io_read8(t, VIONET_PCI_LEGACY_ISR);
}

static const struct vionet_transport_ops legacy_ops = {
	.name = "pci-legacy",
	.read_dev_config = legacy_read_dev_config,
	.write_dev_config = legacy_write_dev_config,
	.get_features = legacy_get_features,
	.set_features = legacy_set_features,
	.get_status = legacy_get_status,
	.set_status = legacy_set_status,
	.reset = legacy_reset,
	.get_queue_max_size = legacy_get_queue_max_size,
	.setup_queue = legacy_setup_queue,
	.enable_queue = legacy_enable_queue,
	.stop_queue = legacy_stop_queue,
	.no_queue_reset = "legacy devices have no feature bits above 31",
	.notify_queue = legacy_notify_queue,
	.set_config_vector = legacy_set_config_vector,
	.set_queue_vector = legacy_set_queue_vector,
	.read_isr = legacy_read_isr,
	.rx_intr_setup = vionet_pci_rx_intr_setup,
	.rx_intr_release = vionet_pci_rx_intr_release,
	.close = vionet_pci_transport_free,
	.detach = vionet_pci_local_close,
};

int
vionet_pci_legacy_create(struct vionet_transport *t, struct rte_pci_device *pci_dev)
{
	struct vionet_pci_transport *pci;
	int ret;

	pci = vionet_pci_transport_alloc(t, pci_dev, true);
	if (pci == NULL)
		return -ENOMEM;
	ret = vionet_pci_local_open(t, pci_dev, true);
	if (ret < 0) {
		vionet_pci_transport_free(t);
		return ret;
	}
	vionet_pci_read_msix_cap(t);
	t->ops = &legacy_ops;
	vionet_transport_proc_of(t)->ops = &legacy_ops;
	VIONET_INIT_LOG(INFO, "%s: legacy virtio PCI through I/O BAR 0, %u MSI-X vectors", t->name,
			pci->msix_vectors);
	return 0;
}

int
vionet_pci_legacy_attach(struct vionet_transport *t, struct rte_pci_device *pci_dev)
{
	int ret = vionet_pci_local_open(t, pci_dev, true);

	if (ret < 0)
		return ret;
	vionet_transport_proc_of(t)->ops = &legacy_ops;
	return 0;
}
