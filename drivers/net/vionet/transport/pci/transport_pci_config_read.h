/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A read of device configuration that config_generation vouches for (2.5.1 Driver Requirements:
 * Device Configuration Space), through callbacks so that it runs, and is tested, without a PCI
 * function. Called by transport_pci_modern.c.
 */
#ifndef VIONET_TRANSPORT_PCI_CONFIG_READ_H
#define VIONET_TRANSPORT_PCI_CONFIG_READ_H

#include <stddef.h>
#include <stdint.h>

/*
 * How many times a read is tried while config_generation changes under it. A device changes its
 * configuration now and then (a link status); one that changes it on every read never settles,
 * and a bound turns it into an error instead of a hang.
 */
#define VIONET_PCI_CONFIG_READ_TRIES 64

/* Where the reads go: the device's config_generation, and one byte of its device configuration. */
struct vionet_pci_config_access {
	uint8_t (*generation)(void *ctx);
	uint8_t (*byte)(void *ctx, size_t offset);
	void *ctx;
};

/*
 * Reads 'len' bytes at 'offset' into 'dst', again while config_generation differs before and after,
 * up to VIONET_PCI_CONFIG_READ_TRIES times. Returns 0, or -EIO (logged once with 'name', the
 * device) when the generation never held still.
 */
int vionet_pci_config_read_stable(const char *name, const struct vionet_pci_config_access *access,
				  size_t offset, void *dst, size_t len);

#endif /* VIONET_TRANSPORT_PCI_CONFIG_READ_H */
