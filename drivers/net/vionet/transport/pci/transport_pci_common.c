/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the modern and legacy virtio-pci transports share: their state (shared and per process), the
 * MSI-X capability, the config-change interrupt that becomes an LSC event, and the Rx queue
 * interrupt vectors. Calls nothing of either transport but through the ops table.
 */
#include "transport/pci/transport_pci_common.h"

#include <errno.h>
#include <string.h>

#include <rte_interrupts.h>
#include <rte_malloc.h>

#include "base/vionet_compat.h"
#include "base/vionet_log.h"

static off_t
find_msix_cap(struct rte_pci_device *pci_dev)
{
	uint16_t status;
	uint8_t pos, hdr[2];

	if (rte_pci_read_config(pci_dev, &status, sizeof(status), PCI_STATUS) != sizeof(status) ||
	    (status & PCI_STATUS_CAP_LIST) == 0)
		return 0;
	if (rte_pci_read_config(pci_dev, &pos, 1, PCI_CAPABILITY_LIST) != 1)
		return 0;
	for (int i = 0; i < PCI_CAP_LIST_MAX && pos >= PCI_STD_HEADER_SIZE; i++) {
		if (rte_pci_read_config(pci_dev, hdr, sizeof(hdr), pos & ~3) != sizeof(hdr))
			return 0;
		if (hdr[0] == PCI_CAP_ID_MSIX)
			return pos & ~3;
		pos = hdr[1];
	}
	return 0;
}

struct vionet_pci_transport *
vionet_pci_transport_alloc(struct vionet_transport *t, struct rte_pci_device *pci_dev, bool legacy)
{
	struct vionet_pci_transport *pci;

	pci = rte_zmalloc_socket("vionet_pci", sizeof(*pci), RTE_CACHE_LINE_SIZE,
				 pci_dev->device.numa_node);
	if (pci == NULL) {
		VIONET_INIT_LOG(ERR, "%s: no memory for the PCI transport", t->name);
		return NULL;
	}
	pci->legacy = legacy;
	pci->config_vector = VIONET_MSI_NO_VECTOR;
	for (unsigned int q = 0; q < VIONET_PCI_QUEUES_MAX; q++)
		pci->queue_vector[q] = VIONET_MSI_NO_VECTOR;
	t->priv = pci;
	return pci;
}

int
vionet_pci_local_open(struct vionet_transport *t, struct rte_pci_device *pci_dev, bool legacy)
{
	struct vionet_transport_proc *proc = vionet_transport_proc_of(t);
	struct vionet_pci_local *local;

	local = rte_zmalloc_socket("vionet_pci_local", sizeof(*local), RTE_CACHE_LINE_SIZE,
				   pci_dev->device.numa_node);
	if (local == NULL) {
		VIONET_INIT_LOG(ERR, "%s: no memory for this process's PCI handles", t->name);
		return -ENOMEM;
	}
	local->pci_dev = pci_dev;
	proc->local = local;
	/* A secondary's mapping reuses the primary's BAR addresses (see transport_pci_common.h). */
	if (rte_pci_map_device(pci_dev) != 0) {
		VIONET_INIT_LOG(ERR,
				"%s: cannot map the device (bound to vfio-pci, or uio for legacy?)",
				t->name);
		vionet_pci_local_close(t);
		return -EIO;
	}
	local->mapped = true;
	/* Under VFIO the I/O BAR is reached through the device fd rte_pci_map_device opened. */
	if (legacy) {
		if (rte_pci_ioport_map(pci_dev, 0, &local->io) != 0) {
			VIONET_INIT_LOG(ERR, "%s: cannot map I/O BAR 0, the legacy register block",
					t->name);
			vionet_pci_local_close(t);
			return -EIO;
		}
		local->io_mapped = true;
	}
	return 0;
}

