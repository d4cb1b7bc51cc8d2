/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A vhost-user back end that corrupts one reply: for each request our port waits an answer to
 * (GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM, GET_CONFIG, GET_STATUS, GET_VRING_BASE and the
 * REPLY_ACK of SET_FEATURES and SET_MEM_TABLE) and each way a reply can be wrong (another request
 * code; a size beyond what follows, beyond any payload, or short of what the request needs; no
 * reply bit; another version; the socket closed mid-reply; file descriptors attached; values out of
 * range), net_vionet_user (client mode) is probed, started, stopped and closed against this
 * program's back end (a thread with a unix socket server: QEMU docs/interop/vhost-user.rst).
 *
 * Checks per case: the corrupted reply was sent; the probe, start or stop it falls in fails or
 * drops the connection (the port then reconnects) within the message deadline; exactly one error
 * line names the request, and it says what was wrong; no fd is left open after close; a correct
 * back end next works (probe, start, link up, stop). Values a back end may legitimately send are
 * taken. A table of what happened per case goes to stdout at the end.
 *
 * The driver is compiled into this program with short deadlines (VU_MSG_TIMEOUT_MS,
 * VU_RECONNECT_INTERVAL_MS in meson.build) so the whole matrix runs in seconds.
 *
 * usage: test_user_bad_replies
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "test_ethdev.h"
#include "test_tally.h"

#define PORT_NAME "net_vionet_user0"
#define RING_SIZE 256
/* The per-message deadline this program's driver is built with (meson.build); 3x is a hang. */
#define MSG_DEADLINE_S 0.5
#define HANG_S (3 * MSG_DEADLINE_S)
#define LINK_WAIT_S 5

/* Request codes ("Front-end message types"). */
enum {
	GET_FEATURES = 1,
	SET_FEATURES = 2,
	SET_MEM_TABLE = 5,
	SET_VRING_NUM = 8,
	SET_VRING_BASE = 10,
	GET_VRING_BASE = 11,
	GET_PROTOCOL_FEATURES = 15,
	GET_QUEUE_NUM = 17,
	GET_CONFIG = 24,
	SET_STATUS = 39,
	GET_STATUS = 40,
};
#define FLAG_VERSION 0x1u
#define FLAG_REPLY (1u << 2)
#define FLAG_NEED_REPLY (1u << 3)
#define HDR_SIZE 12u
#define PAYLOAD_MAX 4096u
#define CONFIG_HDR_SIZE 12u /* offset, size, flags before the config bytes */

#define F(b) (UINT64_C(1) << (b))
/* VERSION_1, PROTOCOL_FEATURES, NET_F_MAC, NET_F_STATUS. */
#define BACKEND_FEATURES (F(32) | F(30) | F(5) | F(16))
/* MQ, REPLY_ACK, CONFIG, STATUS. */
#define BACKEND_PROTOCOL_FEATURES (F(0) | F(3) | F(9) | F(16))

enum fault {
	FAULT_NONE,
	FAULT_WRONG_CODE,
	FAULT_SIZE_BEYOND_SENT,
	FAULT_SIZE_BEYOND_MAX,
	FAULT_SIZE_SHORT,
	FAULT_NO_REPLY_FLAG,
	FAULT_BAD_VERSION,
	FAULT_CLOSE_MID_REPLY,
	FAULT_FDS_ATTACHED,
	FAULT_VALUE,	     /* a well-formed reply with case.value in it */
	FAULT_CONFIG_SHORT,  /* GET_CONFIG: fewer config bytes than asked */
	FAULT_CONFIG_OFFSET, /* GET_CONFIG: another offset than asked */
	FAULT_VRING_BEYOND,  /* GET_VRING_BASE: more in flight than the ring holds */
	FAULT_CONFIG_EMPTY,  /* GET_CONFIG: an empty payload, "no config space for you" */
};

static const char *const fault_names[] = {
	[FAULT_NONE] = "none",
	[FAULT_WRONG_CODE] = "other request code",
	[FAULT_SIZE_BEYOND_SENT] = "size > payload sent",
	[FAULT_SIZE_BEYOND_MAX] = "size > max payload",
	[FAULT_SIZE_SHORT] = "size < needed",
	[FAULT_NO_REPLY_FLAG] = "no REPLY flag",
	[FAULT_BAD_VERSION] = "version 2",
	[FAULT_CLOSE_MID_REPLY] = "closed mid-reply",
	[FAULT_FDS_ATTACHED] = "fd attached",
	[FAULT_VALUE] = "value",
	[FAULT_CONFIG_SHORT] = "fewer config bytes",
	[FAULT_CONFIG_OFFSET] = "other offset",
	[FAULT_VRING_BEYOND] = "base+ring+1 (split)",
	[FAULT_CONFIG_EMPTY] = "empty reply",
};

