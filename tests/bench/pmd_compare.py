#!/usr/bin/python3
"""Side-by-side benchmark: our net_vionet_user against DPDK's net_virtio_user, same harness, same run.

The measured side is the virtio side. For each run:
  - the vhost side: Debian's dpdk-testpmd with DPDK's vhost library (net_vhost0), io forwarding on
    core 1, driven interactively through a pipe; once the virtio side is connected it seeds the loop
    with its own txonly generation (`start tx_first N`: N bursts of 64-byte UDP frames per queue)
    and from then on returns every packet it gets;
  - the virtio side: dpdk-testpmd (or vionet-fwd) in io mode on core 0 with one virtio-user port,
    ours (-d librte_net_vionet.so, net_vionet_user) or DPDK's (net_virtio_user), identical ring
    options (split/packed x in_order, mrg_rxbuf=0, same queue size and count), with
    --record-core-cycles: busy cycles per packet = TSC cycles of the polls that moved packets divided
    by the packets received.
Mpps is what the virtio side received per second of the seeded loop.

Machine timings swing by tens of percent: every variant runs A and B alternately (ABBA...) for N
rounds and reports medians. Figures are printed, written to doc/performance.md (Markdown) and
build/bench/pmd_compare.json; nothing here passes or fails on a figure. The run fails only when the
harness itself breaks (DPDK's PMD, the reference, cannot run).

Around each round a probe (cacheline_probe: one cache line passed between the two CPUs) labels the
round with the host's placement of the CPUs, near (a shared cache) or far; a table per regime
compares the two PMDs among rounds that ran in the same one.

A second table measures both PMDs at the same moment: one vionet-fwd process on core 0 with two
ports, ours and DPDK's, each looped through its own vhost port of one vhost-side testpmd; the lcore
polls the two in turn and counts busy cycles per port. The host's swings, which move whole rounds
of the first table, hit both PMDs of a round alike, so the per-round ratio is the steadier figure.

A third table: vionet-fwd io against testpmd io on the same port (ours when it probes), cycles per
packet of each, to show what the forwarder adds.

environment:
  VIONET_BENCH_ROUNDS      rounds per variant and PMD (default 7)
  VIONET_BENCH_SECONDS     seconds per run after seeding (default 4)
  VIONET_BENCH_QUEUES      queue counts, comma-separated (default 1,2)
  VIONET_BENCH_QUEUE_SIZE  virtqueue size (default 256)
  VIONET_BENCH_SEED_BURSTS bursts per queue seeded by the vhost side (default 8)
  VIONET_BENCH_LAYOUTS     subset of split,packed (default both)
  VIONET_BENCH_VECTORIZED  vectorized= devarg of both PMDs (default 0: the scalar paths)
  VIONET_BENCH_INTERLEAVED 1 (default): also the interleaved table (both PMDs in one vionet-fwd
                           process on one core, measured at the same moment); 0 skips it
  VIONET_BENCH_SEQUENTIAL  1 (default): the sequential testpmd table and the forwarder tables; 0
                           runs the interleaved table alone (a quick before/after check of a change)
  PKTGEN                   path to a Pktgen-DPDK binary: see pktgen_note()
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

TESTPMD = "dpdk-testpmd"
READY_MARK = "virtio is now ready for processing"
# testpmd sizes its pool for 32 ports of its largest rings by default (~360 MB); hugepages are shared.
TESTPMD_MBUFS = 16384


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        sys.exit(f"bench: {name} must be an integer")


def eal_common(prefix, mem_mb=256):
    return [f"--file-prefix={prefix}", "-m", str(mem_mb), "--no-pci", "--single-file-segments",
            "--log-level=pmd.net.vionet*:notice"]


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
        """Waits for the virtio side(s), starts the loop on the vhost side (start_cmd), lets it run
        for args.seconds and stops everything. Returns the seconds since the start, or None when
        the virtio side did not come up."""
        if not self.wait_ready(devices=devices):
            self.finish()
            return None
        # The virtio side forwards as soon as its port is up; give vionet-fwd's link wait a moment.
        time.sleep(1.0)
        self.vhost_cmd(start_cmd)
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


def testpmd_virtio_cmd(pmd, plugin, devarg, queues, queue_size):
    cmd = [TESTPMD, "-l", "0,1", "--main-lcore", "1"] + eal_common(f"vionet_bench_vu_{os.getpid()}")
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
    devarg = virtio_devarg(pmd, run.sock, queues, layout, in_order, args.queue_size, args.vectorized)
    json_path = os.path.join(workdir, f"{tag}.json")
    try:
        if not run.start_vhost(queues, pktgen_sock):
            return {"error": "vhost-side testpmd did not start: " + tail(run.vhost_log)}
        if app == "testpmd":
            run.start_virtio(testpmd_virtio_cmd(pmd, args.plugin, devarg, queues, args.queue_size))
        else:
            run.start_virtio(fwd_virtio_cmd(args.fwd, pmd, args.plugin, devarg, queues, args.queue_size,
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


def measure_interleaved(args, workdir, tag, first, layout, in_order, queues):
    """Both PMDs in one vionet-fwd process, polled in turn by the same lcore (loop topology), each
    on its own vhost port of one vhost-side testpmd: the two are measured at the same moment under
    the same conditions, so the host's swings hit both alike. `first` is the PMD whose port is 0
    (polled first). Returns {"ours": sample, "dpdk": sample} or {"error": why}."""
    run = Run(workdir, tag)
    order = [first, "dpdk" if first == "ours" else "ours"]
    sock = {order[0]: run.sock, order[1]: os.path.join(workdir, f"{tag}.b.sock")}
    json_path = os.path.join(workdir, f"{tag}.json")
    try:
        if not run.start_vhost(queues, loop_sock=sock[order[1]]):
            return {"error": "vhost-side testpmd did not start: " + tail(run.vhost_log)}
        vdevs = []
        for pmd in order:
            vdevs += ["--vdev", virtio_devarg(pmd, sock[pmd], queues, layout, in_order, args.queue_size,
                                              args.vectorized)]
        cmd = [args.fwd, "-l", "0,1", "--main-lcore", "1"] + eal_common(f"vionet_bench_vu_{os.getpid()}") + [
            "-d", args.plugin] + vdevs + [
            "--", "--mode", "io", "--topology", "loop", "--rxq", str(queues), "--rxd", str(args.queue_size),
            "--txd", str(args.queue_size), "--record-cycles", "--live", "off", "--link-wait", "20",
            f"--json={json_path}"]
        run.start_virtio(cmd)
        elapsed = run.drive(args, 2, f"start tx_first {args.seed_bursts}")
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
    for port, pmd in enumerate(order):
        queues_rx = report["ports"][port]["rx_queues"]
        packets = sum(q["packets"] for q in queues_rx)
        cycles = sum(q["busy_cycles"] for q in queues_rx)
        if packets == 0:
            return {"error": f"{pmd} forwarded nothing: " + tail(run.virtio_log)}
        out[pmd] = {"mpps": packets / elapsed / 1e6, "cycles_per_packet": cycles / packets}
    return out


def run_interleaved(args, workdir, label, layout, in_order, queues):
    """Rounds alternate which PMD's port is polled first."""
    results = {"ours": [], "dpdk": []}
    for i in range(args.rounds):
        first = "ours" if i % 2 == 0 else "dpdk"
        sample = measure_interleaved(args, workdir, f"i{i}", first, layout, in_order, queues)
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