void
vionet_pci_local_close(struct vionet_transport *t)
{
	struct vionet_transport_proc *proc = vionet_transport_proc_of(t);
	struct vionet_pci_local *local = proc->local;

	if (local == NULL)
		return;
	if (local->io_mapped)
		rte_pci_ioport_unmap(&local->io);
	/* A secondary's unmap drops its own mappings and VFIO device fd, and does not reset. */
	if (local->mapped)
		rte_pci_unmap_device(local->pci_dev);
	rte_free(local);
	proc->local = NULL;
}

void
vionet_pci_read_msix_cap(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	struct rte_pci_device *pci_dev = vionet_pci_dev_of(t);
	uint16_t flags;

	/* Config space reads go through the VFIO device fd that mapping opened. */
	pci->msix_cap = find_msix_cap(pci_dev);
	if (pci->msix_cap != 0 &&
	    rte_pci_read_config(pci_dev, &flags, sizeof(flags), pci->msix_cap + PCI_MSIX_FLAGS) ==
		    sizeof(flags))
		pci->msix_vectors = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
}

void
vionet_pci_transport_free(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);

	if (pci != NULL)
		vionet_pci_config_intr_disable(t);
	vionet_pci_local_close(t);
	rte_free(pci);
	t->priv = NULL;
}

bool
vionet_pci_msix_enabled(const struct vionet_transport *t)
{
	const struct vionet_pci_transport *pci = vionet_pci_of(t);
	uint16_t flags;

	if (pci->msix_cap == 0)
		return false;
	if (rte_pci_read_config(vionet_pci_dev_of(t), &flags, sizeof(flags),
				pci->msix_cap + PCI_MSIX_FLAGS) != sizeof(flags))
		return false;
	return (flags & PCI_MSIX_FLAGS_ENABLE) != 0;
}

/*
 * Runs in EAL's interrupt thread. Reading ISR acknowledges the interrupt for INTx ("The device MUST
 * reset ISR status to 0 on driver read", 4.1.4.5.1 Device Requirements: ISR status capability); the
 * device layer re-reads the link state and raises LSC only when it changed, so a spurious wake-up
 * costs one config read.
 */
static void
lsc_interrupt(void *arg)
{
	struct vionet_transport *t = arg;

	t->ops->read_isr(t);
	vionet_transport_link_changed(t);
	rte_intr_ack(vionet_pci_dev_of(t)->intr_handle);
}

int
vionet_pci_config_intr_enable(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	struct rte_intr_handle *handle = vionet_pci_dev_of(t)->intr_handle;
	int ret;

	if (handle == NULL || rte_intr_fd_get(handle) < 0) {
		VIONET_INIT_LOG(INFO,
				"%s: no interrupt handle: link changes are seen by polling only",
				t->name);
		return -ENOTSUP;
	}
	ret = rte_intr_callback_register(handle, lsc_interrupt, t);
	if (ret < 0) {
		VIONET_INIT_LOG(ERR, "%s: cannot register the config-change callback: %s", t->name,
				strerror(-ret));
		return ret;
	}
	pci->lsc_registered = true;
	if (rte_intr_enable(handle) < 0) {
		VIONET_INIT_LOG(ERR, "%s: cannot enable the config-change interrupt", t->name);
		vionet_pci_config_intr_disable(t);
		return -EIO;
	}
	/*
	 * Under VFIO MSI-X, EAL's handle fd is vector 0: route config changes there (4.1.5.1.2
	 * MSI-X Vector Configuration).
	 */
	if (pci->msix_cap != 0) {
		ret = t->ops->set_config_vector(t, 0);
		if (ret < 0) {
			vionet_pci_config_intr_disable(t);
			return ret;
		}
	}
	return 0;
}

void
vionet_pci_config_intr_disable(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	struct rte_intr_handle *handle;

	if (!pci->lsc_registered)
		return;
	handle = vionet_pci_dev_of(t)->intr_handle;
	rte_intr_disable(handle);
	/* Waits for a callback running in the interrupt thread: t must outlive it. */
	rte_intr_callback_unregister_sync(handle, lsc_interrupt, t);
	pci->lsc_registered = false;
}

