#!/usr/bin/env bash
# vionet-fwd's mac, macswap and flowgen modes and its live view, as seen from the other end of
# vhost-user: test_fwd_peer holds net_vhost ports (DPDK's vhost library) and checks every frame
# that comes out of vionet-fwd, which runs on our net_vionet_user ports (doc/forwarder.md, "Modes"):
#
#   mac      peer --(2000 frames each way)--> F (mac, paired ports) --> peer: MACs rewritten, port 1
#            to the --eth-peer given, port 0 to the default 02:00:00:00:00:00; F counts exactly
#            2000 each way
#   macswap  the same, source and destination swapped per frame
#   flowgen  F (flowgen, 64 flows, 300-byte frames) --> peer: the flows, checksums, lengths over
#            5000 frames or more; the peer sends the first 1000 back and F must count exactly those
#   live     F (flowgen at 50000 pps of 1000 bytes for 4.5 s, --live on, stdout a file) --> peer
#            echoing all: one block per second (a line per port, a total line), units right, the
#            rates add up to what the run counted
#
# F runs until the peer says "done" (then SIGINT), or for --duration (live): a forwarder that stopped
# by itself could close its ports before the peer took the last frames out of the rings.
#
# usage: test_fwd_modes.sh <vionet-fwd> <librte_net_vionet.so> <test_fwd_peer> <mode>
set -euo pipefail
fwd=$1
plugin=$2
peer=$3
mode=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
plugin=$(vionet_plugin_path "$plugin")

dir=$(mktemp -d /run/vionet-fwd-modes.XXXXXX)
tag=vionet_fwdmodes_$$
peer_pid="" fwd_pid=""
cleanup() {
	[ -n "$fwd_pid" ] && kill -9 "$fwd_pid" 2>/dev/null || true
	[ -n "$peer_pid" ] && kill -9 "$peer_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir" /var/run/dpdk/"${tag}"_? /dev/hugepages/"${tag}"_?map_*
}
trap cleanup EXIT

fwd_mac0=02:f0:00:00:00:00
fwd_mac1=02:f0:00:00:00:01
eth_peer1=02:ee:00:00:00:01
frames=2000
fwd_args=(--tx-retry 4294967295 --link-wait 60 --json="$dir/f.json")
case $mode in
mac | macswap)
	nb_ports=2
	peer_args=("$mode" "$frames")
	[ "$mode" = mac ] && peer_args+=("$fwd_mac0" 02:00:00:00:00:00 "$fwd_mac1" "$eth_peer1")
	fwd_args+=(--mode "$mode" --eth-peer "1,$eth_peer1" --duration 100 --live off)
	;;
flowgen)
	nb_ports=1
	peer_args=(flowgen 5000 64 300 1000)
	fwd_args+=(--mode flowgen --flows 64 --pkt-size 300 --rate 20000 --duration 100 --live off)
	;;
live)
	nb_ports=1
	peer_args=(flowgen 1 4 1000 4294967295)
	fwd_args+=(--mode flowgen --flows 4 --pkt-size 1000 --rate 50000 --duration 4.5 --live on)
	;;
*) vionet_fail "mode must be mac, macswap, flowgen or live, not '$mode'" ;;
esac

peer_vdevs=() fwd_vdevs=()
for p in $(seq 0 $((nb_ports - 1))); do
	peer_vdevs+=(--vdev "net_vhost$p,iface=$dir/$p.sock,queues=1")
	fwd_vdevs+=(--vdev "net_vionet_user$p,path=$dir/$p.sock,queues=1,mac=02:f0:00:00:00:0$p")
done

# The peer polls on core 0, the forwarding lcore is core 1 (F's main lcore 0 mostly sleeps).
timeout 120 "$peer" -l 0 $(vionet_eal_common "${tag}_p" 256) "${peer_vdevs[@]}" -- \
	"${peer_args[@]}" >"$dir/peer.log" 2>&1 &
peer_pid=$!
for _ in $(seq 100); do [ -S "$dir/$((nb_ports - 1)).sock" ] && break; sleep 0.1; done
[ -S "$dir/$((nb_ports - 1)).sock" ] || { cat "$dir/peer.log"; vionet_fail "the peer created no socket"; }

fwd_pid=""
timeout 120 "$fwd" -l 0,1 --main-lcore 0 $(vionet_eal_common "${tag}_f" 256) -d "$plugin" \
	"${fwd_vdevs[@]}" -- "${fwd_args[@]}" >"$dir/f.log" 2>&1 &
fwd_pid=$!
if [ "$mode" != live ]; then
	for _ in $(seq 900); do
		grep -qx done "$dir/peer.log" && break
		kill -0 "$peer_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -INT "$fwd_pid" 2>/dev/null || true
fi
set +e
wait "$fwd_pid"
f_rc=$?
wait "$peer_pid"
peer_rc=$?
set -e
fwd_pid="" peer_pid=""
for side in f peer; do echo "=== $side"; cat "$dir/$side.log"; done
[ "$f_rc" = 0 ] || vionet_fail "vionet-fwd exited with $f_rc (124: timeout)"
[ "$peer_rc" = 0 ] || vionet_fail "the peer exited with $peer_rc (124: timeout)"

