/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user transport against DPDK's vhost library (Debian's dpdk-testpmd, net_vhost port, io
 * forwarding on its own port): we play the device layer with the transport ops and lib/virtq rings.
 *
 * usage: test_vhost_user_transport <scenario> <dpdk-testpmd>   (works in a fresh /tmp directory)
 *   client-split, client-packed: we connect; 2 queue pairs (split) or 1 (packed)
 *   server-split: the back end connects to us (net_vhost client=1); a stale socket file is replaced
 *   e2big: EAL without --single-file-segments: the memory table is refused with a hint
 * Checks: the features the back end reports as negotiated are ours; frames we send on each Tx
 * queue come back on the paired Rx queue byte for byte; Rx call fds are signalled unless the queue
 * has no vector; VQ_PAIRS_SET disables and re-enables the
 * back end's rings; memory added after set-up reaches the back end; the back end killed: link-down
 * callback, ops refuse, link-up callback when it is back, set-up again, traffic again; no fd or
 * memory left after close. Every check is a require() (test_tally.h): the first that fails shows the
 * back end's log and ends the program.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/vionet_spec.h"
#include <rte_eal.h>
#include <rte_malloc.h>

#include "transport/vhost_user/transport_vhost_user.h"
#include "virtq_packed.h"
#include "virtq_split.h"
#include "transport/transport_ops.h"
#include "test_tally.h"

#define RING_SIZE 256
#define BUF_SIZE 2048
#define NET_HDR_SIZE 12 /* struct virtio_net_hdr_v1 (VERSION_1): 5.1.6 */
#define FRAMES_PER_QUEUE 32
#define WAIT_S 30 /* generous bound for anything the back end does; failure detection only */

#define F(b) (UINT64_C(1) << (b))

static const char *scenario;
static char testpmd_path[512], work_dir[512], sock_path[600], log_path[600];
static pid_t backend_pid = -1;
static int backend_stdin = -1;
static unsigned int link_events;
static int last_link_state = -1;

static void stop_backend(bool graceful);

/* A failed require() or fatal(): the back end's log, and the back end stopped. */
static void
on_fatal(void)
{
	fprintf(stderr, "--- back end log (%s) ---\n", log_path);
	fflush(stderr);
	if (system("true") == 0) {
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "tail -n 60 '%s' >&2", log_path);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
	}
	stop_backend(false);
}

/* The device layer's upcall, registered as the device layer would: from the control thread. */
static void
test_link_changed(struct vionet_transport *hw)
{
	__atomic_store_n(&last_link_state, hw->ops->link_up(hw), __ATOMIC_RELEASE);
	__atomic_fetch_add(&link_events, 1, __ATOMIC_ACQ_REL);
}

static unsigned int backend_starts;
static void wait_log(const char *needle, unsigned int count);

/*
 * Waits until testpmd has started its port, so that our set-up does not overlap its port start
 * (net_vhost sets its queues up both in new_device and in dev_start, from different threads).
 */
static void
wait_backend_port_started(void)
{
	wait_log("Checking link statuses", backend_starts);
}

static void
start_backend(void)
{
	bool server_mode = strcmp(scenario, "server-split") == 0;
	char vdev[800];
	int pipefd[2];

	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=2%s", sock_path,
		 server_mode ? ",client=1" : "");
	require(pipe(pipefd) == 0, "pipe: %s", strerror(errno));
	backend_pid = fork();
	require(backend_pid >= 0, "fork: %s", strerror(errno));
	if (backend_pid == 0) {
		char prefix[64];
		int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

		snprintf(prefix, sizeof(prefix), "--file-prefix=vu_be_%d", (int)getppid());
		dup2(pipefd[0], 0);
		dup2(log_fd, 1);
		dup2(log_fd, 2);
		close(pipefd[1]);
		/* Line-buffered stdout: its lines and the vhost library's interleave in true order. */
		execl("/usr/bin/timeout", "timeout", "300", "/usr/bin/stdbuf", "-oL", testpmd_path, "-l", "0,1", "--main-lcore",
		      "0", prefix, "-m", "256", "--no-pci", "--single-file-segments", "--vdev", vdev,
		      "--log-level=lib.vhost.config:info", "--log-level=pmd.net.vhost:info", "--",
		      "-i", "--forward-mode=io", "--port-topology=loop", "--rxq=2", "--txq=2",
		      "--total-num-mbufs=4096", "--auto-start",
		      "--no-flush-rx" /* frames we send before forwarding starts must not be dropped */,
		      (char *)NULL);
		_exit(127);
	}
	close(pipefd[0]);
	backend_stdin = pipefd[1];
	backend_starts++;
}

