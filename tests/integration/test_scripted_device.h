/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scripted virtio-net device for in-process tests of our port: a transport ops table whose device
 * is the test itself, driving the rings our port hands it with lib/virtq's device half (split or
 * packed), and a port made over it as a probe would. One queue pair of RING descriptors, VERSION_1
 * (12-byte header), optionally a control virtqueue that answers every command on the kick (or stays
 * silent). The test delivers frames to our Rx ring, takes what our Tx posted, and can write a used
 * entry the ring cannot skip. A program may offer more features (dev.offered), take the link down
 * (dev.link_down), define its own HDR and FRAME before including this, and wrap any of these ops in
 * a copy of scripted_ops of its own.
 */
#ifndef TEST_SCRIPTED_DEVICE_H
#define TEST_SCRIPTED_DEVICE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <dev_driver.h>
#include <ethdev_driver.h>
#include <rte_malloc.h>

#include <virtq_packed_dev.h>
#include <virtq_split_dev.h>

#include "ethdev/ethdev.h"
#include "test_tally.h"

#ifndef RING
#define RING 64 /* the device's largest ring; a program may define its own */
#endif
#ifndef HDR
#define HDR 12 /* virtio-net header with VERSION_1 */
#endif
#ifndef FRAME
#define FRAME 100 /* bytes of each test frame */
#endif

static struct {
	bool packed;	 /* offers VIRTIO_F_RING_PACKED */
	bool ctrl_queue; /* offers a control virtqueue (CTRL_VQ, CTRL_RX), queue 2 */
	uint64_t offered;  /* offered besides the above */
	uint64_t features; /* what the driver accepted; lib/virtq's device half is told */
	uint8_t status;
	bool link_down; /* link_up's answer is 0 */
	struct vionet_vq_ring_addrs ring[3];
	struct virtq_split_dev split[3]; /* receiveq, transmitq, controlq (ctrl) */
	struct virtq_packed_dev packed_q[2];
	unsigned int popped[3]; /* buffers dev_pop took since the ring was set up */
	bool ctrl_silent;	/* the control queue stops answering */
	unsigned int kicks;
} dev;

static int
d_read_config(struct vionet_transport *t, size_t off, void *dst, size_t len)
{
	RTE_SET_USED(t);
	RTE_SET_USED(off);
	memset(dst, 0, len);
	return 0;
}

static int
d_write_config(struct vionet_transport *t, size_t off, const void *src, size_t len)
{
	RTE_SET_USED(t);
	RTE_SET_USED(off);
	RTE_SET_USED(src);
	RTE_SET_USED(len);
	return 0;
}

static uint64_t
d_get_features(struct vionet_transport *t)
{
	uint64_t f = VIRTQ_FEATURE(VIONET_F_VERSION_1);

	RTE_SET_USED(t);
	if (dev.packed)
		f |= VIRTQ_FEATURE(VIONET_F_RING_PACKED);
	if (dev.ctrl_queue)
		f |= VIRTQ_FEATURE(VIONET_NET_F_CTRL_VQ) | VIRTQ_FEATURE(VIONET_NET_F_CTRL_RX);
	return f | dev.offered;
}

static int
d_set_features(struct vionet_transport *t, uint64_t f)
{
	RTE_SET_USED(t);
	dev.features = f;
	return 0;
}

static uint8_t
d_get_status(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	return dev.status;
}

static void
d_set_status(struct vionet_transport *t, uint8_t s)
{
	RTE_SET_USED(t);
	dev.status = s;
}

static int
d_reset(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	dev.status = 0;
	return 0;
}

static uint16_t
d_queue_max(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	return q < (dev.ctrl_queue ? 3 : 2) ? RING : 0;
}