/* Where the corrupted reply falls, and so what must fail. */
enum phase { PHASE_PROBE, PHASE_START, PHASE_STOP, PHASE_NONE /* a value we must take */ };

struct bad_case {
	uint32_t request; /* whose reply is corrupted */
	bool ack;	  /* the REPLY_ACK of 'request', not a reply of its own */
	enum fault fault;
	uint64_t value; /* FAULT_VALUE */
	const char *value_name;
	enum phase phase;
};

static const char *
request_name(uint32_t req)
{
	switch (req) {
	case GET_FEATURES: return "GET_FEATURES";
	case SET_FEATURES: return "SET_FEATURES";
	case SET_MEM_TABLE: return "SET_MEM_TABLE";
	case GET_VRING_BASE: return "GET_VRING_BASE";
	case GET_PROTOCOL_FEATURES: return "GET_PROTOCOL_FEATURES";
	case GET_QUEUE_NUM: return "GET_QUEUE_NUM";
	case GET_CONFIG: return "GET_CONFIG";
	case GET_STATUS: return "GET_STATUS";
	default: return "?";
	}
}

/* ---- The back end: one connection at a time, every request answered as the protocol says ---- */

static struct {
	char sock[128];
	int listen_fd;
	pthread_t thread;
	bool stop;
	pthread_mutex_t lock;
	struct bad_case armed; /* the case to play once; fault FAULT_NONE: behave */
	bool fault_sent;
	int conn_fd; /* the connection being served, -1 between connections */
	unsigned int accepts; /* connections accepted */
	uint64_t status;
	uint32_t vring_base[8];
	uint8_t config[64];
} be = {.listen_fd = -1, .conn_fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER};

/* Reads exactly len bytes; fds that come along (memory table, kick, call) are closed. */
static bool
be_read(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		char control[CMSG_SPACE(sizeof(int) * 8)];
		struct iovec iov = {.iov_base = (char *)buf + got, .iov_len = len - got};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
				    .msg_controllen = sizeof(control)};
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			return false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k; i++) {
				int passed;

				memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				close(passed);
			}
		}
		got += (size_t)n;
	}
	return true;
}

static bool
be_send(int fd, const void *buf, size_t len, int attach_fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)(uintptr_t)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (attach_fd >= 0) {
		struct cmsghdr *c;

		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = sizeof(control);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &attach_fd, sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)len;
}

struct be_msg {
	uint32_t request, flags, size;
	uint8_t payload[PAYLOAD_MAX];
} __attribute__((packed));

/*
 * The reply to 'req' (payload already in 'reply'), corrupted when the armed case targets it and
 * has not been played yet. Returns false when the connection is to end (closed mid-reply).
 */