static void
stop_backend(bool graceful)
{
	int status;

	if (backend_pid < 0)
		return;
	if (graceful && write(backend_stdin, "quit\n", 5) == 5) {
		double end = test_deadline(WAIT_S);

		while (!test_past(end) && waitpid(backend_pid, &status, WNOHANG) == 0)
			usleep(50000);
		if (waitpid(backend_pid, &status, WNOHANG) == 0) {
			kill(backend_pid, SIGKILL);
			waitpid(backend_pid, &status, 0);
		}
	} else {
		/* The back end dies without a word, as a crash would look to us. */
		kill(backend_pid, SIGKILL);
		waitpid(backend_pid, &status, 0);
	}
	close(backend_stdin);
	backend_pid = -1;
}

static unsigned int
log_count(const char *needle)
{
	FILE *f = fopen(log_path, "r");
	char line[1024];
	unsigned int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

static void
wait_log(const char *needle, unsigned int count)
{
	double end = test_deadline(WAIT_S);

	while (log_count(needle) < count && !test_past(end))
		usleep(50000);
	require(log_count(needle) >= count, "the back end did not log '%s' %u times", needle, count);
}

static void
wait_socket(void)
{
	double end = test_deadline(WAIT_S);

	while (access(sock_path, F_OK) != 0 && !test_past(end))
		usleep(50000);
	require(access(sock_path, F_OK) == 0, "the back end did not create %s", sock_path);
}

static void
wait_link_event(unsigned int events, int state)
{
	double end = test_deadline(WAIT_S);

	while ((__atomic_load_n(&link_events, __ATOMIC_ACQUIRE) < events ||
		__atomic_load_n(&last_link_state, __ATOMIC_ACQUIRE) != state) &&
	       !test_past(end))
		usleep(20000);
	require(__atomic_load_n(&link_events, __ATOMIC_ACQUIRE) >= events &&
		      __atomic_load_n(&last_link_state, __ATOMIC_ACQUIRE) == state,
	        "no link %s callback (%u events)", state ? "up" : "down", link_events);
}

static unsigned int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

/* One virtqueue of the test: ring memory, the lib/virtq driver half and its buffers. */
struct test_queue {
	bool packed;
	uint16_t index;
	void *mem;
	void *state;
	union {
		struct virtq_split_drv split;
		struct virtq_packed_drv packed;
	} drv;
	uint8_t *bufs; /* RING_SIZE buffers of BUF_SIZE */
};

static int
tq_add(struct test_queue *q, uint8_t *buf, uint32_t len, bool device_writes)
{
	uint16_t flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;

	return q->packed ? virtq_packed_drv_add_buf(&q->drv.packed, (uintptr_t)buf, len, flags, buf)
			 : virtq_split_drv_add_buf(&q->drv.split, (uintptr_t)buf, len, flags, buf);
}

static void
tq_kick(struct vionet_transport *hw, struct test_queue *q)
{
	bool notify;

	if (q->packed) {
		virtq_packed_drv_publish(&q->drv.packed);
		notify = virtq_packed_drv_needs_notify(&q->drv.packed);
	} else {
		virtq_split_drv_publish(&q->drv.split);
		notify = virtq_split_drv_needs_notify(&q->drv.split);
	}
	if (notify)
		hw->ops->notify_queue(hw, q->index);
}

static int
tq_get(struct test_queue *q, void **cookie, uint32_t *len)
{
	return q->packed ? virtq_packed_drv_get_used(&q->drv.packed, cookie, len)
			 : virtq_split_drv_get_used(&q->drv.split, cookie, len);
}

static void
tq_setup(struct vionet_transport *hw, struct test_queue *q, uint16_t index, bool packed, uint64_t features)
{
	struct vionet_vq_ring_addrs r = {.queue_index = index, .size = RING_SIZE, .packed = packed};
	int ret;

	memset(q, 0, sizeof(*q));
	q->packed = packed;
	q->index = index;
	if (packed) {
		q->mem = rte_zmalloc(NULL, virtq_packed_mem_size(RING_SIZE), 4096);
		q->state = rte_zmalloc(NULL, virtq_packed_drv_state_size(RING_SIZE), 64);
		require(q->mem && q->state, "ring memory");
		require(virtq_packed_drv_init_mem(&q->drv.packed, RING_SIZE, q->mem, q->state, features) == 0,
		        "packed init");
		r.desc_va = q->mem;
		r.driver_area_va = (char *)q->mem + virtq_packed_driver_event_offset(RING_SIZE);
		r.device_area_va = (char *)q->mem + virtq_packed_device_event_offset(RING_SIZE);
	} else {
		q->mem = rte_zmalloc(NULL, virtq_split_mem_size(RING_SIZE, 4096), 4096);
		q->state = rte_zmalloc(NULL, virtq_split_drv_state_size(RING_SIZE), 64);
		require(q->mem && q->state, "ring memory");
		require(virtq_split_drv_init_mem(&q->drv.split, RING_SIZE, q->mem, 4096, q->state,
					       features) == 0,
		        "split init");
		r.desc_va = q->mem;
		r.driver_area_va = (char *)q->mem + virtq_split_avail_offset(RING_SIZE);
		r.device_area_va = (char *)q->mem + virtq_split_used_offset(RING_SIZE, 4096);
	}
	/* vhost-user: device addresses are our virtual addresses (the memory table maps them 1:1). */
	r.desc_addr = (uintptr_t)r.desc_va;
	r.driver_area_addr = (uintptr_t)r.driver_area_va;
	r.device_area_addr = (uintptr_t)r.device_area_va;
	q->bufs = rte_zmalloc(NULL, (size_t)RING_SIZE * BUF_SIZE, 64);
	require(q->bufs != NULL, "buffers");
	ret = hw->ops->setup_queue(hw, &r);
	require(ret == 0, "setup_queue %u: %d", index, ret);
	ret = hw->ops->enable_queue(hw, index);
	require(ret == 0, "enable_queue %u: %d", index, ret);
}

static void
tq_free(struct test_queue *q)
{
	rte_free(q->mem);
	rte_free(q->state);
	rte_free(q->bufs);
}

/* The device layer's init and start, through the ops only (virtio 1.x 3.1.1). */
static uint64_t
device_init(struct vionet_transport *hw, bool packed, uint16_t pairs)
{
	uint64_t offered, wanted, features;
	uint8_t status;
	char line[128];

	require(hw->ops->reset(hw) == 0, "reset");
	hw->ops->set_status(hw, VIONET_STATUS_ACKNOWLEDGE | VIONET_STATUS_DRIVER);
	offered = hw->ops->get_features(hw);
	require(offered & F(32), "VERSION_1 offered (0x%" PRIx64 ")", offered);
	require(!(offered & F(30)), "vhost-user's PROTOCOL_FEATURES bit shown to the device layer");
	require((offered & (F(VIONET_NET_F_MAC) | F(VIONET_NET_F_STATUS) | F(VIONET_NET_F_CTRL_VQ))) ==
		      (F(VIONET_NET_F_MAC) | F(VIONET_NET_F_STATUS) | F(VIONET_NET_F_CTRL_VQ)),
	        "MAC, STATUS, CTRL_VQ not offered (0x%" PRIx64 ")", offered);
	wanted = F(32) | F(VIONET_NET_F_MAC) | F(VIONET_NET_F_STATUS) | F(VIONET_NET_F_CTRL_VQ) |
		 F(VIONET_NET_F_MRG_RXBUF) | (pairs > 1 ? F(VIONET_NET_F_MQ) : 0) |
		 (packed ? F(34) : 0);
	features = offered & wanted;
	require(hw->ops->set_features(hw, features) == 0, "set_features");
	hw->ops->set_status(hw, VIONET_STATUS_ACKNOWLEDGE | VIONET_STATUS_DRIVER |
					VIONET_STATUS_FEATURES_OK);
	status = hw->ops->get_status(hw);
	require(status & VIONET_STATUS_FEATURES_OK, "FEATURES_OK not kept (0x%x)", status);
	/* The back end reports what it got: ours without the transport-served bits, plus bit 30. */
	snprintf(line, sizeof(line), "negotiated Virtio features: 0x%" PRIx64,
		 (features & ~(F(VIONET_NET_F_MAC) | F(VIONET_NET_F_STATUS) | F(VIONET_NET_F_CTRL_VQ))) |
			 F(30));
	printf("expecting back end log: %s\n", line);
	return features;
}

static void
device_start(struct vionet_transport *hw, struct test_queue *qs, uint16_t pairs, bool packed,
	     uint64_t features)
{
	uint16_t i;

	for (i = 0; i < 2 * pairs; i++)
		tq_setup(hw, &qs[i], i, packed, features);
	hw->ops->set_status(hw, VIONET_STATUS_ACKNOWLEDGE | VIONET_STATUS_DRIVER |
					VIONET_STATUS_FEATURES_OK | VIONET_STATUS_DRIVER_OK);
}

static void
device_stop(struct vionet_transport *hw, struct test_queue *qs, uint16_t pairs)
{
	uint16_t i;

	require(hw->ops->reset(hw) == 0, "reset");
	for (i = 0; i < 2 * pairs; i++)
		tq_free(&qs[i]);
}

static void
fill_frame(uint8_t *frame, uint32_t len, uint16_t queue, uint32_t seq)
{
	uint32_t i;

	memset(frame, 0xff, 6);					/* broadcast */
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);	/* locally administered */
	frame[12] = 0x88, frame[13] = 0xb5;			/* local experimental ethertype */
	for (i = 14; i < len; i++)
		frame[i] = (uint8_t)(queue * 31 + seq * 7 + i);
}