def write_markdown(path, meta, pmd_rows, fwd_rows, null_rows, inter_rows=None):
    out = ["# Performance", "",
           "Generated by `meson test -C build --suite bench pmd_compare` (tests/bench/pmd_compare.py); "
           "do not edit by hand. See [benchmark.md](benchmark.md) for the method.", "",
           f"- when: {meta['when']}, commit `{meta['commit']}`",
           f"- machine: {meta['cpu']}, {meta['cores']} cores, shared with other jobs: figures swing "
           "by tens of percent between runs, compare the ratios of the same run only",
           f"- {meta['rounds']} alternating rounds per side and variant, {meta['seconds']} s each, "
           f"medians; 64-byte frames, mrg_rxbuf=0, vectorized={meta['vectorized']}, "
           f"queue size {meta['queue_size']}, "
           f"{meta['seed_bursts']} seeded bursts of 32 per queue",
           f"- source: {meta['source']}"]
    if pmd_rows:
        out += ["", "## net_vionet_user (ours) vs DPDK's net_virtio_user, testpmd io on the virtio side", "",
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
        out += ["", "### The same rounds by host placement", "",
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
        out += ["", "## Same core, same moment: both PMDs in one vionet-fwd process", "",
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fwd", required=True, help="vionet-fwd binary")
    ap.add_argument("--plugin", required=True, help="librte_net_vionet.so in the build")
    ap.add_argument("--repo", required=True, help="repository root (doc/performance.md goes there)")
    ap.add_argument("--json-out", required=True, help="where the JSON results go")
    ap.add_argument("--probe", help="cacheline_probe binary: labels each round with the host's CPU placement")
    ap.add_argument("--markdown-out", help="where the Markdown report goes (default: doc/performance.md)")
    ap.add_argument("--render-only", action="store_true",
                    help="only rewrite doc/performance.md from the JSON of an earlier run")
    args = ap.parse_args()
    if args.render_only:
        saved = json.load(open(args.json_out))
        meta = {"vectorized": 0, **saved["meta"]}
        write_markdown(os.path.join(args.repo, "doc", "performance.md"), meta, saved["pmd"],
                       saved["forwarder"], saved.get("forwarder_null"), saved.get("interleaved"))
        return 0
    args.plugin = eal_plugin_path(args.repo, args.plugin)
    args.rounds = env_int("VIONET_BENCH_ROUNDS", 7)
    args.seconds = env_int("VIONET_BENCH_SECONDS", 4)
    args.queue_size = env_int("VIONET_BENCH_QUEUE_SIZE", 256)
    args.seed_bursts = env_int("VIONET_BENCH_SEED_BURSTS", 8)
    args.pktgen = os.environ.get("PKTGEN") or None
    if args.pktgen and not os.access(args.pktgen, os.X_OK):
        sys.exit(f"bench: PKTGEN={args.pktgen} is not an executable")
    args.vectorized = env_int("VIONET_BENCH_VECTORIZED", 0)
    interleaved = env_int("VIONET_BENCH_INTERLEAVED", 1) != 0
    sequential = env_int("VIONET_BENCH_SEQUENTIAL", 1) != 0
    if not (interleaved or sequential):
        sys.exit("bench: VIONET_BENCH_INTERLEAVED=0 and VIONET_BENCH_SEQUENTIAL=0 leave nothing to run")
    queue_counts = [int(q) for q in os.environ.get("VIONET_BENCH_QUEUES", "1,2").split(",")]
    layouts = os.environ.get("VIONET_BENCH_LAYOUTS", "split,packed").split(",")
    if shutil.which(TESTPMD) is None:
        sys.exit("bench: dpdk-testpmd not found (apt-get install dpdk)")
    source = pktgen_note()
    print("bench: " + source, flush=True)

    workdir = tempfile.mkdtemp(prefix="vionet-bench.", dir="/run")
    pmd_rows, fwd_rows, null_rows, inter_rows = [], None, None, []
    try:
        for queues in queue_counts if sequential else []:
            for layout in layouts:
                for in_order in (1, 0):
                    label = f"{layout} in_order={in_order} queues={queues}"
                    pair = run_pair(args, workdir, label,
                                    ("ours", "ours", "testpmd", layout, in_order, queues),
                                    ("dpdk", "dpdk", "testpmd", layout, in_order, queues))
                    pmd_rows.append({"layout": layout, "in_order": in_order, "queues": queues,
                                     "median_round_ratio": pair.pop("median_round_ratio"), **pair})
                    o, d = pair["ours"], pair["dpdk"]
                    print(f"bench: {label}: median ours {fmt(o['median_mpps'])} Mpps "
                          f"{fmt(o['median_cycles_per_packet'], 1)} cyc/pkt, DPDK {fmt(d['median_mpps'])} Mpps "
                          f"{fmt(d['median_cycles_per_packet'], 1)} cyc/pkt, cycles ours/DPDK "
                          f"{fmt(ratio(o['median_cycles_per_packet'], d['median_cycles_per_packet']), 2)}",
                          flush=True)
        for queues in queue_counts if interleaved else []:
            for layout in layouts:
                for in_order in (1, 0):
                    label = f"{layout} in_order={in_order} queues={queues}"
                    r = run_interleaved(args, workdir, label, layout, in_order, queues)
                    inter_rows.append({"layout": layout, "in_order": in_order, "queues": queues, **r})
                    print(f"bench: {label} interleaved: median ours "
                          f"{fmt(r['ours']['median_cycles_per_packet'], 1)}, DPDK "
                          f"{fmt(r['dpdk']['median_cycles_per_packet'], 1)} cyc/pkt, median round ratio "
                          f"{fmt(r['median_round_ratio'], 2)}", flush=True)
        if sequential:
            fwd_rows, null_rows = run_forwarder_tables(args, workdir, pmd_rows, layouts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        # EAL leaves a runtime folder per file prefix; ours carry this process id.
        for role in ("vh", "vu", "pg", "null"):
            prefix = f"vionet_bench_{role}_{os.getpid()}"
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
            # a process killed hard leaves its hugepage file behind
            for leftover in glob.glob(f"/dev/hugepages/{prefix}map_*"):
                os.unlink(leftover)

    meta = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": git_commit(args.repo),
            "cpu": cpu_model(), "cores": os.cpu_count(), "rounds": args.rounds, "seconds": args.seconds,
            "queue_size": args.queue_size, "seed_bursts": args.seed_bursts, "source": source,
            "vectorized": args.vectorized}
    os.makedirs(os.path.dirname(args.json_out), exist_ok=True)
    with open(args.json_out, "w") as fh:
        json.dump({"meta": meta, "pmd": pmd_rows, "forwarder": fwd_rows, "forwarder_null": null_rows,
                   "interleaved": inter_rows}, fh, indent=1)
    md = args.markdown_out or os.path.join(args.repo, "doc", "performance.md")
    os.makedirs(os.path.dirname(md), exist_ok=True)
    write_markdown(md, meta, pmd_rows, fwd_rows, null_rows, inter_rows)
    print(open(md).read())
    print(f"bench: JSON in {args.json_out}, table in {md}")
    # The reference must run, or the harness is broken; our PMD failing is a figure (n/a), not a failure.
    broken = [r for r in pmd_rows if r["dpdk"]["median_mpps"] is None]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
