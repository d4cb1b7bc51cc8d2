/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-process: a secondary process attaches to the net_vionet PCI ports a primary set up and runs
 * bursts on the primary's queues (the vm suite's guest: two functions on one QEMU hub).
 *
 * usage: test_multiprocess <EAL arguments...>
 *   The primary configures and starts both ports (1 queue pair each), then runs this program again
 *   as a secondary (same arguments, --proc-type=secondary, lcore 1 instead of the primary's) and
 *   waits for it, twice: a second attach after the first one detached. The secondary, through the
 *   ethdev API only:
 *     - sees both ports, their device info, a link read through its own transport handles, and the
 *       transport in fw_version;
 *     - is refused what configures (stop, promiscuous, MTU, stats reset: -ENOTSUP);
 *     - sends FRAMES frames of known content on port 0 and receives exactly them on port 1 (the hub
 *       carries each to the other function), then back from port 1 to port 0; its Tx kicks the
 *       device through its own mapping of the doorbell (xstat tx_q0_notifications_sent);
 *     - reads the counts in stats and xstats;
 *     - second run only: keeps bursting on both ports while the primary stops them; once the stop
 *       returned its bursts take and return nothing (the queues' gates are closed), and nothing
 *       crashes; after the primary started the ports again the exchange above works again (frames
 *       QEMU held for the stopped port arrive first and are told apart by a phase byte);
 *     - closes port 0 itself and leaves port 1 to rte_eal_cleanup (the driver's remove).
 *   After each secondary the primary reads the same counts from its side, and at the end sends
 *   frames itself: the secondaries' detach left the device running.
 *
 * A frame not there is waited for with a bound that only turns a hang into a failure; nothing here
 * asserts timing.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_mempool.h>

#include "test_ethdev.h"
#include "test_tally.h"

#define POOL_NAME "mp_test_pool"
#define POOL_SIZE 4095
#define RING_SIZE 256
#define FRAMES 64	/* per direction: fewer than the Rx ring holds */
#define FRAME_LEN 128	/* bytes, Ethernet header included */
#define BURST 16
#define HANG_S 30	/* a frame or a link not there after this long: a hang */
#define SECONDARY_RUNS 2
#define SECONDARY_HANG_S 180

#define STOPPED_BURSTS 200   /* bursts per port the secondary tries on the stopped ports */
#define STOP_AFTER_BURSTS 32 /* the secondary's bursts before it asks the primary to stop */

/* Frame phase byte: the exchanges, and the frames sent around the primary's stop. */
#define PHASE_EXCHANGE 1
#define PHASE_AROUND_STOP 0xee

/* The primary's stop and start while the secondary bursts: a memzone both processes see. */
#define CTL_NAME "mp_test_ctl"
struct mp_ctl {
	uint32_t restart_run;  /* primary: this secondary run does the stop/start phase */
	uint32_t bursting;     /* secondary: it bursts now; stop the ports */
	uint32_t stopped;      /* primary: both ports stopped (rte_eth_dev_stop returned) */
	uint32_t idle;	       /* secondary: its bursts on the stopped ports are done */
	uint32_t started;      /* primary: both ports started again, stats reset */
	uint32_t stale_rx[2];  /* secondary: frames from around the stop it received after the start */
};

static const uint8_t src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x55};

static void
ctl_set(uint32_t *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

/* Waits (bounded) for the other process to set 'flag'. */
static void
ctl_wait(uint32_t *flag, const char *what)
{
	double end = test_deadline(HANG_S * 2);

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) {
		if (test_past(end))
			fatal("waited in vain for %s", what);
		usleep(1000);
	}
}


/* The byte at 'offset' of frame 'seq' sent by 'from': both sides compute it. */
static uint8_t
pattern(uint16_t from, uint32_t seq, unsigned int offset)
{
	return (uint8_t)(offset * 7 + seq * 13 + from * 101);
}

static struct rte_mbuf *
make_frame(struct rte_mempool *pool, uint16_t from, uint32_t seq, uint8_t phase)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (m == NULL)
		fatal("pool %s empty", pool->name);
	p = (uint8_t *)rte_pktmbuf_append(m, FRAME_LEN);
	if (p == NULL)
		fatal("no room for a %d-byte frame", FRAME_LEN);
	memset(p, 0xff, 6); /* broadcast: received whatever the port's filters */
	memcpy(p + 6, src_mac, 6);
	p[12] = 0x88; /* local experimental ethertype */
	p[13] = 0xb5;
	memcpy(p + 14, &seq, sizeof(seq));
	p[18] = (uint8_t)from;
	p[19] = phase;
	for (unsigned int i = 20; i < FRAME_LEN; i++)
		p[i] = pattern(from, seq, i);
	return m;
}

static uint8_t
frame_phase(const struct rte_mbuf *m)
{
	return m->data_len > 19 ? rte_pktmbuf_mtod(m, const uint8_t *)[19] : 0;
}

static bool
frame_ok(const struct rte_mbuf *m, uint16_t from, uint32_t seq)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t got;

	if (m->pkt_len != FRAME_LEN || m->data_len != FRAME_LEN)
		return false;
	memcpy(&got, p + 14, sizeof(got));
	if (got != seq || p[18] != from || p[19] != PHASE_EXCHANGE || memcmp(p + 6, src_mac, 6) != 0)
		return false;
	for (unsigned int i = 20; i < FRAME_LEN; i++)
		if (p[i] != pattern(from, seq, i))
			return false;
	return true;
}