/*
 * Posts Rx buffers on queue 2q, sends FRAMES_PER_QUEUE frames of growing length on 2q+1, and
 * checks each comes back (testpmd io-forwards its port to itself) with the same length and bytes.
 */
static void
traffic(struct vionet_transport *hw, struct test_queue *qs, uint16_t pairs, uint8_t *extra_tx_mem)
{
	uint16_t q;

	for (q = 0; q < pairs; q++) {
		struct test_queue *rx = &qs[2 * q], *tx = &qs[2 * q + 1];
		uint32_t seq, got = 0, harvested_tx = 0;
		double end;
		void *cookie;
		uint32_t len;

		for (seq = 0; seq < FRAMES_PER_QUEUE; seq++)
			require(tq_add(rx, rx->bufs + (size_t)seq * BUF_SIZE, BUF_SIZE, true) == 0, "rx post");
		tq_kick(hw, rx);
		for (seq = 0; seq < FRAMES_PER_QUEUE; seq++) {
			/* The last frame of pair 0 lives in memory allocated after set-up (hotplug). */
			uint8_t *buf = extra_tx_mem != NULL && q == 0 && seq == FRAMES_PER_QUEUE - 1
					       ? extra_tx_mem
					       : tx->bufs + (size_t)seq * BUF_SIZE;
			uint32_t frame_len = 60 + seq * 40;

			memset(buf, 0, NET_HDR_SIZE);
			fill_frame(buf + NET_HDR_SIZE, frame_len, q, seq);
			require(tq_add(tx, buf, NET_HDR_SIZE + frame_len, false) == 0, "tx post");
		}
		tq_kick(hw, tx);
		end = test_deadline(WAIT_S);
		while (got < FRAMES_PER_QUEUE && !test_past(end)) {
			int ret = tq_get(rx, &cookie, &len);

			if (ret == -EAGAIN) {
				while (tq_get(tx, &cookie, &len) == 0)
					harvested_tx++;
				usleep(1000);
				continue;
			}
			require(ret == 0, "rx used entry on queue %u: %d", rx->index, ret);
			{
				uint8_t *buf = cookie;
				uint32_t seq_of = (uint32_t)(buf - rx->bufs) / BUF_SIZE;
				uint8_t expect[BUF_SIZE];
				uint32_t frame_len = 60 + seq_of * 40;

				/* Rx buffers are used in order by the vhost library: buffer i holds frame i. */
				require(seq_of == got, "frame order: buffer %u for frame %u", seq_of, got);
				require(len == NET_HDR_SIZE + frame_len, "queue %u frame %u: length %u, sent %u",
				        q, got, len, NET_HDR_SIZE + frame_len);
				fill_frame(expect, frame_len, q, seq_of);
				require(memcmp(buf + NET_HDR_SIZE, expect, frame_len) == 0,
				        "queue %u frame %u: content differs", q, got);
			}
			got++;
		}
		require(got == FRAMES_PER_QUEUE, "queue pair %u: %u of %u frames came back", q, got,
		        FRAMES_PER_QUEUE);
		/* A device may hold used Tx entries back to batch them (the vhost library does for packed
		 * rings): every frame came back, so only harvest what is there. */
		while (tq_get(tx, &cookie, &len) == 0)
			harvested_tx++;
		require(harvested_tx <= FRAMES_PER_QUEUE, "tx: %u buffers used, %u sent", harvested_tx,
		        FRAMES_PER_QUEUE);
	}
	printf("traffic: %u frames on each of %u queue pairs came back intact\n", FRAMES_PER_QUEUE,
	       pairs);
}

