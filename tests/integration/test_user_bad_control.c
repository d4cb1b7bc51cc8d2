/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A misbehaving device on the control path: our port over a scripted transport whose device (this
 * test, a thread playing the device half of the control virtqueue) answers a command late, never,
 * or while the port stops, and flaps its link. Checks: a command gets its own answer, never a stale
 * one meant for a command that timed out; a ring full of unanswered commands is refused (-EBUSY)
 * rather than corrupted, and works again once the device answers; a stop waits for the command in
 * flight instead of resetting the device under it; a link toggled 1000 times raises 1000 LSC
 * events but only a few log lines and a summary. EAL without hugepages (--no-huge), so it runs
 * anywhere.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "device/device.h"
#include "test_scripted_device.h"
#include "test_tally.h"

#define CTRL_QUEUE 2 /* one queue pair: receiveq0, transmitq0, controlq (5.1.2 Virtqueues) */
#define PENDING_MAX RING

/* What the device does with the control commands it takes from the ring. */
enum ctrl_mode {
	ANSWER_AT_ONCE,	     /* VIONET_CTRL_OK as soon as the command is there */
	ANSWER_NEVER,	     /* keeps every command */
	ANSWER_AFTER_300_MS, /* VIONET_CTRL_OK 300 ms after the command came */
	/*
	 * Keeps the first command until the next one comes, then answers it (VIONET_CTRL_OK) and
	 * reads its header only then, as a slow device would; answers every later command 100 ms
	 * after it came with VIONET_CTRL_ERR.
	 */
	ANSWER_FIRST_LATE,
};

struct pending_cmd {
	uint16_t id;
	const uint8_t *hdr; /* class, command */
	uint8_t *ack;
	double came_s;
	unsigned int seq;
};

/*
 * ---- The scripted device (test_scripted_device.h), with a control virtqueue this test serves ----
 */

static struct {
	/* the control ring's device half (dev.split[CTRL_QUEUE]): the device thread against set-up
	 * and stop */
	pthread_mutex_t lock;
	bool ctrl_live; /* the device has the control ring: set up, not stopped or reset since */
	struct pending_cmd pending[PENDING_MAX];
	unsigned int n_pending;
	unsigned int seq; /* commands taken from the ring so far */
	enum ctrl_mode mode;
	unsigned int first_late_seq; /* ANSWER_FIRST_LATE: the command it keeps */
	uint8_t late_class, late_cmd;	/* what that command's header said when it was answered */
	uint8_t last_class, last_cmd, last_data;
	/* the driver stopped the queue or reset the device under a command it waited for */
	bool reset_with_pending;
	bool thread_stop;
} ctl = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The device forgets the control ring; a command it still held is lost with it. */
static void
forget_ctrl_ring_locked(void)
{
	if (ctl.ctrl_live && ctl.n_pending > 0)
		ctl.reset_with_pending = true;
	ctl.ctrl_live = false;
	ctl.n_pending = 0;
}

static int
ctl_reset(struct vionet_transport *t)
{
	int ret;

	pthread_mutex_lock(&ctl.lock);
	forget_ctrl_ring_locked();
	ret = d_reset(t);
	pthread_mutex_unlock(&ctl.lock);
	return ret;
}

/* Split rings only; the control ring's device half is the thread's, taken under the lock. */
static int
ctl_setup_queue(struct vionet_transport *t, const struct vionet_vq_ring_addrs *r)
{
	int ret;

	if (r->queue_index > CTRL_QUEUE || r->packed)
		return -EINVAL;
	if (r->queue_index != CTRL_QUEUE)
		return d_setup_queue(t, r);
	pthread_mutex_lock(&ctl.lock);
	ret = d_setup_queue(t, r);
	if (ret == 0) {
		ctl.ctrl_live = true;
		ctl.n_pending = 0;
	}
	pthread_mutex_unlock(&ctl.lock);
	return ret < 0 ? -EINVAL : 0;
}

static void
ctl_stop_queue(struct vionet_transport *t, uint16_t q)
{
	d_stop_queue(t, q);
	if (q != CTRL_QUEUE)
		return;
	pthread_mutex_lock(&ctl.lock);
	forget_ctrl_ring_locked();
	pthread_mutex_unlock(&ctl.lock);
}

/* scripted_ops with the control ring's set-up, stop and reset above; no ctrl_command: commands go
 * through the control virtqueue, which this test serves. */
static struct vionet_transport_ops ctl_ops;

/* ---- The device half of the control virtqueue, on its own thread ---- */