echoed=$(sed -n 's/^echoed \([0-9]*\)$/\1/p' "$dir/peer.log")
/usr/bin/python3 - "$mode" "$dir/f.json" "$dir/f.log" "${echoed:-0}" <<'PY'
import json, re, sys
mode, json_path, log_path, echoed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
f = json.load(open(json_path))
log = open(log_path).read()
bad = []
if f["mbufs_in_use_at_exit"] != 0:
    bad.append(f"{f['mbufs_in_use_at_exit']} mbufs not returned")
if f["totals"]["tx_dropped"] != 0:
    bad.append(f"dropped {f['totals']['tx_dropped']}")
if mode in ("mac", "macswap"):
    for p in f["ports"]:
        if p["rx_packets"] != 2000 or p["tx_packets"] != 2000:
            bad.append(f"port {p['port']}: rx {p['rx_packets']} tx {p['tx_packets']}, want 2000 each")
if mode == "flowgen":
    # flowgen receives and frees what comes back: exactly what the peer echoed
    rx = f["ports"][0]["rx_packets"]
    if rx != echoed or echoed == 0:
        bad.append(f"flowgen counted {rx} frames received, the peer echoed {echoed}")
if mode == "live":
    if "\033" in log:
        bad.append("terminal escapes in the live view of a stdout that is no terminal")
    port_re = re.compile(r"^port (\d+) +rx +([\d.]+) Mpps +([\d.]+) Gbit/s  tx +([\d.]+) Mpps +([\d.]+) Gbit/s"
                         r" \| so far: drop (\d+) missed (\d+) nombuf (\d+) err (\d+)$")
    total_re = re.compile(r"^\[ *([\d.]+) s\] flowgen: total rx ([\d.]+) Mpps, tx ([\d.]+) Mpps$")
    blocks, ports = [], []
    for line in log.splitlines():
        m = port_re.match(line)
        if m:
            ports.append([float(x) for x in m.groups()])
            continue
        m = total_re.match(line)
        if m:
            blocks.append((float(m.group(1)), float(m.group(2)), float(m.group(3)), ports))
            ports = []
    if ports:
        bad.append(f"port lines without a total line after them: {ports}")
    # 4.5 s at up to 50000 pps (a paced generator on a loaded machine falls behind, never ahead), a
    # block each second
    if len(blocks) < 3:
        bad.append(f"{len(blocks)} live blocks in a run of {f['duration_s']:.1f} s")
    for i, (t, rx_total, tx_total, plines) in enumerate(blocks):
        before = blocks[i - 1][0] if i else 0.0
        if not 0.8 <= t - before <= 2.0:
            bad.append(f"block at {t} s: {t - before:.1f} s after the one before, want a second")
        if len(plines) != 1 or plines[0][0] != 0:
            bad.append(f"block at {t} s: port lines {plines}, want port 0 alone")
            continue
        _, rx_mpps, rx_gbps, tx_mpps, tx_gbps, drop, missed, nombuf, err = plines[0]
        if (drop, missed, nombuf, err) != (0, 0, 0, 0):
            bad.append(f"block at {t} s: drop {drop} missed {missed} nombuf {nombuf} err {err}")
        if abs(rx_total - rx_mpps) > 0.0015 or abs(tx_total - tx_mpps) > 0.0015:
            bad.append(f"block at {t} s: totals rx {rx_total} tx {tx_total}, port rx {rx_mpps} tx {tx_mpps}")
        # 1000-byte frames: Gbit/s = Mpps * 8 (rounding of the three printed decimals aside)
        for what, mpps, gbps in (("rx", rx_mpps, rx_gbps), ("tx", tx_mpps, tx_gbps)):
            if abs(gbps - mpps * 8) > 0.02:
                bad.append(f"block at {t} s: {what} {mpps} Mpps but {gbps} Gbit/s of 1000-byte frames")
        if tx_mpps > 0.051:
            bad.append(f"block at {t} s: tx {tx_mpps} Mpps above --rate 50000")
    # Each block's rate over its second adds up to what the run counted: all of it but the tail
    # after the last block (at most --rate for that long).
    if blocks and all(len(b[3]) == 1 for b in blocks):
        tail_s = f["duration_s"] - blocks[-1][0]
        for what, col, total in (("tx", 3, f["ports"][0]["tx_packets"]),
                                 ("rx", 1, f["ports"][0]["rx_packets"])):
            seen = sum(b[3][0][col] * 1e6 * (b[0] - (blocks[i - 1][0] if i else 0.0))
                       for i, b in enumerate(blocks))
            if not total * 0.9 - 0.051e6 * tail_s - 1000 <= seen <= total * 1.1 + 1000:
                bad.append(f"live {what} rates add up to {seen:.0f} packets, the run counted {total}"
                           f" ({tail_s:.1f} s after the last block)")
    print(f"live view: {len(blocks)} blocks: " +
          "; ".join(f"{b[0]} s tx {b[3][0][3] if b[3] else '?'} Mpps" for b in blocks))
if bad:
    sys.exit("FAIL: " + "; ".join(bad))
print(f"{mode}: vionet-fwd's report agrees")
PY