/* Reads (and so clears) a queue's call eventfd: whether the back end signalled it since last time. */
static bool
call_fd_signalled(struct vionet_transport *hw, uint16_t queue_index)
{
	int fd = vionet_vhost_user_queue_call_fd(hw, queue_index);
	uint64_t count = 0;

	require(fd >= 0, "no call fd for queue %u", queue_index);
	return read(fd, &count, sizeof(count)) == sizeof(count) && count > 0;
}

/*
 * Rx interrupts: the back end signals an Rx queue's call fd when it fills buffers (the ring asks for
 * it: lib/virtq leaves VRING_AVAIL_F_NO_INTERRUPT clear); with no vector it has no fd to signal.
 */
static void
check_call_fds(struct vionet_transport *hw, struct test_queue *qs, uint16_t pairs)
{
	uint16_t q;

	for (q = 0; q < pairs; q++)
		call_fd_signalled(hw, 2 * q);
	traffic(hw, qs, pairs, NULL);
	for (q = 0; q < pairs; q++)
		require(call_fd_signalled(hw, 2 * q), "Rx queue %u: call fd not signalled", 2 * q);
	for (q = 0; q < pairs; q++)
		require(hw->ops->set_queue_vector(hw, 2 * q, 0xffff) == 0, "set_queue_vector none");
	traffic(hw, qs, pairs, NULL);
	for (q = 0; q < pairs; q++)
		require(!call_fd_signalled(hw, 2 * q), "Rx queue %u: signalled without a vector", 2 * q);
	for (q = 0; q < pairs; q++)
		require(hw->ops->set_queue_vector(hw, 2 * q, 0) == 0, "set_queue_vector 0");
	require(vionet_vhost_user_queue_call_fd(hw, 2 * pairs) == -EINVAL, "call fd of no queue");
	printf("call fds: signalled for Rx with a vector, silent without\n");
}

