/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The modern virtio-pci transport (4.1.4 Virtio Structure PCI Capabilities): the function's vendor
 * capabilities locate the common configuration, notification, ISR and device configuration windows
 * in its memory BARs, which VFIO maps into our address space.
 */
#include "transport/pci/transport_pci_modern.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_io.h>

#include "base/vionet_log.h"
#include "transport/pci/transport_pci_common.h"
#include "transport/pci/transport_pci_config_read.h"

/* How long a reset may take: generous, the device is emulated under TCG on a busy host. */
#define RESET_TIMEOUT_MS 3000
/* How long one queue's reset may take: the same reasoning, and the device stops one ring only. */
#define QUEUE_RESET_TIMEOUT_MS 3000

/*
 * What we keep of a struct virtio_pci_cap (4.1.4 Virtio Structure PCI Capabilities), and of a
 * struct virtio_pci_notify_cap its multiplier (4.1.4.4 Notification structure layout).
 */
struct virtio_cap {
	uint8_t cfg_type;
	uint8_t bar;
	uint32_t offset;
	uint32_t length;
	uint32_t notify_off_multiplier;
};

static inline uint8_t *
common(struct vionet_transport *t)
{
	return vionet_pci_of(t)->modern.common;
}

static inline uint8_t
common_read8(struct vionet_transport *t, size_t off)
{
	return rte_read8(common(t) + off);
}

static inline uint16_t
common_read16(struct vionet_transport *t, size_t off)
{
	return rte_le_to_cpu_16(rte_read16(common(t) + off));
}

static inline uint32_t
common_read32(struct vionet_transport *t, size_t off)
{
	return rte_le_to_cpu_32(rte_read32(common(t) + off));
}

static inline void
common_write8(struct vionet_transport *t, size_t off, uint8_t v)
{
	rte_write8(v, common(t) + off);
}

static inline void
common_write16(struct vionet_transport *t, size_t off, uint16_t v)
{
	rte_write16(rte_cpu_to_le_16(v), common(t) + off);
}

static inline void
common_write32(struct vionet_transport *t, size_t off, uint32_t v)
{
	rte_write32(rte_cpu_to_le_32(v), common(t) + off);
}

/*
 * 64-bit fields are written as two 32-bit halves, low first (4.1.3 PCI Device Layout: 64-bit fields
 * are treated as two 32-bit fields).
 */
static inline void
common_write64(struct vionet_transport *t, size_t off, uint64_t v)
{
	common_write32(t, off, (uint32_t)v);
	common_write32(t, off + 4, (uint32_t)(v >> 32));
}

static uint16_t
num_queues(struct vionet_transport *t)
{
	return RTE_MIN(common_read16(t, VIONET_PCI_COMMON_NUM_QUEUES), VIONET_PCI_QUEUES_MAX);
}

static uint8_t
config_generation(void *ctx)
{
	return common_read8(ctx, VIONET_PCI_COMMON_CONFIG_GENERATION);
}

static uint8_t
device_config_byte(void *ctx, size_t offset)
{
	return rte_read8(vionet_pci_of(ctx)->modern.device + offset);
}

static int
modern_read_dev_config(struct vionet_transport *t, size_t offset, void *dst, size_t len)
{
	struct vionet_pci_modern_regs *regs = &vionet_pci_of(t)->modern;
	const struct vionet_pci_config_access access = {
		.generation = config_generation,
		.byte = device_config_byte,
		.ctx = t,
	};

	if (regs->device == NULL || offset + len > regs->device_len) {
		VIONET_INIT_LOG(ERR, "%s: device config read [%zu, +%zu) outside its %u bytes",
				t->name, offset, len, regs->device_len);
		return -EINVAL;
	}
	return vionet_pci_config_read_stable(t->name, &access, offset, dst, len);
}

