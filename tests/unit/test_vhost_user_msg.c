/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user message layer on a socketpair: the bytes and file descriptors each request puts on
 * the wire (QEMU docs/interop/vhost-user.rst "Message Specification"), and how replies are checked.
 * The test plays the back end on the other end of the pair; replies are written before the request
 * is sent, which the socket buffers, so no thread is needed.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport/vhost_user/vhost_user_msg.h"
#include "test_run_suite.h"

static int sv[2]; /* sv[0]: our front end, sv[1]: the test's back end */
static struct vhost_user_conn conn;

static void
open_pair(bool reply_ack)
{
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn.fd = sv[0];
	conn.reply_ack = reply_ack;
	conn.msg_timeout_ms = 0; /* the default */
}

static void
close_pair(void)
{
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
}

/* Reads one message on the back end side, with the fds that came with it. */
static ssize_t
backend_read(void *buf, size_t len, int *fds, size_t max_fds, size_t *nfds)
{
	char control[CMSG_SPACE(sizeof(int) * VHOST_USER_MEM_REGIONS_MAX)];
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control)};
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(sv[1], &mh, MSG_DONTWAIT);

	*nfds = 0;
	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg != NULL; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		size_t k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		CU_ASSERT_FATAL(k <= max_fds);
		memcpy(fds, CMSG_DATA(cmsg), k * sizeof(int));
		*nfds = k;
	}
	return n;
}

static void
backend_reply(uint32_t request, const void *payload, uint32_t size)
{
	struct vhost_user_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.hdr.request = request;
	msg.hdr.flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY;
	msg.hdr.size = size;
	memcpy(&msg.payload, payload, size);
	CU_ASSERT_FATAL(write(sv[1], &msg, sizeof(msg.hdr) + size) == (ssize_t)(sizeof(msg.hdr) + size));
}

static void
test_vring_addr_layout(void)
{
	uint8_t raw[128];
	uint32_t hdr[3];
	uint64_t addrs[4];
	size_t nfds;
	int fds[1];

	open_pair(false);
	CU_ASSERT_EQUAL(vhost_user_set_vring_addr(&conn, 3, 0x1000, 0x2000, 0x3000), 0);
	CU_ASSERT_EQUAL(backend_read(raw, sizeof(raw), fds, 1, &nfds), 12 + 40);
	CU_ASSERT_EQUAL(nfds, 0);
	memcpy(hdr, raw, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr[0], 9); /* VHOST_USER_SET_VRING_ADDR */
	CU_ASSERT_EQUAL(hdr[1], 0x1); /* version 1; no need_reply (bit 3) without REPLY_ACK */
	CU_ASSERT_EQUAL(hdr[2], 40);
	CU_ASSERT_EQUAL(((uint32_t *)(raw + 12))[0], 3);
	/* index, flags, then descriptor, used (device area), available (driver area), log */
	memcpy(addrs, raw + 12 + 8, sizeof(addrs));
	CU_ASSERT_EQUAL(addrs[0], 0x1000);
	CU_ASSERT_EQUAL(addrs[1], 0x3000);
	CU_ASSERT_EQUAL(addrs[2], 0x2000);
	CU_ASSERT_EQUAL(addrs[3], 0);
	close_pair();
}