/* Takes every command the driver made available: header first, ack last (5.1.6.5). */
static void
take_commands_locked(double now)
{
	struct virtq_dev_buf buf;
	struct virtq_sg sg[4];

	while (ctl.n_pending < PENDING_MAX &&
	       virtq_split_dev_pop(&dev.split[CTRL_QUEUE], &buf, sg, RTE_DIM(sg)) == 0) {
		struct pending_cmd *p = &ctl.pending[ctl.n_pending++];

		if (buf.nreadable < 1 || buf.nsegs != buf.nreadable + 1 || sg[0].len < 2) {
			fprintf(stderr, "device: malformed control command (%u segments)\n",
				buf.nsegs);
			ctl.n_pending--;
			continue;
		}
		p->id = buf.id;
		p->hdr = (const uint8_t *)(uintptr_t)sg[0].addr;
		p->ack = (uint8_t *)(uintptr_t)sg[buf.nsegs - 1].addr;
		p->came_s = now;
		p->seq = ctl.seq++;
		ctl.last_class = p->hdr[0];
		ctl.last_cmd = p->hdr[1];
		ctl.last_data = buf.nreadable > 1 ? *(const uint8_t *)(uintptr_t)sg[1].addr : 0;
	}
}

/* Whether the device answers pending command i now, and with which ack. */
static bool
due_locked(unsigned int i, double now, uint8_t *ack)
{
	const struct pending_cmd *p = &ctl.pending[i];

	switch (ctl.mode) {
	case ANSWER_AT_ONCE:
		*ack = VIONET_CTRL_OK;
		return true;
	case ANSWER_AFTER_300_MS:
		*ack = VIONET_CTRL_OK;
		return now - p->came_s >= 0.3;
	case ANSWER_FIRST_LATE:
		if (p->seq == ctl.first_late_seq) {
			*ack = VIONET_CTRL_OK;
			return ctl.n_pending > 1;
		}
		*ack = VIONET_CTRL_ERR;
		return now - p->came_s >= 0.1;
	case ANSWER_NEVER:
	default:
		return false;
	}
}

static void *
device_thread(void *arg)
{
	RTE_SET_USED(arg);
	while (!__atomic_load_n(&ctl.thread_stop, __ATOMIC_ACQUIRE)) {
		double now = test_now_s();
		uint8_t ack;

		pthread_mutex_lock(&ctl.lock);
		if (ctl.ctrl_live) {
			take_commands_locked(now);
			for (unsigned int i = 0; i < ctl.n_pending;) {
				struct pending_cmd *p = &ctl.pending[i];

				if (!due_locked(i, now, &ack)) {
					i++;
					continue;
				}
				if (ctl.mode == ANSWER_FIRST_LATE && p->seq == ctl.first_late_seq) {
					ctl.late_class = p->hdr[0];
					ctl.late_cmd = p->hdr[1];
				}
				*p->ack = ack;
				virtq_split_dev_push(&dev.split[CTRL_QUEUE], p->id, 1);
				memmove(p, p + 1, (ctl.n_pending - i - 1) * sizeof(*p));
				ctl.n_pending--;
			}
			virtq_split_dev_publish(&dev.split[CTRL_QUEUE]);
		}
		pthread_mutex_unlock(&ctl.lock);
		usleep(1000);
	}
	return NULL;
}

static void
set_mode(enum ctrl_mode mode)
{
	pthread_mutex_lock(&ctl.lock);
	ctl.mode = mode;
	ctl.first_late_seq = ctl.seq;
	pthread_mutex_unlock(&ctl.lock);
}

static unsigned int
pending_count(void)
{
	unsigned int n;

	pthread_mutex_lock(&ctl.lock);
	n = ctl.n_pending;
	pthread_mutex_unlock(&ctl.lock);
	return n;
}

/* ---- Scenarios ---- */

/*
 * The device answers a command after the driver gave up on it, when the next command is already
 * waiting: that late answer is not the next command's. The next one gets its own (here a refusal,
 * -EIO), and the late command's buffer still held its own header when the device read it.
 */