/* The device attaches its half to the rings the driver hands it. */
static int
d_setup_queue(struct vionet_transport *t, const struct vionet_vq_ring_addrs *r)
{
	uint16_t q = r->queue_index;

	RTE_SET_USED(t);
	if (q >= RTE_DIM(dev.ring))
		return -EINVAL;
	dev.ring[q] = *r;
	dev.popped[q] = 0;
	if (r->packed)
		return virtq_packed_dev_init(&dev.packed_q[q], r->size, r->desc_va, r->driver_area_va,
					     r->device_area_va, dev.features);
	return virtq_split_dev_init(&dev.split[q], r->size, r->desc_va, r->driver_area_va,
				    r->device_area_va, dev.features);
}

static int
d_enable_queue(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	RTE_SET_USED(q);
	return 0;
}

static void
d_stop_queue(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	RTE_SET_USED(q);
}

static inline void ctrl_answer(void);

static void
d_notify(struct vionet_transport *t, uint16_t q)
{
	RTE_SET_USED(t);
	/* a command may come from another thread than the bursts' */
	__atomic_add_fetch(&dev.kicks, 1, __ATOMIC_RELAXED);
	if (q == 2 && !dev.ctrl_silent)
		ctrl_answer();
}

static int
d_ctrl(struct vionet_transport *t, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	RTE_SET_USED(t);
	RTE_SET_USED(class);
	RTE_SET_USED(cmd);
	RTE_SET_USED(data);
	RTE_SET_USED(len);
	return 0;
}

static int
d_link_up(struct vionet_transport *t)
{
	RTE_SET_USED(t);
	return !dev.link_down;
}

static void
d_close(struct vionet_transport *t)
{
	RTE_SET_USED(t);
}

static const struct vionet_transport_ops scripted_ops = {
	.name = "scripted",
	.read_dev_config = d_read_config,
	.write_dev_config = d_write_config,
	.get_features = d_get_features,
	.set_features = d_set_features,
	.get_status = d_get_status,
	.set_status = d_set_status,
	.reset = d_reset,
	.get_queue_max_size = d_queue_max,
	.setup_queue = d_setup_queue,
	.enable_queue = d_enable_queue,
	.stop_queue = d_stop_queue,
	.notify_queue = d_notify,
	.ctrl_command = d_ctrl,
	.link_up = d_link_up,
	.close = d_close,
};

static inline int
dev_pop(uint16_t q, struct virtq_dev_buf *b, struct virtq_sg *sg, uint16_t max)
{
	int rc = dev.packed ? virtq_packed_dev_pop(&dev.packed_q[q], b, sg, max)
			    : virtq_split_dev_pop(&dev.split[q], b, sg, max);

	if (rc == 0)
		dev.popped[q]++;
	return rc;
}

/* A used entry, for the driver to see at the next dev_publish. */
static inline void
dev_push(uint16_t q, uint16_t id, uint32_t len, uint16_t ndescs)
{
	if (dev.packed)
		virtq_packed_dev_push(&dev.packed_q[q], id, len, ndescs);
	else
		virtq_split_dev_push(&dev.split[q], id, len);
}

static inline void
dev_publish(uint16_t q)
{
	if (dev.packed)
		virtq_packed_dev_publish(&dev.packed_q[q]);
	else
		virtq_split_dev_publish(&dev.split[q]);
}

static inline void
dev_push_publish(uint16_t q, const struct virtq_dev_buf *b, uint32_t len)
{
	dev_push(q, b->id, len, b->ndescs);
	dev_publish(q);
}

static inline uint8_t
pattern(uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 31u + off);
}

/* The device receives n frames into our Rx buffers: a zero header, then FRAME bytes. */
static inline unsigned int
dev_deliver(unsigned int n, uint32_t seq)
{
	unsigned int done = 0;

	for (; done < n; done++) {
		struct virtq_dev_buf b;
		struct virtq_sg sg[4];
		uint8_t *p;

		if (dev_pop(0, &b, sg, RTE_DIM(sg)) != 0)
			break;
		p = (uint8_t *)(uintptr_t)sg[0].addr;
		memset(p, 0, HDR);
		for (uint32_t i = 0; i < FRAME; i++)
			p[HDR + i] = pattern(seq + done, i);
		dev_push_publish(0, &b, HDR + FRAME);
	}
	return done;
}