static void
test_vring_kick_passes_fd(void)
{
	struct vhost_user_msg msg;
	int efd = eventfd(0, 0), fds[2];
	uint64_t one = 1, got = 0;
	size_t nfds;

	open_pair(false);
	CU_ASSERT_EQUAL(vhost_user_set_vring_fd(&conn, VHOST_USER_SET_VRING_KICK, 5, efd), 0);
	CU_ASSERT_EQUAL(backend_read(&msg, sizeof(msg), fds, 2, &nfds), 12 + 8);
	CU_ASSERT_EQUAL(msg.payload.u64, 5);
	CU_ASSERT_EQUAL_FATAL(nfds, 1);
	/* The back end's copy is the same eventfd: what we write, it reads. */
	CU_ASSERT_EQUAL(write(efd, &one, sizeof(one)), 8);
	CU_ASSERT_EQUAL(read(fds[0], &got, sizeof(got)), 8);
	CU_ASSERT_EQUAL(got, 1);
	close(fds[0]);

	/* No fd: the NOFD flag in bit 8, nothing in the ancillary data. */
	CU_ASSERT_EQUAL(vhost_user_set_vring_fd(&conn, VHOST_USER_SET_VRING_CALL, 5, -1), 0);
	CU_ASSERT_EQUAL(backend_read(&msg, sizeof(msg), fds, 2, &nfds), 12 + 8);
	CU_ASSERT_EQUAL(msg.hdr.request, 13); /* VHOST_USER_SET_VRING_CALL */
	CU_ASSERT_EQUAL(msg.payload.u64, 5 | 0x100);
	CU_ASSERT_EQUAL(nfds, 0);
	CU_ASSERT_EQUAL(vhost_user_set_vring_fd(&conn, VHOST_USER_SET_VRING_CALL, 256, -1), -EINVAL);
	close(efd);
	close_pair();
}

static void
test_mem_table_regions_and_fds(void)
{
	struct vhost_user_mem_region r[2] = {
		{.guest_phys_addr = 0x100000, .memory_size = 0x200000, .userspace_addr = 0x100000},
		{.guest_phys_addr = 0x900000, .memory_size = 0x400000, .userspace_addr = 0x900000,
		 .mmap_offset = 0x200000},
	};
	int in_fds[2] = {eventfd(0, 0), eventfd(0, 0)}, out_fds[VHOST_USER_MEM_REGIONS_MAX];
	struct vhost_user_msg msg;
	size_t nfds;

	open_pair(false);
	CU_ASSERT_EQUAL(vhost_user_set_mem_table(&conn, r, in_fds, 2), 0);
	CU_ASSERT_EQUAL(backend_read(&msg, sizeof(msg), out_fds, VHOST_USER_MEM_REGIONS_MAX, &nfds),
			12 + 8 + 2 * 32);
	CU_ASSERT_EQUAL(msg.hdr.size, 8 + 2 * 32);
	CU_ASSERT_EQUAL(msg.payload.memory.nregions, 2);
	CU_ASSERT_EQUAL(msg.payload.memory.regions[1].mmap_offset, 0x200000);
	CU_ASSERT_EQUAL(msg.payload.memory.regions[1].memory_size, 0x400000);
	CU_ASSERT_EQUAL(nfds, 2);
	while (nfds > 0)
		close(out_fds[--nfds]);
	/* The spec's limit without CONFIGURE_MEM_SLOTS: 8 regions (VHOST_MEMORY_BASELINE_NREGIONS). */
	CU_ASSERT_EQUAL(vhost_user_set_mem_table(&conn, r, in_fds, 9), -E2BIG);
	close(in_fds[0]);
	close(in_fds[1]);
	close_pair();
}

static void
test_reply_ack(void)
{
	uint64_t ok = 0, refused = 1;
	struct vhost_user_msg msg;
	size_t nfds;
	int fds[1];

	open_pair(true);
	backend_reply(VHOST_USER_SET_FEATURES, &ok, sizeof(ok));
	CU_ASSERT_EQUAL(vhost_user_set_u64(&conn, VHOST_USER_SET_FEATURES, 0x100000000ull), 0);
	CU_ASSERT_EQUAL(backend_read(&msg, sizeof(msg), fds, 1, &nfds), 12 + 8);
	CU_ASSERT_EQUAL(msg.hdr.flags, 0x1 | 0x8); /* version 1, need_reply (bit 3) */
	CU_ASSERT_EQUAL(msg.payload.u64, 0x100000000ull);

	/* A non-zero ack is the back end refusing the request. */
	backend_reply(VHOST_USER_SET_VRING_ENABLE, &refused, sizeof(refused));
	CU_ASSERT_EQUAL(vhost_user_set_vring_state(&conn, VHOST_USER_SET_VRING_ENABLE, 1, 1), -EIO);
	close_pair();
}

