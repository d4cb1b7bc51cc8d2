#!/usr/bin/python3
"""Side-by-side benchmark: our net_vionet_user against DPDK's net_virtio_user, same harness, same run.

The measured side is the virtio side. For each run:
  - the vhost side: Debian's dpdk-testpmd with DPDK's vhost library (net_vhost0), io forwarding on
    core 1, driven interactively through a pipe; once the virtio side is connected it seeds the loop
    with its own txonly generation (`set txpkts <frame size>`, `start tx_first N`: N bursts of UDP
    frames per queue) and from then on returns every packet it gets;
  - the virtio side: dpdk-testpmd (or vionet-fwd) in io mode on core 0 with one virtio-user port,
    ours (-d librte_net_vionet.so, net_vionet_user) or DPDK's (net_virtio_user), same layout,
    mrg_rxbuf=0, same queue size and count, with
    --record-core-cycles: busy cycles per packet = TSC cycles of the polls that moved packets divided
    by the packets received.
Mpps is what the virtio side received per second of the seeded loop.

The first table (issue 13) puts each of our burst paths (scalar, sse, avx2, avx512: the width our
vectorized= devarg allows) beside DPDK's best path of the ring layout (split: its SSE vectorized Rx
with in_order=0, its in-order path; packed: its AVX512 vectorized path), per queue size and frame
size, each with the path its own log names at start; a chart of it goes beside the Markdown
(perf_chart.py).

Machine timings swing by tens of percent: every variant runs alternately with the others for N
rounds and the tables report medians. Figures are printed, written to doc/performance.md (Markdown,
the latency table of latency_compare.py kept as it is) and build/bench/pmd_compare.json; nothing
here passes or fails on a figure. The run fails only when the harness itself breaks (DPDK's PMD, the
reference, cannot run).

Around each round of the ring table a probe (cacheline_probe: one cache line passed between the two
CPUs) labels the round with the host's placement of the CPUs, near (a shared cache) or far; a table
per regime compares the two PMDs among rounds that ran in the same one.

The interleaved tables measure both PMDs at the same moment: one vionet-fwd process on core 0 with
two ports, ours and DPDK's, each looped through its own vhost port of one vhost-side testpmd; the
lcore polls the two in turn and counts busy cycles per port. The host's swings, which move whole
rounds of the sequential tables, hit both PMDs of a round alike, so the per-round ratio is the
steadier figure.

The forwarder tables: vionet-fwd io against testpmd io on the same port (ours when it probes), cycles
per packet of each, to show what the forwarder adds.

environment (doc/benchmark.md has the table):
  VIONET_BENCH_TABLES       paths,paths_interleaved (default), ring, ring_interleaved, forwarder
  VIONET_BENCH_PATHS        our paths, subset of scalar,sse,avx2,avx512 (default all)
  VIONET_BENCH_QUEUE_SIZES  virtqueue sizes (default 256; the full matrix: 256,1024)
  VIONET_BENCH_SIZES        frame sizes of the path tables (default 64,1518)
  VIONET_BENCH_LAYOUTS      subset of split,packed (default both)
  VIONET_BENCH_OURS_IN_ORDER in_order= of our port in the path tables (default 1)
  VIONET_BENCH_ROUNDS       rounds per variant (default 5)
  VIONET_BENCH_SECONDS      seconds per run after seeding (default 3)
  VIONET_BENCH_QUEUES       queue counts of the ring tables (default 1,2)
  VIONET_BENCH_SEED_BURSTS  bursts per queue seeded by the vhost side (default 8)
  VIONET_BENCH_VECTORIZED   vectorized= devarg of both PMDs in the ring tables (default 0)
  PKTGEN                    path to a Pktgen-DPDK binary (ring tables): see pktgen_note()
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import perf_chart

TESTPMD = "dpdk-testpmd"
READY_MARK = "virtio is now ready for processing"
# testpmd sizes its pool for 32 ports of its largest rings by default (~360 MB); hugepages are shared.
TESTPMD_MBUFS = 16384


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        sys.exit(f"bench: {name} must be an integer")


def eal_common(prefix, mem_mb=256, path_logs=False):
    """path_logs: both PMDs say at INFO which burst functions they took (ours: "burst functions: Rx
    ..., Tx ..."; DPDK's: "virtio: using ... Rx path on port N"), read back by parse_path_log()."""
    levels = (["--log-level=pmd.net.vionet.init:info", "--log-level=pmd.net.virtio.init:info",
               "--log-level=pmd.net.virtio.driver:info"] if path_logs else ["--log-level=pmd.net.vionet*:notice"])
    return [f"--file-prefix={prefix}", "-m", str(mem_mb), "--no-pci", "--single-file-segments"] + levels


class Run:
    """One measurement: a vhost-side testpmd, a virtio-side app, a seeded loop, the figures."""

    def __init__(self, workdir, tag):
        self.workdir = workdir
        self.tag = tag
        self.sock = os.path.join(workdir, f"{tag}.sock")
        self.procs = []

    def start_vhost(self, queues, pktgen_sock=None, loop_sock=None):
        log = open(os.path.join(self.workdir, f"{self.tag}.vhost.log"), "w")
        ports = ["--vdev", f"net_vhost0,iface={self.sock},queues={queues}"]
        topology = []
        if pktgen_sock:
            # port 1 faces pktgen; testpmd's paired io forwards 1 -> 0 -> (virtio side) -> 0 -> 1
            ports += ["--vdev", f"net_vhost1,iface={pktgen_sock},queues={queues}"]
        elif loop_sock:
            # a second virtio side on port 1: each port returns what it gets to its own sender
            ports += ["--vdev", f"net_vhost1,iface={loop_sock},queues={queues}"]
            topology = ["--port-topology=loop"]
        cmd = [TESTPMD, "-l", "0,1", "--main-lcore", "0"] + eal_common(f"vionet_bench_vh_{os.getpid()}") + ports + [
            "--",
            "-i", f"--rxq={queues}", f"--txq={queues}", "--nb-cores=1", "--forward-mode=io",
            "--rxd=1024", "--txd=1024", "--burst=32", f"--total-num-mbufs={TESTPMD_MBUFS}"] + topology
        self.vhost = subprocess.Popen(["timeout", "600"] + cmd, stdin=subprocess.PIPE, stdout=log,
                                      stderr=subprocess.STDOUT, text=True)
        self.vhost_log = log.name
        self.procs.append(self.vhost)
        for _ in range(200):
            if os.path.exists(self.sock):
                return True
            if self.vhost.poll() is not None:
                break
            time.sleep(0.05)
        return False

    def vhost_cmd(self, line):
        self.vhost.stdin.write(line + "\n")
        self.vhost.stdin.flush()

    def wait_ready(self, devices=1, timeout_s=20):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            with open(self.vhost_log) as f:
                if f.read().count(READY_MARK) >= devices:
                    return True
            if any(p.poll() is not None for p in self.procs):
                return False
            time.sleep(0.05)
        return False

    def start_virtio(self, cmd, role="virtio"):
        log = open(os.path.join(self.workdir, f"{self.tag}.{role}.log"), "w")
        self.virtio = subprocess.Popen(["timeout", "600"] + cmd, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, text=True)
        self.procs.append(self.virtio)
        if role == "virtio":
            self.virtio_log = log.name
            self.measured = self.virtio
        return self.virtio

    def finish(self):
        """Stops the virtio side (SIGINT: it prints its summary), the source, then the vhost side."""
        for p in self.procs[1:]:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        try:
            self.vhost_cmd("stop")
            self.vhost_cmd("quit")
            self.vhost.stdin.close()
            self.vhost.wait(timeout=30)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            self.vhost.kill()
            self.vhost.wait()
        if os.path.exists(self.sock):
            os.unlink(self.sock)

    def drive(self, args, devices, start_cmd):
        """Waits for the virtio side(s), starts the loop on the vhost side (start_cmd, one testpmd
        command or a list of them), lets it run
        for args.seconds and stops everything. Returns the seconds since the start, or None when
        the virtio side did not come up."""
        if not self.wait_ready(devices=devices):
            self.finish()
            return None
        # The virtio side forwards as soon as its port is up; give vionet-fwd's link wait a moment.
        time.sleep(1.0)
        for line in [start_cmd] if isinstance(start_cmd, str) else start_cmd:
            self.vhost_cmd(line)
        start = time.monotonic()
        time.sleep(args.seconds)
        self.finish()
        return time.monotonic() - start

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def virtio_devarg(pmd, sock, queues, layout, in_order, queue_size, vectorized):
    name = "net_vionet_user0" if pmd == "ours" else "net_virtio_user0"
    return (f"{name},path={sock},queues={queues},queue_size={queue_size},"
            f"packed_vq={1 if layout == 'packed' else 0},in_order={in_order},mrg_rxbuf=0,"
            f"vectorized={vectorized}")


def testpmd_virtio_cmd(pmd, plugin, devarg, queues, queue_size, simd_bits=None):
    """simd_bits: EAL --force-max-simd-bitwidth (512 lets either PMD take an AVX512 path)."""
    cmd = [TESTPMD, "-l", "0,1", "--main-lcore", "1"] + eal_common(f"vionet_bench_vu_{os.getpid()}",
                                                                   path_logs=True)
    if simd_bits:
        cmd.append(f"--force-max-simd-bitwidth={simd_bits}")
    if pmd == "ours":
        cmd += ["-d", plugin]
    return cmd + ["--vdev", devarg, "--", f"--rxq={queues}", f"--txq={queues}", "--nb-cores=1",
                  "--forward-mode=io", f"--rxd={queue_size}", f"--txd={queue_size}", "--burst=32",
                  "--record-core-cycles", "--stats-period=1000", f"--total-num-mbufs={TESTPMD_MBUFS}"]


def fwd_virtio_cmd(fwd, pmd, plugin, devarg, queues, queue_size, json_path):
    cmd = [fwd, "-l", "0,1", "--main-lcore", "1"] + eal_common(f"vionet_bench_vu_{os.getpid()}")
    if pmd == "ours":
        cmd += ["-d", plugin]
    return cmd + ["--vdev", devarg, "--", "--mode", "io", "--topology", "loop", "--rxq", str(queues),
                  "--rxd", str(queue_size), "--txd", str(queue_size), "--record-cycles", "--live", "off",
                  "--link-wait", "20", f"--json={json_path}"]


def pktgen_cmd(args, sock, queues):
    """Pktgen-DPDK on its own virtio-user port (ours, loaded with -d), 64-byte frames at full rate.
    Not exercised by CI: Debian 12 has no Pktgen-DPDK package."""
    script = os.path.join(os.path.dirname(sock), "pktgen.cmd")
    with open(script, "w") as fh:
        fh.write("set 0 size 64\nset 0 rate 100\nstart 0\n")
    return [args.pktgen, "-l", "0,1", "--main-lcore", "0"] + eal_common(f"vionet_bench_pg_{os.getpid()}") + [
        "-d", args.plugin, "--vdev", f"net_vionet_user0,path={sock},queues={queues},mrg_rxbuf=0", "--",
        "-P", "-m", "[1].0", "-f", script]


def measure_null(args, workdir, tag, app):
    """testpmd io or vionet-fwd io between two net_null ports on one core: no peer process, so the
    difference is the application's own per-packet work."""
    log = os.path.join(workdir, f"{tag}.null.log")
    json_path = os.path.join(workdir, f"{tag}.null.json")
    eal = ["-l", "0,1", "--main-lcore", "1"] + eal_common(f"vionet_bench_null_{os.getpid()}", 256) + [
        "--vdev", "net_null0", "--vdev", "net_null1", "--"]
    if app == "testpmd":
        cmd = [TESTPMD] + eal + ["--forward-mode=io", "--nb-cores=1", "--burst=32", "--record-core-cycles",
                                 "--stats-period=1000", f"--total-num-mbufs={TESTPMD_MBUFS}"]
    else:
        cmd = [args.fwd] + eal + ["--mode", "io", "--record-cycles", "--live", "off", f"--json={json_path}"]
    with open(log, "w") as fh:
        proc = subprocess.Popen(["timeout", "600"] + cmd, stdin=subprocess.DEVNULL, stdout=fh,
                                stderr=subprocess.STDOUT)
        start = time.monotonic()
        time.sleep(args.seconds)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        elapsed = time.monotonic() - start
    figures = parse_testpmd(log) if app == "testpmd" else parse_fwd(json_path)
    if figures is None or figures["rx_packets"] == 0:
        return {"error": "no packets forwarded: " + tail(log)}
    return {"mpps": figures["rx_packets"] / elapsed / 1e6, "cycles_per_packet": figures["cycles_per_packet"]}


def run_null_pair(args, workdir):
    results = {"testpmd": [], "vionet-fwd": []}
    for i, app in enumerate(alternate(args.rounds, "testpmd", "vionet-fwd")):
        sample = measure_null(args, workdir, f"n{i}", app)
        results[app].append(sample)
        shown = (f"{sample['mpps']:.3f} Mpps, {sample['cycles_per_packet']} cycles/packet"
                 if "error" not in sample else "ERROR " + sample["error"])
        print(f"bench: net_null: round {i // 2 + 1} {app}: {shown}", flush=True)
    return {app: {"samples": s, "median_mpps": median_of(s, "mpps"),
                  "median_cycles_per_packet": median_of(s, "cycles_per_packet"),
                  "errors": sum(1 for x in s if "error" in x)} for app, s in results.items()}


def parse_testpmd(log_path):
    text = open(log_path).read()
    acc = text.split("Accumulated forward statistics")
    if len(acc) < 2:
        return None
    block = acc[-1]
    rx = re.search(r"RX-packets:\s*(\d+)", block)
    cyc = re.search(r"CPU cycles/packet=([\d.]+)", block)
    if not rx:
        return None
    return {"rx_packets": int(rx.group(1)), "cycles_per_packet": float(cyc.group(1)) if cyc else None}


def parse_fwd(json_path):
    try:
        report = json.load(open(json_path))
    except (OSError, ValueError):
        return None
    totals = report["totals"]
    return {"rx_packets": totals["rx_packets"], "cycles_per_packet": totals.get("busy_cycles_per_packet")}


def probe_ns(args):
    """One cache-line round trip between the benchmark's CPUs 0 and 1, in ns; None without a probe."""
    if not getattr(args, "probe", None):
        return None
    out = subprocess.run([args.probe, "0", "1", "200"], capture_output=True, text=True)
    try:
        return float(out.stdout.strip())
    except ValueError:
        return None


def measure(args, workdir, tag, pmd, app, layout, in_order, queues):
    """One run, with the placement probe before and after it."""
    before = probe_ns(args)
    sample = measure_run(args, workdir, tag, pmd, app, layout, in_order, queues)
    sample["probe_ns"] = [before, probe_ns(args)]
    return sample


def measure_run(args, workdir, tag, pmd, app, layout, in_order, queues):
    """One run; returns {"mpps", "cycles_per_packet"} or {"error": why}."""
    run = Run(workdir, tag)
    pktgen_sock = os.path.join(workdir, f"{tag}.pktgen.sock") if args.pktgen else None
    queue_size = args.queue_sizes[0]
    devarg = virtio_devarg(pmd, run.sock, queues, layout, in_order, queue_size, args.vectorized)
    json_path = os.path.join(workdir, f"{tag}.json")
    try:
        if not run.start_vhost(queues, pktgen_sock):
            return {"error": "vhost-side testpmd did not start: " + tail(run.vhost_log)}
        if app == "testpmd":
            run.start_virtio(testpmd_virtio_cmd(pmd, args.plugin, devarg, queues, queue_size))
        else:
            run.start_virtio(fwd_virtio_cmd(args.fwd, pmd, args.plugin, devarg, queues, queue_size,
                                            json_path))
        if args.pktgen:
            run.start_virtio(pktgen_cmd(args, pktgen_sock, queues), role="pktgen")
        elapsed = run.drive(args, 2 if args.pktgen else 1,
                            "start" if args.pktgen else f"start tx_first {args.seed_bursts}")
        if elapsed is None:
            return {"error": "the virtio side did not come up: " + tail(run.virtio_log)}
    except Exception:
        run.kill_all()
        raise
    figures = parse_testpmd(run.virtio_log) if app == "testpmd" else parse_fwd(json_path)
    if figures is None or figures["rx_packets"] == 0:
        return {"error": "no packets forwarded: " + tail(run.virtio_log)}
    return {"mpps": figures["rx_packets"] / elapsed / 1e6, "cycles_per_packet": figures["cycles_per_packet"]}


def tail(path, lines=6):
    try:
        return " | ".join(open(path).read().strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def median_of(samples, key):
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else None


def alternate(rounds, a, b):
    """ABBA ABBA...: neither side always runs first (the machine warms up and drifts)."""
    order = []
    for r in range(rounds):
        order += [a, b] if r % 2 == 0 else [b, a]
    return order


def ring_variants(args, in_order):
    """The ring tables: both PMDs with the same ring options and vectorized=VIONET_BENCH_VECTORIZED."""
    v = {"in_order": in_order, "vectorized": args.vectorized, "simd": None}
    return {"ours": dict(v, pmd="ours"), "dpdk": dict(v, pmd="dpdk")}


def measure_interleaved(args, workdir, tag, first, variants, layout, queues, queue_size, frame):
    """Both PMDs in one vionet-fwd process, polled in turn by the same lcore (loop topology), each
    on its own vhost port of one vhost-side testpmd: the two are measured at the same moment under
    the same conditions, so the host's swings hit both alike. `first` is the PMD whose port is 0
    (polled first); variants = {"ours": variant, "dpdk": variant} (their ring options and paths may
    differ: each port has its own vhost port). Returns {"ours": sample, "dpdk": sample} or
    {"error": why}."""
    run = Run(workdir, tag)
    order = [first, "dpdk" if first == "ours" else "ours"]
    sock = {order[0]: run.sock, order[1]: os.path.join(workdir, f"{tag}.b.sock")}
    json_path = os.path.join(workdir, f"{tag}.json")
    simd = max((variants[p]["simd"] or 0) for p in order)
    try:
        if not run.start_vhost(queues, loop_sock=sock[order[1]]):
            return {"error": "vhost-side testpmd did not start: " + tail(run.vhost_log)}
        vdevs = []
        for pmd in order:
            v = variants[pmd]
            vdevs += ["--vdev", virtio_devarg(pmd, sock[pmd], queues, layout, v["in_order"], queue_size,
                                              v["vectorized"])]
        cmd = [args.fwd, "-l", "0,1", "--main-lcore", "1"] + eal_common(f"vionet_bench_vu_{os.getpid()}",
                                                                        path_logs=True)
        if simd:
            cmd.append(f"--force-max-simd-bitwidth={simd}")
        cmd += ["-d", args.plugin] + vdevs + [
            "--", "--mode", "io", "--topology", "loop", "--rxq", str(queues), "--rxd", str(queue_size),
            "--txd", str(queue_size), "--record-cycles", "--live", "off", "--link-wait", "20",
            f"--json={json_path}"]
        run.start_virtio(cmd)
        elapsed = run.drive(args, 2, [f"set txpkts {frame}", f"start tx_first {args.seed_bursts}"])
        if elapsed is None:
            return {"error": "the virtio side did not come up: " + tail(run.virtio_log)}
    except Exception:
        run.kill_all()
        raise
    try:
        report = json.load(open(json_path))
    except (OSError, ValueError):
        return {"error": "no report: " + tail(run.virtio_log)}
    out = {}
    paths = parse_path_log(run.virtio_log)
    for port, pmd in enumerate(order):
        queues_rx = report["ports"][port]["rx_queues"]
        packets = sum(q["packets"] for q in queues_rx)
        cycles = sum(q["busy_cycles"] for q in queues_rx)
        if packets == 0:
            return {"error": f"{pmd} forwarded nothing: " + tail(run.virtio_log)}
        out[pmd] = {"mpps": packets / elapsed / 1e6, "cycles_per_packet": cycles / packets, **paths[pmd]}
    return out


def run_interleaved(args, workdir, label, variants, layout, queues, queue_size=None, frame=64):
    """Rounds alternate which PMD's port is polled first."""
    queue_size = queue_size or args.queue_sizes[0]
    results = {"ours": [], "dpdk": []}
    for i in range(args.rounds):
        first = "ours" if i % 2 == 0 else "dpdk"
        sample = measure_interleaved(args, workdir, f"i{i}", first, variants, layout, queues, queue_size, frame)
        if "error" in sample:
            print(f"bench: {label} interleaved: round {i + 1}: ERROR {sample['error']}", flush=True)
            for pmd in results:
                results[pmd].append({"error": sample["error"]})
            continue
        for pmd in results:
            results[pmd].append(sample[pmd])
        print(f"bench: {label} interleaved: round {i + 1} ({first} first): ours "
              f"{sample['ours']['cycles_per_packet']:.1f}, DPDK {sample['dpdk']['cycles_per_packet']:.1f} "
              f"cycles/packet ({sample['ours']['mpps']:.2f} / {sample['dpdk']['mpps']:.2f} Mpps)", flush=True)
    ratios = [o["cycles_per_packet"] / d["cycles_per_packet"] for o, d in zip(results["ours"], results["dpdk"])
              if "error" not in o and "error" not in d]
    out = {pmd: {"samples": s, "median_mpps": median_of(s, "mpps"),
                 "median_cycles_per_packet": median_of(s, "cycles_per_packet"),
                 "errors": sum(1 for x in s if "error" in x)} for pmd, s in results.items()}
    out["median_round_ratio"] = statistics.median(ratios) if ratios else None
    return out


def run_pair(args, workdir, label, side_a, side_b):
    """side = (name, pmd, app, layout, in_order, queues). Returns {name: {samples, medians}}."""
    results = {side_a[0]: [], side_b[0]: []}
    for i, side in enumerate(alternate(args.rounds, side_a, side_b)):
        name, pmd, app, layout, in_order, queues = side
        sample = measure(args, workdir, f"r{i}", pmd, app, layout, in_order, queues)
        results[name].append(sample)
        shown = (f"{sample['mpps']:.3f} Mpps, {sample['cycles_per_packet']} cycles/packet"
                 if "error" not in sample else "ERROR " + sample["error"])
        probes = "/".join(f"{v:.0f}" for v in sample.get("probe_ns") or [] if v)
        print(f"bench: {label}: round {i // 2 + 1} {name}: {shown}" + (f" (probe {probes} ns)" if probes else ""),
              flush=True)
    out = {name: {"samples": s, "median_mpps": median_of(s, "mpps"),
                  "median_cycles_per_packet": median_of(s, "cycles_per_packet"),
                  "errors": sum(1 for x in s if "error" in x)} for name, s in results.items()}
    # Each round's two runs follow each other: the host's state drifts less within a round than
    # across the run, so the median of the per-round ratios resists the bimodal swings.
    a, b = results[side_a[0]], results[side_b[0]]
    ratios = [x["cycles_per_packet"] / y["cycles_per_packet"] for x, y in zip(a, b)
              if x.get("cycles_per_packet") and y.get("cycles_per_packet")]
    out["median_round_ratio"] = statistics.median(ratios) if ratios else None
    return out


# Our burst paths, each named by the width our vectorized= devarg allows (scalar: vectorized=0); the
# selector takes the widest row of the layout within it, so a path added for a layout shows up here
# without a change. avx512 needs the EAL's SIMD limit raised too.
OUR_PATHS = ("scalar", "sse", "avx2", "avx512")

# DPDK 22.11 net_virtio's fastest paths per layout. Its split vectorized Rx (SSE) needs in_order=0 and
# mrg_rxbuf=0; its packed vectorized Rx/Tx (AVX512) need in_order=1, the CPU's AVX512F and an EAL SIMD
# limit of 512 bits, and without them it takes its standard path saying only "disabled packed ring
# vectorized path for requirements not met". 'rx' is what its set_rxtx_funcs() logs at INFO when it
# took the path: "virtio: using <rx> Rx path on port N".
DPDK_BEST = {
    "split": ({"path": "split vectorized (SSE)", "in_order": 0, "vectorized": 1, "simd": None,
               "rx": "vectorized"},
              {"path": "split in-order", "in_order": 1, "vectorized": 0, "simd": None, "rx": "inorder"}),
    "packed": ({"path": "packed vectorized (AVX512)", "in_order": 1, "vectorized": 1, "simd": 512,
                "rx": "packed ring vectorized"},),
}

OURS_PATH_RE = re.compile(r"burst functions: Rx (.+?), Tx (.+?)(?: \(in-order ring\))?$", re.M)
DPDK_RX_RE = re.compile(r"virtio: using (.+?) Rx path on port")
DPDK_TX_RE = re.compile(r"virtio: using (.+?) Tx path on port")
DPDK_WHY_RE = re.compile(r"(disabled [^\n]*vectori[sz]ed[^\n]*|[^\n]*do not support [^\n]*vectori[sz]ed[^\n]*)",
                         re.I)


def parse_path_log(log_path):
    """The burst functions each PMD logged at start (the last start in the log): {"ours": {...},
    "dpdk": {...}}, each {"rx_path", "tx_path", "path_note"}; None where a PMD said nothing."""
    try:
        text = open(log_path, errors="replace").read()
    except OSError:
        text = ""
    ours = OURS_PATH_RE.findall(text)
    rx, tx, why = DPDK_RX_RE.findall(text), DPDK_TX_RE.findall(text), DPDK_WHY_RE.findall(text)
    return {"ours": {"rx_path": ours[-1][0] if ours else None, "tx_path": ours[-1][1] if ours else None,
                     "path_note": None},
            "dpdk": {"rx_path": rx[-1] if rx else None, "tx_path": tx[-1] if tx else None,
                     "path_note": why[-1].strip() if why else None}}


def path_variants(args, layout):
    """The runs of one group of the path table: each of our paths, then DPDK's best candidates."""
    out = [{"key": f"ours {p}", "pmd": "ours", "path": p, "in_order": args.ours_in_order,
            "vectorized": "0" if p == "scalar" else p, "simd": 512 if p == "avx512" else None}
           for p in args.paths]
    out += [{"key": f"dpdk {c['path']}", "pmd": "dpdk", "path": c["path"], "in_order": c["in_order"],
             "vectorized": c["vectorized"], "simd": c["simd"], "expect_rx": c["rx"]}
            for c in DPDK_BEST[layout]]
    return out


def path_taken(variant, sample):
    """Whether a run took the path it asked for, from its log: ours' Rx row names its width (a
    layout without a row of that width falls back to a narrower one or to scalar); DPDK's Rx line
    is the one of the path."""
    rx = sample.get("rx_path")
    if rx is None:
        return False
    if variant["pmd"] == "dpdk":
        return rx == variant["expect_rx"]
    return rx.split()[-1] == variant["path"]


def path_confirmation(variant, samples):
    """What the table prints for a variant's path: the logged names when every run took the path
    asked for, else "(unconfirmed: <what the log said>)"."""
    ran = [x for x in samples if "error" not in x]
    if not ran:
        return "(unconfirmed: no run)"
    said = sorted({(x.get("rx_path"), x.get("tx_path"), x.get("path_note")) for x in ran}, key=str)
    shown = "; ".join(f"Rx {rx or '?'}, Tx {tx or '?'}" + (f" ({note})" if note else "") for rx, tx, note in said)
    if all(path_taken(variant, x) for x in ran):
        return shown
    return f"(unconfirmed: {shown if any(r for r, _, _ in said) else 'no path line in the log'})"


def measure_variant(args, workdir, tag, variant, layout, queue_size, frame):
    """One testpmd run of one variant of the path table; its figures and the path its log names."""
    before = probe_ns(args)
    run = Run(workdir, tag)
    pmd = variant["pmd"]
    devarg = virtio_devarg(pmd, run.sock, 1, layout, variant["in_order"], queue_size, variant["vectorized"])
    try:
        if not run.start_vhost(1):
            return {"error": "vhost-side testpmd did not start: " + tail(run.vhost_log)}
        run.start_virtio(testpmd_virtio_cmd(pmd, args.plugin, devarg, 1, queue_size, variant["simd"]))
        elapsed = run.drive(args, 1, [f"set txpkts {frame}", f"start tx_first {args.seed_bursts}"])
        if elapsed is None:
            return {"error": "the virtio side did not come up: " + tail(run.virtio_log)}
    except Exception:
        run.kill_all()
        raise
    paths = parse_path_log(run.virtio_log)[pmd]
    figures = parse_testpmd(run.virtio_log)
    if figures is None or figures["rx_packets"] == 0:
        return {"error": "no packets forwarded: " + tail(run.virtio_log), **paths}
    return {"mpps": figures["rx_packets"] / elapsed / 1e6, "cycles_per_packet": figures["cycles_per_packet"],
            "probe_ns": [before, probe_ns(args)], **paths}


def run_path_group(args, workdir, layout, queue_size, frame):
    """Every variant of one (layout, queue size, frame size) once per round, in an order reversed
    every other round (ABC CBA ...), so no variant always runs first or last."""
    variants = path_variants(args, layout)
    samples = {v["key"]: [] for v in variants}
    label = f"{layout} queue {queue_size} {frame} B"
    for r in range(args.rounds):
        for v in variants if r % 2 == 0 else variants[::-1]:
            sample = measure_variant(args, workdir, f"p{r}", v, layout, queue_size, frame)
            samples[v["key"]].append(sample)
            shown = (f"{sample['mpps']:.3f} Mpps, {sample['cycles_per_packet']} cycles/packet"
                     if "error" not in sample else "ERROR " + sample["error"])
            print(f"bench: {label}: round {r + 1} {v['key']}: {shown} [Rx {sample.get('rx_path')}, "
                  f"Tx {sample.get('tx_path')}]", flush=True)
    out = {"layout": layout, "queue_size": queue_size, "frame": frame, "variants": []}
    for v in variants:
        s = samples[v["key"]]
        out["variants"].append({**v, "samples": s, "median_mpps": median_of(s, "mpps"),
                                "median_cycles_per_packet": median_of(s, "cycles_per_packet"),
                                "errors": sum(1 for x in s if "error" in x),
                                "confirmed": path_confirmation(v, s), "taken": all(
                                    path_taken(v, x) for x in s if "error" not in x)})
    return out


def dpdk_best(group):
    """DPDK's candidate with the lowest median cycles per packet in a group (None: none ran)."""
    ran = [v for v in group["variants"] if v["pmd"] == "dpdk" and v["median_cycles_per_packet"] is not None]
    return min(ran, key=lambda v: v["median_cycles_per_packet"]) if ran else None


def path_rows(groups):
    """The path table's rows: each of our paths beside DPDK's best of its group."""
    rows = []
    for g in groups:
        best = dpdk_best(g)
        for v in g["variants"]:
            if v["pmd"] != "ours":
                continue
            d = best["median_cycles_per_packet"] if best else None
            pairs = [(o, b) for o, b in zip(v["samples"], best["samples"] if best else [])
                     if o.get("cycles_per_packet") and b.get("cycles_per_packet")]
            round_ratios = [o["cycles_per_packet"] / b["cycles_per_packet"] for o, b in pairs]
            rows.append({"layout": g["layout"], "queue_size": g["queue_size"], "frame": g["frame"],
                         "path": v["path"], "ours": v, "dpdk": best,
                         "ratio": ratio(v["median_cycles_per_packet"], d),
                         "median_round_ratio": statistics.median(round_ratios) if round_ratios else None})
    return rows


def regime_threshold(rows):
    """The probe value between the near and far placements seen in this run, or None when the
    probes show one placement only (the far one costs about three times the near one here)."""
    values = [v for r in rows for name in ("ours", "dpdk") for x in r[name]["samples"]
              for v in x.get("probe_ns") or [] if v]
    if not values or max(values) < 1.8 * min(values):
        return None
    return (min(values) * max(values)) ** 0.5


def regime_of(sample, threshold):
    """near / far when both probes of the round agree, else mixed (the host moved a CPU)."""
    probes = sample.get("probe_ns") or []
    if threshold is None or len(probes) != 2 or None in probes:
        return "one"
    near = [v < threshold for v in probes]
    return "near" if all(near) else "far" if not any(near) else "mixed"


def by_regime(rows):
    """Per variant and regime: the medians of each side among the rounds that ran in it."""
    threshold = regime_threshold(rows)
    out = []
    for r in rows:
        for regime in ("near", "far", "one"):
            sides = {name: [x for x in r[name]["samples"]
                            if "error" not in x and regime_of(x, threshold) == regime]
                     for name in ("ours", "dpdk")}
            if not sides["ours"] and not sides["dpdk"]:
                continue
            out.append({"layout": r["layout"], "in_order": r["in_order"], "queues": r["queues"],
                        "regime": regime, "threshold_ns": threshold,
                        **{name: {"rounds": len(x), "median_cycles_per_packet": median_of(x, "cycles_per_packet"),
                                  "median_mpps": median_of(x, "mpps")} for name, x in sides.items()}})
    return out


def best_of(side):
    """The lowest cycles per packet of a side's rounds: the least disturbed run on a shared machine."""
    values = [x["cycles_per_packet"] for x in side["samples"] if x.get("cycles_per_packet") is not None]
    return min(values) if values else None


def fmt(v, digits=3):
    return "n/a" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def pktgen_note():
    path = os.environ.get("PKTGEN")
    if not path:
        return ("PKTGEN is not set: the traffic source is testpmd's own txonly generation on the vhost "
                "side (start tx_first), not pktgen.")
    return (f"PKTGEN={path}: pktgen generates on its own net_vionet_user port (-d plugin) into the "
            "vhost-side testpmd, which forwards it through the measured virtio side and back.")


CHART_NAME = "performance-vector.svg"


def write_report(md_path, results):
    """The Markdown report and, when the path table ran, its chart beside it."""
    chart = None
    os.makedirs(os.path.dirname(md_path) or ".", exist_ok=True)
    if results.get("paths"):
        chart = os.path.join(os.path.dirname(md_path), CHART_NAME)
        with open(chart, "w") as fh:
            fh.write(perf_chart.svg(path_rows(results["paths"]), results["meta"]))
    write_markdown(md_path, results, chart and os.path.basename(chart))


def path_table(results, chart_name):
    """The table of issue 13: each of our paths beside DPDK's best path of its layout."""
    meta = results["meta"]
    rows = path_rows(results["paths"])
    out = ["", "## Every burst path: ours beside DPDK's best path of the layout", "",
           "testpmd io on the virtio side, 1 queue, mrg_rxbuf=0; ours with "
           f"in_order={meta.get('ours_in_order', 1)} and `vectorized=<path>` (scalar: `vectorized=0`; avx512 "
           "with EAL `--force-max-simd-bitwidth=512`). DPDK's candidates per layout: split "
           "`in_order=0,vectorized=1` (its SSE Rx path) and `in_order=1` (its in-order path), packed "
           "`in_order=1,vectorized=1` with `--force-max-simd-bitwidth=512` (its AVX512 path); the one with "
           "the lower median is its best of the group. Each path as the PMD's own log named it at start "
           "(ours: `burst functions: Rx ..., Tx ...`, DPDK's: `virtio: using ... Rx path`); a run that did "
           "not take the path asked for is marked unconfirmed. Busy cycles per packet, medians of "
           f"{meta['rounds']} rounds of {meta['seconds']} s (every variant of a group once per round, the "
           "order reversed every other round); ratio < 0.7 meets the issue's target.", ""]
    if chart_name:
        out += [f"![cycles per packet of each path beside DPDK's best]({chart_name})", ""]
    out += ["| layout | queue size | frame B | our path | ours cycles/pkt | ours Mpps | ours (log) "
            "| DPDK's best path (log) | DPDK cycles/pkt | DPDK Mpps | ratio ours/DPDK | median of round ratios |",
            "| --- | ---: | ---: | --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        o, d = r["ours"], r["dpdk"] or {}
        out.append(f"| {r['layout']} | {r['queue_size']} | {r['frame']} | {r['path']} | "
                   f"{fmt(o['median_cycles_per_packet'], 1)} | {fmt(o['median_mpps'])} | {o['confirmed']} | "
                   f"{d.get('path', 'n/a')}: {d.get('confirmed', '')} | "
                   f"{fmt(d.get('median_cycles_per_packet'), 1)} | {fmt(d.get('median_mpps'))} | "
                   f"{fmt(r['ratio'], 2)} | {fmt(r['median_round_ratio'], 2)} |")
    out += ["", "DPDK's candidates (all of them, the best of each group above):", "",
            "| layout | queue size | frame B | DPDK path | cycles/pkt | Mpps | its log |",
            "| --- | ---: | ---: | --- | ---: | ---: | --- |"]
    for g in results["paths"]:
        for v in g["variants"]:
            if v["pmd"] == "dpdk":
                out.append(f"| {g['layout']} | {g['queue_size']} | {g['frame']} | {v['path']} | "
                           f"{fmt(v['median_cycles_per_packet'], 1)} | {fmt(v['median_mpps'])} | "
                           f"{v['confirmed']} |")
    return out


def paths_interleaved_table(rows):
    out = ["", "## Same core, same moment: our widest path and DPDK's best paths in one vionet-fwd process", "",
           "One vionet-fwd io process on the virtio side with two ports, ours and DPDK's, each on its own path "
           "and looped through its own vhost port; its lcore polls the two in turn (rounds alternate which "
           "comes first) and counts the busy cycles of each port's polls. The median of the per-round ratios "
           "is the figure to read.", "",
           "| layout | queue size | frame B | ours (log) | DPDK (log) | Mpps each | ours cycles/pkt "
           "| DPDK cycles/pkt | ratio of medians | median of round ratios | rounds ours lower |",
           "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        o, d = r["ours"], r["dpdk"]
        pairs = [(a, b) for a, b in zip(o["samples"], d["samples"]) if "error" not in a and "error" not in b]
        lower = sum(1 for a, b in pairs if a["cycles_per_packet"] < b["cycles_per_packet"])
        out.append(f"| {r['layout']} | {r['queue_size']} | {r['frame']} | {o['path']}: {o['confirmed']} | "
                   f"{d['path']}: {d['confirmed']} | {fmt(o['median_mpps'])} | "
                   f"{fmt(o['median_cycles_per_packet'], 1)} | {fmt(d['median_cycles_per_packet'], 1)} | "
                   f"{fmt(ratio(o['median_cycles_per_packet'], d['median_cycles_per_packet']), 2)} | "
                   f"{fmt(r['median_round_ratio'], 2)} | {lower} of {len(pairs)} |")
    return out


def write_markdown(path, results, chart_name=None):
    meta = results["meta"]
    pmd_rows, fwd_rows = results.get("pmd") or [], results.get("forwarder")
    null_rows, inter_rows = results.get("forwarder_null"), results.get("interleaved") or []
    out = ["# Performance", "",
           "Generated by `meson test -C build --suite bench pmd_compare` (tests/bench/pmd_compare.py); "
           "do not edit by hand. See [benchmark.md](benchmark.md) for the method.", "",
           f"- when: {meta['when']}, commit `{meta['commit']}`",
           f"- machine: {meta['cpu']}, {meta['cores']} cores, shared with other jobs: figures swing "
           "by tens of percent between runs, compare the ratios of the same run only",
           f"- {meta['rounds']} alternating rounds per side and variant, {meta['seconds']} s each, "
           f"medians; mrg_rxbuf=0, {meta.get('seed_bursts')} seeded bursts of 32 per queue",
           f"- source: {meta['source']}"]
    if results.get("paths"):
        out += path_table(results, chart_name)
    if results.get("paths_interleaved"):
        out += paths_interleaved_table(results["paths_interleaved"])
    if pmd_rows or inter_rows:
        out += ["", "## Ring options, both PMDs alike", "",
                f"Both PMDs with the same ring options and `vectorized={meta.get('vectorized', 0)}`, 64-byte "
                f"frames, queue size {meta['queue_size']}."]
    if pmd_rows:
        out += ["", "### net_vionet_user (ours) vs DPDK's net_virtio_user, testpmd io on the virtio side", "",
                "Busy cycles per packet: testpmd `--record-core-cycles` on the virtio side (lower is "
                "better); ratio < 1.0 means ours spends fewer cycles per packet.", "",
                "Medians decide; the best (lowest) round of each side is shown too, because a shared machine "
                "makes the rounds bimodal (quiet and disturbed).", "",
                "| ring | in_order | queues | ours Mpps | DPDK Mpps | ours cycles/pkt | DPDK cycles/pkt "
                "| cycles ours/DPDK | median of round ratios | Mpps ours/DPDK | best cycles ours / DPDK "
                "| best ratio |",
                "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in pmd_rows:
        o, d = r["ours"], r["dpdk"]
        out.append(f"| {r['layout']} | {r['in_order']} | {r['queues']} | {fmt(o['median_mpps'])} | "
                   f"{fmt(d['median_mpps'])} | {fmt(o['median_cycles_per_packet'], 1)} | "
                   f"{fmt(d['median_cycles_per_packet'], 1)} | "
                   f"{fmt(ratio(o['median_cycles_per_packet'], d['median_cycles_per_packet']), 2)} | "
                   f"{fmt(r.get('median_round_ratio'), 2)} | "
                   f"{fmt(ratio(o['median_mpps'], d['median_mpps']), 2)} | "
                   f"{fmt(best_of(o), 1)} / {fmt(best_of(d), 1)} | {fmt(ratio(best_of(o), best_of(d)), 2)} |")
    regimes = by_regime(pmd_rows)
    if regimes:
        threshold = regimes[0]["threshold_ns"]
        out += ["", "#### The same rounds by host placement", "",
                "cacheline_probe ran before and after each round: one cache line passed between the two "
                "CPUs. " + (f"Near: both probes under {threshold:.0f} ns (the CPUs share a cache); far: both "
                            "above; rounds whose probes disagree (the host moved a CPU) are left out. "
                            if threshold else "All probes showed one placement. ") +
                "Placement is one cause of the swings, not the only one: within one placement the loop "
                "still settles fast or slow for seconds at a time (benchmark.md).", "",
                "| ring | in_order | queues | placement | rounds ours / DPDK | ours cycles/pkt "
                "| DPDK cycles/pkt | ratio |", "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"]
        for g in regimes:
            o, d = g["ours"], g["dpdk"]
            out.append(f"| {g['layout']} | {g['in_order']} | {g['queues']} | {g['regime']} | "
                       f"{o['rounds']} / {d['rounds']} | {fmt(o['median_cycles_per_packet'], 1)} | "
                       f"{fmt(d['median_cycles_per_packet'], 1)} | "
                       f"{fmt(ratio(o['median_cycles_per_packet'], d['median_cycles_per_packet']), 2)} |")
    if inter_rows:
        out += ["", "### Same core, same moment: both PMDs in one vionet-fwd process", "",
                "One vionet-fwd io process on the virtio side with two ports, ours and DPDK's, each looped "
                "through its own vhost port; its lcore polls the two in turn (rounds alternate which comes "
                "first) and counts the busy cycles of each port's polls. A disturbance of the host hits both "
                "in the same round, so the median of the per-round ratios is the figure to read here.", "",
                "| ring | in_order | queues | Mpps each | ours cycles/pkt | DPDK cycles/pkt | ratio of medians "
                "| median of round ratios | rounds ours lower |",
                "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in inter_rows:
            o, d = r["ours"], r["dpdk"]
            pairs = [(a, b) for a, b in zip(o["samples"], d["samples"]) if "error" not in a and "error" not in b]
            lower = sum(1 for a, b in pairs if a["cycles_per_packet"] < b["cycles_per_packet"])
            out.append(f"| {r['layout']} | {r['in_order']} | {r['queues']} | {fmt(o['median_mpps'])} | "
                       f"{fmt(o['median_cycles_per_packet'], 1)} | {fmt(d['median_cycles_per_packet'], 1)} | "
                       f"{fmt(ratio(o['median_cycles_per_packet'], d['median_cycles_per_packet']), 2)} | "
                       f"{fmt(r['median_round_ratio'], 2)} | {lower} of {len(pairs)} |")
    if fwd_rows:
        out += ["", f"## vionet-fwd io vs testpmd io on the same port ({fwd_rows['pmd_name']}, "
                f"{fwd_rows['layout']}, in_order={fwd_rows['in_order']}, 1 queue)", "",
                "| app | Mpps | busy cycles/pkt | best cycles/pkt |", "| --- | ---: | ---: | ---: |"]
        for app in ("testpmd", "vionet-fwd"):
            r = fwd_rows[app]
            out.append(f"| {app} io | {fmt(r['median_mpps'])} | {fmt(r['median_cycles_per_packet'], 1)} | "
                       f"{fmt(best_of(r), 1)} |")
        t = fwd_rows["testpmd"]["median_cycles_per_packet"]
        f = fwd_rows["vionet-fwd"]["median_cycles_per_packet"]
        if t is not None and f is not None:
            out += ["", f"vionet-fwd spends {f - t:+.1f} cycles per packet relative to testpmd's io "
                    "engine on the same port (its counters, budget check and per-port Tx batching)."]
    if null_rows:
        out += ["", "## vionet-fwd io vs testpmd io between two net_null ports", "",
                "No peer process: the PMD costs are the same for both, the difference is the application's "
                "own per-packet work.", "", "| app | Mpps | busy cycles/pkt | best cycles/pkt |",
                "| --- | ---: | ---: | ---: |"]
        for app in ("testpmd", "vionet-fwd"):
            r = null_rows[app]
            out.append(f"| {app} io | {fmt(r['median_mpps'])} | {fmt(r['median_cycles_per_packet'], 1)} | "
                       f"{fmt(best_of(r), 1)} |")
        t = null_rows["testpmd"]["median_cycles_per_packet"]
        f = null_rows["vionet-fwd"]["median_cycles_per_packet"]
        if t is not None and f is not None:
            out += ["", f"vionet-fwd: {f - t:+.1f} cycles per packet relative to testpmd io."]
    out.append("")
    # latency_compare.py's table lives between its markers in the same file: kept as it is.
    try:
        old = open(path).read()
        begin, end = "<!-- latency:begin -->", "<!-- latency:end -->"
        if begin in old and end in old:
            out += [old[old.index(begin):old.index(end) + len(end)], ""]
    except OSError:
        pass
    with open(path, "w") as fh:
        fh.write("\n".join(out))


def eal_plugin_path(repo, so):
    """EAL refuses a plugin below a world-writable directory: tests/lib/common.sh finds a safe path."""
    common = os.path.join(repo, "tests", "lib", "common.sh")
    out = subprocess.run(["bash", "-c", '. "$1"; vionet_plugin_path "$2"', "-", common, so],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def git_commit(repo):
    try:
        return subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def run_forwarder_tables(args, workdir, pmd_rows, layouts):
    """vionet-fwd against testpmd's io engine: on one virtio-user port (ours when it forwarded in
    the sequential table) and between two net_null ports."""
    ours_ok = any(r["ours"]["median_mpps"] for r in pmd_rows)
    pmd = "ours" if ours_ok else "dpdk"
    pair = run_pair(args, workdir, "forwarder",
                    ("testpmd", pmd, "testpmd", layouts[0], 1, 1),
                    ("vionet-fwd", pmd, "vionet-fwd", layouts[0], 1, 1))
    fwd_rows = {"pmd_name": "net_vionet_user" if pmd == "ours" else "DPDK's net_virtio_user",
                "layout": layouts[0], "in_order": 1, **pair}
    t, f = pair["testpmd"], pair["vionet-fwd"]
    print(f"bench: forwarder: median testpmd io {fmt(t['median_cycles_per_packet'], 1)} cyc/pkt, "
          f"vionet-fwd io {fmt(f['median_cycles_per_packet'], 1)} cyc/pkt", flush=True)
    null_rows = run_null_pair(args, workdir)
    t, f = null_rows["testpmd"], null_rows["vionet-fwd"]
    print(f"bench: net_null: median testpmd io {fmt(t['median_cycles_per_packet'], 1)} cyc/pkt, "
          f"vionet-fwd io {fmt(f['median_cycles_per_packet'], 1)} cyc/pkt", flush=True)
    return fwd_rows, null_rows


TABLES = ("paths", "paths_interleaved", "ring", "ring_interleaved", "forwarder")


def env_list(name, default, allowed=None, convert=str):
    values = [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]
    try:
        values = [convert(x) for x in values]
    except ValueError:
        sys.exit(f"bench: {name} must be a comma-separated list of numbers")
    bad = [x for x in values if allowed is not None and x not in allowed]
    if bad or not values:
        sys.exit(f"bench: {name}={os.environ.get(name)}: each must be one of {', '.join(map(str, allowed))}")
    return values


def run_paths_interleaved(args, workdir):
    """Our widest path of the run beside each of DPDK's best candidates, both in one process."""
    rows = []
    ours_path = args.paths[-1]
    for layout in args.layouts:
        ours = [v for v in path_variants(args, layout) if v["pmd"] == "ours" and v["path"] == ours_path][0]
        for cand in [v for v in path_variants(args, layout) if v["pmd"] == "dpdk"]:
            label = f"{layout} ours {ours_path} / DPDK {cand['path']}"
            r = run_interleaved(args, workdir, label, {"ours": ours, "dpdk": cand}, layout, 1,
                                args.queue_sizes[0], args.sizes[0])
            for pmd, v in (("ours", ours), ("dpdk", cand)):
                r[pmd]["path"] = v["path"]
                r[pmd]["confirmed"] = path_confirmation(v, r[pmd]["samples"])
            rows.append({"layout": layout, "queue_size": args.queue_sizes[0], "frame": args.sizes[0], **r})
            print(f"bench: {label} interleaved: median ours {fmt(r['ours']['median_cycles_per_packet'], 1)}, "
                  f"DPDK {fmt(r['dpdk']['median_cycles_per_packet'], 1)} cyc/pkt, median round ratio "
                  f"{fmt(r['median_round_ratio'], 2)}", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fwd", required=True, help="vionet-fwd binary")
    ap.add_argument("--plugin", required=True, help="librte_net_vionet.so in the build")
    ap.add_argument("--repo", required=True, help="repository root (doc/performance.md goes there)")
    ap.add_argument("--json-out", required=True, help="where the JSON results go")
    ap.add_argument("--probe", help="cacheline_probe binary: labels each round with the host's CPU placement")
    ap.add_argument("--markdown-out", help="where the Markdown report goes (default: doc/performance.md; "
                    "the chart goes beside it)")
    ap.add_argument("--render-only", action="store_true",
                    help="only rewrite the Markdown and the chart from the JSON of an earlier run")
    args = ap.parse_args()
    md = args.markdown_out or os.path.join(args.repo, "doc", "performance.md")
    if args.render_only:
        saved = json.load(open(args.json_out))
        write_report(md, saved)
        return 0
    args.plugin = eal_plugin_path(args.repo, args.plugin)
    args.rounds = env_int("VIONET_BENCH_ROUNDS", 5)
    args.seconds = env_int("VIONET_BENCH_SECONDS", 3)
    args.queue_sizes = env_list("VIONET_BENCH_QUEUE_SIZES", "256", convert=int)
    args.sizes = env_list("VIONET_BENCH_SIZES", "64,1518", convert=int)
    args.paths = env_list("VIONET_BENCH_PATHS", ",".join(OUR_PATHS), OUR_PATHS)
    args.paths.sort(key=OUR_PATHS.index)
    args.ours_in_order = env_int("VIONET_BENCH_OURS_IN_ORDER", 1)
    args.seed_bursts = env_int("VIONET_BENCH_SEED_BURSTS", 8)
    args.pktgen = os.environ.get("PKTGEN") or None
    if args.pktgen and not os.access(args.pktgen, os.X_OK):
        sys.exit(f"bench: PKTGEN={args.pktgen} is not an executable")
    args.vectorized = os.environ.get("VIONET_BENCH_VECTORIZED", "0")
    tables = env_list("VIONET_BENCH_TABLES", "paths,paths_interleaved", TABLES)
    queue_counts = env_list("VIONET_BENCH_QUEUES", "1,2", convert=int)
    args.layouts = env_list("VIONET_BENCH_LAYOUTS", "split,packed", ("split", "packed"))
    if any(not 64 <= f <= 1518 for f in args.sizes):
        sys.exit("bench: VIONET_BENCH_SIZES: frame sizes from 64 to 1518 bytes (mrg_rxbuf=0: one buffer each)")
    if shutil.which(TESTPMD) is None:
        sys.exit("bench: dpdk-testpmd not found (apt-get install dpdk)")
    source = pktgen_note()
    print("bench: " + source, flush=True)

    began = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="vionet-bench.", dir="/run")
    results = {"pmd": [], "forwarder": None, "forwarder_null": None, "interleaved": [], "paths": [],
               "paths_interleaved": []}
    try:
        for queue_size in args.queue_sizes if "paths" in tables else []:
            for frame in args.sizes:
                for layout in args.layouts:
                    results["paths"].append(run_path_group(args, workdir, layout, queue_size, frame))
                    for r in path_rows([results["paths"][-1]]):
                        print(f"bench: {layout} queue {queue_size} {frame} B: ours {r['path']} "
                              f"{fmt(r['ours']['median_cycles_per_packet'], 1)} cyc/pkt, DPDK best "
                              f"{r['dpdk']['path'] if r['dpdk'] else 'n/a'} "
                              f"{fmt(r['dpdk']['median_cycles_per_packet'] if r['dpdk'] else None, 1)}, "
                              f"ratio {fmt(r['ratio'], 2)}", flush=True)
        if "paths_interleaved" in tables:
            results["paths_interleaved"] = run_paths_interleaved(args, workdir)
        for queues in queue_counts if "ring" in tables else []:
            for layout in args.layouts:
                for in_order in (1, 0):
                    label = f"{layout} in_order={in_order} queues={queues}"
                    pair = run_pair(args, workdir, label,
                                    ("ours", "ours", "testpmd", layout, in_order, queues),
                                    ("dpdk", "dpdk", "testpmd", layout, in_order, queues))
                    results["pmd"].append({"layout": layout, "in_order": in_order, "queues": queues,
                                           "median_round_ratio": pair.pop("median_round_ratio"), **pair})
                    o, d = pair["ours"], pair["dpdk"]
                    print(f"bench: {label}: median ours {fmt(o['median_mpps'])} Mpps "
                          f"{fmt(o['median_cycles_per_packet'], 1)} cyc/pkt, DPDK {fmt(d['median_mpps'])} Mpps "
                          f"{fmt(d['median_cycles_per_packet'], 1)} cyc/pkt, cycles ours/DPDK "
                          f"{fmt(ratio(o['median_cycles_per_packet'], d['median_cycles_per_packet']), 2)}",
                          flush=True)
        for queues in queue_counts if "ring_interleaved" in tables else []:
            for layout in args.layouts:
                for in_order in (1, 0):
                    label = f"{layout} in_order={in_order} queues={queues}"
                    r = run_interleaved(args, workdir, label, ring_variants(args, in_order), layout, queues)
                    results["interleaved"].append({"layout": layout, "in_order": in_order, "queues": queues, **r})
                    print(f"bench: {label} interleaved: median ours "
                          f"{fmt(r['ours']['median_cycles_per_packet'], 1)}, DPDK "
                          f"{fmt(r['dpdk']['median_cycles_per_packet'], 1)} cyc/pkt, median round ratio "
                          f"{fmt(r['median_round_ratio'], 2)}", flush=True)
        if "forwarder" in tables:
            results["forwarder"], results["forwarder_null"] = run_forwarder_tables(args, workdir, results["pmd"],
                                                                                   args.layouts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        # EAL leaves a runtime folder per file prefix; ours carry this process id.
        for role in ("vh", "vu", "pg", "null"):
            prefix = f"vionet_bench_{role}_{os.getpid()}"
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
            # a process killed hard leaves its hugepage file behind
            for leftover in glob.glob(f"/dev/hugepages/{prefix}map_*"):
                os.unlink(leftover)

    results["meta"] = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                       "commit": git_commit(args.repo), "cpu": cpu_model(), "cores": os.cpu_count(),
                       "rounds": args.rounds, "seconds": args.seconds, "queue_sizes": args.queue_sizes,
                       "queue_size": args.queue_sizes[0], "sizes": args.sizes,
                       "seed_bursts": args.seed_bursts, "source": source, "vectorized": args.vectorized,
                       "ours_in_order": args.ours_in_order, "tables": tables,
                       "minutes": round((time.monotonic() - began) / 60, 1)}
    os.makedirs(os.path.dirname(args.json_out), exist_ok=True)
    with open(args.json_out, "w") as fh:
        json.dump(results, fh, indent=1)
    write_report(md, results)
    print(open(md).read())
    print(f"bench: JSON in {args.json_out}, table in {md}; {results['meta']['minutes']} minutes")
    # The reference must run, or the harness is broken; our PMD failing is a figure (n/a), not a failure.
    broken = [r for r in results["pmd"] if r["dpdk"]["median_mpps"] is None]
    broken += [g for g in results["paths"] if dpdk_best(g) is None]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