static void
check_config(struct vionet_transport *hw, uint16_t pairs, bool link_up)
{
	struct vionet_net_config cfg;

	require(hw->ops->read_dev_config(hw, 0, &cfg, offsetof(struct vionet_net_config, duplex) + 1) ==
		      0,
	        "read_dev_config");
	require(memcmp(cfg.mac, "\x02\x11\x22\x33\x44\x55", 6) == 0, "config mac is not the devarg");
	require(cfg.max_virtqueue_pairs == pairs, "max_virtqueue_pairs %u", cfg.max_virtqueue_pairs);
	require(!!(cfg.status & VIONET_NET_S_LINK_UP) == link_up, "config link status %u", cfg.status);
	require(cfg.speed == 25000, "config speed %u", cfg.speed);
}

static void
check_mq(struct vionet_transport *hw)
{
	uint16_t one = 1, two = 2, five = 5;

	require(hw->ops->ctrl_command(hw, VIONET_CTRL_MQ, VIONET_CTRL_MQ_VQ_PAIRS_SET, &one,
				    sizeof(one)) == VIONET_CTRL_OK,
	        "VQ_PAIRS_SET 1");
	wait_log("vring2 is disabled", 1);
	wait_log("vring3 is disabled", 1);
	require(hw->ops->ctrl_command(hw, VIONET_CTRL_MQ, VIONET_CTRL_MQ_VQ_PAIRS_SET, &five,
				    sizeof(five)) == VIONET_CTRL_ERR,
	        "VQ_PAIRS_SET beyond the pairs accepted");
	require(hw->ops->ctrl_command(hw, VIONET_CTRL_MQ, VIONET_CTRL_MQ_VQ_PAIRS_SET, &two,
				    sizeof(two)) == VIONET_CTRL_OK,
	        "VQ_PAIRS_SET 2");
	wait_log("vring2 is enabled", 2);
	wait_log("vring3 is enabled", 2);
	printf("control queue: VQ_PAIRS_SET toggled the back end's rings 2 and 3\n");
}