static void
test_replies_are_checked(void)
{
	struct vhost_user_vring_state other_ring = {.index = 7, .num = 3};
	uint64_t features = 0x12345678, value = 0;
	uint32_t num;

	open_pair(false);
	/* A reply to another request is a broken stream. */
	backend_reply(VHOST_USER_GET_PROTOCOL_FEATURES, &features, sizeof(features));
	CU_ASSERT_EQUAL(vhost_user_get_u64(&conn, VHOST_USER_GET_FEATURES, &value), -EPROTO);
	/* GET_VRING_BASE must answer for the ring asked about. */
	backend_reply(VHOST_USER_GET_VRING_BASE, &other_ring, sizeof(other_ring));
	CU_ASSERT_EQUAL(vhost_user_get_vring_base(&conn, 2, &num), -EPROTO);
	/* A right one is taken. */
	backend_reply(VHOST_USER_GET_FEATURES, &features, sizeof(features));
	CU_ASSERT_EQUAL(vhost_user_get_u64(&conn, VHOST_USER_GET_FEATURES, &value), 0);
	CU_ASSERT_EQUAL(value, 0x12345678);
	/* The back end goes away mid-request. */
	close(sv[1]);
	sv[1] = -1;
	CU_ASSERT_EQUAL(vhost_user_get_u64(&conn, VHOST_USER_GET_FEATURES, &value), -ECONNRESET);
	close_pair();
}

static void
test_truncated_reply(void)
{
	struct vhost_user_hdr hdr = {.request = VHOST_USER_GET_FEATURES,
				     .flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY,
				     .size = 8};
	uint64_t value;

	open_pair(false);
	/* The header promises 8 bytes; the back end dies after 4. */
	CU_ASSERT_FATAL(write(sv[1], &hdr, sizeof(hdr)) == sizeof(hdr));
	CU_ASSERT_FATAL(write(sv[1], "abcd", 4) == 4);
	close(sv[1]);
	sv[1] = -1;
	CU_ASSERT_EQUAL(vhost_user_get_u64(&conn, VHOST_USER_GET_FEATURES, &value), -ECONNRESET);
	close_pair();
}

static void
test_oversized_reply(void)
{
	struct vhost_user_hdr hdr = {.request = VHOST_USER_GET_FEATURES,
				     .flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY,
				     .size = 100000};
	uint64_t value;

	open_pair(false);
	CU_ASSERT_FATAL(write(sv[1], &hdr, sizeof(hdr)) == sizeof(hdr));
	CU_ASSERT_EQUAL(vhost_user_get_u64(&conn, VHOST_USER_GET_FEATURES, &value), -EPROTO);
	close_pair();
}

/* ---- A back end that trickles its reply: one deadline for the whole message ---- */