static int
modern_write_dev_config(struct vionet_transport *t, size_t offset, const void *src, size_t len)
{
	struct vionet_pci_modern_regs *regs = &vionet_pci_of(t)->modern;
	const uint8_t *in = src;

	if (regs->device == NULL || offset + len > regs->device_len) {
		VIONET_INIT_LOG(ERR, "%s: device config write [%zu, +%zu) outside its %u bytes",
				t->name, offset, len, regs->device_len);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		rte_write8(in[i], regs->device + offset + i);
	return 0;
}

/*
 * Feature bits come in 32-bit words chosen by a select register (4.1.4.3 Common configuration
 * structure layout).
 */
static uint64_t
modern_get_features(struct vionet_transport *t)
{
	uint64_t features = 0;

	for (uint32_t word = 0; word < 2; word++) {
		common_write32(t, VIONET_PCI_COMMON_DEVICE_FEATURE_SELECT, word);
		features |= (uint64_t)common_read32(t, VIONET_PCI_COMMON_DEVICE_FEATURE)
			    << (32 * word);
	}
	/*
	 * queue_reset is a field of a longer common configuration (4.1.4.3 Common configuration
	 * structure layout): a device whose window ends before it cannot have the feature we use it
	 * for, whatever it offers.
	 */
	if (vionet_pci_of(t)->modern.common_len < VIONET_PCI_COMMON_LEN_QUEUE_RESET)
		features &= ~VIRTQ_FEATURE(VIONET_F_RING_RESET);
	vionet_pci_of(t)->device_features = features;
	return features;
}

static int
modern_set_features(struct vionet_transport *t, uint64_t features)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);

	/*
	 * A device behind an IOMMU offers VIRTIO_F_ACCESS_PLATFORM and "MAY fail to operate further
	 * if VIRTIO_F_ACCESS_PLATFORM is not accepted" (6.2 Device Requirements: Reserved Feature
	 * Bits); QEMU refuses FEATURES_OK then. Our buffers are IOVAs that VFIO programmed into
	 * that IOMMU, which is exactly what the bit promises, so the transport accepts it whatever
	 * the device layer chose.
	 */
	if (pci->device_features & VIRTQ_FEATURE(VIONET_F_ACCESS_PLATFORM))
		features |= VIRTQ_FEATURE(VIONET_F_ACCESS_PLATFORM);
	if (features & ~pci->device_features) {
		VIONET_INIT_LOG(ERR,
				"%s: features 0x%" PRIx64 " not offered by the device "
				"(0x%" PRIx64 ")",
				t->name, features & ~pci->device_features, pci->device_features);
		return -EINVAL;
	}
	for (uint32_t word = 0; word < 2; word++) {
		common_write32(t, VIONET_PCI_COMMON_DRIVER_FEATURE_SELECT, word);
		common_write32(t, VIONET_PCI_COMMON_DRIVER_FEATURE,
			       (uint32_t)(features >> (32 * word)));
	}
	return 0;
}

static uint8_t
modern_get_status(struct vionet_transport *t)
{
	return common_read8(t, VIONET_PCI_COMMON_DEVICE_STATUS);
}

static void
modern_set_status(struct vionet_transport *t, uint8_t status)
{
	common_write8(t, VIONET_PCI_COMMON_DEVICE_STATUS, status);
}

static int
modern_reset(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);

	/*
	 * "After writing 0 to device_status, the driver MUST wait for a read of device_status to
	 * return 0" (4.1.4.3.2 Driver Requirements: Common configuration structure layout).
	 */
	common_write8(t, VIONET_PCI_COMMON_DEVICE_STATUS, 0);
	for (unsigned int ms = 0; common_read8(t, VIONET_PCI_COMMON_DEVICE_STATUS) != 0; ms++) {
		if (ms >= RESET_TIMEOUT_MS) {
			VIONET_INIT_LOG(ERR, "%s: device status still 0x%x %u ms after reset",
					t->name, common_read8(t, VIONET_PCI_COMMON_DEVICE_STATUS),
					ms);
			return -ETIMEDOUT;
		}
		rte_delay_ms(1);
	}
	memset(pci->modern.notify_addr, 0, sizeof(pci->modern.notify_addr));
	/* Reset forgets the config vector; the LSC interrupt needs it back. */
	if (pci->config_vector != VIONET_MSI_NO_VECTOR)
		common_write16(t, VIONET_PCI_COMMON_CONFIG_MSIX_VECTOR, pci->config_vector);
	return 0;
}