static bool
be_reply(int fd, uint32_t req, bool is_ack, struct be_msg *reply, uint32_t size)
{
	struct bad_case c;
	uint32_t sent_size = size;
	int attach = -1;
	bool ok;

	reply->request = req;
	reply->flags = FLAG_VERSION | FLAG_REPLY;
	reply->size = size;
	pthread_mutex_lock(&be.lock);
	c = be.armed;
	if (c.fault != FAULT_NONE && !be.fault_sent && c.request == req && c.ack == is_ack) {
		be.fault_sent = true;
	} else {
		c.fault = FAULT_NONE;
	}
	pthread_mutex_unlock(&be.lock);

	switch (c.fault) {
	case FAULT_WRONG_CODE:
		reply->request = req == GET_FEATURES ? GET_PROTOCOL_FEATURES : GET_FEATURES;
		break;
	case FAULT_SIZE_BEYOND_SENT:
		reply->size = size + 8; /* and only 'size' bytes follow */
		break;
	case FAULT_SIZE_BEYOND_MAX:
		reply->size = 0x100000;
		break;
	case FAULT_SIZE_SHORT:
		reply->size = sent_size = size - 4;
		break;
	case FAULT_NO_REPLY_FLAG:
		reply->flags = FLAG_VERSION;
		break;
	case FAULT_BAD_VERSION:
		reply->flags = 0x2 | FLAG_REPLY;
		break;
	case FAULT_CLOSE_MID_REPLY:
		be_send(fd, reply, HDR_SIZE + size / 2, -1);
		return false;
	case FAULT_FDS_ATTACHED:
		attach = eventfd(0, EFD_CLOEXEC);
		break;
	case FAULT_VALUE:
		if (req == GET_VRING_BASE)
			memcpy(reply->payload + 4, &c.value, 4);
		else
			memcpy(reply->payload, &c.value, 8);
		break;
	case FAULT_CONFIG_SHORT: {
		uint32_t asked;

		memcpy(&asked, reply->payload + 4, 4);
		asked -= 2;
		memcpy(reply->payload + 4, &asked, 4);
		reply->size = sent_size = size - 2;
		break;
	}
	case FAULT_CONFIG_OFFSET: {
		uint32_t offset;

		memcpy(&offset, reply->payload, 4);
		offset += 4;
		memcpy(reply->payload, &offset, 4);
		break;
	}
	case FAULT_CONFIG_EMPTY:
		reply->size = sent_size = 0;
		break;
	case FAULT_VRING_BEYOND: {
		uint32_t num;

		memcpy(&num, reply->payload + 4, 4);
		num += RING_SIZE + 1;
		memcpy(reply->payload + 4, &num, 4);
		break;
	}
	default:
		break;
	}
	ok = be_send(fd, reply, HDR_SIZE + sent_size, attach);
	if (attach >= 0)
		close(attach);
	return ok;
}

/* Serves one message; false ends the connection. */
static bool
be_serve_one(int fd)
{
	struct be_msg msg, reply;
	uint32_t index;

	if (!be_read(fd, &msg, HDR_SIZE) || msg.size > PAYLOAD_MAX ||
	    (msg.size > 0 && !be_read(fd, msg.payload, msg.size)))
		return false;
	memset(&reply, 0, sizeof(reply));
	memcpy(&index, msg.payload, sizeof(index));
	switch (msg.request) {
	case GET_FEATURES: {
		uint64_t v = BACKEND_FEATURES;

		memcpy(reply.payload, &v, 8);
		return be_reply(fd, msg.request, false, &reply, 8);
	}
	case GET_PROTOCOL_FEATURES: {
		uint64_t v = BACKEND_PROTOCOL_FEATURES;

		memcpy(reply.payload, &v, 8);
		return be_reply(fd, msg.request, false, &reply, 8);
	}
	case GET_QUEUE_NUM: {
		uint64_t v = 1;

		memcpy(reply.payload, &v, 8);
		return be_reply(fd, msg.request, false, &reply, 8);
	}
	case GET_STATUS:
		memcpy(reply.payload, &be.status, 8);
		return be_reply(fd, msg.request, false, &reply, 8);
	case GET_CONFIG: {
		uint32_t offset, len;

		memcpy(&offset, msg.payload, 4);
		memcpy(&len, msg.payload + 4, 4);
		if (offset > sizeof(be.config) || len > sizeof(be.config) - offset)
			return be_reply(fd, msg.request, false, &reply, 0);
		memcpy(reply.payload, msg.payload, CONFIG_HDR_SIZE);
		memcpy(reply.payload + CONFIG_HDR_SIZE, be.config + offset, len);
		return be_reply(fd, msg.request, false, &reply, CONFIG_HDR_SIZE + len);
	}
	case GET_VRING_BASE:
		memcpy(reply.payload, &index, 4);
		memcpy(reply.payload + 4, &be.vring_base[index % 8], 4);
		return be_reply(fd, msg.request, false, &reply, 8);
	case SET_VRING_BASE:
		memcpy(&be.vring_base[index % 8], msg.payload + 4, 4);
		break;
	case SET_STATUS:
		memcpy(&be.status, msg.payload, 8);
		break;
	default:
		break;
	}
	if (msg.flags & FLAG_NEED_REPLY) /* "REPLY_ACK": zero is success */
		return be_reply(fd, msg.request, true, &reply, 8);
	return true;
}

