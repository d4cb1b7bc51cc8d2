# Guest side helpers, sourced by the command scripts the vm tests run inside the guest (the guest sees
# the host's / read-only, so this file is read from the repository). Output goes to the harness's
# out.log; a check that fails prints "FAIL: ..." and returns non-zero.

# The two virtio-net functions vm_lib.sh gives every guest.
NIC0=0000:00:04.0
NIC1=0000:00:05.0
# The variant ctrl-filters adds two on a hub of their own: NIC2 without MSI-X (INTx), NIC3 with two
# MSI-X vectors (test_pci_variant.sh).
NIC2=0000:00:06.0
NIC3=0000:00:07.0

fail() {
	echo "FAIL: $*"
	return 1
}

# Binds both test NICs (and the functions given) to vfio-pci, as a user would (doc/pci.md).
bind_vfio() {
	dpdk-devbind.py -b vfio-pci "$NIC0" "$NIC1" "$@" || fail "dpdk-devbind.py -b vfio-pci failed"
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

# An interactive testpmd fed through a FIFO, so that a script drives it command by command and reads
# the answers from its log (unbuffered: the prompt is written directly, the answers through stdio).
# tp_start <label> <EAL arguments...>; testpmd's own arguments in TP_APP_ARGS (words without
# spaces: this runs under the guest's /bin/sh, no arrays). Then tp_do, tp_port_rx, tp_quit.
tp_start() {
	TP_LABEL=$1
	shift
	TP_LOG=/tmp/testpmd-$TP_LABEL.log
	local fifo=/tmp/testpmd-$TP_LABEL.in
	rm -f "$fifo"
	mkfifo "$fifo"
	timeout --signal=INT --kill-after=30 600 \
		stdbuf -o0 -e0 dpdk-testpmd -l 0-1 -m 256 --file-prefix="vm_$TP_LABEL" "$@" -- -i \
		--forward-mode=io ${TP_APP_ARGS:-} >"$TP_LOG" 2>&1 <"$fifo" &
	TP_PID=$!
	exec 3>"$fifo"
	tp_wait_for 'testpmd> ' 120 || { tail -n 30 "$TP_LOG"; fail "$TP_LABEL: testpmd did not start"; return 1; }
}

# Waits until the log holds one more line matching <regex> than it did; at most <seconds>.
tp_wait_for() {
	local regex=$1 seconds=$2 before=${3:-0}
	for _ in $(seq "$((seconds * 5))"); do
		[ "$(grep -c -- "$regex" "$TP_LOG")" -gt "$before" ] && return 0
		kill -0 "$TP_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

tp_cmd() {
	echo "$*" >&3
}

# Runs <command> and waits for the prompt that follows its output.
tp_do() {
	local prompts
	prompts=$(grep -o 'testpmd> ' "$TP_LOG" | wc -l)
	tp_cmd "$*"
	for _ in $(seq 300); do
		[ "$(grep -o 'testpmd> ' "$TP_LOG" | wc -l)" -gt "$prompts" ] && return 0
		sleep 0.2
	done
	fail "$TP_LABEL: no prompt after '$*'"
}

# Frames port <port> received since the last 'clear port stats all'.
tp_port_rx() {
	local port=$1
	tp_do "show port stats $port" >/dev/null
	awk -v p="statistics for port $port " 'index($0, p){f=1} f&&/RX-packets:/{v=$2; f=0} END{print v+0}' "$TP_LOG"
}

# Sends a first burst from every port, forwards for <seconds>, stops; then reports port 1's Rx.
# Frames of the previous step still in flight (io forwarding sends what port 1 receives out of port
# 0, which the hub brings back to port 1) are forwarded for a second first, so that the new filter
# drops them or keeps them circulating before counting starts.
tp_burst_rx1() {
	local seconds=$1
	tp_do "start" >/dev/null
	sleep 1
	tp_do "stop" >/dev/null
	tp_do "clear port stats all" >/dev/null
	tp_do "start tx_first" >/dev/null
	sleep "$seconds"
	tp_do "stop" >/dev/null
	tp_port_rx 1
}

# With forwarding running: lets frames of the previous setting drain for a second, then counts what
# port <port> receives in <seconds>. A difference of two readings: a stats reset while the forwarding
# lcore updates the counters may be undone by it (net_virtio's Rx count came back after a reset).
tp_window_rx() {
	local port=$1 seconds=$2 before after
	sleep 1
	before=$(tp_port_rx "$port")
	sleep "$seconds"
	after=$(tp_port_rx "$port")
	echo $((after - before))
}

# expect_rx <what> <zero|some> <count>
expect_rx() {
	local what=$1 want=$2 got=$3
	if [ "$want" = zero ] && [ "$got" -ne 0 ]; then
		fail "$what: port 1 received $got frames, expected none"
		return 1
	fi
	if [ "$want" = some ] && [ "$got" -eq 0 ]; then
		fail "$what: port 1 received nothing"
		return 1
	fi
	echo "PASS: $what (port 1 received $got)"
}

# The link status port <port> reports now ("up" or "down").
tp_link_status() {
	local port=$1
	tp_do "show port info $port" >/dev/null
	awk -v p="Infos for port $port " 'index($0, p){f=1} f&&/Link status:/{v=$3; f=0} END{print v}' "$TP_LOG"
}

tp_quit() {
	tp_cmd "quit"
	exec 3>&-
	wait "$TP_PID"
}

# Asks the host (vm_lib.sh's link helper) to set NIC1's link through the QEMU monitor, and waits.
host_set_link() {
	local state=$1
	touch "/run/vmio/link-$state-request"
	for _ in $(seq 300); do
		[ -e "/run/vmio/link-$state-done" ] && return 0
		sleep 0.2
	done
	fail "the host did not set the link $state"
}

# Receive filters the device applies on control-queue commands (virtio-net 5.1.6.5 "Control
# Virtqueue"; QEMU's receive_filter). Port 0 sends, port 1's Rx is what is checked; the frames'
# destination is set with testpmd's eth-peer. check_filters <label> <EAL arguments...>
check_filters() {
	local label=$1 rc=0
	shift
	tp_start "$label" "$@" || return 1
	local foreign=02:00:00:00:00:77 mcast=01:00:5e:00:00:77
	# testpmd turned promiscuous mode on at start: turning it off is a command the device must apply.
	tp_do "set promisc all off"
	tp_do "set allmulti all off"
	tp_do "set eth-peer 0 $foreign"
	expect_rx "$label promisc off: foreign unicast dropped" zero "$(tp_burst_rx1 2)" || rc=1
	tp_do "set promisc 1 on"
	expect_rx "$label promisc on: foreign unicast received" some "$(tp_burst_rx1 2)" || rc=1
	tp_do "set promisc 1 off"
	tp_do "mac_addr add 1 $foreign"
	expect_rx "$label MAC table: added unicast received" some "$(tp_burst_rx1 2)" || rc=1
	tp_do "mac_addr remove 1 $foreign"
	expect_rx "$label MAC table: removed unicast dropped" zero "$(tp_burst_rx1 2)" || rc=1
	tp_do "set eth-peer 0 $mcast"
	expect_rx "$label allmulti off: multicast dropped" zero "$(tp_burst_rx1 2)" || rc=1
	tp_do "set allmulti 1 on"
	expect_rx "$label allmulti on: multicast received" some "$(tp_burst_rx1 2)" || rc=1
	tp_do "set allmulti 1 off"
	tp_quit
	if [ "$rc" -ne 0 ]; then
		echo "---- $TP_LOG (errors)"
		grep -E -i 'error|fail|not supported' "$TP_LOG" | head -n 20
	fi
	return "$rc"
}

# The VLAN filter (5.1.6.5.3 "VLAN Filtering"). QEMU looks at a frame's VLAN id only with promiscuous
# mode off, and with CTRL_VLAN negotiated its table starts empty. The tagged frames come from a second
# testpmd on NIC0 with our driver: testpmd's generators ask for the tag with an mbuf flag, and DPDK
# 22.11's net_virtio inserts it only in tx_prepare, which they never call (its frames leave untagged).
# Port 0 of the testpmd checked here is NIC1 alone, promiscuous off, receiving (rxonly) frames sent to
# its own address, so that the VLAN id alone decides.
# check_vlan_filter <label> <our plugin, for the sender> <EAL arguments for NIC1...>
check_vlan_filter() {
	local label=$1 so=$2 rc=0 vid=100 other_vid=200 mac1 sender_pid
	shift 2
	TP_APP_ARGS="--forward-mode=rxonly"
	tp_start "$label-vlan" "$@" || { TP_APP_ARGS=; return 1; }
	TP_APP_ARGS=
	tp_do "set promisc 0 off"
	tp_do "vlan set filter on 0"
	tp_do "show port info 0" >/dev/null
	mac1=$(awk 'index($0, "Infos for port 0 "){f=1} f&&/^MAC address:/{v=$3; f=0} END{print v}' "$TP_LOG")
	[ -n "$mac1" ] || { fail "$label: no MAC address in 'show port info 0'"; tp_quit; return 1; }
	# The sender: txonly on its own lcore 0 (this testpmd forwards on lcore 1), tx_vlan set with the
	# port stopped, forwarding from start-up until SIGINT.
	local cmds=/tmp/vlan-sender-$label.cmds sender_log=/tmp/testpmd-$label-vlan-sender.log
	printf 'port stop 0\ntx_vlan set 0 %s\nport start 0\n' "$vid" >"$cmds"
	timeout --signal=INT --kill-after=30 600 \
		dpdk-testpmd -l 0-1 --main-lcore 1 -m 256 --file-prefix="vm_$label-vlan-sender" -d "$so" \
		-a "$NIC0" -- --forward-mode=txonly "--eth-peer=0,$mac1" --cmdline-file="$cmds" \
		--stats-period=5 >"$sender_log" 2>&1 &
	sender_pid=$!
	local waited=0
	while ! grep -q 'Tx-pps' "$sender_log" && kill -0 "$sender_pid" 2>/dev/null && [ $waited -lt 120 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	tp_do "start"
	tp_do "rx_vlan add $vid 0"
	expect_rx "$label VLAN filter: added id received" some "$(tp_window_rx 0 2)" || rc=1
	# Our stop resets the device, which forgets its table: the driver must add the ids again.
	tp_do "stop"
	tp_do "port stop 0"
	tp_do "port start 0"
	tp_do "start"
	expect_rx "$label VLAN filter: added id received after a port restart" some "$(tp_window_rx 0 2)" || rc=1
	tp_do "rx_vlan add $other_vid 0"
	tp_do "rx_vlan rm $vid 0"
	expect_rx "$label VLAN filter: id not in the table dropped" zero "$(tp_window_rx 0 2)" || rc=1
	tp_do "rx_vlan rm $other_vid 0"
	expect_rx "$label VLAN filter: empty table drops tagged frames" zero "$(tp_window_rx 0 2)" || rc=1
	tp_do "stop"
	kill -INT "$sender_pid" 2>/dev/null
	wait "$sender_pid"
	tp_quit
	if [ "$rc" -ne 0 ]; then
		echo "---- $TP_LOG (errors)"
		grep -E -i 'error|fail|not supported' "$TP_LOG" | head -n 20
		echo "---- $sender_log (tail)"
		tail -n 20 "$sender_log"
	fi
	return "$rc"
}

# The link going down and up from the QEMU monitor (set_link on NIC1) reaching the application as
# LSC events through the config-change interrupt, after a port restart. check_link <label> <EAL args...>
check_link() {
	local label=$1 rc=0
	shift
	tp_start "$label" "$@" || return 1
	# A stop resets the device, which forgets its config vector: LSC must still arrive after it.
	tp_do "port stop all"
	tp_do "port start all"
	tp_do "start"
	# Link state: the QEMU monitor's set_link on NIC1 -> config change interrupt -> LSC event.
	local events
	events=$(grep -c 'Port 1: link state change event' "$TP_LOG")
	host_set_link off || rc=1
	if tp_wait_for 'Port 1: link state change event' 30 "$events"; then
		if [ "$(tp_link_status 1)" = down ]; then
			echo "PASS: $label link down reached the application as LSC"
		else
			fail "$label: LSC event but port 1 link not down" || rc=1
		fi
	else
		fail "$label: no LSC event after set_link off" || rc=1
	fi
	events=$(grep -c 'Port 1: link state change event' "$TP_LOG")
	host_set_link on || rc=1
	if tp_wait_for 'Port 1: link state change event' 30 "$events"; then
		if [ "$(tp_link_status 1)" = up ]; then
			echo "PASS: $label link up reached the application as LSC"
		else
			fail "$label: LSC event but port 1 link not up" || rc=1
		fi
	else
		fail "$label: no LSC event after set_link on" || rc=1
	fi
	tp_do "stop"
	tp_quit
	if [ "$rc" -ne 0 ]; then
		echo "---- $TP_LOG (tail)"
		tail -n 60 "$TP_LOG"
	fi
	return "$rc"
}

# Multi-queue forwarding on NIC0 alone (a vhost-user device: the host's testpmd returns every frame on
# the queue it came from). Checks that each of <queues> Rx queues received, with zero errors, and
# prints the Mpps testpmd measured. pvp_mq <label> <queues> <seconds> <expected driver> <EAL args...>
pvp_mq() {
	local label=$1 queues=$2 seconds=$3 driver=$4 rc=0
	shift 4
	# A small pool: every buffer page the back end has not translated yet costs an IOTLB miss at the
	# vhost side, where the frame is dropped; a default pool (tens of MB in 4 KiB IOMMU pages)
	# outgrows the back end's IOTLB cache, and a queue's seeded loop can die of those drops.
	TP_APP_ARGS="--rxq=$queues --txq=$queues --nb-cores=1 --rxd=256 --txd=256 --total-num-mbufs=2048"
	tp_start "$label" "$@" || { TP_APP_ARGS=; return 1; }
	TP_APP_ARGS=
	local d0
	d0=$(probed_driver "$TP_LOG" "$NIC0")
	[ "$d0" = "$driver" ] || { fail "$label: driver $d0, expected $driver"; rc=1; }
	# The first frames can meet a cold vIOMMU (the back end's IOTLB misses) and be dropped, which
	# ends a loop of 32 frames: inject again once the translations are warm.
	tp_do "start tx_first" || rc=1
	sleep 2
	tp_do "stop" >/dev/null
	tp_do "clear port stats all" >/dev/null
	tp_do "start tx_first 4" || rc=1
	# testpmd's Rx-pps is "since last show": the first show starts the measured period.
	tp_do "show port stats 0" >/dev/null
	sleep "$seconds"
	tp_do "show port stats 0" >/dev/null
	tp_do "stop" || rc=1
	local q rx mpps errs
	mpps=$(awk '/Rx-pps:/{v=$2} END{printf "%.3f", v/1e6}' "$TP_LOG")
	errs=$(awk '/RX-errors:|TX-errors:/{for(i=1;i<=NF;i++) if($i ~ /errors:$/) s+=$(i+1)} END{print s+0}' "$TP_LOG")
	echo "RESULT $label driver=$d0 queues=$queues errors=$errs mpps=$mpps"
	local per_queue="" total=0
	for q in $(seq 0 $((queues - 1))); do
		# The last stop's per-stream block (the warm-up's stop printed one too).
		rx=$(awk -v s="RX Port= 0/Queue=$(printf '%2d' "$q") " 'index($0, s){f=1} f&&/RX-packets:/{v=$2; f=0} END{print v+0}' "$TP_LOG")
		per_queue="$per_queue ${rx:-0}"
		total=$((total + ${rx:-0}))
	done
	# Every queue's loop must stay alive: a loop that lost its frames stops at a few hundred while
	# the others carry millions, so each queue needs a quarter of an even share at least, and more
	# than the few hundred frames that were seeded.
	q=0
	for rx in $per_queue; do
		if [ "$rx" -ge 10000 ] && [ $((rx * queues * 4)) -ge "$total" ]; then
			echo "PASS: $label queue $q received $rx (of $total)"
		else
			fail "$label: queue $q received $rx of $total: its loop died" || rc=1
		fi
		q=$((q + 1))
	done
	[ "$errs" -eq 0 ] || { fail "$label: $errs Rx/Tx errors"; rc=1; }
	tp_quit
	[ "$rc" -eq 0 ] || { echo "---- $TP_LOG (tail)"; tail -n 40 "$TP_LOG"; }
	return "$rc"
}

# Rx queue interrupts, l3fwd-power style: tests/integration/test_rx_intr in 'pci' mode on the two NICs
# (NIC0 sends, NIC1 sleeps in rte_epoll_wait on its Rx queue's MSI-X eventfd and wakes with the frame).
# check_rx_intr <label> <test_rx_intr binary> <EAL arguments...>
check_rx_intr() {
	local label=$1 bin=$2 rc=0
	shift 2
	local log=/tmp/testpmd-$label.log
	timeout --kill-after=10 300 "$bin" pci -l 0 -m 256 --file-prefix="vm_$label" "$@" >"$log" 2>&1 || rc=$?
	local summary
	summary=$(grep '^test_rx_intr:' "$log")
	echo "RESULT $label ${summary:-no summary}"
	if [ "$rc" -ne 0 ]; then
		grep -E '^(FAIL|FATAL)' "$log" | head -n 20
		echo "---- $log (tail)"
		tail -n 30 "$log"
		fail "$label: Rx interrupt checks failed (status $rc)"
		return 1
	fi
	echo "PASS: $label Rx interrupts wake the waiter, none while disabled, none lost at enable"
}

# The MSI-X vectors our driver found on <bdf>, from the log of check <label> (run with
# --log-level=pmd.net.vionet*:info): proves that a check ran on the interrupt set-up it is about.
# check_msix_vectors <label> <bdf> <vectors>
check_msix_vectors() {
	local label=$1 bdf=$2 want=$3 got
	got=$(sed -n "s/.*$bdf: virtio 1.x PCI, [0-9]* queues, \([0-9]*\) MSI-X vectors.*/\1/p" \
		"/tmp/testpmd-$label.log" | head -n 1)
	if [ "$got" = "$want" ]; then
		echo "PASS: $label ran on $bdf with $want MSI-X vectors"
	else
		fail "$label: $bdf has '${got:-?}' MSI-X vectors, expected $want"
	fi
}

# Multi-process: tests/integration/test_multiprocess on the two NICs. As primary it starts both
# ports, then runs itself twice as a secondary (--proc-type=secondary, same file prefix) that sends
# and receives frames of known content on the primary's queues; the counts are checked on both sides.
# The second secondary bursts on while the primary stops the ports (nothing may go through, nothing
# may crash) and starts them again.
# check_multiprocess <label> <test_multiprocess binary> <EAL arguments...>
check_multiprocess() {
	local label=$1 bin=$2 rc=0
	shift 2
	local log=/tmp/testpmd-$label.log
	timeout --kill-after=10 400 "$bin" -l 0 -m 256 --file-prefix="vm_$label" "$@" \
		--log-level=pmd.net.vionet*:info >"$log" 2>&1 || rc=$?
	local summary
	summary=$(grep -E '^(test_multiprocess|secondary: [0-9])' "$log" | tr '\n' ';')
	echo "RESULT $label ${summary:-no summary}"
	if [ "$rc" -ne 0 ]; then
		grep -E '^(FAIL|FATAL)' "$log" | head -n 20
		echo "---- $log (tail)"
		tail -n 40 "$log"
		fail "$label: multi-process checks failed (status $rc)"
		return 1
	fi
	# The secondaries attached (not probed anew) and used the primary's burst functions.
	if [ "$(grep -c 'attached in a secondary process' "$log")" -ne 4 ] ||
		! grep -q "burst functions (the primary's)" "$log"; then
		grep -E 'vionet|secondary' "$log" | head -n 20
		fail "$label: the secondaries did not attach to both ports twice"
		return 1
	fi
	echo "PASS: $label secondary attached twice, bursts on the primary's queues (also through its stop and start), counts on both sides"
}

# GUEST_ANNOUNCE: tests/integration/test_announce on the two NICs; it asks the host (vm_link_helper)
# for QEMU's announce_self through /run/vmio and checks what our ports did with the device's request.
# check_announce <label> <test_announce binary> <EAL arguments...>
check_announce() {
	local label=$1 bin=$2 rc=0
	shift 2
	local log=/tmp/testpmd-$label.log
	timeout --kill-after=10 400 "$bin" /run/vmio/announce-request /run/vmio/announce-done \
		-l 0 -m 256 --file-prefix="vm_$label" "$@" --log-level=pmd.net.vionet*:info >"$log" 2>&1 || rc=$?
	local summary
	summary=$(grep -E '^test_announce' "$log" | tr '\n' ';')
	echo "RESULT $label ${summary:-no summary}"
	if [ "$rc" -ne 0 ]; then
		grep -E '^(FAIL|FATAL)' "$log" | head -n 20
		echo "---- $log (tail)"
		tail -n 40 "$log"
		fail "$label: announce checks failed (status $rc)"
		return 1
	fi
	grep -q 'announced after the device.s request: RARP for 02:00:00:00:00:A1' "$log" ||
		{ fail "$label: no 'announced' line for port 1's new address in our log"; return 1; }
	echo "PASS: $label announce_self: RARP for the application's address, callback, acknowledged"
}

# One queue stopped and started alone (VIRTIO_F_RING_RESET, virtio 1.2 2.6.1 Virtqueue Reset): while
# port 1's Rx queue 0 is stopped port 1 receives nothing, after its start it receives again; the same
# for port 0's Tx queue 0, the only sender to port 1. testpmd changes a queue's state only with
# forwarding stopped; forwarding then starts again with a first burst from each port (on the stopped
# Tx queue that burst must take nothing).
# check_queue_reset <label> <EAL args...> (with --log-level=pmd.net.vionet*:info)
check_queue_reset() {
	local label=$1 rc=0 q
	shift
	tp_start "$label" "$@" || return 1
	if grep -q 'VIRTIO_F_RING_RESET negotiated' "$TP_LOG"; then
		echo "PASS: $label VIRTIO_F_RING_RESET negotiated"
	else
		fail "$label: our log has no 'VIRTIO_F_RING_RESET negotiated'" || rc=1
	fi
	tp_do "start tx_first"
	expect_rx "$label forwarding before any queue stop" some "$(tp_window_rx 1 2)" || rc=1
	for q in "1 rxq 0" "0 txq 0"; do
		tp_do "stop"
		tp_do "port $q stop"
		tp_do "start tx_first"
		expect_rx "$label port $q stopped: port 1 receives nothing" zero "$(tp_window_rx 1 2)" || rc=1
		tp_do "stop"
		tp_do "port $q start"
		tp_do "start tx_first"
		expect_rx "$label port $q started again: port 1 receives" some "$(tp_window_rx 1 2)" || rc=1
	done
	tp_do "stop"
	tp_quit
	if grep -q -E 'Function not supported in PMD|Please stop forwarding first' "$TP_LOG"; then
		fail "$label: testpmd refused a queue command" || rc=1
	elif [ "$(grep -c -E 'vionet: 0000:00:05.0: Rx queue 0 (stopped \(queue reset\)|started)' "$TP_LOG")" -eq 2 ] &&
		[ "$(grep -c -E 'vionet: 0000:00:04.0: Tx queue 0 (stopped \(queue reset\)|started)' "$TP_LOG")" -eq 2 ]; then
		echo "PASS: $label our driver reset and restarted each queue (our log)"
	else
		fail "$label: our log lacks the queue stop and start lines" || rc=1
	fi
	if [ "$rc" -ne 0 ]; then
		echo "---- $TP_LOG (queue commands and errors)"
		grep -E -i 'rxq|txq|error|fail|broken|not supported|Please' "$TP_LOG" | head -n 30
	fi
	return "$rc"
}

# Without VIRTIO_F_RING_RESET (a legacy device has no feature bits above 31) a queue stop is refused
# with our one line saying why, and the port forwards on. check_queue_reset_refused <label> <EAL args...>
check_queue_reset_refused() {
	local label=$1 rc=0
	shift
	tp_start "$label" "$@" || return 1
	tp_do "port 1 rxq 0 stop"
	if grep -q 'Function not supported in PMD' "$TP_LOG" &&
		grep -q 'Rx queue 0 cannot be stopped alone: the device did not offer VIRTIO_F_RING_RESET' "$TP_LOG"; then
		echo "PASS: $label queue stop refused, saying VIRTIO_F_RING_RESET was not offered"
	else
		fail "$label: queue stop not refused with our reason" || rc=1
	fi
	tp_do "start tx_first"
	expect_rx "$label forwarding after the refusal" some "$(tp_window_rx 1 2)" || rc=1
	tp_do "stop"
	tp_quit
	if [ "$rc" -ne 0 ]; then
		echo "---- $TP_LOG (tail)"
		tail -n 40 "$TP_LOG"
	fi
	return "$rc"
}