static uint16_t
modern_get_queue_max_size(struct vionet_transport *t, uint16_t queue_index)
{
	if (queue_index >= num_queues(t))
		return 0;
	common_write16(t, VIONET_PCI_COMMON_QUEUE_SELECT, queue_index);
	return common_read16(t, VIONET_PCI_COMMON_QUEUE_SIZE);
}

/*
 * Writes a vector and reads it back: the device returns VIONET_MSI_NO_VECTOR when it could not map
 * it (4.1.5.1.2.1 Device Requirements: MSI-X Vector Configuration).
 */
static int
write_vector(struct vionet_transport *t, size_t off, uint16_t vector, const char *what)
{
	uint16_t got;

	common_write16(t, off, vector);
	got = common_read16(t, off);
	if (got != vector) {
		VIONET_INIT_LOG(ERR, "%s: device refused MSI-X vector %u for %s (reads %u)",
				t->name, vector, what, got);
		return -EIO;
	}
	return 0;
}

static int
modern_setup_queue(struct vionet_transport *t, const struct vionet_vq_ring_addrs *ring)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	struct vionet_pci_modern_regs *regs = &pci->modern;
	uint16_t q = ring->queue_index, max, notify_off;
	const size_t doorbell_bytes = sizeof(uint16_t);
	uint64_t at;
	int ret;

	if (q >= num_queues(t)) {
		VIONET_INIT_LOG(ERR, "%s: queue %u does not exist (device has %u)", t->name, q,
				num_queues(t));
		return -EINVAL;
	}
	common_write16(t, VIONET_PCI_COMMON_QUEUE_SELECT, q);
	max = common_read16(t, VIONET_PCI_COMMON_QUEUE_SIZE);
	/* A power of 2 for split rings (2.7 Split Virtqueues); up to the maximum for packed. */
	if (ring->size == 0 || ring->size > max ||
	    (!ring->packed && (ring->size & (ring->size - 1)) != 0)) {
		VIONET_INIT_LOG(ERR, "%s: queue %u size %u invalid (device maximum %u)", t->name, q,
				ring->size, max);
		return -EINVAL;
	}
	if (common_read16(t, VIONET_PCI_COMMON_QUEUE_ENABLE) != 0) {
		VIONET_INIT_LOG(ERR, "%s: queue %u is already enabled; reset the device first",
				t->name, q);
		return -EBUSY;
	}
	common_write16(t, VIONET_PCI_COMMON_QUEUE_SIZE, ring->size);
	common_write64(t, VIONET_PCI_COMMON_QUEUE_DESC, ring->desc_addr);
	common_write64(t, VIONET_PCI_COMMON_QUEUE_DRIVER, ring->driver_area_addr);
	common_write64(t, VIONET_PCI_COMMON_QUEUE_DEVICE, ring->device_area_addr);
	if (pci->queue_vector[q] != VIONET_MSI_NO_VECTOR) {
		ret = write_vector(t, VIONET_PCI_COMMON_QUEUE_MSIX_VECTOR, pci->queue_vector[q],
				   "a queue");
		if (ret < 0)
			return ret;
	} else {
		common_write16(t, VIONET_PCI_COMMON_QUEUE_MSIX_VECTOR, VIONET_MSI_NO_VECTOR);
	}
	/*
	 * The doorbell is at cap.offset + queue_notify_off * notify_off_multiplier (4.1.4.4
	 * Notification structure layout).
	 */
	notify_off = common_read16(t, VIONET_PCI_COMMON_QUEUE_NOTIFY_OFF);
	at = (uint64_t)notify_off * regs->notify_off_multiplier;
	if (at + doorbell_bytes > regs->notify_len) {
		VIONET_INIT_LOG(ERR,
				"%s: queue %u notify offset %" PRIu64 " outside the %u-byte window",
				t->name, q, at, regs->notify_len);
		return -EINVAL;
	}
	regs->notify_addr[q] = (uint16_t *)(regs->notify_base + at);
	VIONET_INIT_LOG(DEBUG, "%s: queue %u size %u desc 0x%" PRIx64 " notify +%" PRIu64, t->name,
			q, ring->size, ring->desc_addr, at);
	return 0;
}

