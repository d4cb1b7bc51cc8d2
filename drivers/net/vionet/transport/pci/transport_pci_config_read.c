/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device configuration reads checked against config_generation (4.1.4.3 Common configuration
 * structure layout; 2.5.1 Driver Requirements: Device Configuration Space): the driver reads the
 * generation, the fields, the generation again, and repeats while the two differ. The spec expects
 * a device to settle; we stop asking one that does not.
 */
#include "transport/pci/transport_pci_config_read.h"

#include <errno.h>

#include "base/vionet_log.h"

int
vionet_pci_config_read_stable(const char *name, const struct vionet_pci_config_access *access,
			      size_t offset, void *dst, size_t len)
{
	uint8_t *out = dst;
	uint8_t before, after;

	for (unsigned int try = 0; try < VIONET_PCI_CONFIG_READ_TRIES; try++) {
		before = access->generation(access->ctx);
		for (size_t i = 0; i < len; i++)
			out[i] = access->byte(access->ctx, offset + i);
		after = access->generation(access->ctx);
		if (before == after)
			return 0;
	}
	VIONET_INIT_LOG(ERR,
			"%s: config_generation changed during each of %u reads of device config "
			"[%zu, +%zu): the device never settles",
			name, VIONET_PCI_CONFIG_READ_TRIES, offset, len);
	return -EIO;
}
