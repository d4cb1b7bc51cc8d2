/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user connection: the unix socket in client or server mode, the protocol handshake that
 * starts every connection, the control thread that sees the back end leave and brings it back, and
 * the memory table (sent once per connection and again when DPDK's memory changes).
 */
#include "transport/vhost_user/transport_vhost_user_conn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "base/vionet_log.h"
#include "transport/transport_ops.h"
#include "transport/vhost_user/vhost_user_mem.h"

/*
 * How long a request, or its whole reply, may take before the back end counts as hung. Tests
 * build the transport with shorter ones (tests/integration/meson.build).
 */
#ifndef VU_MSG_TIMEOUT_MS
#define VU_MSG_TIMEOUT_MS 10000
#endif
/* Client mode: how often we try to reach a back end that went away. */
#ifndef VU_RECONNECT_INTERVAL_MS
#define VU_RECONNECT_INTERVAL_MS 1000
#endif

/* The protocol features we can use ("Protocol features"); the others stay off. */
#define VU_PROTOCOL_FEATURES_WANTED                                                              \
	(VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_MQ) |                                               \
	 VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_REPLY_ACK) |                                        \
	 VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_CONFIG) | VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_STATUS))

static int
fill_sockaddr(struct vu_priv *p, struct sockaddr_un *sa)
{
	const char *path = p->t->devargs.path;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		VIONET_USER_LOG(ERR, "%s: socket path %s is longer than a unix socket allows (%zu)",
				p->t->name, path, sizeof(sa->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

/* A unix stream socket and the address of the devarg's path. Returns the fd or a negative errno. */
static int
open_socket(struct vu_priv *p, struct sockaddr_un *sa)
{
	int fd, ret;

	ret = fill_sockaddr(p, sa);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/* Client mode: one attempt. Returns the connected socket or a negative errno (not logged). */
static int
connect_backend(struct vu_priv *p)
{
	struct sockaddr_un sa;
	int fd, ret;

	fd = open_socket(p, &sa);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* A socket file nobody accepts on is what a crashed server leaves; anything else is in use. */
static bool
socket_path_is_stale(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	bool stale;
	int fd;

	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	strcpy(sa.sun_path, path);
	stale = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED;
	close(fd);
	return stale;
}

static int
listen_for_backend(struct vu_priv *p)
{
	struct sockaddr_un sa;
	int fd, ret;

	fd = open_socket(p, &sa);
	if (fd < 0)
		return fd;
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (ret < 0 && errno == EADDRINUSE && socket_path_is_stale(sa.sun_path)) {
		unlink(sa.sun_path);
		ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (ret == 0)
		ret = listen(fd, 1);
	if (ret < 0) {
		ret = -errno;
		VIONET_USER_LOG(ERR, "%s: cannot listen on %s: %s", p->t->name, sa.sun_path,
				strerror(-ret));
		close(fd);
		return ret;
	}
	p->listen_fd = fd;
	return 0;
}

/* Server mode: waits for a back end or for the stop event. Returns the socket, -EINTR on stop. */
static int
accept_backend(struct vu_priv *p)
{
	for (;;) {
		struct pollfd pfd[2] = {{.fd = p->listen_fd, .events = POLLIN},
					{.fd = p->stop_fd, .events = POLLIN}};
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[1].revents != 0)
			return -EINTR;
		fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
			return -errno;
	}
}

static void
forget_connection_state_locked(struct vu_priv *p)
{
	uint16_t q;

	p->acked_features = 0;
	p->status = 0;
	p->mem_table_sent = false;
	for (q = 0; q < VU_QUEUES_MAX; q++) {
		p->queues[q].set_up = false;
		p->queues[q].enabled = false;
	}
}

/*
 * The start of every connection ("Communication"): SET_OWNER, the back end's features, and the
 * protocol features we both know, then the queue count when it may have several.
 */
static int
handshake_locked(struct vu_priv *p, bool log_errors)
{
	struct vhost_user_conn *c = &p->conn;
	const struct vionet_devargs *da = &p->t->devargs;
	uint64_t offered = 0, queue_num;
	const char *step;
	int ret;

	c->reply_ack = false;
	p->protocol_features = 0;
	p->backend_queue_pairs = 1;
	p->config_from_backend = false;
	forget_connection_state_locked(p);

	step = "SET_OWNER";
	ret = vhost_user_set_owner(c);
	if (ret == 0) {
		step = "GET_FEATURES";
		ret = vhost_user_get_u64(c, VHOST_USER_GET_FEATURES, &p->backend_features);
	}
	if (ret == 0 && (p->backend_features & VIRTQ_FEATURE(VHOST_USER_F_PROTOCOL_FEATURES))) {
		step = "GET_PROTOCOL_FEATURES";
		ret = vhost_user_get_u64(c, VHOST_USER_GET_PROTOCOL_FEATURES, &offered);
	}
	if (ret == 0 && offered != 0) {
		step = "SET_PROTOCOL_FEATURES";
		p->protocol_features = offered & VU_PROTOCOL_FEATURES_WANTED;
		ret = vhost_user_set_u64(c, VHOST_USER_SET_PROTOCOL_FEATURES, p->protocol_features);
		c->reply_ack =
			p->protocol_features & VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_REPLY_ACK);
	}
	if (ret == 0 && (p->protocol_features & VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_MQ))) {
		step = "GET_QUEUE_NUM";
		ret = vhost_user_get_u64(c, VHOST_USER_GET_QUEUE_NUM, &queue_num);
		/* max_virtqueue_pairs is 1 to 0x8000 (5.1.4 Device configuration layout). */
		if (ret == 0 && (queue_num == 0 || queue_num > VIONET_CTRL_MQ_VQ_PAIRS_MAX))
			ret = vhost_user_refuse(c, "the back end has %" PRIu64 " queue pairs, not 1 to %u",
						queue_num, VIONET_CTRL_MQ_VQ_PAIRS_MAX);
		if (ret == 0)
			p->backend_queue_pairs = (uint16_t)queue_num;
	}
	if (ret < 0) {
		if (log_errors)
			VIONET_USER_LOG(ERR, "%s: vhost-user handshake on %s failed: %s: %s",
					p->t->name, da->path, step, vhost_user_fault(c, ret));
		return ret;
	}
	if (da->queue_pairs > p->backend_queue_pairs) {
		if (log_errors)
			VIONET_USER_LOG(ERR,
					"%s: queues=%u but the back end on %s serves at most %u "
					"queue pairs",
					p->t->name, da->queue_pairs, da->path,
					p->backend_queue_pairs);
		return -EINVAL;
	}
	if (p->protocol_features & VIRTQ_FEATURE(VHOST_USER_PROTOCOL_F_CONFIG)) {
		uint8_t probe[VIONET_CFG_MTU];

		/*
		 * A back end may offer CONFIG for other device types only and answer ours empty;
		 * then we synthesize. Any other bad answer leaves the stream out of step.
		 */
		ret = vhost_user_get_config(c, 0, probe, sizeof(probe));
		if (ret < 0 && ret != -ENOTSUP) {
			if (log_errors)
				VIONET_USER_LOG(ERR, "%s: vhost-user handshake on %s failed: "
						"GET_CONFIG: %s", p->t->name, da->path,
						vhost_user_fault(c, ret));
			return ret;
		}
		p->config_from_backend = ret == 0;
	}
	VIONET_USER_LOG(INFO,
			"%s: connected to %s: features 0x%" PRIx64 ", protocol features 0x%" PRIx64
			", %u queue pairs, config space %s",
			p->t->name, da->path, p->backend_features, p->protocol_features,
			p->backend_queue_pairs,
			p->config_from_backend ? "from the back end" : "synthesized");
	return 0;
}

/*
 * Takes the new socket and runs the handshake; on failure the socket is closed. 'log_errors' is off
 * for the repeated attempts of a reconnect series, whose first failure was logged.
 */
static int
attach_socket(struct vu_priv *p, int fd, bool log_errors)
{
	int ret;

	pthread_mutex_lock(&p->lock);
	p->conn.fd = fd;
	/*
	 * A back end that stops reading or answering, or trickles its reply, must not hold p->lock
	 * (and our control path) past one deadline per message.
	 */
	p->conn.msg_timeout_ms = VU_MSG_TIMEOUT_MS;
	ret = handshake_locked(p, log_errors);
	if (ret < 0) {
		p->conn.fd = -1;
		close(fd);
	} else {
		p->connections++;
		__atomic_store_n(&p->connected, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

int
vu_conn_first(struct vu_priv *p)
{
	const struct vionet_devargs *da = &p->t->devargs;
	int fd, ret;

	if (da->server) {
		ret = listen_for_backend(p);
		if (ret < 0)
			return ret;
		VIONET_USER_LOG(NOTICE, "%s: server mode: waiting for a vhost-user back end on %s",
				p->t->name, da->path);
		fd = accept_backend(p);
	} else {
		fd = connect_backend(p);
	}
	if (fd < 0) {
		VIONET_USER_LOG(ERR, "%s: cannot %s %s: %s%s", p->t->name,
				da->server ? "accept a back end on" : "connect to", da->path,
				strerror(-fd),
				da->server ? ""
					   : " (is the vhost-user back end running, "
					     "in server mode?)");
		return fd;
	}
	return attach_socket(p, fd, true);
}

void
vu_conn_failed(struct vu_priv *p, const char *what, int err)
{
	VIONET_USER_LOG(ERR, "%s: %s failed: %s", p->t->name, what, vhost_user_fault(&p->conn, err));
	if (err == -EIO || err == -EINVAL || p->conn.fd < 0)
		return; /* the back end refused a request: the connection itself is fine */
	/*
	 * The stream is out of step or dead. Shutting it down (rather than closing: the control
	 * thread polls this fd) wakes the control thread, which closes it and reports the link
	 * down.
	 */
	__atomic_store_n(&p->connected, false, __ATOMIC_RELEASE);
	shutdown(p->conn.fd, SHUT_RDWR);
}

/* Connected: sleeps until the back end hangs up (true) or we are told to stop (false). */
static bool
wait_for_hangup(struct vu_priv *p, int fd)
{
	for (;;) {
		/* POLLRDHUP only: replies to our requests (POLLIN) are read by whoever asked. */
		struct pollfd pfd[2] = {{.fd = fd, .events = POLLRDHUP},
					{.fd = p->stop_fd, .events = POLLIN}};

		if (poll(pfd, 2, -1) < 0 && errno == EINTR)
			continue;
		if (pfd[1].revents != 0)
			return false;
		if (pfd[0].revents != 0)
			return true;
	}
}

/* Sleeps for 'ms' unless told to stop; returns false on stop. */
static bool
sleep_unless_stopped(struct vu_priv *p, int ms)
{
	struct pollfd pfd = {.fd = p->stop_fd, .events = POLLIN};

	while (poll(&pfd, 1, ms) < 0 && errno == EINTR)
		;
	return pfd.revents == 0;
}

static void
drop_connection(struct vu_priv *p)
{
	pthread_mutex_lock(&p->lock);
	__atomic_store_n(&p->connected, false, __ATOMIC_RELEASE);
	if (p->conn.fd >= 0)
		close(p->conn.fd);
	p->conn.fd = -1;
	forget_connection_state_locked(p);
	pthread_mutex_unlock(&p->lock);
}

/*
 * The control thread: while connected, waits for the back end to hang up; then reports the link
 * down and, until it is back, tries to connect again (client) or accepts it again (server).
 * vionet_transport_link_changed() is called without p->lock held, so the device layer may call our
 * ops.
 */
static void *
vu_thread_main(void *arg)
{
	struct vu_priv *p = arg;
	const struct vionet_devargs *da = &p->t->devargs;
	uint32_t failed_attempts = 0;

	for (;;) {
		int fd;

		pthread_mutex_lock(&p->lock);
		fd = p->conn.fd;
		pthread_mutex_unlock(&p->lock);
		if (fd >= 0) {
			if (!wait_for_hangup(p, fd))
				break;
			drop_connection(p);
			VIONET_USER_LOG(WARNING,
					"%s: vhost-user back end on %s is gone: link down, %s",
					p->t->name, da->path,
					da->server ? "waiting for it to connect again"
						   : "trying to reconnect");
			vionet_transport_link_changed(p->t);
			continue;
		}
		if (da->server) {
			fd = accept_backend(p);
			if (fd == -EINTR)
				break;
		} else {
			if (!sleep_unless_stopped(p, VU_RECONNECT_INTERVAL_MS))
				break;
			fd = connect_backend(p);
		}
		if (fd < 0 || attach_socket(p, fd, failed_attempts == 0) < 0) {
			/* Log a series' first failure only: a back end may stay away for long. */
			if (failed_attempts++ == 0 && fd < 0)
				VIONET_USER_LOG(INFO, "%s: back end on %s not reachable yet: %s",
						p->t->name, da->path, strerror(-fd));
			if (da->server && fd < 0 &&
			    !sleep_unless_stopped(p, VU_RECONNECT_INTERVAL_MS))
				break;
			continue;
		}
		failed_attempts = 0;
		VIONET_USER_LOG(NOTICE, "%s: vhost-user back end on %s is back (connection %u)",
				p->t->name, da->path, p->connections);
		vionet_transport_link_changed(p->t);
	}
	return NULL;
}

int
vu_conn_start_thread(struct vu_priv *p)
{
	char name[RTE_MAX_THREAD_NAME_LEN];
	int ret;

	static uint32_t instances;

	/* Thread names are short (16 bytes with the NUL): a number tells the ports apart. */
	snprintf(name, sizeof(name), "vionet-vu%u",
		 __atomic_fetch_add(&instances, 1, __ATOMIC_RELAXED));
	ret = rte_ctrl_thread_create(&p->thread, name, NULL, vu_thread_main, p);
	if (ret != 0) {
		VIONET_USER_LOG(ERR, "%s: cannot start the vhost-user control thread: %s",
				p->t->name, strerror(ret));
		return -ret;
	}
	p->thread_started = true;
	return 0;
}

void
vu_conn_stop_thread(struct vu_priv *p)
{
	uint64_t one = 1;

	if (!p->thread_started)
		return;
	if (write(p->stop_fd, &one, sizeof(one)) != sizeof(one))
		VIONET_USER_LOG(ERR, "%s: cannot signal the control thread: %s", p->t->name,
				strerror(errno));
	pthread_join(p->thread, NULL);
	p->thread_started = false;
}

void
vu_conn_close(struct vu_priv *p)
{
	if (p->conn.fd >= 0)
		close(p->conn.fd);
	p->conn.fd = -1;
	__atomic_store_n(&p->connected, false, __ATOMIC_RELEASE);
	if (p->listen_fd >= 0) {
		close(p->listen_fd);
		unlink(p->t->devargs.path);
	}
	p->listen_fd = -1;
}

int
vu_mem_table_send_locked(struct vu_priv *p, const void *exclude_va, size_t exclude_len)
{
	struct vhost_user_mem_map map;
	size_t needed = 0;
	int ret;

	if (p->mem_table_sent)
		return 0;
	if (!vu_connected(p))
		return -ENOTCONN;
	ret = vhost_user_mem_build(&map, VHOST_USER_MEM_REGIONS_MAX, exclude_va, exclude_len,
				   &needed);
	if (ret == -E2BIG) {
		VIONET_USER_LOG(ERR,
				"%s: DPDK memory is in %zu separate files but a vhost-user memory "
				"table holds at most %d: run with --single-file-segments",
				p->t->name, needed, VHOST_USER_MEM_REGIONS_MAX);
		return ret;
	}
	if (ret < 0) {
		VIONET_USER_LOG(ERR,
				"%s: cannot share DPDK memory with the back end (%s): vhost-user "
				"needs hugepage memory backed by files",
				p->t->name, strerror(-ret));
		return ret;
	}
	ret = vhost_user_set_mem_table(&p->conn, map.regions, map.fds, map.nregions);
	if (ret < 0) {
		vu_conn_failed(p, "SET_MEM_TABLE", ret);
		return ret;
	}
	VIONET_USER_LOG(DEBUG, "%s: memory table sent: %zu regions", p->t->name, map.nregions);
	p->mem_table_sent = true;
	return 0;
}

/*
 * DPDK memory grew or shrinks (rte_mem_event_callback_register): the back end must map the new
 * table before descriptors point into new memory. EAL holds the hotplug lock here, which is why the
 * table is built with the _thread_unsafe walks and why p->lock comes after that lock everywhere.
 */
static void
vu_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct vu_priv *p = arg;

	pthread_mutex_lock(&p->lock);
	if (p->mem_table_sent) {
		p->mem_table_sent = false;
		/* A freed segment is in EAL's lists while this callback runs: leave it out. */
		if (type == RTE_MEM_EVENT_FREE)
			vu_mem_table_send_locked(p, addr, len);
		else
			vu_mem_table_send_locked(p, NULL, 0);
	}
	pthread_mutex_unlock(&p->lock);
}

int
vu_mem_events_register(struct vu_priv *p)
{
	/* Unique per port: the pointer, since device names may be longer than the callback name. */
	snprintf(p->mem_cb_name, sizeof(p->mem_cb_name), "vionet_vu_%p", (void *)p);
	if (rte_mem_event_callback_register(p->mem_cb_name, vu_mem_event, p) < 0) {
		/* ENOTSUP: legacy memory mode, where memory never changes after init. */
		if (rte_errno == ENOTSUP)
			return 0;
		VIONET_USER_LOG(ERR, "%s: cannot watch DPDK memory events: %s", p->t->name,
				rte_strerror(rte_errno));
		return -rte_errno;
	}
	p->mem_cb_registered = true;
	return 0;
}

void
vu_mem_events_unregister(struct vu_priv *p)
{
	if (p->mem_cb_registered)
		rte_mem_event_callback_unregister(p->mem_cb_name, p);
	p->mem_cb_registered = false;
}