static int
modern_enable_queue(struct vionet_transport *t, uint16_t queue_index)
{
	if (queue_index >= num_queues(t) ||
	    vionet_pci_of(t)->modern.notify_addr[queue_index] == NULL) {
		VIONET_INIT_LOG(ERR, "%s: queue %u is not set up", t->name, queue_index);
		return -EINVAL;
	}
	common_write16(t, VIONET_PCI_COMMON_QUEUE_SELECT, queue_index);
	common_write16(t, VIONET_PCI_COMMON_QUEUE_ENABLE, 1);
	return 0;
}

/*
 * 4.1.4.3.2 Driver Requirements: Common configuration structure layout: after writing 1 to
 * queue_reset the reset is complete only once queue_reset reads back 0; the device then shows 0 in
 * queue_enable, and setup_queue may configure the queue again. The doorbell is forgotten until
 * that set-up, as at stop_queue.
 */
static int
modern_reset_queue(struct vionet_transport *t, uint16_t queue_index)
{
	struct vionet_pci_modern_regs *regs = &vionet_pci_of(t)->modern;

	if (queue_index >= num_queues(t)) {
		VIONET_INIT_LOG(ERR, "%s: queue %u does not exist (device has %u)", t->name,
				queue_index, num_queues(t));
		return -EINVAL;
	}
	common_write16(t, VIONET_PCI_COMMON_QUEUE_SELECT, queue_index);
	common_write16(t, VIONET_PCI_COMMON_QUEUE_RESET, 1);
	for (unsigned int ms = 0; common_read16(t, VIONET_PCI_COMMON_QUEUE_RESET) != 0; ms++) {
		if (ms >= QUEUE_RESET_TIMEOUT_MS) {
			VIONET_INIT_LOG(ERR, "%s: queue %u still resetting %u ms after queue_reset",
					t->name, queue_index, ms);
			return -ETIMEDOUT;
		}
		rte_delay_ms(1);
	}
	regs->notify_addr[queue_index] = NULL;
	return 0;
}

/* The queue lives until the device reset that follows every stop (transport_ops.h, stop_queue). */
static void
modern_stop_queue(struct vionet_transport *t, uint16_t queue_index)
{
	struct vionet_pci_modern_regs *regs = &vionet_pci_of(t)->modern;

	if (queue_index < VIONET_PCI_QUEUES_MAX)
		regs->notify_addr[queue_index] = NULL;
}

static void
modern_notify_queue(struct vionet_transport *t, uint16_t queue_index)
{
	uint16_t *doorbell = vionet_pci_of(t)->modern.notify_addr[queue_index];

	/*
	 * rte_write16 puts an I/O write barrier first: the ring updates reach the device before the
	 * doorbell does (4.1.5.2 Available Buffer Notifications: the queue index). A secondary's
	 * bursts come here too: the doorbell is a BAR address, the same in every process
	 * (transport_pci_common.h).
	 */
	rte_write16(rte_cpu_to_le_16(queue_index), doorbell);
}

static int
modern_set_config_vector(struct vionet_transport *t, uint16_t vector)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	int ret = write_vector(t, VIONET_PCI_COMMON_CONFIG_MSIX_VECTOR, vector, "config changes");

	if (ret == 0)
		pci->config_vector = vector;
	return ret;
}

static int
modern_set_queue_vector(struct vionet_transport *t, uint16_t queue_index, uint16_t vector)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);

	if (queue_index >= VIONET_PCI_QUEUES_MAX)
		return -EINVAL;
	pci->queue_vector[queue_index] = vector;
	if (pci->modern.notify_addr[queue_index] == NULL)
		return 0; /* applied at setup_queue */
	common_write16(t, VIONET_PCI_COMMON_QUEUE_SELECT, queue_index);
	return write_vector(t, VIONET_PCI_COMMON_QUEUE_MSIX_VECTOR, vector, "a queue");
}

static uint8_t
modern_read_isr(struct vionet_transport *t)
{
	return rte_read8(vionet_pci_of(t)->modern.isr);
}