static void *
be_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&be.stop, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = {.fd = be.listen_fd, .events = POLLIN};
		int fd;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fd = accept4(be.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&be.lock);
		be.conn_fd = fd;
		be.accepts++;
		be.status = 0;
		pthread_mutex_unlock(&be.lock);
		while (be_serve_one(fd))
			;
		pthread_mutex_lock(&be.lock);
		be.conn_fd = -1;
		close(fd);
		pthread_mutex_unlock(&be.lock);
	}
	return NULL;
}

static void
be_start(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	/* virtio-net config (5.1.4): MAC, status LINK_UP, 1 queue pair, MTU 1500. */
	memcpy(be.config, "\x02\x00\x00\x00\x00\x01", 6);
	be.config[6] = 1;
	be.config[8] = 1;
	be.config[10] = 1500 & 0xff;
	be.config[11] = 1500 >> 8;
	be.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (strlen(be.sock) >= sizeof(sa.sun_path))
		fatal("socket path %s too long", be.sock);
	memcpy(sa.sun_path, be.sock, strlen(be.sock) + 1);
	if (be.listen_fd < 0 || bind(be.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(be.listen_fd, 4) < 0)
		fatal("back end socket %s: %s", be.sock, strerror(errno));
	if (pthread_create(&be.thread, NULL, be_main, NULL) != 0)
		fatal("back end thread");
}

static void
be_stop(void)
{
	__atomic_store_n(&be.stop, true, __ATOMIC_RELEASE);
	pthread_join(be.thread, NULL);
	close(be.listen_fd);
}

static void
be_arm(const struct bad_case *c)
{
	pthread_mutex_lock(&be.lock);
	if (c != NULL)
		be.armed = *c;
	else
		be.armed.fault = FAULT_NONE;
	be.fault_sent = false;
	pthread_mutex_unlock(&be.lock);
}

static bool
be_fault_sent(void)
{
	bool sent;

	pthread_mutex_lock(&be.lock);
	sent = be.fault_sent;
	pthread_mutex_unlock(&be.lock);
	return sent;
}

static unsigned int
be_accepts(void)
{
	unsigned int n;

	pthread_mutex_lock(&be.lock);
	n = be.accepts;
	pthread_mutex_unlock(&be.lock);
	return n;
}

/* The back end has seen our side close (it closes its end then). */
static bool
be_wait_idle(double seconds)
{
	double deadline = test_deadline(seconds);

	for (;;) {
		bool idle;

		pthread_mutex_lock(&be.lock);
		idle = be.conn_fd < 0;
		pthread_mutex_unlock(&be.lock);
		if (idle)
			return true;
		if (test_past(deadline))
			return false;
		usleep(2000);
	}
}

/* ---- The log: error lines of this case, kept by level ---- */

#define LOG_LINES_MAX 32
static struct {
	pthread_mutex_t lock;
	char partial[512];
	size_t partial_len;
	char err_lines[LOG_LINES_MAX][600];
	unsigned int nb_err;
} logs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static ssize_t
log_write(void *cookie, const char *buf, size_t len)
{
	uint32_t level = rte_log_cur_msg_loglevel();

	(void)cookie;
	fwrite(buf, 1, len, stderr);
	pthread_mutex_lock(&logs.lock);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			if (logs.partial_len < sizeof(logs.partial) - 1)
				logs.partial[logs.partial_len++] = buf[i];
			continue;
		}
		logs.partial[logs.partial_len] = '\0';
		if (level <= RTE_LOG_ERR && logs.nb_err < LOG_LINES_MAX)
			snprintf(logs.err_lines[logs.nb_err++], sizeof(logs.err_lines[0]), "%s",
				 logs.partial);
		logs.partial_len = 0;
	}
	pthread_mutex_unlock(&logs.lock);
	return (ssize_t)len;
}

static void
logs_reset(void)
{
	pthread_mutex_lock(&logs.lock);
	logs.nb_err = 0;
	logs.partial_len = 0;
	pthread_mutex_unlock(&logs.lock);
}

/* Error lines that name 'what'; the first in 'line'. */
static unsigned int
logs_naming(const char *what, char *line, size_t line_len)
{
	unsigned int n = 0;

	line[0] = '\0';
	pthread_mutex_lock(&logs.lock);
	for (unsigned int i = 0; i < logs.nb_err; i++) {
		if (strstr(logs.err_lines[i], what) == NULL)
			continue;
		if (n++ == 0)
			snprintf(line, line_len, "%s", logs.err_lines[i]);
	}
	pthread_mutex_unlock(&logs.lock);
	return n;
}

