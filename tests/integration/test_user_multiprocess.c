/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-process over vhost-user: a secondary process attaches to the net_vionet_user port a primary
 * started and runs bursts on the primary's queues, kicking the back end through kick fds the
 * primary handed over rte_mp.
 *
 * usage: test_user_multiprocess <plugin.so>
 *   The primary holds DPDK's vhost library as the back end (test_vhost_backend.h) and our port with
 *   PAIRS queue pairs (2 * PAIRS kick fds: more than one rte_mp message carries), starts it, then runs
 *   this program again as a secondary (same file prefix, lcore 1, --proc-type=secondary) and
 *   echoes what the back end dequeues from each of our Tx rings into the Rx ring of the same pair.
 *   The secondary, through the ethdev API only:
 *     - sees the port, the vhost-user transport in fw_version, the link; is refused a stop;
 *     - on every queue pair sends FRAMES frames and receives exactly them back, byte for byte;
 *     - reads its Tx and Rx kicks in xstats (notifications_sent): the primary then finds exactly as
 *       many on the back end's copies of the kick fds, so each kick went through the right fd;
 *     - takes a used entry the primary wrote into Rx ring 0 with an id beyond the ring: the port is
 *       broken (xstat device_broken), and the primary, which does not burst, gets one
 *       RTE_ETH_EVENT_INTR_RESET;
 *     - closes the port: its open fds drop by exactly the kick fds it received, no eventfd is left.
 *   The primary then recovers the port (stop, start) and runs a round trip itself: the secondary's
 *   detach left the port running.
 *
 * Waits are bounded only to turn a hang into a failure; nothing asserts timing.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_vhost.h>

#include "test_ethdev.h"
#include "test_tally.h"
#include "test_vhost_backend.h"

#define PAIRS 5	      /* 10 kick fds: two rte_mp messages of at most 8 */
#define RING_SIZE 256
#define FRAMES 64     /* per queue pair */
#define FRAME_LEN 128 /* bytes */
#define BURST 16
#define HANG_S 30
#define SECONDARY_HANG_S 120
#define POOL_NAME "ump_pool"
#define CTL_NAME "ump_ctl"
/* Where the primary reserves its memory (EAL --base-virtaddr): see run_primary. */
#define TEST_MP_BASE_VIRTADDR "0x200000000000"
#define PORT_NAME "net_vionet_user0"

/* What the two processes tell each other (a memzone both see). */
struct ump_ctl {
	uint32_t exchanged;	/* secondary: its frames all came back; stop echoing */
	uint32_t break_written; /* primary: the bad used entry is in Rx ring 0 */
	uint32_t break_seen;	/* secondary: its Rx burst found it */
	uint32_t break_raised;	/* primary: RTE_ETH_EVENT_INTR_RESET came */
	uint64_t kicks[2 * PAIRS]; /* secondary: notifications_sent per ring (queue index order) */
};

static struct ump_ctl *ctl;

static void
ctl_set(uint32_t *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

static bool
ctl_get(uint32_t *flag)
{
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0;
}

static void
ctl_wait(uint32_t *flag, const char *what)
{
	double end = test_deadline(HANG_S);

	while (!ctl_get(flag)) {
		if (test_past(end))
			fatal("waited in vain for %s", what);
		usleep(1000);
	}
}

/* This process's open fds, and how many of them are eventfds. */
static unsigned int
count_fds(unsigned int *eventfds)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	if (d == NULL)
		fatal("/proc/self/fd: %s", strerror(errno));
	*eventfds = 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], target[64];
		ssize_t len;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			*eventfds += strcmp(target, "anon_inode:[eventfd]") == 0;
		}
	}
	closedir(d);
	return n;
}

/* ---- The secondary ---- */

static uint64_t
kicks_of(uint16_t port, uint16_t ring)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_q%u_notifications_sent", ring % 2 == 0 ? "rx" : "tx",
		 ring / 2);
	return test_xstat(port, name);
}

/* FRAMES frames out of queue q, and exactly them back (the primary echoes), in order. */
static void
exchange(struct test_loop *l, uint16_t q)
{
	struct rte_mbuf *burst[BURST];
	uint32_t sent = 0, received = 0, bad = 0, seq0 = l->seq;
	double end = test_deadline(HANG_S);

	while (received < FRAMES) {
		if (sent < FRAMES) {
			uint16_t n = (uint16_t)RTE_MIN((uint32_t)BURST, FRAMES - sent), done;

			for (uint16_t i = 0; i < n; i++)
				burst[i] = test_frame(l, seq0 + sent + i, FRAME_LEN);
			done = rte_eth_tx_burst(l->port, q, burst, n);
			rte_pktmbuf_free_bulk(burst + done, n - done);
			sent += done;
		}
		{
			uint16_t n = rte_eth_rx_burst(l->port, q, burst, BURST);

			for (uint16_t i = 0; i < n; i++)
				bad += !test_frame_ok(burst[i], seq0 + received + i, FRAME_LEN);
			received += n;
			rte_pktmbuf_free_bulk(burst, n);
		}
		if (test_past(end))
			fatal("secondary: queue %u: %u frames sent, %u of %d back", q, sent, received,
			      FRAMES);
	}
	check(bad == 0, "secondary: queue %u: %u frames came back wrong", q, bad);
	l->seq += FRAMES;
}

