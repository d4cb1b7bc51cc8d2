/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user protocol, front-end side: wire structures, socket I/O with file descriptors in
 * SCM_RIGHTS, and one function per request we send. Nothing here knows about DPDK or virtio-net:
 * the transport (transport_vhost_user.c) decides what to send and when.
 * Reference: QEMU docs/interop/vhost-user.rst ("Message Specification", "Front-end message types").
 * Every function returns 0 or a negative errno: -ECONNRESET when the back end closed the socket,
 * -EPROTO when its reply is malformed, -EIO when it acknowledged a request with an error,
 * -ETIMEDOUT when a whole message did not go out, or its whole reply did not arrive, within the
 * connection's msg_timeout_ms. What was wrong is then in the connection's fault text
 * (vhost_user_fault()), for the caller's one log line that names the request.
 */
#ifndef VHOST_USER_MSG_H
#define VHOST_USER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Front-end request codes ("Front-end message types"). */
enum vhost_user_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_GET_CONFIG = 24,
	VHOST_USER_SET_CONFIG = 25,
	VHOST_USER_SET_STATUS = 39,
	VHOST_USER_GET_STATUS = 40,
};

/* The feature bit that gates protocol feature negotiation ("Communication"): not a virtio feature. */
#define VHOST_USER_F_PROTOCOL_FEATURES 30
/* vhost dirty page logging (live migration), a vhost feature bit: never accepted by us. */
#define VHOST_F_LOG_ALL 26

/* Protocol feature bits ("Protocol features"); only those we negotiate. */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_CONFIG 9
#define VHOST_USER_PROTOCOL_F_STATUS 16

/* Header flags: version 1 in bits 0-1, bit 2 reply, bit 3 need_reply ("Header"). */
#define VHOST_USER_VERSION 0x1u
#define VHOST_USER_VERSION_MASK 0x3u
#define VHOST_USER_FLAG_REPLY (1u << 2)
#define VHOST_USER_FLAG_NEED_REPLY (1u << 3)

/*
 * SET_MEM_TABLE carries at most this many regions ("Memory regions description"); more would need
 * CONFIGURE_MEM_SLOTS and ADD_MEM_REG, which we do not negotiate.
 */
#define VHOST_USER_MEM_REGIONS_MAX 8
/* SET_VRING_KICK/CALL: bits 0-7 ring index, bit 8 "no file descriptor" (polling / no interrupt). */
#define VHOST_USER_VRING_IDX_MASK 0xffu
#define VHOST_USER_VRING_NOFD (1u << 8)
/* SET_VRING_BASE for packed rings: bits 0-14 next available index, bit 15 its wrap counter. */
#define VHOST_USER_PACKED_WRAP_BIT 15
/* GET/SET_CONFIG payload: at most 256 bytes of device configuration space. */
#define VHOST_USER_CONFIG_SPACE_MAX 256

struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes that follow */
} __attribute__((packed));

struct vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
} __attribute__((packed));

/* A vring address description: note the used ring comes before the available ring on the wire. */
struct vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
} __attribute__((packed));

struct vhost_user_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
} __attribute__((packed));

struct vhost_user_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_mem_region regions[VHOST_USER_MEM_REGIONS_MAX];
} __attribute__((packed));

struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[VHOST_USER_CONFIG_SPACE_MAX];
} __attribute__((packed));

struct vhost_user_msg {
	struct vhost_user_hdr hdr;
	union {
		uint64_t u64;
		struct vhost_user_vring_state state;
		struct vhost_user_vring_addr addr;
		struct vhost_user_mem_table memory;
		struct vhost_user_config config;
	} payload;
} __attribute__((packed));

/* How long a whole message may take when the connection does not say (msg_timeout_ms 0). */
#define VHOST_USER_MSG_TIMEOUT_MS 10000

/*
 * One connection to a back end: the socket, whether requests are acknowledged (REPLY_ACK), and the
 * one deadline each message gets from its first byte to its last, a request we send as a reply we
 * receive.
 */
struct vhost_user_conn {
	int fd;
	bool reply_ack; /* VHOST_USER_PROTOCOL_F_REPLY_ACK negotiated: ask for an ack on every set */
	unsigned int msg_timeout_ms; /* 0: VHOST_USER_MSG_TIMEOUT_MS */
	char fault[160]; /* what was wrong with the last request that failed; "" when none said */
	int fault_err;	 /* the error 'fault' explains */
};

/* What was wrong with the last failed request: its fault text for 'err', or strerror(-err). */
const char *vhost_user_fault(const struct vhost_user_conn *c, int err);
/*
 * For callers that find a reply's value wrong: records the fault text (printf-like) and returns
 * -EPROTO, the error of a reply that cannot be used.
 */
int vhost_user_refuse(struct vhost_user_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Sends one message with up to VHOST_USER_MEM_REGIONS_MAX fds; the payload size is hdr.size.
 * -ETIMEDOUT when a back end that does not read keeps it from going out within 'timeout_ms'.
 */
int vhost_user_msg_send(int sock, const struct vhost_user_msg *msg, const int *fds, size_t nfds,
			unsigned int timeout_ms);
/*
 * Receives one message on c->fd, header and payload within the connection's deadline in all
 * (-ETIMEDOUT after it, however the bytes trickle in). File descriptors that arrive with it are
 * closed and refuse the message (-EPROTO): a front end never expects one in the replies it asks
 * for. Checks the version and that the payload fits 'msg'.
 */
int vhost_user_msg_recv(struct vhost_user_conn *c, struct vhost_user_msg *msg);

/* Requests without a payload of their own or with a u64 (features, owner, status). */
int vhost_user_set_owner(struct vhost_user_conn *c);
int vhost_user_get_u64(struct vhost_user_conn *c, enum vhost_user_request req, uint64_t *value);
int vhost_user_set_u64(struct vhost_user_conn *c, enum vhost_user_request req, uint64_t value);

int vhost_user_set_mem_table(struct vhost_user_conn *c, const struct vhost_user_mem_region *regions,
			     const int *fds, size_t nregions);

/* Ring messages; 'index' is the virtqueue index. */
int vhost_user_set_vring_state(struct vhost_user_conn *c, enum vhost_user_request req,
			       uint32_t index, uint32_t num);
int vhost_user_get_vring_base(struct vhost_user_conn *c, uint32_t index, uint32_t *num);
int vhost_user_set_vring_addr(struct vhost_user_conn *c, uint32_t index, uint64_t desc,
			      uint64_t driver_area, uint64_t device_area);
/* SET_VRING_KICK or SET_VRING_CALL with 'fd', or with the no-fd flag when fd < 0. */
int vhost_user_set_vring_fd(struct vhost_user_conn *c, enum vhost_user_request req, uint32_t index,
			    int fd);

/* -ENOTSUP: the back end answered with an empty payload, its way to say it has no config space. */
int vhost_user_get_config(struct vhost_user_conn *c, uint32_t offset, void *dst, uint32_t len);
int vhost_user_set_config(struct vhost_user_conn *c, uint32_t offset, const void *src, uint32_t len);

#endif /* VHOST_USER_MSG_H */
