# Guest side helpers, sourced by the command scripts the vm tests run inside the guest (the guest sees
# the host's / read-only, so this file is read from the repository). Output goes to the harness's
# out.log; a check that fails prints "FAIL: ..." and returns non-zero.

# The two virtio-net functions vm_lib.sh gives every guest.
NIC0=0000:00:04.0
NIC1=0000:00:05.0

fail() {
	echo "FAIL: $*"
	return 1
}

# Binds both test NICs to vfio-pci, as a user would (doc/pci.md).
bind_vfio() {
	dpdk-devbind.py -b vfio-pci "$NIC0" "$NIC1" || fail "dpdk-devbind.py -b vfio-pci failed"
	dpdk-devbind.py -s | grep -E "$NIC0|$NIC1"
}

# Which PCI driver EAL reported for a device in a testpmd log.
probed_driver() {
	local log=$1 bdf=$2
	sed -n "s/.*Probe PCI driver: \([a-z_0-9]*\) .*device: $bdf.*/\1/p" "$log" | head -n 1
}

# testpmd_fwd <label> <seconds> <expected driver> <EAL arguments...>
# Forwards between the two NICs (io mode, a first burst from each port, the hub carries every frame
# to the other NIC) for <seconds>, then stops testpmd with SIGINT and checks: the expected driver
# claimed both devices, both ports received, no Rx/Tx errors. Prints one RESULT line with the Mpps
# testpmd measured in its last stats period (a figure, never asserted).
testpmd_fwd() {
	local label=$1 seconds=$2 driver=$3
	shift 3
	local log=/tmp/testpmd-$label.log
	timeout --signal=INT --kill-after=30 "$((seconds + 60))" \
		dpdk-testpmd -l 0-1 -m 256 --file-prefix="vm_$label" "$@" -- \
		--forward-mode=io --tx-first --stats-period=5 --rxq=1 --txq=1 >"$log" 2>&1 &
	local pid=$!
	# Start-up under TCG takes a few seconds: count the run from the first stats period on.
	local waited=0
	while ! grep -q 'Rx-pps' "$log" && kill -0 "$pid" 2>/dev/null && [ $waited -lt 60 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	sleep "$seconds"
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	local rc=$?
	local d0 d1
	d0=$(probed_driver "$log" "$NIC0")
	d1=$(probed_driver "$log" "$NIC1")
	local rx0 rx1 errs mpps
	rx0=$(awk '/Forward statistics for port 0/{f=1} f&&/RX-packets/{print $2; exit}' "$log")
	rx1=$(awk '/Forward statistics for port 1/{f=1} f&&/RX-packets/{print $2; exit}' "$log")
	errs=$(awk '/RX-errors:|TX-errors:/{for(i=1;i<=NF;i++) if($i ~ /errors:$/) s+=$(i+1)} END{print s+0}' "$log")
	mpps=$(awk '/Rx-pps:/{v[n++ % 2]=$2} END{printf "%.3f", (v[0]+v[1])/1e6}' "$log")
	echo "RESULT $label driver=$d0/$d1 rx0=${rx0:-0} rx1=${rx1:-0} errors=$errs mpps=$mpps"
	if [ "$rc" -ne 0 ] || [ -z "$rx0" ]; then
		tail -n 40 "$log"
		fail "$label: testpmd exited with $rc"
		return 1
	fi
	[ "$d0" = "$driver" ] && [ "$d1" = "$driver" ] || { fail "$label: driver $d0/$d1, expected $driver"; return 1; }
	[ "$rx0" -gt 0 ] && [ "$rx1" -gt 0 ] || { fail "$label: a port received nothing"; return 1; }
	[ "$errs" -eq 0 ] || { fail "$label: $errs Rx/Tx errors"; return 1; }
	echo "PASS: $label"
}
