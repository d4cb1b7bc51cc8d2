/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names of virtio feature bits as the specification spells them ("VIRTIO_NET_F_MRG_RXBUF",
 * "VIRTIO_F_RING_PACKED"), for what users read: telemetry, logs.
 */
#ifndef VIONET_FEATURE_NAMES_H
#define VIONET_FEATURE_NAMES_H

/* The name of feature bit 'bit' (0..63), or NULL for a bit the specification does not name. */
const char *vionet_feature_name(unsigned int bit);

#endif /* VIONET_FEATURE_NAMES_H */