/* The back end thread: reads one request, then writes its reply one chunk every gap_ms. */
struct trickle {
	uint32_t request;
	size_t chunk;
	unsigned int gap_ms;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
trickle_backend(void *arg)
{
	const struct trickle *tr = arg;
	uint64_t features = 0x12345678;
	struct vhost_user_msg msg;
	size_t total = sizeof(msg.hdr) + sizeof(features);
	char request[sizeof(msg.hdr)];

	if (read(sv[1], request, sizeof(request)) != (ssize_t)sizeof(request))
		return NULL;
	memset(&msg, 0, sizeof(msg));
	msg.hdr.request = tr->request;
	msg.hdr.flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY;
	msg.hdr.size = sizeof(features);
	memcpy(&msg.payload, &features, sizeof(features));
	for (size_t sent = 0; sent < total; sent += tr->chunk) {
		size_t n = total - sent < tr->chunk ? total - sent : tr->chunk;

		/* the front end gave up and closed its end: the write fails, the thread ends */
		if (send(sv[1], (const char *)&msg + sent, n, MSG_NOSIGNAL) != (ssize_t)n)
			break;
		usleep(tr->gap_ms * 1000);
	}
	return NULL;
}

/*
 * One byte every 0.5 s: 20 bytes would take 10 s, each byte well within any per-read timeout. The
 * reply must fail with -ETIMEDOUT once the message's deadline (1.2 s here) passes.
 */
static void
test_trickled_reply_times_out(void)
{
	struct trickle tr = {.request = VHOST_USER_GET_FEATURES, .chunk = 1, .gap_ms = 500};
	uint64_t value = 0;
	pthread_t backend;
	double start, took;
	int ret;

	open_pair(false);
	conn.msg_timeout_ms = 1200;
	CU_ASSERT_FATAL(pthread_create(&backend, NULL, trickle_backend, &tr) == 0);
	start = now_s();
	ret = vhost_user_get_u64(&conn, VHOST_USER_GET_FEATURES, &value);
	took = now_s() - start;
	CU_ASSERT_EQUAL(ret, -ETIMEDOUT);
	CU_ASSERT(took >= 1.1);
	CU_ASSERT(took < 3.0);
	close_pair(); /* ends the back end's writes */
	pthread_join(backend, NULL);
}

/* A reply in two parts that arrive within the deadline is read whole. */
static void
test_reply_in_parts_within_deadline(void)
{
	struct trickle tr = {.request = VHOST_USER_GET_FEATURES, .chunk = 10, .gap_ms = 100};
	uint64_t value = 0;
	pthread_t backend;

	open_pair(false);
	conn.msg_timeout_ms = 2000;
	CU_ASSERT_FATAL(pthread_create(&backend, NULL, trickle_backend, &tr) == 0);
	CU_ASSERT_EQUAL(vhost_user_get_u64(&conn, VHOST_USER_GET_FEATURES, &value), 0);
	CU_ASSERT_EQUAL(value, 0x12345678);
	pthread_join(backend, NULL);
	close_pair();
}

/*
 * A back end that never reads: the socket fills, and a request that cannot go out fails with
 * -ETIMEDOUT at its deadline instead of blocking its sender (and the lock it holds) for good.
 */
static void
test_unread_request_times_out(void)
{
	int sndbuf = 4096, ret = 0;
	unsigned int sent = 0;
	double start = 0;

	open_pair(false);
	conn.msg_timeout_ms = 300;
	CU_ASSERT_FATAL(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0);
	while (sent < 100000) {
		start = now_s();
		ret = vhost_user_set_u64(&conn, VHOST_USER_SET_FEATURES, sent);
		if (ret != 0)
			break;
		sent++;
	}
	CU_ASSERT_EQUAL(ret, -ETIMEDOUT);
	CU_ASSERT(sent > 0);
	CU_ASSERT(now_s() - start >= 0.25);
	CU_ASSERT(now_s() - start < 2.0);
	close_pair();
}

/* Longer than every test together takes; a send or receive that never ends is ended here. */
#define TEST_ALARM_S 30

static void
on_alarm(int sig)
{
	static const char msg[] = "FAIL: a request or reply still blocked after the test's alarm\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"SET_VRING_ADDR: used before available on the wire", test_vring_addr_layout},
	        {"SET_VRING_KICK/CALL: fd in SCM_RIGHTS or the NOFD flag",
	         test_vring_kick_passes_fd},
	        {"SET_MEM_TABLE: only the regions sent, one fd each",
	         test_mem_table_regions_and_fds},
	        {"REPLY_ACK: need_reply set, non-zero ack is an error", test_reply_ack},
	        {"replies: request, ring index and EOF checked", test_replies_are_checked},
	        {"truncated reply: connection reset", test_truncated_reply},
	        {"oversized reply: protocol error", test_oversized_reply},
	        {"trickled reply: -ETIMEDOUT at the message's deadline",
	         test_trickled_reply_times_out},
	        {"reply in parts within the deadline: read whole",
	         test_reply_in_parts_within_deadline},
	        {"unread request: -ETIMEDOUT at the message's deadline",
	         test_unread_request_times_out},
	        CU_TEST_INFO_NULL,
	};

	signal(SIGALRM, on_alarm);
	alarm(TEST_ALARM_S);
	return test_run_suite("vhost_user_msg", tests);
}