static void
secondary_checks(uint16_t port)
{
	struct rte_eth_dev_info info;
	char fw[128];
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	check(ret == 0 && strcmp(info.driver_name, "net_vionet_user") == 0 &&
		      info.max_rx_queues >= PAIRS,
	      "secondary: info: ret %d driver %s max_rx_queues %u", ret,
	      ret == 0 ? info.driver_name : "?", info.max_rx_queues);
	ret = rte_eth_dev_fw_version_get(port, fw, sizeof(fw));
	check(ret == 0 && strstr(fw, "vhost-user") != NULL, "secondary: fw_version '%s' (%d)",
	      ret == 0 ? fw : "", ret);
	test_port_wait_link(port, true, HANG_S, "secondary");
	ret = rte_eth_dev_stop(port);
	check(ret == -ENOTSUP, "secondary: stop returned %d, expected -ENOTSUP", ret);
}

/* Rx bursts on queue 0 until the bad used entry the primary wrote breaks the port. */
static void
secondary_take_break(uint16_t port)
{
	struct rte_mbuf *burst[BURST];
	double end = test_deadline(HANG_S);
	uint64_t broken;

	ctl_wait(&ctl->break_written, "the primary's bad used entry");
	do {
		uint16_t n = rte_eth_rx_burst(port, 0, burst, BURST);

		check(n == 0, "secondary: %u frames received from the bad used entry", n);
		rte_pktmbuf_free_bulk(burst, n);
		broken = test_xstat(port, "device_broken");
		if (broken == 0 && test_past(end))
			fatal("secondary: the bad used entry never broke the port");
	} while (broken == 0);
	check(broken == 1, "secondary: device_broken %" PRIu64 ", expected 1", broken);
	ctl_set(&ctl->break_seen);
	ctl_wait(&ctl->break_raised, "the primary's RTE_ETH_EVENT_INTR_RESET");
}

static int
run_secondary(void)
{
	const struct rte_memzone *mz = rte_memzone_lookup(CTL_NAME);
	struct test_loop l = {0};
	unsigned int fds_before, fds_after, ev_before, ev_after;
	int ret;

	tally.name = "test_user_multiprocess secondary";
	check(rte_eal_process_type() == RTE_PROC_SECONDARY, "not running as a secondary");
	l.ours_pool = rte_mempool_lookup(POOL_NAME);
	if (mz == NULL || l.ours_pool == NULL)
		fatal("secondary: no memzone %s or mempool %s from the primary", CTL_NAME, POOL_NAME);
	ctl = mz->addr;
	if (rte_eth_dev_get_port_by_name(PORT_NAME, &l.port) != 0)
		fatal("secondary: no port %s attached", PORT_NAME);
	secondary_checks(l.port);
	for (uint16_t q = 0; q < PAIRS; q++)
		exchange(&l, q);
	for (uint16_t ring = 0; ring < 2 * PAIRS; ring++)
		ctl->kicks[ring] = kicks_of(l.port, ring);
	ctl_set(&ctl->exchanged);
	secondary_take_break(l.port);

	fds_before = count_fds(&ev_before);
	ret = rte_eth_dev_close(l.port);
	check(ret == 0, "secondary: close: %s", strerror(-ret));
	fds_after = count_fds(&ev_after);
	check(fds_before - fds_after == 2 * PAIRS,
	      "secondary: %u fds open before the close, %u after: expected %d kick fds closed",
	      fds_before, fds_after, 2 * PAIRS);
	check(ev_before >= 2 * PAIRS && ev_before - ev_after == 2 * PAIRS,
	      "secondary: %u eventfds open before the close, %u after", ev_before, ev_after);
	printf("secondary: %u fds (%u eventfds) open attached, %u (%u) after the close\n",
	       fds_before, ev_before, fds_after, ev_after);
	ret = rte_eal_cleanup();
	check(ret == 0, "secondary: rte_eal_cleanup: %s", strerror(-ret));
	return tally_finish();
}

/* ---- The primary ---- */

