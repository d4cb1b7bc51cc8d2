#!/usr/bin/env bash
# One guest per virtio-net PCI variant; in it, side by side on the same two functions:
#   - DPDK's net_virtio forwarding (no -d: the auto-loaded driver claims the devices) -> baseline Mpps;
#   - ours forwarding (-d our plugin: ours claims them although net_virtio is loaded too);
#   - ours: link down/up from the QEMU monitor reaching the application as LSC (check_link);
#   - ours: Rx queue interrupts, l3fwd-power style (check_rx_intr, with tests/integration/test_rx_intr);
#   - ours: a secondary process attached to the primary's ports runs bursts on its queues
#     (check_multiprocess, with tests/integration/test_multiprocess);
#   - ours, modern variants: QEMU's announce_self (as after a live migration) answered with a RARP
#     frame for the application's address, its callback and the acknowledgement (check_announce, with
#     tests/integration/test_announce);
#   - ours: one Rx or Tx queue stopped and started alone with VIRTIO_F_RING_RESET (modern variants,
#     check_queue_reset), refused with the reason on a legacy device (check_queue_reset_refused);
# or, variant 'ctrl-filters', the control-queue receive filters (check_filters, check_vlan_filter), with
# net_virtio first as the reference that the checks hold for QEMU's device, then ours.
# usage: test_pci_variant.sh <modern-split|modern-packed|legacy|ctrl-filters> <librte_net_vionet.so>
#        [<test_rx_intr binary> [<test_multiprocess binary> [<test_announce binary>]]]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/vm_lib.sh"

variant=${1:?variant}
plugin=${2:?plugin path}
[ -f "$plugin" ] || vionet_fail "no plugin at $plugin"
plugin=$(realpath "$plugin")
rx_intr_bin=${3:-}
mp_bin=${4:-}
announce_bin=${5:-}

# Per variant: QEMU device options, our devargs, extra EAL arguments for both drivers.
case $variant in
modern-split) nic_opts=disable-legacy=on,iommu_platform=on; devargs=; eal_extra=; expect='transport pci-modern.*burst functions: Rx split' ;;
modern-packed) nic_opts=disable-legacy=on,iommu_platform=on,packed=on; devargs=,packed_vq=1; eal_extra=; expect='transport pci-modern.*burst functions: Rx packed' ;;
# A transitional device with its modern interface off; it bypasses the vIOMMU, hence physical addresses.
# Forwarding finds the legacy interface by itself (no virtio 1.x capabilities); the link check asks for it.
legacy) nic_opts=disable-modern=on; devargs=; link_devargs=,legacy=1; eal_extra=--iova-mode=pa; expect='transport pci-legacy.*burst functions: Rx split' ;;
ctrl-filters) nic_opts=disable-legacy=on,iommu_platform=on; devargs=; eal_extra=; expect= ;;
*) vionet_fail "unknown variant $variant" ;;
esac
budget=390
if [ "$variant" = ctrl-filters ]; then
	# Two more functions on a hub of their own, for the interrupt modes a device may offer fewer
	# vectors for: NIC2 without MSI-X (vectors=0: INTx), NIC3 with two vectors (config and one Rx
	# queue; Tx and control queues keep VIRTIO_MSI_NO_VECTOR). LSC through INTx on NIC2 (the link
	# helper acts on nic2), Rx interrupts with two vectors on NIC3 (NIC2 sends).
	VM_NETDEVS=(-netdev hubport,id=n0,hubid=0 -netdev hubport,id=n1,hubid=0
		    -netdev hubport,id=n2,hubid=1 -netdev hubport,id=n3,hubid=1)
	VM_NICS=(-device "virtio-net-pci,id=nic0,netdev=n0,addr=0x4,mac=52:54:00:12:00:01,$nic_opts"
		 -device "virtio-net-pci,id=nic1,netdev=n1,addr=0x5,mac=52:54:00:12:00:02,$nic_opts"
		 -device "virtio-net-pci,id=nic2,netdev=n2,addr=0x6,mac=52:54:00:12:00:03,$nic_opts,vectors=0"
		 -device "virtio-net-pci,id=nic3,netdev=n3,addr=0x7,mac=52:54:00:12:00:04,$nic_opts,vectors=2")
	VM_LINK_NIC=nic2
	budget=420
fi

