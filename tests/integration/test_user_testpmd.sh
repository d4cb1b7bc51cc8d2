#!/usr/bin/env bash
# net_vionet_user as a drop-in in Debian's dpdk-testpmd (-d <plugin> --vdev net_vionet_user0,...),
# against a second testpmd with a net_vhost port, each forwarding on its own core:
#   1. traffic passes both ways (io forwarding on both sides, the peer starts with tx_first);
#   2. the back end is killed (SIGKILL) mid-traffic: our port reports the link down;
#   3. a new back end on the same socket: our port reconnects, link up, traffic passes again;
#   4. our testpmd exits cleanly (no signal).
# Our testpmd runs with --enable-hw-vlan-strip (VLAN strip is done in software, as DPDK virtio users
# expect).
# No timing is asserted: traffic is polled until it is there, every wait is bounded only to turn a
# hang into a failure.
# usage: test_user_testpmd.sh <plugin.so> [devargs suffix, e.g. ",packed_vq=1"]
# With ",server=1" in the suffix our port listens and the back end connects as a client.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
plugin=$(vionet_plugin_path "$1")
extra=${2:-}
server=0
peer_client=""
case "$extra" in *server=1*) server=1 peer_client=",client=1" ;; esac

work=$(mktemp -d /run/vionet-testpmd-XXXXXX)
sock=$work/vh.sock
peer_pid="" ours_pid=""
cleanup() {
	exec 3>&- 4>&- 2>/dev/null || true
	[ -n "$peer_pid" ] && kill -9 "$peer_pid" 2>/dev/null || true
	[ -n "$ours_pid" ] && kill -9 "$ours_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# Waits until file $1 has $3 lines matching $2 (default 1).
wait_log() {
	local file=$1 pattern=$2 count=${3:-1}
	for _ in $(seq 600); do
		[ "$(grep -c -- "$pattern" "$file" 2>/dev/null || true)" -ge "$count" ] && return 0
		sleep 0.1
	done
	echo "--- $file"
	cat "$file"
	vionet_fail "no \"$pattern\" (x$count) in $(basename "$file")"
}

# The back end: interactive testpmd fed through a fifo; forwarding core 1.
start_peer() {
	local n=$1
	rm -f "$work/peer_in"
	# A killed server leaves its socket file behind; the next one binds anew.
	[ "$server" = 1 ] || rm -f "$sock"
	mkfifo "$work/peer_in"
	timeout 300 stdbuf -oL -eL dpdk-testpmd -l 0,1 --main-lcore 0 $(vionet_eal_common "vionet_tp_peer$$") \
		--vdev "net_vhost0,iface=$sock,queues=1$peer_client" -- -i --forward-mode=io \
		--total-num-mbufs=8192 <"$work/peer_in" >"$work/peer$n.log" 2>&1 &
	peer_pid=$!
	exec 3>"$work/peer_in"
	wait_log "$work/peer$n.log" "testpmd>"
}

peer_cmd() {
	echo "$1" >&3
}

# The peer's port 0 counters now ("show port stats 0" on its prompt): RX and TX packets.
peer_port_counts() {
	local log=$1 n counts
	n=$(grep -c "NIC statistics for port 0" "$log" || true)
	peer_cmd "show port stats 0"
	for _ in $(seq 600); do
		counts=$(awk -v want=$((n + 1)) '/NIC statistics for port 0/ {k++}
			k == want && /RX-packets/ {rx=$2} k == want && /TX-packets/ {tx=$2}
			END {if (tx != "") print rx+0, tx+0}' "$log")
		[ -n "$counts" ] && { echo "$counts"; return 0; }
		sleep 0.1
	done
	cat "$log"
	vionet_fail "the back end never answered \"show port stats 0\""
}

# Polls the peer's port 0 until it has received more than $2 and sent more than $3 packets; the
# deadline (60 s) passed is a failure (a hang), no timing is asserted.
wait_peer_traffic() {
	local log=$1 min_rx=$2 min_tx=$3 rx=0 tx=0
	for _ in $(seq 300); do
		read -r rx tx < <(peer_port_counts "$log")
		[ "$rx" -gt "$min_rx" ] && [ "$tx" -gt "$min_tx" ] && return 0
		sleep 0.2
	done
	vionet_fail "the back end's port 0 has received $rx and sent $tx packets, not more than $min_rx/$min_tx (waited 60 s)"
}

# Forward statistics of port 0 from the peer's last "stop": RX and TX packet counts.
peer_counts() {
	local log=$1
	awk '/Forward statistics for port 0/ {f=1} f && /RX-packets/ {rx=$2} f && /TX-packets/ {tx=$2; f=0}
	     END {print rx+0, tx+0}' "$log"
}

start_ours() {
	mkfifo "$work/ours_in"
	timeout 300 stdbuf -oL -eL dpdk-testpmd -l 0,1 --main-lcore 1 $(vionet_eal_common "vionet_tp_ours$$") \
		-d "$plugin" --vdev "net_vionet_user0,path=$sock$extra" -- --forward-mode=io -a \
		--enable-hw-vlan-strip \
		--total-num-mbufs=8192 <"$work/ours_in" >"$work/ours.log" 2>&1 &
	ours_pid=$!
	exec 4>"$work/ours_in"
}

# Our side: non-interactive, exits when its stdin (a fifo) gets a newline. In server mode it listens
# first (its probe waits for the back end), else the back end's socket must exist first.
if [ "$server" = 1 ]; then
	start_ours
	for _ in $(seq 600); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || { cat "$work/ours.log"; vionet_fail "our port never listened on $sock"; }
	start_peer 1
else
	start_peer 1
	start_ours
fi
wait_log "$work/ours.log" "burst functions"
wait_log "$work/ours.log" "Press enter to exit"

# 1. both ways
peer_cmd "start tx_first"
wait_peer_traffic "$work/peer1.log" 1000 1000
peer_cmd "stop"
wait_log "$work/peer1.log" "Forward statistics for port 0"
read -r rx tx < <(peer_counts "$work/peer1.log")
echo "back end 1: rx $rx tx $tx"
[ "$rx" -gt 1000 ] && [ "$tx" -gt 1000 ] || vionet_fail "too little traffic through the first back end ($rx/$tx)"

# 2. back end killed mid-traffic. The stop drained the loop: a new first burst starts it again, and
# the kill comes once the counters show frames flowing.
read -r port_rx port_tx < <(peer_port_counts "$work/peer1.log")
peer_cmd "start tx_first"
wait_peer_traffic "$work/peer1.log" "$((port_rx + 1000))" "$((port_tx + 1000))"
# SIGKILL the testpmd itself (the child of its timeout wrapper): no goodbye on the socket.
kill -9 "$(pgrep -P "$peer_pid")"
wait "$peer_pid" 2>/dev/null || true
peer_pid=""
exec 3>&-
wait_log "$work/ours.log" "net_vionet_user0: link down"

# 3. a new back end: reconnect, link up, traffic again
start_peer 2
wait_log "$work/ours.log" "net_vionet_user0: link up"
wait_log "$work/ours.log" "Port 0: link state change event" 2
peer_cmd "start tx_first"
wait_peer_traffic "$work/peer2.log" 1000 1000
peer_cmd "stop"
wait_log "$work/peer2.log" "Forward statistics for port 0"
read -r rx tx < <(peer_counts "$work/peer2.log")
echo "back end 2: rx $rx tx $tx"
[ "$rx" -gt 1000 ] && [ "$tx" -gt 1000 ] || vionet_fail "no traffic after the back end came back ($rx/$tx)"

# 4. our testpmd stops and closes the port and exits by itself
echo >&4
set +e
wait "$ours_pid"
rc=$?
set -e
ours_pid=""
peer_cmd "quit"
wait "$peer_pid" 2>/dev/null || true
peer_pid=""
grep -E "vionet|Port 0: link|RX-packets|TX-packets" "$work/ours.log" | head -20
[ "$rc" -eq 0 ] || { cat "$work/ours.log"; vionet_fail "our testpmd exited with $rc"; }
grep -q "Port 0: link state change event" "$work/ours.log" || vionet_fail "testpmd saw no LSC event"
echo "testpmd drop-in: ok"