static const struct vionet_transport_ops modern_ops = {
	.name = "pci-modern",
	.read_dev_config = modern_read_dev_config,
	.write_dev_config = modern_write_dev_config,
	.get_features = modern_get_features,
	.set_features = modern_set_features,
	.get_status = modern_get_status,
	.set_status = modern_set_status,
	.reset = modern_reset,
	.get_queue_max_size = modern_get_queue_max_size,
	.setup_queue = modern_setup_queue,
	.enable_queue = modern_enable_queue,
	.stop_queue = modern_stop_queue,
	.reset_queue = modern_reset_queue,
	.notify_queue = modern_notify_queue,
	.set_config_vector = modern_set_config_vector,
	.set_queue_vector = modern_set_queue_vector,
	.read_isr = modern_read_isr,
	.rx_intr_setup = vionet_pci_rx_intr_setup,
	.rx_intr_release = vionet_pci_rx_intr_release,
	.close = vionet_pci_transport_free,
	.detach = vionet_pci_local_close,
};

/* Reads one vendor capability at 'pos'; returns its next pointer, or -1 when unreadable. */
static int
read_virtio_cap(struct rte_pci_device *pci_dev, uint8_t pos, struct virtio_cap *cap,
		bool *is_virtio)
{
	uint8_t raw[VIONET_PCI_NOTIFY_CAP_LEN_MIN];

	if (rte_pci_read_config(pci_dev, raw, 3, pos) != 3)
		return -1;
	*is_virtio = raw[0] == PCI_CAP_ID_VNDR && raw[2] >= VIONET_PCI_CAP_LEN_MIN;
	if (!*is_virtio)
		return raw[1];
	if (rte_pci_read_config(pci_dev, raw, VIONET_PCI_CAP_LEN_MIN, pos) !=
	    VIONET_PCI_CAP_LEN_MIN)
		return -1;
	cap->cfg_type = raw[VIONET_PCI_CAP_CFG_TYPE];
	cap->bar = raw[VIONET_PCI_CAP_BAR];
	memcpy(&cap->offset, raw + VIONET_PCI_CAP_OFFSET, 4);
	memcpy(&cap->length, raw + VIONET_PCI_CAP_LENGTH, 4);
	cap->offset = rte_le_to_cpu_32(cap->offset);
	cap->length = rte_le_to_cpu_32(cap->length);
	cap->notify_off_multiplier = 0;
	if (cap->cfg_type == VIONET_PCI_CAP_NOTIFY_CFG) {
		if (raw[2] < VIONET_PCI_NOTIFY_CAP_LEN_MIN ||
		    rte_pci_read_config(pci_dev, &cap->notify_off_multiplier, 4,
					pos + VIONET_PCI_NOTIFY_CAP_MULTIPLIER) != 4)
			return -1;
		cap->notify_off_multiplier = rte_le_to_cpu_32(cap->notify_off_multiplier);
	}
	return raw[1];
}

/* The address a capability points at; NULL unless its BAR is a mapped memory BAR that holds it. */
static uint8_t *
cap_address(struct vionet_transport *t, struct rte_pci_device *pci_dev,
	    const struct virtio_cap *cap)
{
	const struct rte_mem_resource *bar;

	if (cap->bar >= PCI_MAX_RESOURCE) {
		VIONET_INIT_LOG(ERR, "%s: virtio capability type %u names BAR %u", t->name,
				cap->cfg_type, cap->bar);
		return NULL;
	}
	bar = &pci_dev->mem_resource[cap->bar];
	if (bar->addr == NULL || (uint64_t)cap->offset + cap->length > bar->len) {
		VIONET_INIT_LOG(ERR,
				"%s: virtio capability type %u [0x%x, +0x%x) outside BAR %u (%s, "
				"%" PRIu64 " bytes)",
				t->name, cap->cfg_type, cap->offset, cap->length, cap->bar,
				bar->addr == NULL ? "not mapped" : "mapped", bar->len);
		return NULL;
	}
	return (uint8_t *)bar->addr + cap->offset;
}

/*
 * Walks the capability list and keeps the first capability of each type ("The driver SHOULD use
 * the first instance of each virtio structure type they can support", 4.1.4.1 Driver Requirements:
 * Virtio Structure PCI Capabilities). Returns 0, -ENODEV when there is no common configuration (a
 * legacy-only device), or -EINVAL for a malformed layout.
 */
