/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device arguments of both vionet drivers, parsed with rte_kvargs into one validated structure.
 * A bad value fails the probe with a message naming the argument and what it accepts.
 */
#ifndef VIONET_DEVARGS_H
#define VIONET_DEVARGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#include "base/vionet_spec.h"

/* Which driver's arguments: the sets differ (a PCI device has no socket path). */
enum vionet_devargs_kind {
	VIONET_DEVARGS_PCI,
	VIONET_DEVARGS_USER,
};

#define VIONET_QUEUE_SIZE_MIN 16
#define VIONET_QUEUE_SIZE_DEFAULT 256
/* Queue pairs: virtio-net's max_virtqueue_pairs is 1..0x8000; ethdev caps queues per port. */
#define VIONET_QUEUE_PAIRS_MAX 128
/* virtio-net config "speed" is a 32-bit Mbps value; ethdev names speeds up to 400 Gb/s. */
#define VIONET_SPEED_MAX_MBPS 400000u
/*
 * devarg vectorized: the widest vector fast path allowed, in bits (rte_vect's unit, so it compares
 * with rte_vect_get_max_simd_bitwidth()). auto and 1: any width the CPU and EAL allow.
 */
#define VIONET_VECTOR_SCALAR 0   /* vectorized=0 */
#define VIONET_VECTOR_SSE 128    /* vectorized=sse: SSE4.2 */
#define VIONET_VECTOR_AVX2 256   /* vectorized=avx2 */
#define VIONET_VECTOR_AVX512 512 /* vectorized=avx512: AVX512 F, BW and VL */
#define VIONET_VECTOR_ANY UINT16_MAX

struct vionet_devargs {
	/* vhost-user only */
	char path[PATH_MAX];  /* unix socket of the vhost-user back end */
	bool server;          /* we listen and the back end connects (reconnects) to us */
	uint16_t queue_pairs; /* Rx/Tx queue pairs the device is set up with */

	/* both */
	uint16_t queue_size; /* descriptors per virtqueue; 0 = device default */
	bool packed_vq;      /* offer VIRTIO_F_RING_PACKED */
	bool in_order;       /* offer VIRTIO_F_IN_ORDER */
	bool mrg_rxbuf;      /* offer VIONET_NET_F_MRG_RXBUF */
	uint16_t vector_bits_max; /* VIONET_VECTOR_*: widest vector path allowed (devarg vectorized) */
	bool mac_set;
	struct rte_ether_addr mac; /* MAC to use when the device has none to give */
	uint32_t speed_mbps;       /* link speed to report when the device does not say */

	/* PCI only */
	bool force_legacy; /* drive a transitional device through its legacy I/O BAR */
};

/* The registered parameter strings (shown by dpdk-pmdinfo.py). */
#define VIONET_USER_PARAMS                                                                       \
	"path=<unix socket path> server=<0|1> queues=<1-128> queue_size=<16-32768> "             \
	"packed_vq=<0|1> in_order=<0|1> mrg_rxbuf=<0|1> mac=<xx:xx:xx:xx:xx:xx> "                \
	"speed=<Mbps> vectorized=<auto|0|1|sse|avx2|avx512>"
#define VIONET_PCI_PARAMS                                                                        \
	"queue_size=<16-32768> packed_vq=<0|1> in_order=<0|1> mrg_rxbuf=<0|1> "                  \
	"mac=<xx:xx:xx:xx:xx:xx> speed=<Mbps> vectorized=<auto|0|1|sse|avx2|avx512> "  \
	"legacy=<0|1>"

/*
 * Parses 'args' (may be NULL or empty) for a device named 'dev_name' (used in messages).
 * Returns 0, or -EINVAL after logging which argument is wrong and what it accepts. When 'err' is not
 * NULL the same message is also written there, for callers (and tests) that report it themselves.
 */
int vionet_devargs_parse(const char *dev_name, const char *args, enum vionet_devargs_kind kind,
			 struct vionet_devargs *out, char *err, size_t err_len);

#endif /* VIONET_DEVARGS_H */