/*
 * FRAMES frames out of port 'from', then exactly those, in order and intact, into port 'to'. The
 * Rx queue count (rte_eth_rx_queue_count) must show them all before they are taken. Frames sent
 * around a stop of the primary (their phase byte) may come first; they are counted in *stale.
 */
static void
exchange(struct rte_mempool *pool, uint16_t from, uint16_t to, const char *who, uint32_t *stale)
{
	struct rte_mbuf *burst[BURST];
	uint32_t sent = 0, received = 0, bad = 0, old = 0;
	double end = test_deadline(HANG_S);

	while (sent < FRAMES) {
		uint16_t n = (uint16_t)RTE_MIN((uint32_t)BURST, FRAMES - sent), done;

		for (uint16_t i = 0; i < n; i++)
			burst[i] = make_frame(pool, from, sent + i, PHASE_EXCHANGE);
		done = rte_eth_tx_burst(from, 0, burst, n);
		rte_pktmbuf_free_bulk(burst + done, n - done);
		sent += done;
		if (done < n && test_past(end))
			fatal("%s: port %u accepted %u of %d frames", who, from, sent, FRAMES);
	}
	while (rte_eth_rx_queue_count(to, 0) < FRAMES)
		if (test_past(end))
			fatal("%s: port %u Rx queue count %d, expected %d frames from port %u", who, to,
			      rte_eth_rx_queue_count(to, 0), FRAMES, from);
	while (received < FRAMES) {
		uint16_t n = rte_eth_rx_burst(to, 0, burst, BURST);

		for (uint16_t i = 0; i < n; i++) {
			if (stale != NULL && frame_phase(burst[i]) == PHASE_AROUND_STOP)
				old++;
			else
				bad += !frame_ok(burst[i], from, received++);
		}
		rte_pktmbuf_free_bulk(burst, n);
		if (n == 0 && test_past(end))
			break;
	}
	if (stale != NULL)
		*stale += old;
	check(received == FRAMES, "%s: port %u received %u frames, %d sent from port %u", who, to,
	      received, FRAMES, from);
	check(bad == 0, "%s: %u of the frames port %u received differ from what port %u sent", who,
	      bad, to, from);
	/* Nothing more: the hub delivers each frame once. */
	check(rte_eth_rx_burst(to, 0, burst, BURST) == 0, "%s: port %u received extra frames", who, to);
}

/*
 * One port's stats after one exchange each way: FRAMES frames out, FRAMES in (and 'stale' frames
 * from around a stop), no error.
 */