/*
 * Rx interrupts under VFIO MSI-X (4.1.5.1.2 MSI-X Vector Configuration): vector 0 stays the
 * config vector (LSC), Rx queue i gets vector 1 + i. A device with fewer vectors than queues + 1
 * shares vectors 1..n-1 round-robin (those queues wake together); with fewer than 2 there is none
 * to give. rte_intr_efd_enable creates one eventfd per vector; VFIO learns them at rte_intr_enable,
 * so the handle is disabled and enabled again around the change.
 */
int
vionet_pci_rx_intr_setup(struct vionet_transport *t, uint16_t nb_rx_queues,
			 struct rte_intr_handle **handle)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	struct rte_intr_handle *h = vionet_pci_dev_of(t)->intr_handle;
	uint16_t nb_efd;
	int ret;

	if (h == NULL || rte_intr_type_get(h) != RTE_INTR_HANDLE_VFIO_MSIX ||
	    !pci->lsc_registered) {
		VIONET_INIT_LOG(ERR, "%s: Rx interrupts need MSI-X through vfio-pci", t->name);
		return -ENOTSUP;
	}
	if (pci->msix_vectors < 2) {
		VIONET_INIT_LOG(ERR,
				"%s: the device has %u MSI-X vector(s); Rx interrupts need 2 or "
				"more (vector 0 is for config changes)",
				t->name, pci->msix_vectors);
		return -ENOTSUP;
	}
	nb_efd = RTE_MIN(nb_rx_queues, (uint16_t)(pci->msix_vectors - 1));
	if (nb_efd < nb_rx_queues)
		VIONET_INIT_LOG(WARNING,
				"%s: %u MSI-X vectors for %u Rx queues: queues share %u vectors",
				t->name, pci->msix_vectors, nb_rx_queues, nb_efd);
	rte_intr_disable(h);
	pci->rx_intr_active = true;
	ret = rte_intr_efd_enable(h, nb_efd);
	if (ret == 0)
		ret = vionet_intr_map_rx_queues(h, nb_rx_queues, nb_efd);
	if (ret < 0) {
		VIONET_INIT_LOG(ERR, "%s: cannot create %u Rx interrupt event fds: %s", t->name,
				nb_efd, strerror(-ret));
		goto fail;
	}
	if (rte_intr_enable(h) < 0) {
		VIONET_INIT_LOG(ERR, "%s: VFIO refused %u MSI-X vectors", t->name, nb_efd + 1);
		ret = -EIO;
		goto fail;
	}
	/* Applied to the device at setup_queue, before DRIVER_OK; Tx queues keep no vector. */
	for (uint16_t q = 0; q < nb_rx_queues; q++) {
		ret = t->ops->set_queue_vector(t, (uint16_t)(2 * q), (uint16_t)(1 + q % nb_efd));
		if (ret < 0)
			goto fail;
	}
	*handle = h;
	return 0;
fail:
	vionet_pci_rx_intr_release(t);
	return ret;
}

void
vionet_pci_rx_intr_release(struct vionet_transport *t)
{
	struct vionet_pci_transport *pci = vionet_pci_of(t);
	struct rte_intr_handle *h = vionet_pci_dev_of(t)->intr_handle;

	if (!pci->rx_intr_active)
		return;
	pci->rx_intr_active = false;
	for (uint16_t q = 0; q < VIONET_PCI_QUEUES_MAX; q += 2)
		if (pci->queue_vector[q] != VIONET_MSI_NO_VECTOR)
			t->ops->set_queue_vector(t, q, VIONET_MSI_NO_VECTOR);
	/* Back to the config vector alone: LSC keeps working on a stopped port. */
	rte_intr_disable(h);
	rte_intr_efd_disable(h);
	rte_intr_vec_list_free(h);
	if (pci->lsc_registered && rte_intr_enable(h) < 0)
		VIONET_INIT_LOG(ERR, "%s: cannot re-enable the config-change interrupt", t->name);
}