io=$(mktemp -d)
# VIONET_VM_KEEP=1 keeps the exchange folder (console, testpmd logs) for a post-mortem.
[ "${VIONET_VM_KEEP:-0}" = 1 ] && echo "vm: keeping $io" || trap 'rm -rf "$io"' EXIT
cat >"$io/guest.sh" <<GUEST
. $here/guest_lib.sh
. $here/../lib/common.sh
so=\$(vionet_plugin_path $plugin)
rc=0
if [ $variant = ctrl-filters ]; then
	bind_vfio \$NIC2 \$NIC3 >/dev/null 2>&1 || { bind_vfio \$NIC2 \$NIC3; exit 1; }
	check_filters net_virtio $eal_extra -a \$NIC0 -a \$NIC1 || rc=1
	check_filters vionet $eal_extra -d \$so -a \$NIC0$devargs -a \$NIC1$devargs || rc=1
	check_vlan_filter net_virtio \$so $eal_extra -a \$NIC1 || rc=1
	check_vlan_filter vionet \$so $eal_extra -d \$so -a \$NIC1$devargs || rc=1
	# EAL's VFIO set-up takes MSI-X when the kernel lists the index, even with no vectors behind it:
	# INTx must be asked for (it then applies to every function of the process).
	check_link intx $eal_extra --vfio-intr=legacy -d \$so -a \$NIC0$devargs -a \$NIC2$devargs \
		--log-level=pmd.net.vionet*:info || rc=1
	check_msix_vectors intx \$NIC2 0 || rc=1
	if [ -n "$rx_intr_bin" ]; then
		check_rx_intr rx-intr-2-vectors $rx_intr_bin $eal_extra -d \$so -a \$NIC2$devargs -a \$NIC3$devargs \
			--log-level=pmd.net.vionet*:info || rc=1
		check_msix_vectors rx-intr-2-vectors \$NIC3 2 || rc=1
	fi
else
	bind_vfio >/dev/null 2>&1 || { bind_vfio; exit 1; }
	testpmd_fwd net_virtio 15 net_virtio $eal_extra -a \$NIC0 -a \$NIC1 || rc=1
	testpmd_fwd vionet 15 net_vionet $eal_extra -d \$so -a \$NIC0$devargs -a \$NIC1$devargs \
		--log-level=pmd.net.vionet*:info || rc=1
	# The transport and ring layout the variant is about, from our driver's own log lines.
	if tr '\n' ' ' </tmp/testpmd-vionet.log | grep -q -E '$expect'; then
		echo "PASS: vionet used '$expect'"
	else
		echo "FAIL: vionet did not log '$expect'"; rc=1
	fi
	check_link link $eal_extra -d \$so -a \$NIC0${link_devargs-$devargs} -a \$NIC1${link_devargs-$devargs} || rc=1
	if [ -n "$rx_intr_bin" ]; then
		check_rx_intr rx-intr $rx_intr_bin $eal_extra -d \$so -a \$NIC0$devargs -a \$NIC1$devargs || rc=1
	fi
	if [ -n "$mp_bin" ]; then
		check_multiprocess multiprocess $mp_bin $eal_extra -d \$so -a \$NIC0$devargs -a \$NIC1$devargs || rc=1
	fi
	if [ -n "$announce_bin" ] && [ $variant != legacy ]; then
		check_announce announce $announce_bin $eal_extra -d \$so -a \$NIC0$devargs -a \$NIC1$devargs || rc=1
	fi
	if [ $variant = legacy ]; then
		check_queue_reset_refused queue-reset-refused $eal_extra -d \$so -a \$NIC0$devargs -a \$NIC1$devargs \
			--log-level=pmd.net.vionet*:info || rc=1
	else
		check_queue_reset queue-reset $eal_extra -d \$so -a \$NIC0$devargs -a \$NIC1$devargs \
			--log-level=pmd.net.vionet*:info || rc=1
	fi
fi
cp /tmp/testpmd-*.log /run/vmio/
exit \$rc
GUEST
VM_HOST_HELPER=vm_link_helper vm_run "$io" "$io/guest.sh" "$budget" "$nic_opts"
rc=$?
cat "$io/out.log" 2>/dev/null
[ "$rc" -eq 0 ] || vionet_fail "$variant: guest checks failed (status $rc)"
echo "vm $variant: $(grep -c '^PASS' "$io/out.log") checks passed"