static void
late_answer_is_not_the_next_commands(uint16_t port, struct vionet_hw *hw)
{
	double start;
	int ret;

	hw->ctrl_timeout_ms = 500;
	set_mode(ANSWER_FIRST_LATE);
	start = test_now_s();
	/* Promiscuous is on (the stop scenario's command): turning it off reaches the device. */
	ret = rte_eth_promiscuous_disable(port);
	check(ret == -ETIMEDOUT, "unanswered promiscuous off: %d, expected -ETIMEDOUT", ret);
	check(test_now_s() - start >= 0.45, "the command gave up after %.3f s, before its 0.5 s",
	      test_now_s() - start);
	ret = rte_eth_allmulticast_enable(port);
	check(ret == -EIO, "all-multicast on, refused by the device: %d, expected -EIO (the late "
	      "answer to promiscuous off taken for its own?)", ret);
	check(ctl.late_class == VIONET_CTRL_RX && ctl.late_cmd == VIONET_CTRL_RX_PROMISC,
	      "the late command read class %u cmd %u when answered: its buffer was reused",
	      ctl.late_class, ctl.late_cmd);
	set_mode(ANSWER_AT_ONCE);
	ret = rte_eth_allmulticast_enable(port);
	check(ret == 0, "all-multicast on, answered at once: %d", ret);
	check(ctl.last_class == VIONET_CTRL_RX && ctl.last_cmd == VIONET_CTRL_RX_ALLMULTI &&
	      ctl.last_data == 1, "the device saw class %u cmd %u data %u", ctl.last_class,
	      ctl.last_cmd, ctl.last_data);
}

/*
 * A device that answers nothing: each command times out and its buffer stays with the device,
 * until the ring has no room; then commands are refused at once with -EBUSY. Once the device
 * answers them all, commands work again.
 */
static void
full_ring_refused_then_recovers(uint16_t port, struct vionet_hw *hw)
{
	unsigned int timed_out = 0, busy = 0, other = 0;
	double slowest_busy_s = 0;
	int ret;

	hw->ctrl_timeout_ms = 30;
	set_mode(ANSWER_NEVER);
	/* All-multicast is on: each failed "off" leaves it on, so every call reaches the driver. */
	for (int i = 0; i < 40; i++) {
		double start = test_now_s();

		ret = rte_eth_allmulticast_disable(port);
		if (ret == -ETIMEDOUT) {
			timed_out++;
		} else if (ret == -EBUSY) {
			busy++;
			slowest_busy_s = RTE_MAX(slowest_busy_s, test_now_s() - start);
		} else {
			other++;
			fprintf(stderr, "command %d: %d (%s)\n", i, ret, strerror(-ret));
		}
	}
	check(timed_out > 0 && busy > 0 && other == 0,
	      "unanswered commands: %u timed out, %u busy, %u otherwise", timed_out, busy, other);
	check(timed_out <= RING / 2, "%u commands posted on a %u-descriptor ring", timed_out, RING);
	check(slowest_busy_s < 0.025, "a refused command waited %.3f s", slowest_busy_s);
	check(pending_count() == timed_out, "the device holds %u commands, %u timed out",
	      pending_count(), timed_out);

	set_mode(ANSWER_AT_ONCE);
	for (double deadline = test_deadline(5); pending_count() != 0 && !test_past(deadline);)
		usleep(1000);
	hw->ctrl_timeout_ms = 500;
	ret = rte_eth_allmulticast_disable(port);
	check(ret == 0, "after the device answered the old commands: %d", ret);
	check(ctl.last_cmd == VIONET_CTRL_RX_ALLMULTI && ctl.last_data == 0,
	      "the device saw cmd %u data %u", ctl.last_cmd, ctl.last_data);
}

struct cmd_thread_arg {
	uint16_t port;
	int ret;
};

static void *
promisc_thread(void *arg)
{
	struct cmd_thread_arg *a = arg;

	a->ret = rte_eth_promiscuous_enable(a->port);
	return NULL;
}

/*
 * The port stops (as recovery does) while a command waits for the device: the control queue is
 * stopped and the device reset only once the command has its answer, never under it.
 */
static void
stop_waits_for_the_command(uint16_t port, struct vionet_hw *hw)
{
	struct cmd_thread_arg arg = {.port = port, .ret = 1};
	pthread_t th;

	hw->ctrl_timeout_ms = 2000;
	set_mode(ANSWER_AFTER_300_MS);
	ctl.reset_with_pending = false;
	require(pthread_create(&th, NULL, promisc_thread, &arg) == 0, "command thread");
	for (double deadline = test_deadline(5); pending_count() == 0 && !test_past(deadline);)
		usleep(1000);
	require(pending_count() == 1, "the command never reached the device");
	check(rte_eth_dev_stop(port) == 0, "stop while a command waits");
	pthread_join(th, NULL);
	check(!ctl.reset_with_pending,
	      "the control queue was stopped or the device reset under a command in flight");
	check(arg.ret == 0, "the command in flight when the port stopped: %d", arg.ret);
	set_mode(ANSWER_AT_ONCE);
	check(rte_eth_dev_start(port) == 0, "start again");
}