static void
check_stats(uint16_t port, uint32_t stale, const char *who)
{
	struct rte_eth_stats st;
	int ret = rte_eth_stats_get(port, &st);

	check(ret == 0, "%s: stats_get port %u: %s", who, port, strerror(-ret));
	check(st.opackets == FRAMES && st.obytes == (uint64_t)FRAMES * FRAME_LEN,
	      "%s: port %u sent %" PRIu64 " frames, %" PRIu64 " bytes; expected %d, %d", who, port,
	      st.opackets, st.obytes, FRAMES, FRAMES * FRAME_LEN);
	check(st.ipackets == FRAMES + stale && st.ibytes == (uint64_t)(FRAMES + stale) * FRAME_LEN,
	      "%s: port %u received %" PRIu64 " frames, %" PRIu64 " bytes; expected %u, %u", who,
	      port, st.ipackets, st.ibytes, FRAMES + stale, (FRAMES + stale) * FRAME_LEN);
	check(st.ierrors == 0 && st.oerrors == 0 && st.rx_nombuf == 0,
	      "%s: port %u errors rx %" PRIu64 " tx %" PRIu64 " nombuf %" PRIu64, who, port,
	      st.ierrors, st.oerrors, st.rx_nombuf);
}

/* ---- The secondary ---- */

static void
secondary_port_checks(uint16_t port)
{
	struct rte_eth_dev_info info;
	char fw[128];
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	check(ret == 0 && strcmp(info.driver_name, "net_vionet") == 0 && info.max_rx_queues >= 1 &&
		      info.rx_desc_lim.nb_max >= RING_SIZE,
	      "secondary: port %u info: ret %d driver %s max_rx_queues %u ring max %u", port, ret,
	      ret == 0 ? info.driver_name : "?", info.max_rx_queues, info.rx_desc_lim.nb_max);
	ret = rte_eth_dev_fw_version_get(port, fw, sizeof(fw));
	check(ret == 0 && strstr(fw, "pci-") != NULL, "secondary: port %u fw_version '%s' (%d)", port,
	      ret == 0 ? fw : "", ret);
	/* The primary did not ask for LSC: this reads the device through our own handles. */
	test_port_wait_link(port, true, HANG_S, "secondary");
	ret = rte_eth_dev_stop(port);
	check(ret == -ENOTSUP, "secondary: port %u stop returned %d, expected -ENOTSUP", port, ret);
	ret = rte_eth_promiscuous_disable(port);
	check(ret == -ENOTSUP, "secondary: port %u promiscuous off returned %d", port, ret);
	ret = rte_eth_dev_set_mtu(port, 1400);
	check(ret == -ENOTSUP, "secondary: port %u set_mtu returned %d", port, ret);
	ret = rte_eth_stats_reset(port);
	check(ret == -ENOTSUP, "secondary: port %u stats_reset returned %d", port, ret);
}

/*
 * Bursts on both ports, back to back, while the primary stops them (port 0 first, so that port 1
 * drains what port 0 sent until it stops too): Tx of frames marked PHASE_AROUND_STOP on port 0, Rx on
 * both. The primary is asked to stop once frames flow. Once it says the stop returned, every burst
 * must take and return nothing.
 */
static void
burst_through_stop(struct rte_mempool *pool, struct mp_ctl *ctl)
{
	struct rte_mbuf *burst[BURST];
	uint32_t seq = 0, before_stop = 0, after_stop = 0, tries = 0, iterations = 0;
	double end = test_deadline(HANG_S * 2);
	bool stopped = false;

	while (tries < STOPPED_BURSTS) {
		uint16_t n;

		if (!stopped && __atomic_load_n(&ctl->stopped, __ATOMIC_ACQUIRE) != 0)
			stopped = true; /* every burst from here on starts after the stop returned */
		if (!stopped && test_past(end))
			fatal("secondary: the primary never stopped the ports");
		for (uint16_t i = 0; i < BURST; i++)
			burst[i] = make_frame(pool, 0, seq++, PHASE_AROUND_STOP);
		n = rte_eth_tx_burst(0, 0, burst, BURST);
		rte_pktmbuf_free_bulk(burst + n, BURST - n);
		if (stopped)
			after_stop += n;
		else
			before_stop += n;
		for (uint16_t port = 0; port < 2; port++) {
			n = rte_eth_rx_burst(port, 0, burst, BURST);
			rte_pktmbuf_free_bulk(burst, n);
			if (stopped)
				after_stop += n;
		}
		if (stopped)
			tries++;
		if (++iterations == STOP_AFTER_BURSTS)
			ctl_set(&ctl->bursting);
	}
	check(after_stop == 0, "secondary: %u frames went through the stopped ports' queues",
	      after_stop);
	printf("secondary: %u frames sent before the primary's stop returned, then %u bursts per port "
	       "on the stopped ports\n", before_stop, STOPPED_BURSTS);
	ctl_set(&ctl->idle);
	ctl_wait(&ctl->started, "the primary to start the ports again");
}

