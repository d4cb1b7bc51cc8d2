#!/usr/bin/env bash
# vionet-fwd --latency over our PMD (net_vionet_user) against DPDK's vhost library (net_vhost):
#
# roundtrip:
#   F: vionet-fwd flowgen --latency on net_vionet_user0 (socket A), at --rate R, then at full rate
#   R: vionet-fwd io --topology loop on net_vhost0 (socket A): every frame back where it came from
#   F measures the round trip. Its JSON must hold a latency block with count > 0, min <= p50 <= p99
#   <= p99.9 <= max, every frame that came back measured, no more lost than the counted drops on
#   the way (none when nothing was dropped), nothing reordered, and no more offered than --rate.
#   On a loaded machine the figures are mostly scheduling; the test checks consistency, not speed.
#
# oneway:
#   G: vionet-fwd txonly --latency --packets N on net_vhost0 (socket A)
#   F: vionet-fwd io between two net_vionet_user ports (A -> B), retrying Tx without limit
#   S: vionet-fwd rxonly --latency --packets N on net_vhost0 (socket B)
#   S measures G -> S (same machine, same TSC): exactly N stamped frames, none lost or reordered.
#
# usage: test_fwd_latency.sh <vionet-fwd> <librte_net_vionet.so> roundtrip|oneway
set -euo pipefail
fwd=$1
so=$2
scenario=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"

rate=200000
packets=200000
dir=$(mktemp -d /tmp/vionet-fwd-latency.XXXXXX)
pids=()
tag=vionet_fwdlat_$$
cleanup() {
	for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$dir" /var/run/dpdk/"${tag}"_? /dev/hugepages/"${tag}"_?map_*
}
trap cleanup EXIT
plugin_args="-d $(vionet_plugin_path "$so")"