/* The driver's (and ethdev's) log lines from now until log_capture_end(), in memory. */
static struct {
	FILE *stream;
	char *text;
	size_t len;
} captured;

static void
log_capture_begin(void)
{
	captured.text = NULL;
	captured.stream = open_memstream(&captured.text, &captured.len);
	require(captured.stream != NULL && rte_openlog_stream(captured.stream) == 0,
		"log to memory");
}

/* What was logged; the caller frees it. */
static char *
log_capture_end(void)
{
	rte_openlog_stream(NULL);
	fclose(captured.stream);
	return captured.text;
}

static unsigned int lsc_events;

static int
on_lsc(uint16_t port, enum rte_eth_event_type type, void *cb_arg, void *ret_param)
{
	RTE_SET_USED(port);
	RTE_SET_USED(cb_arg);
	RTE_SET_USED(ret_param);
	if (type == RTE_ETH_EVENT_INTR_LSC)
		lsc_events++;
	return 0;
}

/*
 * A device that toggles its link 1000 times (each change reported by the transport, as its thread
 * would): every change is an LSC event, but the log gets the first lines of the burst and one
 * summary that counts the rest and says the state the link ended in.
 */
static void
link_flaps_are_counted_not_logged(uint16_t port, struct vionet_hw *hw)
{
	const unsigned int toggles = 1000;
	unsigned int link_lines = 0, summaries = 0, suppressed = 0;
	char *log_text, *line, *save = NULL;
	char first[128] = "", last[128] = "";

	require(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, on_lsc, NULL) == 0,
		"LSC callback");
	log_capture_begin();
	lsc_events = 0;
	for (unsigned int i = 0; i < toggles; i++) {
		dev.link_down = !dev.link_down;
		vionet_transport_link_changed(&hw->tp);
	}
	/* The summary comes from an EAL alarm a second after the first line held back. */
	usleep(1500 * 1000);
	log_text = log_capture_end();
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, on_lsc, NULL);

	check(lsc_events == toggles, "%u LSC events for %u link changes", lsc_events, toggles);
	for (line = strtok_r(log_text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *port_name = strstr(line, "scripted0: ");
		unsigned int n;

		if (strstr(line, "link changes suppressed") != NULL) {
			summaries++;
			if (port_name != NULL &&
			    sscanf(port_name + strlen("scripted0: "), "%u", &n) == 1)
				suppressed += n;
		} else if (strstr(line, "link up") == NULL && strstr(line, "link down") == NULL) {
			continue;
		} else {
			link_lines++;
		}
		if (link_lines + summaries <= 3 * VIONET_LOG_RATELIMIT_LINES)
			printf("logged: %s\n", line);
		if (first[0] == '\0')
			snprintf(first, sizeof(first), "%s", line);
		snprintf(last, sizeof(last), "%s", line);
	}
	free(log_text);
	check(link_lines + summaries <= 3 * VIONET_LOG_RATELIMIT_LINES,
	      "%u link lines and %u summaries logged for %u changes", link_lines, summaries,
	      toggles);
	check(strstr(first, "link down") != NULL, "the burst's first line: \"%s\"", first);
	check(summaries >= 1 && link_lines + suppressed == toggles,
	      "%u changes logged and %u counted in %u summaries, of %u", link_lines, suppressed,
	      summaries, toggles);
	check(strstr(last, "suppressed; link up") != NULL,
	      "the last line, a summary with the state the link ended in: \"%s\"", last);
}

/* Whether the log of one refused call names what was wrong; prints the log when it does not. */
static void
check_logged(char *text, const char *named, const char *what)
{
	if (check(text != NULL && strstr(text, named) != NULL, "%s: the log does not name %s:\n%s",
		  what, named, text != NULL ? text : ""))
		printf("%s refused: %s", what, text);
	free(text);
}

/*
 * What the device does not offer is refused, with a message that names it: more queues than its
 * queue pairs, ring sizes outside what dev_infos says, an MTU above its maximum (configure and
 * mtu_set). The port is stopped.
 */