static int
run_secondary(void)
{
	const struct rte_memzone *mz = rte_memzone_lookup(CTL_NAME);
	struct mp_ctl *ctl;
	struct rte_mempool *pool;
	uint32_t stale[2] = {0, 0};
	uint64_t v;
	int ret;

	tally.name = "test_multiprocess secondary";
	check(rte_eal_process_type() == RTE_PROC_SECONDARY, "not running as a secondary");
	if (rte_eth_dev_count_avail() != 2)
		fatal("secondary: %u ports attached, expected 2", rte_eth_dev_count_avail());
	pool = rte_mempool_lookup(POOL_NAME);
	if (pool == NULL || mz == NULL)
		fatal("secondary: no mempool %s or memzone %s from the primary", POOL_NAME, CTL_NAME);
	ctl = mz->addr;
	for (uint16_t port = 0; port < 2; port++)
		secondary_port_checks(port);

	if (ctl->restart_run) {
		burst_through_stop(pool, ctl);
		for (uint16_t port = 0; port < 2; port++)
			test_port_wait_link(port, true, HANG_S, "secondary after the primary's restart");
	}
	exchange(pool, 0, 1, "secondary 0->1", ctl->restart_run ? &stale[1] : NULL);
	exchange(pool, 1, 0, "secondary 1->0", ctl->restart_run ? &stale[0] : NULL);
	for (uint16_t port = 0; port < 2; port++) {
		check_stats(port, stale[port], "secondary");
		ctl->stale_rx[port] = stale[port];
	}
	if (ctl->restart_run)
		printf("secondary: %u frames from around the stop reached port 1 after the start\n",
		       stale[1]);
	v = test_xstat(0, "tx_q0_size_128_to_255_packets");
	check(v == FRAMES, "secondary: port 0 xstat tx_q0_size_128_to_255_packets %" PRIu64, v);
	v = test_xstat(0, "tx_q0_notifications_sent");
	check(v != UINT64_MAX && v > 0, "secondary: port 0 Tx never kicked the device (%" PRIu64 ")",
	      v);
	/* The port still runs: the refused stop above changed nothing. */
	check(rte_eth_dev_is_valid_port(0), "secondary: port 0 gone");

	ret = rte_eth_dev_close(0);
	check(ret == 0, "secondary: close port 0: %s", strerror(-ret));
	ret = rte_eal_cleanup(); /* port 1: the driver's remove closes it */
	check(ret == 0, "secondary: rte_eal_cleanup: %s", strerror(-ret));
	return tally_finish();
}

/* ---- The primary ---- */

static void
setup_port(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = {0};
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, RING_SIZE, rte_socket_id(), NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, RING_SIZE, rte_socket_id(), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret == 0)
		ret = rte_eth_promiscuous_enable(port);
	if (ret < 0)
		fatal("primary: port %u set-up: %s", port, strerror(-ret));
}

/* The secondary's arguments: ours after the program name, on lcore 1, as a secondary. */
static char **
secondary_argv(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 3, sizeof(*args));
	int n = 0;

	if (args == NULL)
		fatal("no memory");
	args[n++] = argv[0];
	args[n++] = (char *)"--secondary";
	for (int i = 1; i < argc; i++) {
		args[n++] = argv[i];
		if (strcmp(argv[i], "-l") == 0 && i + 1 < argc) {
			args[n++] = (char *)"1";
			i++;
		}
	}
	args[n++] = (char *)"--proc-type=secondary";
	args[n] = NULL;
	return args;
}