/* The device sends what our Tx posted; returns the frames that carried what we sent. */
static inline unsigned int
dev_consume(uint32_t seq)
{
	unsigned int n = 0, good = 0;
	struct virtq_dev_buf b;
	struct virtq_sg sg[4];

	while (dev_pop(1, &b, sg, RTE_DIM(sg)) == 0) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)sg[0].addr;
		bool ok = b.nsegs == 1 && sg[0].len == HDR + FRAME;

		for (uint32_t i = 0; ok && i < FRAME; i++)
			ok = p[HDR + i] == pattern(seq + n, i);
		good += ok;
		n++;
		dev_push_publish(1, &b, 0);
	}
	return good;
}

/* The control queue's device: every command acknowledged at once (5.1.6.5: ack is the last byte). */
static inline void
ctrl_answer(void)
{
	struct virtq_dev_buf b;
	struct virtq_sg sg[4];

	while (virtq_split_dev_pop(&dev.split[2], &b, sg, RTE_DIM(sg)) == 0) {
		*(uint8_t *)(uintptr_t)sg[b.nsegs - 1].addr = VIONET_CTRL_OK;
		virtq_split_dev_push(&dev.split[2], b.id, 1);
		virtq_split_dev_publish(&dev.split[2]);
	}
}

/* A used entry the ring cannot skip: split, used.idx past the ring; packed, an id beyond it. */
static inline void
dev_break_ring(uint16_t q)
{
	if (dev.packed) {
		virtq_packed_dev_push(&dev.packed_q[q], 9999, 0, 1);
		virtq_packed_dev_publish(&dev.packed_q[q]);
	} else {
		dev.split[q].used_idx = (uint16_t)(dev.split[q].used_idx + RING + 5);
		virtq_split_dev_publish(&dev.split[q]);
	}
}

/*
 * A net_vionet port over the scripted device, as a probe would make it: the program's devargs with
 * one queue pair of RING descriptors, the transport's ops, the shared device and ethdev
 * initialisation. Returns its port id; *hw is the device.
 */
static inline uint16_t
scripted_port_create_devargs(const struct vionet_transport_ops *ops,
			     const struct vionet_devargs *args, struct vionet_hw **hw)
{
	static struct rte_driver drv = {.name = "net_vionet_scripted"};
	static struct rte_device rdev = {.name = "scripted0", .driver = &drv,
					 .numa_node = SOCKET_ID_ANY};
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocate("net_vionet_scripted");
	struct vionet_devargs devargs = *args;
	int ret;

	if (eth_dev == NULL)
		fatal("port allocation failed");
	/* What a bus would give the port: ethdev reads the driver name from it. */
	eth_dev->device = &rdev;
	eth_dev->data->dev_private = rte_zmalloc("hw", sizeof(struct vionet_hw), 0);
	devargs.queue_pairs = 1;
	devargs.queue_size = RING;
	*hw = vionet_ethdev_hw_prepare(eth_dev, "scripted0", &devargs, true, SOCKET_ID_ANY);
	(*hw)->tp.ops = ops;
	ret = vionet_ethdev_init(eth_dev);
	if (ret < 0)
		fatal("device init: %s", strerror(-ret));
	return eth_dev->data->port_id;
}

/* The port with packed rings when the device offers them (dev.packed), the other devargs default. */
static inline uint16_t
scripted_port_create(const struct vionet_transport_ops *ops, struct vionet_hw **hw)
{
	struct vionet_devargs devargs = {0};

	devargs.packed_vq = dev.packed;
	return scripted_port_create_devargs(ops, &devargs, hw);
}

#endif /* TEST_SCRIPTED_DEVICE_H */