static void
check_recorded_commands(struct vionet_transport *hw)
{
	uint8_t on = 1;
	uint16_t vid = 100;
	uint8_t table[4 + 6 + 4] = {1, 0, 0, 0, 2, 0, 0, 0, 0, 9, 0, 0, 0, 0};
	uint8_t bad_table[4] = {1, 0, 0, 0};

	require(hw->ops->ctrl_command(hw, VIONET_CTRL_RX, VIONET_CTRL_RX_PROMISC, &on, 1) ==
		      VIONET_CTRL_OK,
	        "promisc");
	require(hw->ops->ctrl_command(hw, VIONET_CTRL_VLAN, VIONET_CTRL_VLAN_ADD, &vid, 2) ==
		      VIONET_CTRL_OK,
	        "vlan add");
	require(hw->ops->ctrl_command(hw, VIONET_CTRL_MAC, VIONET_CTRL_MAC_TABLE_SET, table,
				    sizeof(table)) == VIONET_CTRL_OK,
	        "mac table");
	require(hw->ops->ctrl_command(hw, VIONET_CTRL_MAC, VIONET_CTRL_MAC_TABLE_SET, bad_table,
				    sizeof(bad_table)) == VIONET_CTRL_ERR,
	        "truncated mac table accepted");
	require(hw->ops->ctrl_command(hw, VIONET_CTRL_GUEST_OFFLOADS, 0, NULL, 0) == VIONET_CTRL_ERR,
	        "unknown class accepted");
}

static int
run_e2big(struct vionet_transport *hw)
{
	struct test_queue q;
	struct vionet_vq_ring_addrs r = {.queue_index = 0, .size = RING_SIZE};
	int ret;

	device_init(hw, false, 1);
	memset(&q, 0, sizeof(q));
	q.mem = rte_zmalloc(NULL, virtq_split_mem_size(RING_SIZE, 4096), 4096);
	r.desc_va = q.mem;
	r.desc_addr = (uintptr_t)q.mem;
	r.driver_area_addr = r.desc_addr + virtq_split_avail_offset(RING_SIZE);
	r.device_area_addr = r.desc_addr + virtq_split_used_offset(RING_SIZE, 4096);
	ret = hw->ops->setup_queue(hw, &r);
	require(ret == -E2BIG, "setup_queue with one file per hugepage: %d, want -E2BIG", ret);
	rte_free(q.mem);
	printf("e2big: the memory table was refused (see the --single-file-segments hint above)\n");
	return 0;
}