static int
find_windows(struct vionet_transport *t, struct rte_pci_device *pci_dev,
	     struct vionet_pci_modern_regs *regs)
{
	struct virtio_cap cap;
	uint8_t pos;
	bool is_virtio, have_notify = false;
	uint32_t common_len = 0;
	int next;

	if (rte_pci_read_config(pci_dev, &pos, 1, PCI_CAPABILITY_LIST) != 1)
		return -ENODEV;
	for (int hops = 0; pos >= PCI_STD_HEADER_SIZE && hops < PCI_CAP_LIST_MAX;
	     hops++, pos = (uint8_t)next) {
		next = read_virtio_cap(pci_dev, pos & ~3, &cap, &is_virtio);
		if (next < 0) {
			VIONET_INIT_LOG(ERR, "%s: cannot read PCI capability at 0x%x", t->name,
					pos);
			return -EIO;
		}
		if (!is_virtio)
			continue;
		switch (cap.cfg_type) {
		case VIONET_PCI_CAP_COMMON_CFG:
			if (regs->common == NULL) {
				regs->common = cap_address(t, pci_dev, &cap);
				common_len = cap.length;
				regs->common_len = cap.length;
			}
			break;
		case VIONET_PCI_CAP_NOTIFY_CFG:
			if (!have_notify) {
				regs->notify_base = cap_address(t, pci_dev, &cap);
				regs->notify_len = cap.length;
				regs->notify_off_multiplier = cap.notify_off_multiplier;
				have_notify = regs->notify_base != NULL;
			}
			break;
		case VIONET_PCI_CAP_ISR_CFG:
			if (regs->isr == NULL)
				regs->isr = cap_address(t, pci_dev, &cap);
			break;
		case VIONET_PCI_CAP_DEVICE_CFG:
			if (regs->device == NULL) {
				regs->device = cap_address(t, pci_dev, &cap);
				regs->device_len = cap.length;
			}
			break;
		default: /* PCI config access, shared memory, vendor data: not needed here */
			break;
		}
	}
	if (regs->common == NULL && !have_notify && regs->isr == NULL)
		return -ENODEV;
	if (regs->common == NULL || common_len < VIONET_PCI_COMMON_LEN_MIN || !have_notify ||
	    regs->isr == NULL) {
		VIONET_INIT_LOG(ERR,
				"%s: incomplete virtio 1.x capabilities (common %s, %u bytes; "
				"notify %s; isr %s)",
				t->name, regs->common ? "yes" : "no", common_len,
				have_notify ? "yes" : "no", regs->isr ? "yes" : "no");
		return -EINVAL;
	}
	return 0;
}

int
vionet_pci_modern_create(struct vionet_transport *t, struct rte_pci_device *pci_dev)
{
	struct vionet_pci_transport *pci;
	int ret;

	pci = vionet_pci_transport_alloc(t, pci_dev, false);
	if (pci == NULL)
		return -ENOMEM;
	ret = vionet_pci_local_open(t, pci_dev, false);
	if (ret < 0) {
		vionet_pci_transport_free(t);
		return ret;
	}
	vionet_pci_read_msix_cap(t);
	ret = find_windows(t, pci_dev, &pci->modern);
	if (ret < 0) {
		vionet_pci_transport_free(t);
		return ret;
	}
	t->ops = &modern_ops;
	vionet_transport_proc_of(t)->ops = &modern_ops;
	VIONET_INIT_LOG(INFO,
			"%s: virtio 1.x PCI, %u queues, %u MSI-X vectors, notify multiplier %u",
			t->name, num_queues(t), pci->msix_vectors,
			pci->modern.notify_off_multiplier);
	return 0;
}

int
vionet_pci_modern_attach(struct vionet_transport *t, struct rte_pci_device *pci_dev)
{
	int ret = vionet_pci_local_open(t, pci_dev, false);

	if (ret < 0)
		return ret;
	vionet_transport_proc_of(t)->ops = &modern_ops;
	return 0;
}
