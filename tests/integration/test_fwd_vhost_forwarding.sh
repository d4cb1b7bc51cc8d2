#!/usr/bin/env bash
# vionet-fwd forwards an exact number of packets through vhost-user, counted on every side:
#
#   G: vionet-fwd txonly --packets N   on net_vhost0 (socket A, DPDK's vhost library)
#   F: vionet-fwd io     --packets N   between two virtio-user ports (A -> B); with
#      VIONET_FWD_TEST_MODE=l2switch the MAC-learning switch instead: G's destination is unknown to
#      it, so it learns G's source on port 0 and floods every frame to port 1
#   S: vionet-fwd rxonly --packets N   on net_vhost0 (socket B)
#
# F's virtio-user ports are ours (net_vionet_user, from the plugin) when VIONET_FWD_TEST_PMD=ours
# (meson: fwd_<mode>_over_vionet_user), else DPDK's net_virtio_user (the default; meson:
# fwd_<mode>_over_dpdk_virtio_user), where the forwarder alone is under test. Nothing is lost on the way: G only
# counts what a port accepted, F retries partial Tx bursts without limit (S may be starved of CPU for
# seconds on a loaded machine). Every process must report exactly N and
# every mbuf back in its pool.
#
# usage: test_fwd_vhost_forwarding.sh <vionet-fwd> <librte_net_vionet.so>
set -euo pipefail
fwd=$1
so=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"

packets=${VIONET_FWD_TEST_PACKETS:-100000}
pmd=${VIONET_FWD_TEST_PMD:-dpdk}
mode=${VIONET_FWD_TEST_MODE:-io}
case $mode in io | l2switch) ;; *) vionet_fail "VIONET_FWD_TEST_MODE must be io or l2switch, not '$mode'" ;; esac
dir=$(mktemp -d /tmp/vionet-fwd-test.XXXXXX)
pids=()
tag=vionet_fwdtest_$$
cleanup() {
	for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	# A process killed hard leaves its hugepage file; every prefix here is this test's own.
	rm -rf "$dir" /var/run/dpdk/"${tag}"_? /dev/hugepages/"${tag}"_?map_*
}
trap cleanup EXIT

case $pmd in
ours)
	plugin_args="-d $(vionet_plugin_path "$so")"
	user_dev=net_vionet_user
	;;
dpdk)
	plugin_args=
	user_dev=net_virtio_user
	;;
*) vionet_fail "VIONET_FWD_TEST_PMD must be ours or dpdk, not '$pmd'" ;;
esac
echo "virtio-user side: $user_dev, forwarder mode: $mode"

# G and S serve the sockets; F connects. Each forwarding lcore on the other core from the last.
timeout 120 "$fwd" -l 0,1 --main-lcore 1 $(vionet_eal_common "${tag}_g" 256) \
	--vdev "net_vhost0,iface=$dir/a.sock,queues=1" -- \
	--mode txonly --packets "$packets" --link-wait 60 --live off --json="$dir/g.json" \
	>"$dir/g.log" 2>&1 &
pids+=($!)
timeout 120 "$fwd" -l 0,1 --main-lcore 1 $(vionet_eal_common "${tag}_s" 256) \
	--vdev "net_vhost0,iface=$dir/b.sock,queues=1" -- \
	--mode rxonly --packets "$packets" --link-wait 60 --live off --json="$dir/s.json" \
	>"$dir/s.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$dir/a.sock" ] && [ -S "$dir/b.sock" ] && break; sleep 0.1; done
[ -S "$dir/a.sock" ] && [ -S "$dir/b.sock" ] || { cat "$dir/g.log" "$dir/s.log"; vionet_fail "vhost-user sockets not created"; }

set +e
timeout 120 "$fwd" -l 0,1 --main-lcore 0 $(vionet_eal_common "${tag}_f" 256) $plugin_args \
	--vdev "${user_dev}0,path=$dir/a.sock,queues=1" --vdev "${user_dev}1,path=$dir/b.sock,queues=1" -- \
	--mode "$mode" --packets "$packets" --tx-retry 4294967295 --link-wait 60 --live off \
	--record-cycles --json="$dir/f.json" >"$dir/f.log" 2>&1
f_rc=$?
set -e
g_rc=0
s_rc=0
wait "${pids[0]}" || g_rc=$?
wait "${pids[1]}" || s_rc=$?
pids=()
for side in g f s; do echo "=== $side"; cat "$dir/$side.log"; done
[ "$f_rc" = 0 ] || vionet_fail "the forwarding vionet-fwd (F) exited with $f_rc"
[ "$g_rc" = 0 ] || vionet_fail "the generating vionet-fwd (G) exited with $g_rc (124: timeout)"
[ "$s_rc" = 0 ] || vionet_fail "the sinking vionet-fwd (S) exited with $s_rc (124: timeout)"

/usr/bin/python3 - "$packets" "$dir/g.json" "$dir/f.json" "$dir/s.json" "$mode" <<'PY'
import json, sys
n = int(sys.argv[1])
g, f, s = (json.load(open(p)) for p in sys.argv[2:5])
mode = sys.argv[5]
checks = [
    ("G sent", g["ports"][0]["tx_packets"]),
    ("F received on port 0", f["ports"][0]["rx_packets"]),
    ("F sent on port 1", f["ports"][1]["tx_packets"]),
    ("S received", s["ports"][0]["rx_packets"]),
]
bad = [f"{what}: {got}, want {n}" for what, got in checks if got != n]
bad += [f"{name}: {r['mbufs_in_use_at_exit']} mbufs not returned"
        for name, r in (("G", g), ("F", f), ("S", s)) if r["mbufs_in_use_at_exit"] != 0]
# --record-cycles: the per-stream counts add up to the lcores' (the streams are measured apart)
streams = [q for p in f["ports"] for q in p["rx_queues"]]
for key in ("busy_polls", "busy_cycles"):
    per_stream = sum(q[key] for q in streams)
    per_lcore = sum(lc[key] for lc in f["lcores"])
    if per_stream != per_lcore or per_lcore == 0:
        bad.append(f"F {key}: streams {per_stream}, lcores {per_lcore}")
if f["ports"][0]["rx_queues"][0]["busy_polls"] == 0:
    bad.append("F port 0 queue 0 counted no busy poll")
if f["totals"]["tx_dropped"] != 0:
    bad.append(f"F dropped {f['totals']['tx_dropped']}")
if mode == "l2switch":
    sw = f["l2switch"]
    print(f"F l2switch: {sw}")
    if sw["flooded"] != n:
        bad.append(f"l2switch flooded {sw['flooded']}, want {n} (destination never learned)")
    if sw["macs"] != 1 or sw["learned"] != 1:
        bad.append(f"l2switch learned {sw['learned']} MACs, holds {sw['macs']}, want G's one source")
    if f["ports"][0]["tx_packets"] != 0:
        bad.append("l2switch sent back out of the arrival port")
for what, got in checks:
    print(f"{what}: {got}")
if bad:
    sys.exit("FAIL: " + "; ".join(bad))
print(f"{mode}: exact counts on every side, every mbuf returned")
PY