int
main(int argc, char **argv)
{
	static struct vionet_transport hw;
	static char tally_name[64];
	struct test_queue qs[4];
	char prefix[64];
	bool packed, server, e2big;
	uint16_t pairs;
	uint64_t features = 0;
	unsigned int fds_before, events, tables, readies;
	struct rte_malloc_socket_stats before, after;
	uint8_t *extra;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s client-split|client-packed|server-split|e2big testpmd\n",
			argv[0]);
		return 2;
	}
	scenario = argv[1];
	snprintf(tally_name, sizeof(tally_name), "test_vhost_user_transport %s", scenario);
	tally.name = tally_name;
	tally.on_fatal = on_fatal;
	snprintf(testpmd_path, sizeof(testpmd_path), "%s", argv[2]);
	snprintf(work_dir, sizeof(work_dir), "/tmp/vionet-vu-test.XXXXXX");
	require(mkdtemp(work_dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(sock_path, sizeof(sock_path), "%s/vhost.sock", work_dir);
	snprintf(log_path, sizeof(log_path), "%s/backend.log", work_dir);
	packed = strcmp(scenario, "client-packed") == 0;
	server = strcmp(scenario, "server-split") == 0;
	e2big = strcmp(scenario, "e2big") == 0;
	pairs = strcmp(scenario, "client-split") == 0 ? 2 : 1;
	signal(SIGPIPE, SIG_IGN);

	snprintf(prefix, sizeof(prefix), "--file-prefix=vu_fe_%d", (int)getpid());
	{
		/* -m 64: the hotplug step grows memory beyond what EAL reserved at start. */
		char *eal[] = {argv[0], "-l", "0", prefix, "-m", "64", "--no-pci",
			       e2big ? "--log-level=pmd.net.vionet*:info" : "--single-file-segments",
			       "--log-level=pmd.net.vionet*:info", NULL};

		ret = rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal);
		require(ret >= 0, "rte_eal_init");
	}
	rte_malloc_get_socket_stats(0, &before);

	snprintf(hw.name, sizeof(hw.name), "vu_test0");
	snprintf(hw.devargs.path, sizeof(hw.devargs.path), "%s", sock_path);
	hw.devargs.server = server;
	hw.devargs.queue_pairs = pairs;
	hw.devargs.mac_set = true;
	memcpy(hw.devargs.mac.addr_bytes, "\x02\x11\x22\x33\x44\x55", 6);
	hw.devargs.speed_mbps = 25000;
	hw.link_changed = test_link_changed;

	if (!server) {
		start_backend();
		wait_socket();
	} else {
		/* A socket file left by a server that died: nobody accepts on it, so it is replaced. */
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int stale = socket(AF_UNIX, SOCK_STREAM, 0);

		require(strlen(sock_path) < sizeof(sa.sun_path), "socket path too long");
		memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
		require(stale >= 0 && bind(stale, (struct sockaddr *)&sa, sizeof(sa)) == 0,
		        "stale socket: %s", strerror(errno));
		close(stale);
		start_backend(); /* it connects to us once we listen, retrying until then */
	}
	fds_before = open_fds();
	ret = vionet_vhost_user_create(&hw);
	require(ret == 0, "vionet_vhost_user_create: %d", ret);
	require(hw.ops->link_up(&hw) == 1, "link down right after create");
	if (e2big) {
		run_e2big(&hw);
		goto close;
	}
	check_config(&hw, pairs, true);
	wait_backend_port_started();

	/* Set-up and traffic. */
	features = device_init(&hw, packed, pairs);
	device_start(&hw, qs, pairs, packed, features);
	wait_log("virtio is now ready for processing", 1);
	traffic(&hw, qs, pairs, NULL);
	check_call_fds(&hw, qs, pairs);
	check_recorded_commands(&hw);
	if (pairs > 1)
		check_mq(&hw);

	/* Memory hotplug: a block beyond EAL's initial 64 MB must reach the back end's table. */
	tables = log_count("guest memory region size");
	extra = rte_malloc(NULL, 96 << 20, 4096);
	require(extra != NULL, "96 MB more memory");
	wait_log("guest memory region size", tables + 1);
	traffic(&hw, qs, pairs, extra + (64 << 20));
	printf("hotplug: the memory table was sent again; a frame in the new memory passed\n");

	/* The back end dies: link down; ops refuse; it comes back: link up, set-up again, traffic. */
	events = __atomic_load_n(&link_events, __ATOMIC_ACQUIRE);
	readies = log_count("virtio is now ready for processing");
	stop_backend(false);
	wait_link_event(events + 1, 0);
	require(hw.ops->link_up(&hw) == 0, "link_up after the back end died");
	check_config(&hw, pairs, false);
	require(hw.ops->set_features(&hw, features) == -ENOTCONN, "set_features while disconnected");
	if (!server)
		unlink(sock_path);
	start_backend();
	wait_link_event(events + 2, 1);
	wait_backend_port_started();
	printf("reconnect: link down then up (%u callbacks)\n", link_events);
	device_stop(&hw, qs, pairs);
	device_init(&hw, packed, pairs);
	device_start(&hw, qs, pairs, packed, features);
	wait_log("virtio is now ready for processing", readies + 1);
	traffic(&hw, qs, pairs, NULL);
	device_stop(&hw, qs, pairs);
	rte_free(extra);

close:
	hw.ops->close(&hw);
	require(hw.priv == NULL, "transport state left after close");
	require(open_fds() == fds_before, "fds: %u before create, %u after close", fds_before,
	        open_fds());
	rte_malloc_get_socket_stats(0, &after);
	require(after.heap_allocsz_bytes == before.heap_allocsz_bytes,
	        "rte_malloc: %zu bytes before create, %zu after close", before.heap_allocsz_bytes,
	        after.heap_allocsz_bytes);
	stop_backend(true);
	if (!e2big) {
		char line[128];

		snprintf(line, sizeof(line), "negotiated Virtio features: 0x%" PRIx64,
			 (features & ~(F(VIONET_NET_F_MAC) | F(VIONET_NET_F_STATUS) |
				       F(VIONET_NET_F_CTRL_VQ))) | F(30));
		require(log_count(line) >= 2, "the back end did not report our features: %s", line);
	}
	rte_eal_cleanup();
	unlink(sock_path);
	unlink(log_path);
	rmdir(work_dir);
	return tally_finish();
}