static unsigned int
logs_errors(void)
{
	unsigned int n;

	pthread_mutex_lock(&logs.lock);
	n = logs.nb_err;
	pthread_mutex_unlock(&logs.lock);
	return n;
}

/* ---- The port ---- */

static struct rte_mempool *pool;

static unsigned int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	if (d == NULL)
		fatal("/proc/self/fd: %s", strerror(errno));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static int
port_probe(uint16_t *port)
{
	char args[200];
	int ret;

	snprintf(args, sizeof(args), "path=%s,queues=1", be.sock);
	ret = rte_vdev_init(PORT_NAME, args);
	if (ret == 0 && rte_eth_dev_get_port_by_name(PORT_NAME, port) != 0)
		fatal("probed %s has no port", PORT_NAME);
	return ret;
}

static int
port_start(uint16_t port)
{
	static const struct rte_eth_conf conf;

	test_port_configure(port, &conf, 1, RING_SIZE, pool);
	return rte_eth_dev_start(port);
}

static bool
port_link_is(uint16_t port, bool up, double seconds)
{
	double deadline = test_deadline(seconds);
	struct rte_eth_link link;

	do {
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    (link.link_status == RTE_ETH_LINK_UP) == up)
			return true;
		usleep(5000);
	} while (!test_past(deadline));
	return false;
}

static void
port_close(uint16_t port)
{
	check(rte_eth_dev_close(port) == 0, "close port %u", port);
	check(rte_vdev_uninit(PORT_NAME) == 0, "uninit %s", PORT_NAME);
}

/*
 * After a failed start or a dropped connection: the port starts again (once it has reconnected;
 * a stopped port reports its link down, so the start is retried) and its link comes up.
 */
static bool
port_restarts(uint16_t port)
{
	double deadline = test_deadline(LINK_WAIT_S);

	while (rte_eth_dev_start(port) != 0) {
		if (test_past(deadline))
			return false;
		usleep(20000);
	}
	return port_link_is(port, true, LINK_WAIT_S);
}

/* A correct back end: probe, start, link up, stop, close. */
static bool
port_works(void)
{
	uint16_t port;
	bool ok;

	be_arm(NULL);
	if (port_probe(&port) != 0)
		return false;
	ok = port_start(port) == 0 && port_link_is(port, true, LINK_WAIT_S);
	ok = rte_eth_dev_stop(port) == 0 && ok;
	port_close(port);
	return ok;
}

/* ---- The cases ---- */

#define GENERIC(req, is_ack, ph)                                                                 \
	{req, is_ack, FAULT_WRONG_CODE, 0, NULL, ph},                                             \
	{req, is_ack, FAULT_SIZE_BEYOND_SENT, 0, NULL, ph},                                       \
	{req, is_ack, FAULT_SIZE_BEYOND_MAX, 0, NULL, ph},                                        \
	{req, is_ack, FAULT_SIZE_SHORT, 0, NULL, ph},                                             \
	{req, is_ack, FAULT_NO_REPLY_FLAG, 0, NULL, ph},                                          \
	{req, is_ack, FAULT_BAD_VERSION, 0, NULL, ph},                                            \
	{req, is_ack, FAULT_CLOSE_MID_REPLY, 0, NULL, ph},                                        \
	{req, is_ack, FAULT_FDS_ATTACHED, 0, NULL, ph}