/* The secondary's arguments: the EAL's, with lcore 1 and --proc-type=secondary. */
static pid_t
spawn_secondary(const char *argv0, const char *plugin, const char *prefix)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		char *args[] = {(char *)argv0, "--secondary", "-l", "1", (char *)prefix,
				"--no-pci", "--single-file-segments", "-d", (char *)plugin,
				"--proc-type=secondary", "--log-level=pmd.net.vionet*:info", NULL};

		execv("/proc/self/exe", args);
		fprintf(stderr, "execv: %s\n", strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * Echoes the back end's Tx dequeues into the same pair's Rx ring; returns frames echoed, counts in
 * *lost what the Rx ring had no room for.
 */
static uint32_t
echo_once(struct rte_mempool *vhost_pool, uint32_t *lost)
{
	struct rte_mbuf *m[BURST];
	uint32_t echoed = 0;

	for (uint16_t q = 0; q < PAIRS; q++) {
		uint16_t n = rte_vhost_dequeue_burst(test_backend.vid, 2 * q + 1, vhost_pool, m, BURST);
		uint16_t enq = n == 0 ? 0 : rte_vhost_enqueue_burst(test_backend.vid, 2 * q, m, n);

		rte_pktmbuf_free_bulk(m, n);
		*lost += (uint32_t)(n - enq);
		echoed += enq;
	}
	return echoed;
}

/* Reads and so clears the kick counter of one of our rings, as the back end holds it. */
static uint64_t
take_kicks(uint16_t ring)
{
	struct rte_vhost_vring vr;
	uint64_t count = 0;

	if (rte_vhost_get_vhost_vring(test_backend.vid, ring, &vr) != 0 || vr.kickfd < 0)
		fatal("primary: the back end's ring %u", ring);
	/* Our kick fds are non-blocking (one open file shared with the back end's copy). */
	if (read(vr.kickfd, &count, sizeof(count)) != sizeof(count) && errno != EAGAIN)
		fatal("primary: read the kick fd of ring %u: %s", ring, strerror(errno));
	return count;
}

/* A used entry in Rx ring 0 whose id is beyond the ring (2.7.8 The Virtqueue Used Ring). */
static void
write_bad_used_entry(void)
{
	struct rte_vhost_vring vr;
	uint16_t last_avail, last_used;
	struct vring_used_elem *e;

	if (rte_vhost_get_vhost_vring(test_backend.vid, 0, &vr) != 0 ||
	    rte_vhost_get_vring_base(test_backend.vid, 0, &last_avail, &last_used) != 0)
		fatal("primary: the back end's Rx ring");
	e = &vr.used->ring[last_used & (vr.size - 1)];
	e->id = vr.size + 7;
	e->len = FRAME_LEN;
	/* release: the entry before the index that publishes it */
	__atomic_store_n(&vr.used->idx, (uint16_t)(last_used + 1), __ATOMIC_RELEASE);
}

static int
wait_secondary(pid_t pid)
{
	double end = test_deadline(SECONDARY_HANG_S);
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (test_past(end)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fatal("the secondary hung (killed after %d s)", SECONDARY_HANG_S);
		}
		usleep(10000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Echo while the secondary exchanges; break Rx ring 0 under it; wait for it to end. */
static int
serve_secondary(pid_t pid, struct rte_mempool *vhost_pool, uint32_t *resets)
{
	double end = test_deadline(SECONDARY_HANG_S);
	uint32_t echoed = 0, lost = 0;
	uint64_t kicks = 0;
	int status;

	while (!ctl_get(&ctl->exchanged)) {
		echoed += echo_once(vhost_pool, &lost);
		if (waitpid(pid, &status, WNOHANG) == pid)
			fatal("the secondary ended (status 0x%x) before its exchange", status);
		if (test_past(end))
			fatal("the secondary's exchange hung (%u frames echoed)", echoed);
	}
	check(echoed == PAIRS * FRAMES && lost == 0,
	      "primary: echoed %u frames (%u found no room), the secondary sent %d", echoed, lost,
	      PAIRS * FRAMES);
	/* Every kick the secondary counted went through its copy of that ring's kick fd. */
	for (uint16_t ring = 0; ring < 2 * PAIRS; ring++) {
		uint64_t got = take_kicks(ring);

		check(got == ctl->kicks[ring],
		      "primary: ring %u: the back end's kick fd counts %" PRIu64 ", the secondary "
		      "sent %" PRIu64, ring, got, ctl->kicks[ring]);
		kicks += got;
	}
	/* Without a kick in the secondary the count above proves nothing. */
	check(ctl->kicks[1] > 0, "primary: the secondary's Tx on queue 0 never kicked");
	printf("primary: %" PRIu64 " kicks from the secondary on %d rings, each on its ring's fd\n",
	       kicks, 2 * PAIRS);
	write_bad_used_entry();
	ctl_set(&ctl->break_written);
	ctl_wait(&ctl->break_seen, "the secondary to take the bad used entry");
	end = test_deadline(HANG_S);
	while (__atomic_load_n(resets, __ATOMIC_ACQUIRE) == 0 && !test_past(end))
		usleep(1000);
	check(__atomic_load_n(resets, __ATOMIC_ACQUIRE) == 1,
	      "primary: %u RTE_ETH_EVENT_INTR_RESET for the break the secondary saw, expected 1",
	      __atomic_load_n(resets, __ATOMIC_ACQUIRE));
	ctl_set(&ctl->break_raised);
	return wait_secondary(pid);
}

static int
run_primary(const char *argv0, const char *plugin)
{
	char prefix[64], args[256];
	const struct rte_memzone *mz;
	struct test_loop l = {0};
	struct rte_eth_conf conf = {0};
	uint32_t resets = 0;
	pid_t pid;
	int rc;

	tally.name = "test_user_multiprocess";
	test_socket_path(test_backend.sock, sizeof(test_backend.sock));
	snprintf(prefix, sizeof(prefix), "--file-prefix=vionet_ump_%d", getpid());
	{
		/*
		 * A secondary maps the primary's memory at the primary's virtual addresses, which must
		 * then be free in it too. Left to the kernel, the primary's ranges lie just below its
		 * libraries, where the secondary (another layout, and in the sanitizer pass the
		 * preloaded runtime's own mappings) may have put something ("Cannot get a virtual area
		 * at requested address"): the primary's come from high above the usual mappings
		 * instead, above AddressSanitizer's shadow and below its allocator.
		 */
		char *eal[] = {(char *)argv0, "-l", "0", prefix, "-m", "256", "--no-pci",
			       "--single-file-segments", "--base-virtaddr=" TEST_MP_BASE_VIRTADDR,
			       "-d", (char *)plugin, "--log-level=pmd.net.vionet*:info", NULL};

		if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
			fatal("EAL init");
	}
	/* No per-lcore cache: both processes take from it. */
	l.ours_pool = rte_pktmbuf_pool_create(POOL_NAME, 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					      rte_socket_id());
	l.vhost_pool = test_pool("ump_vhost", 4095);
	mz = rte_memzone_reserve(CTL_NAME, sizeof(*ctl), rte_socket_id(), 0);
	if (l.ours_pool == NULL || mz == NULL)
		fatal("primary: mempool or memzone: %s", rte_strerror(rte_errno));
	ctl = mz->addr;
	memset(ctl, 0, sizeof(*ctl));

	test_backend_start(0);
	snprintf(args, sizeof(args), "path=%s,queues=%d", test_backend.sock, PAIRS);
	if (rte_vdev_init(PORT_NAME, args) < 0 || rte_eth_dev_get_port_by_name(PORT_NAME, &l.port) != 0)
		fatal("primary: %s probe", PORT_NAME);
	rte_eth_dev_callback_register(l.port, RTE_ETH_EVENT_INTR_RESET, test_count_event, &resets);
	test_port_configure(l.port, &conf, PAIRS, RING_SIZE, l.ours_pool);
	test_port_start(l.port, HANG_S, "primary");
	test_backend_wait_running("primary");
	for (uint16_t ring = 0; ring < 2 * PAIRS; ring++)
		take_kicks(ring); /* the primary's own kicks at start */

	pid = spawn_secondary(argv0, plugin, prefix);
	rc = serve_secondary(pid, l.vhost_pool, &resets);
	check(rc == 0, "the secondary exited with %d", rc);

	/* The break is the primary's to clear; the secondary's detach left the port running. */
	check(rte_eth_dev_stop(l.port) == 0, "primary: stop after the break");
	test_port_start(l.port, HANG_S, "primary after the secondary");
	test_loop_round_trip(&l, BURST, FRAME_LEN, "primary after the secondary");
	check(rte_eth_dev_stop(l.port) == 0, "primary: final stop");
	check(rte_eth_dev_close(l.port) == 0, "primary: close");
	test_backend_stop();
	rte_eal_cleanup();
	return tally_finish();
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--secondary") == 0) {
		argv[1] = argv[0];
		if (rte_eal_init(argc - 1, argv + 1) < 0)
			fatal("secondary: rte_eal_init: %s", rte_strerror(rte_errno));
		return run_secondary();
	}
	if (argc != 2)
		fatal("usage: %s <plugin.so>", argv[0]);
	return run_primary(argv[0], argv[1]);
}
