/* SPDX-License-Identifier: BSD-3-Clause */
#include "transport/vhost_user/vhost_user_msg.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define HDR_SIZE sizeof(struct vhost_user_hdr)

static void
set_fault_v(struct vhost_user_conn *c, int err, const char *fmt, va_list ap)
{
	vsnprintf(c->fault, sizeof(c->fault), fmt, ap);
	c->fault_err = err;
}

static void __attribute__((format(printf, 3, 4)))
set_fault(struct vhost_user_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_fault_v(c, err, fmt, ap);
	va_end(ap);
}

const char *
vhost_user_fault(const struct vhost_user_conn *c, int err)
{
	return c->fault_err == err && c->fault[0] != '\0' ? c->fault : strerror(-err);
}

int
vhost_user_refuse(struct vhost_user_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_fault_v(c, -EPROTO, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* Monotonic milliseconds: deadlines that a clock change does not move. */
static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Waits until 'sock' is ready for 'events' (POLLIN, POLLOUT) or 'deadline_ms' passes. Each wait
 * gets only the time left, so a back end that reads or writes a byte now and then cannot stretch
 * one message past its deadline.
 */
static int
wait_ready(int sock, short events, uint64_t deadline_ms)
{
	for (;;) {
		struct pollfd pfd = {.fd = sock, .events = events};
		uint64_t now = now_ms();
		int n;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, deadline_ms - now > INT_MAX ? INT_MAX : (int)(deadline_ms - now));
		if (n > 0)
			return 0; /* ready, or hung up / failed: the next call says which */
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

int
vhost_user_msg_send(int sock, const struct vhost_user_msg *msg, const int *fds, size_t nfds,
		    unsigned int timeout_ms)
{
	uint64_t deadline_ms = now_ms() + timeout_ms;
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MEM_REGIONS_MAX)];
		struct cmsghdr align;
	} control;
	const char *bytes = (const char *)msg;
	size_t total = HDR_SIZE + msg->hdr.size;
	size_t sent = 0;

	if (nfds > VHOST_USER_MEM_REGIONS_MAX || msg->hdr.size > sizeof(msg->payload))
		return -EINVAL;
	while (sent < total) {
		struct iovec iov = {.iov_base = (void *)(uintptr_t)(bytes + sent),
				    .iov_len = total - sent};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n;

		/* The descriptors travel with the first byte only; a partial write sends the rest bare. */
		if (sent == 0 && nfds > 0) {
			struct cmsghdr *cmsg;

			memset(&control, 0, sizeof(control));
			mh.msg_control = control.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			cmsg = CMSG_FIRSTHDR(&mh);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
		}
		/* MSG_NOSIGNAL: a back end that died gives EPIPE here rather than killing us with SIGPIPE. */
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			/* A back end that does not read fills the socket: wait, to the deadline. */
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int ret = wait_ready(sock, POLLOUT, deadline_ms);

				if (ret < 0)
					return ret;
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				return -ECONNRESET;
			return -errno;
		}
		sent += (size_t)n;
	}
	return 0;
}

/* Closes the descriptors that came in 'mh'; returns how many there were. */
static size_t
close_passed_fds(struct msghdr *mh)
{
	struct cmsghdr *cmsg;
	size_t closed = 0;

	for (cmsg = CMSG_FIRSTHDR(mh); cmsg != NULL; cmsg = CMSG_NXTHDR(mh, cmsg)) {
		size_t n, i;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
			close(fd);
			closed++;
		}
	}
	return closed;
}

/*
 * Reads exactly 'len' bytes by 'deadline_ms'; ancillary descriptors that come along are closed
 * and counted in '*fds'. '*got' says how many bytes arrived, for the fault text of a reply cut
 * short.
 */