static void
configuration_beyond_the_device_refused(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	int ret;

	require(rte_eth_dev_info_get(port, &info) == 0, "dev_info");
	check(info.max_rx_queues == 1 && info.max_tx_queues == 1, "max queues %u/%u, the device has "
	      "1 pair", info.max_rx_queues, info.max_tx_queues);
	check(info.rx_desc_lim.nb_max == RING, "nb_max %u, the device's queues hold %u",
	      info.rx_desc_lim.nb_max, RING);

	log_capture_begin();
	ret = rte_eth_dev_configure(port, 2, 2, &conf);
	check(ret < 0, "2 queue pairs on a device with 1: %d", ret);
	check_logged(log_capture_end(), "nb_rx_queues", "2 queue pairs");

	log_capture_begin();
	conf.rxmode.mtu = info.max_mtu + 1;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	check(ret < 0, "MTU %u above the device's %u at configure: %d", conf.rxmode.mtu,
	      info.max_mtu, ret);
	check_logged(log_capture_end(), "MTU", "MTU above the maximum at configure");

	conf.rxmode.mtu = 0;
	require(rte_eth_dev_configure(port, 1, 1, &conf) == 0, "configure 1 pair");
	log_capture_begin();
	ret = rte_eth_rx_queue_setup(port, 0, 2 * RING, SOCKET_ID_ANY, NULL, pool);
	check(ret < 0, "Rx ring of %u on a device whose queues hold %u: %d", 2 * RING, RING, ret);
	check_logged(log_capture_end(), "nb_rx_desc", "Rx ring above the device's");
	log_capture_begin();
	ret = rte_eth_tx_queue_setup(port, 0, VIONET_QUEUE_SIZE_MIN / 2, SOCKET_ID_ANY, NULL);
	check(ret < 0, "Tx ring of %u, below the minimum %u: %d", VIONET_QUEUE_SIZE_MIN / 2,
	      VIONET_QUEUE_SIZE_MIN, ret);
	check_logged(log_capture_end(), "nb_tx_desc", "Tx ring below the minimum");

	log_capture_begin();
	ret = rte_eth_dev_set_mtu(port, (uint16_t)(info.max_mtu + 1));
	check(ret < 0, "MTU %u above the device's %u: %d", info.max_mtu + 1, info.max_mtu, ret);
	check_logged(log_capture_end(), "MTU", "MTU above the maximum");
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "128", "--no-pci", "--iova-mode=va",
		       prefix, "--log-level=pmd.net.vionet*:info", NULL};
	struct rte_eth_conf conf = {.intr_conf.lsc = 1};
	struct rte_mempool *pool;
	struct vionet_hw *hw;
	pthread_t device;
	uint16_t port;
	int ret;

	RTE_SET_USED(argc);
	tally.name = "test_user_bad_control";
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_badctl_%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		fatal("EAL init");
	pool = rte_pktmbuf_pool_create("badctl", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		fatal("pool allocation failed");
	dev.ctrl_queue = true;
	dev.ctrl_silent = true; /* the device thread answers, not the kick */
	ctl_ops = scripted_ops;
	ctl_ops.reset = ctl_reset;
	ctl_ops.setup_queue = ctl_setup_queue;
	ctl_ops.stop_queue = ctl_stop_queue;
	ctl_ops.ctrl_command = NULL;
	port = scripted_port_create(&ctl_ops, &hw);
	if (pthread_create(&device, NULL, device_thread, NULL) != 0)
		fatal("device thread");
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL, pool) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL) < 0 ||
	    rte_eth_dev_start(port) < 0)
		fatal("port set-up failed");

	/* A device that answers: the command and its answer, as the driver sent it. */
	set_mode(ANSWER_AT_ONCE);
	ret = rte_eth_promiscuous_enable(port);
	check(ret == 0 && ctl.last_class == VIONET_CTRL_RX &&
	      ctl.last_cmd == VIONET_CTRL_RX_PROMISC && ctl.last_data == 1,
	      "promiscuous on: %d, the device saw class %u cmd %u data %u", ret, ctl.last_class,
	      ctl.last_cmd, ctl.last_data);
	check(rte_eth_promiscuous_disable(port) == 0, "promiscuous off");

	stop_waits_for_the_command(port, hw);
	late_answer_is_not_the_next_commands(port, hw);
	full_ring_refused_then_recovers(port, hw);
	link_flaps_are_counted_not_logged(port, hw);

	check(rte_eth_dev_stop(port) == 0, "stop");
	check(rte_mempool_in_use_count(pool) == 0, "after stop %u mbufs still in use",
	      rte_mempool_in_use_count(pool));
	configuration_beyond_the_device_refused(port, pool);
	check(rte_eth_dev_close(port) == 0, "close");
	__atomic_store_n(&ctl.thread_stop, true, __ATOMIC_RELEASE);
	pthread_join(device, NULL);
	rte_eal_cleanup();
	return tally_finish();
}
