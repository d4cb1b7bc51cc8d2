#!/usr/bin/env bash
# The PMD loads into Debian's dpdk-testpmd with -d, both drivers are registered (pmdinfo and EAL see
# them), and a bad devarg fails the probe with a message naming the argument, without a crash.
set -euo pipefail
so=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
plugin=$(vionet_plugin_path "$so")

# pmdinfo: both drivers with their ids, kmod dependency and parameters
info=$(/usr/bin/python3 /usr/bin/dpdk-pmdinfo.py "$plugin")
echo "$info"
/usr/bin/python3 - "$info" <<'PY'
import json, sys
drivers = {d["name"]: d for d in json.loads(sys.argv[1])}
pci = drivers.get("net_vionet") or sys.exit("net_vionet missing from pmdinfo")
user = drivers.get("net_vionet_user") or sys.exit("net_vionet_user missing from pmdinfo")
ids = {(p["vendor"], p["device"]) for p in pci["pci_ids"]}
assert ids == {("1af4", "1000"), ("1af4", "1041")}, ids
assert "vfio-pci" in pci["kmod"], pci
assert "legacy=<0|1>" in pci["params"], pci
assert "path=<" in user["params"] and "queues=<" in user["params"], user
print("pmdinfo: ok")
PY

# A bad devarg: the probe fails with a message naming it; testpmd exits without a signal.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
timeout 120 dpdk-testpmd -l 0 $(vionet_eal_common vionet_reg) -d "$plugin" \
	--vdev "net_vionet_user0,path=/nonexistent.sock,queues=0" -- --total-num-mbufs=2048 \
	</dev/null >"$out" 2>&1
rc=$?
set -e
cat "$out"
[ $rc -lt 124 ] || vionet_fail "testpmd ended with status $rc (timeout or signal)"
grep -q "net_vionet_user0: devarg queues: bad value" "$out" ||
	vionet_fail "no error naming the bad devarg 'queues'"
grep -q "Invalid plugin\|cannot open shared object\|world-writable" "$out" &&
	vionet_fail "EAL did not load the plugin"
echo "registration: ok"