wait_sockets() {
	for _ in $(seq 100); do
		local all=1
		for s in "$@"; do [ -S "$s" ] || all=0; done
		[ $all = 1 ] && return 0
		sleep 0.1
	done
	cat "$dir"/*.log
	vionet_fail "vhost-user sockets not created: $*"
}

# Runs the flowgen side once; $1 names the run, the rest are extra options.
flowgen_run() {
	local name=$1
	shift
	timeout 60 "$fwd" -l 0,1 --main-lcore 0 $(vionet_eal_common "${tag}_f" 256) $plugin_args \
		--vdev "net_vionet_user0,path=$dir/a.sock,queues=1" -- \
		--mode flowgen --latency --flows 64 --duration 3 --link-wait 30 --live on \
		--json="$dir/$name.json" "$@" >"$dir/$name.log" 2>&1 ||
		{ cat "$dir/$name.log"; vionet_fail "flowgen run '$name' failed"; }
	cat "$dir/$name.log"
}

case $scenario in
roundtrip)
	timeout 120 "$fwd" -l 0,1 --main-lcore 1 $(vionet_eal_common "${tag}_r" 256) \
		--vdev "net_vhost0,iface=$dir/a.sock,queues=1" -- \
		--mode io --topology loop --link-wait 60 --live off --json="$dir/r.json" \
		>"$dir/r.log" 2>&1 &
	pids+=($!)
	wait_sockets "$dir/a.sock"
	flowgen_run fixed --rate "$rate"
	flowgen_run full
	kill -INT "${pids[0]}"
	r_rc=0
	wait "${pids[0]}" || r_rc=$?
	pids=()
	echo "=== reflector"; cat "$dir/r.log"
	[ "$r_rc" = 0 ] || vionet_fail "the reflecting vionet-fwd (R) exited with $r_rc"
	;;
oneway)
	timeout 120 "$fwd" -l 0,1 --main-lcore 1 $(vionet_eal_common "${tag}_g" 256) \
		--vdev "net_vhost0,iface=$dir/a.sock,queues=1" -- \
		--mode txonly --latency --rate "$rate" --packets "$packets" --link-wait 60 --live off \
		--json="$dir/g.json" >"$dir/g.log" 2>&1 &
	pids+=($!)
	timeout 120 "$fwd" -l 0,1 --main-lcore 1 $(vionet_eal_common "${tag}_s" 256) \
		--vdev "net_vhost0,iface=$dir/b.sock,queues=1" -- \
		--mode rxonly --latency --packets "$packets" --link-wait 60 --live off \
		--json="$dir/s.json" >"$dir/s.log" 2>&1 &
	pids+=($!)
	wait_sockets "$dir/a.sock" "$dir/b.sock"
	f_rc=0
	timeout 120 "$fwd" -l 0,1 --main-lcore 0 $(vionet_eal_common "${tag}_f" 256) $plugin_args \
		--vdev "net_vionet_user0,path=$dir/a.sock,queues=1" \
		--vdev "net_vionet_user1,path=$dir/b.sock,queues=1" -- \
		--mode io --packets "$packets" --tx-retry 4294967295 --link-wait 60 --live off \
		>"$dir/f.log" 2>&1 || f_rc=$?
	g_rc=0
	s_rc=0
	wait "${pids[0]}" || g_rc=$?
	wait "${pids[1]}" || s_rc=$?
	pids=()
	for side in g f s; do echo "=== $side"; cat "$dir/$side.log"; done
	[ "$f_rc" = 0 ] || vionet_fail "the forwarding vionet-fwd (F) exited with $f_rc"
	[ "$g_rc" = 0 ] || vionet_fail "the generating vionet-fwd (G) exited with $g_rc (124: timeout)"
	[ "$s_rc" = 0 ] || vionet_fail "the sinking vionet-fwd (S) exited with $s_rc (124: timeout)"
	;;
*) vionet_fail "scenario must be roundtrip or oneway, not '$scenario'" ;;
esac

/usr/bin/python3 - "$scenario" "$dir" "$rate" "$packets" <<'PY'
import json, os, sys
scenario, d, rate, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
bad = []

def latency_block(name, report, port):
    lat = report["ports"][port].get("latency")
    if lat is None:
        bad.append(f"{name}: port {port} has no latency block")
        return None
    if report["totals"].get("latency") is None:
        bad.append(f"{name}: totals have no latency block")
    print(f"{name} port {port} latency: {lat}")
    order = [lat[k] for k in ("min_us", "p50_us", "p99_us", "p99_9_us", "max_us")]
    if lat["count"] <= 0:
        bad.append(f"{name}: latency count {lat['count']}")
    elif not (0 < order[0] and order == sorted(order)):
        bad.append(f"{name}: min <= p50 <= p99 <= p99.9 <= max does not hold: {order}")
    elif not order[0] <= lat["mean_us"] <= order[-1]:
        bad.append(f"{name}: mean {lat['mean_us']} outside [min, max]")
    if lat["reordered"] != 0 or lat["untracked"] != 0:
        bad.append(f"{name}: {lat['reordered']} reordered, {lat['untracked']} untracked on one queue")
    return lat

if scenario == "roundtrip":
    r = json.load(open(os.path.join(d, "r.json")))
    rp = r["ports"][0]
    # Where a frame of F can vanish, counted: R's Tx (F's Rx ring full), R's Rx, F's Rx.
    dropped = rp["tx_dropped"] + rp["rx_missed"] + rp["rx_nombuf"] + rp["rx_errors"]
    lost = 0
    p50 = {}
    for run in ("fixed", "full"):
        f = json.load(open(os.path.join(d, run + ".json")))
        port = f["ports"][0]
        lat = latency_block(run, f, 0)
        if lat is None:
            continue
        p50[run] = lat["p50_us"]
        # Every frame that came back carries a stamp (R forwards only F's frames).
        if lat["count"] + lat["clock_backwards"] != port["rx_packets"]:
            bad.append(f"{run}: {lat['count']} measured + {lat['clock_backwards']} backwards, "
                       f"{port['rx_packets']} received")
        if lat["count"] + lat["lost"] > port["tx_packets"]:
            bad.append(f"{run}: {lat['count']} measured + {lat['lost']} lost > {port['tx_packets']} sent")
        lost += lat["lost"]
        dropped += port["rx_missed"] + port["rx_nombuf"] + port["rx_errors"]
        # --rate bounds what is offered (sent or refused by the port); no lower bound: on a busy
        # machine the lcore is descheduled, and a late lcore does not catch up.
        if run == "fixed":
            offered = port["tx_packets"] + port["tx_dropped"]
            if offered > rate * f["duration_s"] * 1.01 + 64:
                bad.append(f"fixed: {offered} offered in {f['duration_s']:.2f} s at --rate {rate}")
        if f["mbufs_in_use_at_exit"] != 0:
            bad.append(f"{run}: {f['mbufs_in_use_at_exit']} mbufs not returned")
    # A gap needs a drop on the way, and R counts its drops.
    if lost > dropped:
        bad.append(f"{lost} lost over both runs, but only {dropped} dropped on the way")
    print(f"reflector dropped {dropped}; p50 at {rate} pps: {p50.get('fixed')} us, "
          f"at full rate: {p50.get('full')} us")
else:
    s = json.load(open(os.path.join(d, "s.json")))
    g = json.load(open(os.path.join(d, "g.json")))
    if "latency" in g["ports"][0]:
        bad.append("G (txonly) reports a latency it cannot measure")
    lat = latency_block("S", s, 0)
    if lat is not None:
        if lat["count"] + lat["clock_backwards"] != n:
            bad.append(f"S measured {lat['count']} + {lat['clock_backwards']} backwards, want {n}")
        if lat["lost"] != 0:
            bad.append(f"S counted {lat['lost']} lost, nothing was dropped")
    if s["ports"][0]["rx_packets"] != n or g["ports"][0]["tx_packets"] != n:
        bad.append(f"G sent {g['ports'][0]['tx_packets']}, S received {s['ports'][0]['rx_packets']}, want {n}")
if bad:
    sys.exit("FAIL: " + "; ".join(bad))
print(f"{scenario}: latency reported and consistent")
PY