static pid_t
spawn_secondary(char **args)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		execv("/proc/self/exe", args);
		fprintf(stderr, "execv: %s\n", strerror(errno));
		_exit(127);
	}
	return pid;
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
		usleep(100000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The secondary bursts on the ports: stop them under its bursts, then start them again. */
static void
restart_under_secondary(struct mp_ctl *ctl)
{
	int ret;

	ctl_wait(&ctl->bursting, "the secondary to burst");
	for (uint16_t port = 0; port < 2; port++) {
		ret = rte_eth_dev_stop(port);
		check(ret == 0, "primary: stop port %u under the secondary's bursts: %s", port,
		      strerror(-ret));
	}
	ctl_set(&ctl->stopped);
	ctl_wait(&ctl->idle, "the secondary's bursts on the stopped ports");
	for (uint16_t port = 0; port < 2; port++) {
		ret = rte_eth_dev_start(port);
		if (ret < 0)
			fatal("primary: start port %u again: %s", port, strerror(-ret));
	}
	for (uint16_t port = 0; port < 2; port++) {
		test_port_wait_link(port, true, HANG_S, "primary after the restart");
		rte_eth_stats_reset(port);
	}
	ctl_set(&ctl->started);
}

static int
run_primary(char **args)
{
	const struct rte_memzone *mz;
	struct mp_ctl *ctl;
	struct rte_mempool *pool;

	tally.name = "test_multiprocess";
	if (rte_eth_dev_count_avail() != 2)
		fatal("primary: %u ports, expected 2 (two net_vionet functions)",
		      rte_eth_dev_count_avail());
	/* No per-lcore cache: both processes take from it, each on its own lcore anyway. */
	pool = rte_pktmbuf_pool_create(POOL_NAME, POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		fatal("primary: mempool: %s", rte_strerror(rte_errno));
	mz = rte_memzone_reserve(CTL_NAME, sizeof(*ctl), rte_socket_id(), 0);
	if (mz == NULL)
		fatal("primary: memzone: %s", rte_strerror(rte_errno));
	ctl = mz->addr;
	for (uint16_t port = 0; port < 2; port++)
		setup_port(port, pool);
	for (uint16_t port = 0; port < 2; port++)
		test_port_wait_link(port, true, HANG_S, "primary");

	for (int run = 1; run <= SECONDARY_RUNS; run++) {
		pid_t pid;
		int rc;

		memset(ctl, 0, sizeof(*ctl));
		ctl->restart_run = run == SECONDARY_RUNS;
		for (uint16_t port = 0; port < 2; port++)
			rte_eth_stats_reset(port);
		pid = spawn_secondary(args);
		if (ctl->restart_run)
			restart_under_secondary(ctl);
		rc = wait_secondary(pid);
		check(rc == 0, "secondary run %d exited with %d", run, rc);
		/* The secondary's bursts counted in the shared queues: the primary reads the same. */
		for (uint16_t port = 0; port < 2; port++)
			check_stats(port, ctl->stale_rx[port],
				    run == 1 ? "primary after secondary 1" : "primary after secondary 2");
	}
	/* The secondaries let go of their mappings only: the device still carries the primary's frames. */
	for (uint16_t port = 0; port < 2; port++)
		rte_eth_stats_reset(port);
	exchange(pool, 0, 1, "primary 0->1 after the secondaries", NULL);
	exchange(pool, 1, 0, "primary 1->0 after the secondaries", NULL);
	for (uint16_t port = 0; port < 2; port++)
		check_stats(port, 0, "primary at the end");

	for (uint16_t port = 0; port < 2; port++) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	free(args);
	rte_eal_cleanup();
	return tally_finish();
}

int
main(int argc, char **argv)
{
	bool secondary = argc > 1 && strcmp(argv[1], "--secondary") == 0;
	char **args = NULL;
	int ret;

	if (secondary) {
		argv[1] = argv[0];
		argc--;
		argv++;
	} else {
		args = secondary_argv(argc, argv); /* before rte_eal_init reorders argv */
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		fatal("rte_eal_init: %s", rte_strerror(rte_errno));
	return secondary ? run_secondary() : run_primary(args);
}
