#!/usr/bin/env bash
# The harness itself, with DPDK's own net_virtio as the driver: a guest boots, binds both virtio-net
# functions to vfio-pci, and dpdk-testpmd forwards between them with zero errors.
# usage: test_net_virtio_baseline.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/vm_lib.sh"

io=$(mktemp -d)
trap 'rm -rf "$io"' EXIT
cat >"$io/guest.sh" <<GUEST
. $here/guest_lib.sh
bind_vfio || exit 1
testpmd_fwd net_virtio 20 net_virtio -a \$NIC0 -a \$NIC1
GUEST
vm_run "$io" "$io/guest.sh" 120
rc=$?
cat "$io/out.log" 2>/dev/null
[ "$rc" -eq 0 ] || vionet_fail "guest command failed (status $rc)"
grep -q '^RESULT net_virtio' "$io/out.log" || vionet_fail "no forwarding result"