static int
recv_exact(int sock, void *dst, size_t len, uint64_t deadline_ms, size_t *got_out, size_t *fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MEM_REGIONS_MAX)];
		struct cmsghdr align;
	} control;
	size_t got = 0;

	*got_out = 0;
	while (got < len) {
		struct iovec iov = {.iov_base = (char *)dst + got, .iov_len = len - got};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = control.buf,
				    .msg_controllen = sizeof(control.buf)};
		ssize_t n;
		int ret = wait_ready(sock, POLLIN, deadline_ms);

		if (ret < 0)
			return ret;
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (errno == ECONNRESET)
				return -ECONNRESET;
			return -errno;
		}
		*fds += close_passed_fds(&mh);
		if (n == 0)
			return -ECONNRESET;
		got += (size_t)n;
		*got_out = got;
	}
	return 0;
}

static unsigned int
msg_timeout_ms(const struct vhost_user_conn *c)
{
	return c->msg_timeout_ms != 0 ? c->msg_timeout_ms : VHOST_USER_MSG_TIMEOUT_MS;
}

/* The fault text of a reply that did not arrive whole: 'got' of 'len' bytes of its 'part'. */
static int
recv_failed(struct vhost_user_conn *c, int err, const char *part, size_t got, size_t len)
{
	if (err == -ETIMEDOUT)
		set_fault(c, err, "reply %s incomplete after %u ms (%zu of %zu bytes)", part,
			  msg_timeout_ms(c), got, len);
	else if (err == -ECONNRESET)
		set_fault(c, err, "the back end closed the socket after %zu of %zu reply %s bytes", got,
			  len, part);
	return err;
}