static const struct bad_case cases[] = {
	GENERIC(GET_FEATURES, false, PHASE_PROBE),
	{GET_FEATURES, false, FAULT_VALUE, BACKEND_FEATURES & ~F(32), "no VERSION_1", PHASE_NONE},
	GENERIC(GET_PROTOCOL_FEATURES, false, PHASE_PROBE),
	{GET_PROTOCOL_FEATURES, false, FAULT_VALUE, UINT64_MAX, "all bits", PHASE_NONE},
	GENERIC(GET_QUEUE_NUM, false, PHASE_PROBE),
	{GET_QUEUE_NUM, false, FAULT_VALUE, 0, "0", PHASE_PROBE},
	{GET_QUEUE_NUM, false, FAULT_VALUE, UINT64_MAX, "2^64-1", PHASE_PROBE},
	GENERIC(GET_CONFIG, false, PHASE_PROBE),
	{GET_CONFIG, false, FAULT_CONFIG_SHORT, 0, NULL, PHASE_PROBE},
	{GET_CONFIG, false, FAULT_CONFIG_OFFSET, 0, NULL, PHASE_PROBE},
	{GET_CONFIG, false, FAULT_CONFIG_EMPTY, 0, NULL, PHASE_NONE},
	GENERIC(GET_STATUS, false, PHASE_PROBE),
	GENERIC(SET_FEATURES, true, PHASE_PROBE),
	{SET_FEATURES, true, FAULT_VALUE, 1, "ack 1 (refused)", PHASE_PROBE},
	GENERIC(SET_MEM_TABLE, true, PHASE_START),
	{SET_MEM_TABLE, true, FAULT_VALUE, 1, "ack 1 (refused)", PHASE_START},
	GENERIC(GET_VRING_BASE, false, PHASE_STOP),
	{GET_VRING_BASE, false, FAULT_VALUE, 0x12345, "0x12345", PHASE_STOP},
	/*
	 * A split ring's index runs free over 16 bits: without the ring's used index the transport
	 * cannot tell 257 ahead of the base from a legitimate one, so it is taken.
	 */
	{GET_VRING_BASE, false, FAULT_VRING_BEYOND, 0, NULL, PHASE_NONE},
};
#define NB_CASES (sizeof(cases) / sizeof(cases[0]))

struct outcome {
	char what[48];	   /* where it failed */
	double seconds;	   /* from the corrupted step to its failure */
	unsigned int lines; /* error lines naming the request */
	unsigned int errors; /* error lines in all */
	bool fds_ok, recovered;
	char line[160];
};

static struct outcome outcomes[NB_CASES];

/* Strips the "net_vionet_user0: " prefix so the table shows what the line says. */
static void
keep_line(struct outcome *o, const char *line)
{
	const char *p = strstr(line, " failed: ");

	snprintf(o->line, sizeof(o->line), "%s", p != NULL ? p + strlen(" failed: ") : line);
}

static void
run_case(unsigned int i)
{
	const struct bad_case *c = &cases[i];
	struct outcome *o = &outcomes[i];
	const char *req = request_name(c->request);
	uint16_t port = RTE_MAX_ETHPORTS;
	unsigned int fds_before;
	double t0;
	int ret;

	require(be_wait_idle(HANG_S), "the back end's connection stays open");
	fds_before = count_fds();

	logs_reset();
	be_arm(c);
	t0 = test_now_s();
	ret = port_probe(&port);
	if (c->phase == PHASE_PROBE) {
		o->seconds = test_now_s() - t0;
		snprintf(o->what, sizeof(o->what), "%s", ret != 0 ? "probe refused" : "probe PASSED");
		check(ret != 0, "%s %s: the probe went through", req, fault_names[c->fault]);
		if (ret == 0)
			port_close(port);
	} else if (ret != 0) {
		check(false, "%s %s: probe failed before the corrupted reply", req,
		      fault_names[c->fault]);
		snprintf(o->what, sizeof(o->what), "probe failed (unexpected)");
	} else if (c->phase == PHASE_START) {
		t0 = test_now_s();
		ret = port_start(port);
		o->seconds = test_now_s() - t0;
		check(ret != 0, "%s %s: the start went through", req, fault_names[c->fault]);
		/* Back end dropped or refusing once: the next start must work. */
		o->recovered = port_restarts(port);
		snprintf(o->what, sizeof(o->what), "%s, %s", ret != 0 ? "start failed" : "start PASSED",
			 o->recovered ? "2nd start ok" : "2nd start FAILED");
		rte_eth_dev_stop(port);
		port_close(port);
	} else if (c->phase == PHASE_STOP) {
		bool started = port_start(port) == 0 && port_link_is(port, true, LINK_WAIT_S);
		unsigned int accepts = be_accepts();
		double reconnect_deadline;
		bool dropped;

		t0 = test_now_s();
		rte_eth_dev_stop(port);
		o->seconds = test_now_s() - t0;
		check(started, "%s %s: port did not start", req, fault_names[c->fault]);
		/* The back end that lied about the ring is dropped: the port connects again. */
		reconnect_deadline = test_deadline(HANG_S);
		while (be_accepts() == accepts && !test_past(reconnect_deadline))
			usleep(5000);
		dropped = be_accepts() != accepts;
		o->recovered = port_restarts(port) && rte_eth_dev_stop(port) == 0;
		check(dropped, "%s %s: the connection was kept", req, fault_names[c->fault]);
		snprintf(o->what, sizeof(o->what), "%s, %s",
			 dropped ? "stop: conn dropped" : "stop: conn KEPT",
			 o->recovered ? "restart ok" : "restart FAILED");
		port_close(port);
	} else {
		bool works = port_start(port) == 0 && port_link_is(port, true, LINK_WAIT_S);

		o->seconds = test_now_s() - t0;
		check(works, "%s %s: a legitimate reply was refused", req, c->value_name);
		snprintf(o->what, sizeof(o->what), "%s", works ? "taken, port works" : "REFUSED");
		rte_eth_dev_stop(port);
		port_close(port);
	}
	require(be_fault_sent(), "%s %s: the back end never sent the corrupted reply", req,
		fault_names[c->fault]);
	check(o->seconds < HANG_S, "%s %s: took %.2f s (deadline %.1f s)", req, fault_names[c->fault],
	      o->seconds, MSG_DEADLINE_S);

	o->errors = logs_errors();
	if (c->phase != PHASE_NONE) {
		char line[512];

		o->lines = logs_naming(req, line, sizeof(line));
		keep_line(o, line);
		check(o->lines == 1, "%s %s: %u error lines name %s, want 1", req,
		      fault_names[c->fault], o->lines, req);
	}
	check(be_wait_idle(HANG_S), "%s %s: the back end's connection stays open after close", req,
	      fault_names[c->fault]);
	o->fds_ok = count_fds() == fds_before;
	check(o->fds_ok, "%s %s: %u fds open after close, %u before", req, fault_names[c->fault],
	      count_fds(), fds_before);
	if (c->phase == PHASE_PROBE) {
		o->recovered = port_works();
		check(o->recovered, "%s %s: a correct back end next does not work", req,
		      fault_names[c->fault]);
		check(be_wait_idle(HANG_S) && count_fds() == fds_before,
		      "%s %s: fds after the correct back end", req, fault_names[c->fault]);
	}
}

