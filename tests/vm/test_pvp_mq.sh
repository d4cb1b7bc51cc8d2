#!/usr/bin/env bash
# PVP multi-queue: the guest's virtio-net function is backed by a vhost-user socket that Debian's
# dpdk-testpmd serves on the host (net_vhost, two queue pairs, forwarding each frame back on the queue
# it came from). In the guest ours, then DPDK's net_virtio (a figure only), forward on that one function
# with two queue pairs; every queue must carry traffic, with zero errors. Needs the control queue
# (VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET), which QEMU serves even with a vhost-user back end.
# usage: test_pvp_mq.sh <librte_net_vionet.so>
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/vm_lib.sh"

plugin=$(realpath "${1:?plugin path}")
queues=2
io=$(mktemp -d)
host_pid=
cleanup() {
	[ -n "$host_pid" ] && { kill -INT "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; }
	[ "${VIONET_VM_KEEP:-0}" = 1 ] && echo "vm: keeping $io" || rm -rf "$io"
}
trap cleanup EXIT

# The back end: vhost-user server with IOTLB support, since the device sits behind the guest's vIOMMU.
sock=$io/vhost-net.sock
timeout --signal=INT --kill-after=10 900 dpdk-testpmd -l 0-1 $(vionet_eal_common "vm_pvp_$$" 512) \
	--vdev "net_vhost0,iface=$sock,queues=$queues,iommu-support=1" -- \
	--rxq=$queues --txq=$queues --nb-cores=1 --forward-mode=io --stats-period=30 \
	>"$io/host-testpmd.log" 2>&1 &
host_pid=$!
for _ in $(seq 120); do
	[ -S "$sock" ] && break
	kill -0 "$host_pid" 2>/dev/null || break
	sleep 0.5
done
[ -S "$sock" ] || { cat "$io/host-testpmd.log"; vionet_fail "the host vhost-user back end did not start"; }

cat >"$io/guest.sh" <<GUEST
. $here/guest_lib.sh
. $here/../lib/common.sh
so=\$(vionet_plugin_path $plugin)
rc=0
dpdk-devbind.py -b vfio-pci \$NIC0 >/dev/null 2>&1 || { fail "binding \$NIC0"; exit 1; }
pvp_mq vionet $queues 15 net_vionet -d \$so -a \$NIC0 || rc=1
# The baseline is a figure only: its failure is reported, not the test's.
pvp_mq net_virtio $queues 15 net_virtio -a \$NIC0 || echo "NOTE: the net_virtio baseline did not pass"
cp /tmp/testpmd-*.log /run/vmio/
exit \$rc
GUEST
mem_mb=2048
VM_MEM_MB=$mem_mb
# vhost-user needs the guest's RAM shareable with the back end.
VM_QEMU_EXTRA=(-object "memory-backend-memfd,id=mem,size=${mem_mb}M,share=on" -numa node,memdev=mem
	       -chardev "socket,id=vu,path=$sock")
VM_NETDEVS=(-netdev "vhost-user,id=n0,chardev=vu,queues=$queues")
VM_NICS=(-device "virtio-net-pci,id=nic0,netdev=n0,addr=0x4,mac=52:54:00:12:00:01,disable-legacy=on,iommu_platform=on,mq=on,vectors=$((2 * queues + 2))")
vm_run "$io" "$io/guest.sh" 300
rc=$?
cat "$io/out.log" 2>/dev/null
[ "$rc" -eq 0 ] || { tail -n 20 "$io/host-testpmd.log"; vionet_fail "PVP multi-queue: guest checks failed (status $rc)"; }
echo "vm pvp: $(grep -c '^PASS' "$io/out.log") checks passed"
