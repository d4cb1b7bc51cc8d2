#!/usr/bin/env bash
# The main job: set up, build, then run a vhost-user loopback through our PMD and show live rates.
#
# A DPDK net_vhost peer (Debian's dpdk-testpmd, on its own core) serves the socket and generates
# traffic; a second dpdk-testpmd with our plugin loaded (-d) forwards it back through a
# net_vionet_user port. Stats print every second; a summary at the end.
#
# environment: VIONET_DEMO_SECONDS (default 20)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
"$repo_root/scripts/setup.sh"
. "$repo_root/tests/lib/common.sh"

seconds=${VIONET_DEMO_SECONDS:-20}
build_dir=${VIONET_BUILD_DIR:-$repo_root/build}
plugin=$(vionet_plugin_path "$build_dir/drivers/net/vionet/librte_net_vionet.so")
rundir=$(mktemp -d /run/vionet-demo.XXXXXX)
sock=$rundir/vhost.sock
peer_pid=

cleanup() {
	[ -n "$peer_pid" ] && kill -INT "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null
	rm -rf "$rundir"
}
trap cleanup EXIT

echo "demo: vhost-user peer (net_vhost, txonly) forwarding on core 1, socket $sock"
dpdk-testpmd -l 0,1 --main-lcore 0 $(vionet_eal_common vionet_demo_peer 512) \
	--vdev "net_vhost0,iface=$sock,queues=1" -- --forward-mode=txonly --stats-period=0 \
	--nb-cores=1 --txd=512 --rxd=512 </dev/null >"$rundir/peer.log" 2>&1 &
peer_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$rundir/peer.log"; echo "demo: the vhost-user peer did not start" >&2; exit 1; }

echo "demo: dpdk-testpmd -d $(basename "$plugin") with a net_vionet_user port forwarding on core 0, ${seconds}s"
timeout -s INT "$seconds" dpdk-testpmd -l 0,1 --main-lcore 1 $(vionet_eal_common vionet_demo 512) -d "$plugin" \
	--vdev "net_vionet_user0,path=$sock,queues=1" -- --forward-mode=io --stats-period=1 \
	--nb-cores=1 </dev/null || status=$?
status=${status:-0}
# timeout's 124 is the normal end of the demo (testpmd stopped by SIGINT prints its summary).
[ "$status" = 124 ] && status=0
exit "$status"