int
vhost_user_msg_recv(struct vhost_user_conn *c, struct vhost_user_msg *msg)
{
	uint64_t deadline_ms = now_ms() + msg_timeout_ms(c);
	size_t got, fds = 0;
	int ret = recv_exact(c->fd, &msg->hdr, HDR_SIZE, deadline_ms, &got, &fds);

	if (ret < 0)
		return recv_failed(c, ret, "header", got, HDR_SIZE);
	/* No reply we ask for carries one ("Front-end message types"): the back end is confused. */
	if (fds > 0)
		return vhost_user_refuse(c, "reply carries %zu file descriptors, none expected", fds);
	if ((msg->hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION)
		return vhost_user_refuse(c, "reply flags 0x%x: version %u, not %u", msg->hdr.flags,
					 msg->hdr.flags & VHOST_USER_VERSION_MASK,
					 VHOST_USER_VERSION);
	if (msg->hdr.size > sizeof(msg->payload))
		return vhost_user_refuse(c, "reply size %u is beyond the largest payload (%zu)",
					 msg->hdr.size, sizeof(msg->payload));
	if (msg->hdr.size == 0)
		return 0;
	ret = recv_exact(c->fd, &msg->payload, msg->hdr.size, deadline_ms, &got, &fds);
	if (ret < 0)
		return recv_failed(c, ret, "payload", got, msg->hdr.size);
	if (fds > 0)
		return vhost_user_refuse(c, "reply carries %zu file descriptors, none expected", fds);
	return 0;
}

static void
msg_init(struct vhost_user_msg *msg, enum vhost_user_request req, uint32_t payload_size)
{
	memset(msg, 0, HDR_SIZE + payload_size);
	msg->hdr.request = (uint32_t)req;
	msg->hdr.flags = VHOST_USER_VERSION;
	msg->hdr.size = payload_size;
}

/* A reply must answer the request we sent, carry the reply flag and the payload size we expect. */
static int
recv_reply(struct vhost_user_conn *c, enum vhost_user_request req, struct vhost_user_msg *reply,
	   uint32_t min_size)
{
	int ret = vhost_user_msg_recv(c, reply);

	if (ret < 0)
		return ret;
	if (reply->hdr.request != (uint32_t)req)
		return vhost_user_refuse(c, "reply carries request code %u", reply->hdr.request);
	if (!(reply->hdr.flags & VHOST_USER_FLAG_REPLY))
		return vhost_user_refuse(c, "reply flags 0x%x lack the reply bit", reply->hdr.flags);
	if (reply->hdr.size < min_size)
		return vhost_user_refuse(c, "reply size %u, %u needed", reply->hdr.size, min_size);
	return 0;
}

/* Sends 'msg'; a failure gets its fault text. */
static int
send_request(struct vhost_user_conn *c, const struct vhost_user_msg *msg, const int *fds,
	     size_t nfds)
{
	int ret;

	c->fault[0] = '\0';
	c->fault_err = 0;
	ret = vhost_user_msg_send(c->fd, msg, fds, nfds, msg_timeout_ms(c));
	if (ret == -ETIMEDOUT)
		set_fault(c, ret, "the request did not go out within %u ms", msg_timeout_ms(c));
	else if (ret == -ECONNRESET)
		set_fault(c, ret, "the back end closed the socket");
	return ret;
}

/*
 * Sends a request that has no reply of its own. With REPLY_ACK we ask for an acknowledgement, so a
 * failure in the back end shows here and the request is known to be applied when we return
 * ("REPLY_ACK": a u64 of zero is success).
 */
static int
send_set(struct vhost_user_conn *c, struct vhost_user_msg *msg, const int *fds, size_t nfds)
{
	enum vhost_user_request req = (enum vhost_user_request)msg->hdr.request;
	struct vhost_user_msg reply;
	int ret;

	if (c->reply_ack)
		msg->hdr.flags |= VHOST_USER_FLAG_NEED_REPLY;
	ret = send_request(c, msg, fds, nfds);
	if (ret < 0 || !c->reply_ack)
		return ret;
	ret = recv_reply(c, req, &reply, sizeof(reply.payload.u64));
	if (ret < 0)
		return ret;
	if (reply.payload.u64 != 0) {
		set_fault(c, -EIO, "the back end refused it (ack 0x%" PRIx64 ")", reply.payload.u64);
		return -EIO;
	}
	return 0;
}

/* Sends a request that the back end always answers, and receives that answer into 'reply'. */
static int
send_get(struct vhost_user_conn *c, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	 uint32_t min_size)
{
	enum vhost_user_request req = (enum vhost_user_request)msg->hdr.request;
	int ret = send_request(c, msg, NULL, 0);

	if (ret < 0)
		return ret;
	return recv_reply(c, req, reply, min_size);
}

int
vhost_user_set_owner(struct vhost_user_conn *c)
{
	struct vhost_user_msg msg;

	msg_init(&msg, VHOST_USER_SET_OWNER, 0);
	return send_set(c, &msg, NULL, 0);
}

int
vhost_user_get_u64(struct vhost_user_conn *c, enum vhost_user_request req, uint64_t *value)
{
	struct vhost_user_msg msg, reply;
	int ret;

	msg_init(&msg, req, 0);
	ret = send_get(c, &msg, &reply, sizeof(reply.payload.u64));
	if (ret == 0)
		*value = reply.payload.u64;
	return ret;
}

int
vhost_user_set_u64(struct vhost_user_conn *c, enum vhost_user_request req, uint64_t value)
{
	struct vhost_user_msg msg;

	msg_init(&msg, req, sizeof(msg.payload.u64));
	msg.payload.u64 = value;
	return send_set(c, &msg, NULL, 0);
}

int
vhost_user_set_mem_table(struct vhost_user_conn *c, const struct vhost_user_mem_region *regions,
			 const int *fds, size_t nregions)
{
	struct vhost_user_msg msg;

	if (nregions == 0 || nregions > VHOST_USER_MEM_REGIONS_MAX)
		return -E2BIG;
	/* The payload is the count, the padding and exactly 'nregions' entries. */
	msg_init(&msg, VHOST_USER_SET_MEM_TABLE,
		 (uint32_t)(offsetof(struct vhost_user_mem_table, regions) +
			    nregions * sizeof(regions[0])));
	msg.payload.memory.nregions = (uint32_t)nregions;
	memcpy(msg.payload.memory.regions, regions, nregions * sizeof(regions[0]));
	return send_set(c, &msg, fds, nregions);
}

int
vhost_user_set_vring_state(struct vhost_user_conn *c, enum vhost_user_request req, uint32_t index,
			   uint32_t num)
{
	struct vhost_user_msg msg;

	msg_init(&msg, req, sizeof(msg.payload.state));
	msg.payload.state.index = index;
	msg.payload.state.num = num;
	return send_set(c, &msg, NULL, 0);
}

int
vhost_user_get_vring_base(struct vhost_user_conn *c, uint32_t index, uint32_t *num)
{
	struct vhost_user_msg msg, reply;
	int ret;

	msg_init(&msg, VHOST_USER_GET_VRING_BASE, sizeof(msg.payload.state));
	msg.payload.state.index = index;
	ret = send_get(c, &msg, &reply, sizeof(reply.payload.state));
	if (ret < 0)
		return ret;
	if (reply.payload.state.index != index)
		return vhost_user_refuse(c, "reply is for ring %u, not %u", reply.payload.state.index,
					 index);
	*num = reply.payload.state.num;
	return 0;
}

int
vhost_user_set_vring_addr(struct vhost_user_conn *c, uint32_t index, uint64_t desc,
			  uint64_t driver_area, uint64_t device_area)
{
	struct vhost_user_msg msg;

	msg_init(&msg, VHOST_USER_SET_VRING_ADDR, sizeof(msg.payload.addr));
	msg.payload.addr.index = index;
	msg.payload.addr.desc_user_addr = desc;
	/* Split: used ring / available ring. Packed: device / driver event suppression areas. */
	msg.payload.addr.used_user_addr = device_area;
	msg.payload.addr.avail_user_addr = driver_area;
	return send_set(c, &msg, NULL, 0);
}

int
vhost_user_set_vring_fd(struct vhost_user_conn *c, enum vhost_user_request req, uint32_t index,
			int fd)
{
	struct vhost_user_msg msg;

	if (index > VHOST_USER_VRING_IDX_MASK)
		return -EINVAL;
	msg_init(&msg, req, sizeof(msg.payload.u64));
	msg.payload.u64 = index;
	if (fd < 0) {
		msg.payload.u64 |= VHOST_USER_VRING_NOFD;
		return send_set(c, &msg, NULL, 0);
	}
	return send_set(c, &msg, &fd, 1);
}

int
vhost_user_get_config(struct vhost_user_conn *c, uint32_t offset, void *dst, uint32_t len)
{
	struct vhost_user_msg msg, reply;
	uint32_t size = (uint32_t)offsetof(struct vhost_user_config, region) + len;
	int ret;

	if (len > VHOST_USER_CONFIG_SPACE_MAX)
		return -EINVAL;
	/* The request carries the header and 'len' bytes of room; the reply fills them. */
	msg_init(&msg, VHOST_USER_GET_CONFIG, size);
	msg.payload.config.offset = offset;
	msg.payload.config.size = len;
	ret = send_get(c, &msg, &reply, 0);
	if (ret < 0)
		return ret;
	/* An empty payload is how a back end says it has no config space to give (DPDK's vhost). */
	if (reply.hdr.size == 0) {
		set_fault(c, -ENOTSUP, "the back end has no config space to give (empty reply)");
		return -ENOTSUP;
	}
	if (reply.hdr.size < size)
		return vhost_user_refuse(c, "reply size %u, %u needed", reply.hdr.size, size);
	if (reply.payload.config.offset != offset)
		return vhost_user_refuse(c, "reply is for offset %u, not %u",
					 reply.payload.config.offset, offset);
	if (reply.payload.config.size != len)
		return vhost_user_refuse(c, "reply holds %u config bytes, %u asked",
					 reply.payload.config.size, len);
	memcpy(dst, reply.payload.config.region, len);
	return 0;
}

int
vhost_user_set_config(struct vhost_user_conn *c, uint32_t offset, const void *src, uint32_t len)
{
	struct vhost_user_msg msg;

	if (len > VHOST_USER_CONFIG_SPACE_MAX)
		return -EINVAL;
	msg_init(&msg, VHOST_USER_SET_CONFIG, (uint32_t)offsetof(struct vhost_user_config, region) + len);
	msg.payload.config.offset = offset;
	msg.payload.config.size = len;
	memcpy(msg.payload.config.region, src, len);
	return send_set(c, &msg, NULL, 0);
}
