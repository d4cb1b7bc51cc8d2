#!/usr/bin/env bash
# The main job: set up, build, then forward traffic with vionet-fwd through our PMD, live Mpps on
# screen and a summary at the end.
#
#   scripts/demo.sh                 vhost-user loopback (default), see below
#   scripts/demo.sh 0000:00:04.0    that virtio-net PCI function (bound to vfio-pci) with our net_vionet
#
# The loopback: Debian's dpdk-testpmd serves two vhost-user sockets through DPDK's vhost library
# (net_vhost0/1) in flowgen mode on one core: it generates 64-byte UDP flows into both and sinks what
# comes back. vionet-fwd, on the other core, forwards between two net_vionet_user ports (port 0 <->
# port 1). If our plugin cannot probe yet, the demo says so loudly and runs DPDK's net_virtio_user
# in its place, so that the rest of the pipeline still shows.
#
# environment:
#   VIONET_DEMO_SECONDS   how long to forward (default 20)
#   VIONET_DEMO_PMD       auto (default: ours, DPDK's only if ours cannot probe), ours, dpdk
#   VIONET_BUILD_DIR      build directory (default: build)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
"$repo_root/scripts/setup.sh"
. "$repo_root/tests/lib/common.sh"

seconds=${VIONET_DEMO_SECONDS:-20}
want_pmd=${VIONET_DEMO_PMD:-auto}
build_dir=${VIONET_BUILD_DIR:-$repo_root/build}
fwd=$build_dir/app/vionet-fwd/vionet-fwd
plugin=$(vionet_plugin_path "$build_dir/drivers/net/vionet/librte_net_vionet.so")
bdf=${1:-}
case $want_pmd in auto | ours | dpdk) ;; *) echo "demo: VIONET_DEMO_PMD must be auto, ours or dpdk" >&2; exit 2 ;; esac
[ -x "$fwd" ] || { echo "demo: $fwd is missing: the build failed?" >&2; exit 1; }

banner() {
	echo "demo: ************************************************************************"
	for line in "$@"; do echo "demo: *** $line"; done
	echo "demo: ************************************************************************"
}

# --- a PCI device given: our net_vionet on it, reflecting what arrives (macswap) -------------------
if [ -n "$bdf" ]; then
	echo "demo: forwarding on PCI $bdf with our net_vionet (-d $(basename "$plugin")), ${seconds}s"
	echo "demo: the function must be bound to vfio-pci (dpdk-devbind.py -b vfio-pci $bdf)"
	timeout -s INT $((seconds + 60)) "$fwd" -l 0,1 --main-lcore 1 --file-prefix=vionet_demo_pci -m 256 \
		-a "$bdf" -d "$plugin" -- --mode macswap --duration "$seconds" --live on || status=$?
	status=${status:-0}
	[ "$status" = 3 ] && echo "demo: no port on $bdf: is it a virtio-net function bound to vfio-pci?" >&2
	exit "$status"
fi

# --- the vhost-user loopback ----------------------------------------------------------------------
rundir=$(mktemp -d /run/vionet-demo.XXXXXX)
peer_pid=
cleanup() {
	if [ -n "$peer_pid" ]; then
		kill -INT "$peer_pid" 2>/dev/null || true
		wait "$peer_pid" 2>/dev/null || true
	fi
	rm -rf "$rundir"
}
trap cleanup EXIT

start_peer() {
	rm -f "$rundir"/vhost*.sock
	# flowgen: generates on, and drains, both vhost ports. A stats period keeps the non-interactive
	# testpmd running until a signal (without one it exits at the end of its input).
	dpdk-testpmd -l 0,1 --main-lcore 0 $(vionet_eal_common vionet_demo_peer 256) \
		--vdev "net_vhost0,iface=$rundir/vhost0.sock,queues=1" \
		--vdev "net_vhost1,iface=$rundir/vhost1.sock,queues=1" -- \
		--forward-mode=flowgen --nb-cores=1 --txd=1024 --rxd=1024 --stats-period=10 --total-num-mbufs=16384 \
		</dev/null >"$rundir/peer.log" 2>&1 &
	peer_pid=$!
	for _ in $(seq 100); do
		[ -S "$rundir/vhost0.sock" ] && [ -S "$rundir/vhost1.sock" ] && return 0
		sleep 0.1
	done
	cat "$rundir/peer.log" >&2
	echo "demo: the vhost-user peer (dpdk-testpmd, net_vhost) did not start" >&2
	exit 1
}

stop_peer() {
	kill -INT "$peer_pid" 2>/dev/null || true
	wait "$peer_pid" 2>/dev/null || true
	peer_pid=
}

# runs vionet-fwd on two virtio-user ports of the given driver; its exit status
run_forwarder() {
	local dev=$1
	shift
	timeout -s INT $((seconds + 60)) "$fwd" -l 0,1 --main-lcore 1 $(vionet_eal_common vionet_demo 256) "$@" \
		--vdev "${dev}0,path=$rundir/vhost0.sock,queues=1" \
		--vdev "${dev}1,path=$rundir/vhost1.sock,queues=1" -- \
		--mode io --duration "$seconds" --live on --link-wait 10
}

echo "demo: vhost-user peer: dpdk-testpmd, net_vhost0/1 in flowgen mode on core 1 ($rundir)"
start_peer
status=0
pmd=$want_pmd
if [ "$pmd" != dpdk ]; then
	echo "demo: vionet-fwd io between two net_vionet_user ports (our PMD, -d $(basename "$plugin")) on core 0, ${seconds}s"
	run_forwarder net_vionet_user -d "$plugin" || status=$?
	if [ "$status" = 3 ] && [ "$pmd" = auto ]; then
		banner "OUR PMD (net_vionet_user) DID NOT PROBE: see the EAL messages above." \
			"FALLING BACK TO DPDK'S net_virtio_user. THIS RUN DOES NOT SHOW OUR PMD."
		pmd=dpdk
		status=0
		stop_peer
		start_peer
	fi
fi
if [ "$pmd" = dpdk ]; then
	echo "demo: vionet-fwd io between two net_virtio_user ports (DPDK's PMD) on core 0, ${seconds}s"
	run_forwarder net_virtio_user || status=$?
fi
stop_peer
# The peer's own view: what it generated and what came back.
sed -n '/Accumulated forward statistics/,/^ *+\++$/p' "$rundir/peer.log" | sed 's/^/demo: peer: /' || true
[ "$status" = 3 ] && echo "demo: vionet-fwd found no port (see the EAL messages above)" >&2
if [ "$want_pmd" = auto ] && [ "$pmd" = dpdk ]; then
	banner "REMINDER: this run forwarded through DPDK's net_virtio_user, not our PMD."
fi
exit "$status"