static void
print_table(void)
{
	printf("\n%-22s %-20s %-30s %6s %5s %4s %3s  %s\n", "request", "corruption", "outcome",
	       "ms", "lines", "errs", "fds", "the line naming it");
	for (unsigned int i = 0; i < NB_CASES; i++) {
		const struct bad_case *c = &cases[i];
		const struct outcome *o = &outcomes[i];
		char req[40], fault[40];

		snprintf(req, sizeof(req), "%s%s", c->ack ? "REPLY_ACK of " : "",
			 request_name(c->request));
		snprintf(fault, sizeof(fault), "%s%s%s", fault_names[c->fault],
			 c->value_name != NULL ? " " : "", c->value_name != NULL ? c->value_name : "");
		printf("%-22s %-20s %-30s %6.0f %5u %4u %3s  %s\n", req, fault, o->what,
		       o->seconds * 1000, o->lines, o->errors, o->fds_ok ? "ok" : "BAD", o->line);
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0], "-l", "0", prefix, "-m", "256", "--no-pci", "--single-file-segments",
		       "--log-level=pmd.net.vionet*:info", NULL};
	cookie_io_functions_t log_io = {.write = log_write};
	FILE *log_stream;
	double start;

	(void)argc;
	tally.name = "user_bad_replies";
	snprintf(prefix, sizeof(prefix), "--file-prefix=bad_replies_%d", getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		fatal("EAL init");
	log_stream = fopencookie(NULL, "w", log_io);
	if (log_stream == NULL || rte_openlog_stream(log_stream) != 0)
		fatal("log stream");
	setvbuf(log_stream, NULL, _IOLBF, 0);
	pool = test_pool("bad_replies", 4096);
	test_socket_path(be.sock, sizeof(be.sock));
	be_start();

	start = test_now_s();
	require(port_works(), "a correct back end does not work");
	for (unsigned int i = 0; i < NB_CASES; i++)
		run_case(i);
	print_table();
	printf("%u cases in %.1f s\n", (unsigned int)NB_CASES, test_now_s() - start);
	be_stop();
	rte_eal_cleanup();
	return tally_finish();
}
