#!/usr/bin/env bash
# RSS against QEMU's virtio-net (mq=on,rss=on,hash=on) on a multi-queue tap back end with vhost off,
# so that QEMU itself steers each frame by its Toeplitz hash. The tap lives in a network namespace
# this test creates, and every test frame carries loopback-range addresses: nothing reaches a real
# interface. The host writes UDP flows into the tap; in the guest, testpmd with our PMD on 4 Rx
# queues (Rx multi-queue mode RSS) logs each frame's queue. Checks:
#   1. each flow lands on the queue its hash and the default indirection table predict, the hash
#      computed here with DPDK's rte_softrss over the key the port reports (rss_expect);
#   2. each frame carries the hash the device reported (VIRTIO_NET_F_HASH_REPORT, with
#      RTE_ETH_RX_OFFLOAD_RSS_HASH turned on), equal to the Toeplitz hash computed here;
#   3. after a RETA update pointing every entry at queue 3, every frame arrives on queue 3 (a
#      multi-queue tap spreads flows by itself; this only RSS explains).
# usage: test_rss.sh <librte_net_vionet.so> <rss_expect binary>
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/vm_lib.sh"

plugin=$(realpath "${1:?plugin path}")
rss_expect=$(realpath "${2:?rss_expect path}")
queues=4
flows=64
per_flow=4
ns=vionet-rss-$$
tap=vrss0
io=$(mktemp -d)
cleanup() {
	ip netns del "$ns" 2>/dev/null
	[ "${VIONET_VM_KEEP:-0}" = 1 ] && echo "vm: keeping $io" || rm -rf "$io"
}
trap cleanup EXIT

ip netns add "$ns" || vionet_fail "cannot create network namespace $ns (ip netns add): the RSS test needs one for its tap"
# no IPv6 neighbour discovery frames from the tap into the guest
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
if ! ip netns exec "$ns" ip tuntap add dev vrsscheck mode tap multi_queue 2>"$io/tuntap.err"; then
	vionet_fail "cannot create a multi-queue tap device in namespace $ns: $(cat "$io/tuntap.err")"
fi
ip netns exec "$ns" ip tuntap del dev vrsscheck mode tap multi_queue

# The host's half, while the guest runs: on each of the guest's requests, the flows into the tap.
rss_sender() {
	local io=$1
	for round in 1 2; do
		while [ ! -e "$io/send-$round-request" ]; do
			sleep 0.5
		done
		ip netns exec "$ns" ip link set "$tap" up
		ip netns exec "$ns" python3 "$here/rss_send.py" "$tap" "$round" "$flows" "$per_flow" \
			>"$io/flows-$round.txt" 2>"$io/send-$round.err"
		touch "$io/send-$round-done"
	done
}

cat >"$io/guest.sh" <<GUEST
. $here/guest_lib.sh
. $here/../lib/common.sh
so=\$(vionet_plugin_path $plugin)
dpdk-devbind.py -b vfio-pci \$NIC0 >/dev/null 2>&1 || { fail "binding \$NIC0"; exit 1; }
TP_APP_ARGS="--rxq=$queues --txq=$queues --rss-udp --nb-cores=1"
tp_start rss -d \$so -a \$NIC0 || exit 1
tp_do "show port info 0" >/dev/null
# the reported hash: RTE_ETH_RX_OFFLOAD_RSS_HASH (VIRTIO_NET_F_HASH_REPORT, negotiated at configure)
tp_do "show port 0 rx_offload capabilities" >/dev/null
tp_do "port stop 0" >/dev/null
tp_do "port config 0 rx_offload rss_hash on" >/dev/null
tp_do "port start 0" >/dev/null
tp_do "show port 0 rx_offload configuration" >/dev/null
tp_do "show port 0 rss-hash key" >/dev/null
tp_do "set fwd rxonly" >/dev/null
tp_do "set verbose 1" >/dev/null
# wait_sent <round>: the host's frames are in the tap, and a moment for QEMU and testpmd
wait_sent() {
	touch /run/vmio/send-\$1-request
	for _ in \$(seq 240); do
		[ -e /run/vmio/send-\$1-done ] && break
		sleep 0.5
	done
	[ -e /run/vmio/send-\$1-done ] || { fail "round \$1: the host sent nothing"; return 1; }
	sleep 5
}
tp_do "start" >/dev/null
wait_sent 1 || exit 1
tp_do "stop" >/dev/null
reta=\$(sed -n 's/.*Redirection table size: *\([0-9]*\).*/\1/p' "\$TP_LOG" | head -n 1)
[ -n "\$reta" ] && [ "\$reta" -gt 0 ] || { fail "no redirection table size in 'show port info'"; exit 1; }
# every entry to queue 3, 10 a command (testpmd takes a list of at most 128 characters)
i=0
while [ \$i -lt \$reta ]; do
	entries=\$(j=\$i; while [ \$j -lt \$((i + 10)) ] && [ \$j -lt \$reta ]; do printf '(%d,3),' \$j; j=\$((j + 1)); done)
	tp_do "port config 0 rss reta \${entries%,}" >/dev/null
	i=\$((i + 10))
done
grep -q "Bad arguments" "\$TP_LOG" && { fail "testpmd refused a RETA command"; exit 1; }
masks=\$(i=0; while [ \$i -lt \$reta ]; do printf '0xffffffffffffffff,'; i=\$((i + 64)); done)
tp_do "show port 0 rss reta \$reta (\${masks%,})" >/dev/null
tp_do "start" >/dev/null
wait_sent 2 || exit 1
tp_do "stop" >/dev/null
tp_quit
cp "\$TP_LOG" /run/vmio/testpmd.log
GUEST

mem_mb=2048
VM_MEM_MB=$mem_mb
VM_QEMU_PREFIX=(ip netns exec "$ns")
VM_NETDEVS=(-netdev "tap,id=n0,ifname=$tap,queues=$queues,vhost=off,script=no,downscript=no")
VM_NICS=(-device "virtio-net-pci,id=nic0,netdev=n0,addr=0x4,mac=52:54:00:12:00:01,disable-legacy=on,iommu_platform=on,mq=on,rss=on,hash=on,vectors=$((2 * queues + 2))")
VM_HOST_HELPER=rss_sender
vm_run "$io" "$io/guest.sh" 300
rc=$?
cat "$io/out.log" 2>/dev/null
log=$io/testpmd.log
[ "$rc" -eq 0 ] && [ -f "$log" ] || vionet_fail "RSS: the guest's run failed (status $rc)"

# The port's key and table size, as testpmd showed them.
key=$(awk '/RSS key:/{getline; print; exit}' "$log" | tr -d ' \r')
reta=$(sed -n 's/.*Redirection table size: *\([0-9]*\).*/\1/p' "$log" | head -n 1)
[ -n "$key" ] || vionet_fail "RSS: testpmd showed no RSS key"
echo "vm rss: key $key, redirection table of $reta entries"
grep -q "Probe PCI driver: net_vionet " "$log" || vionet_fail "RSS: our PMD did not claim the function"

# The queue each frame of round <r> arrived on, per flow: "<flow> <queue>" lines.
observed() {
	sed -n "s/.*src=02:00:00:00:0$1:\([0-9A-Fa-f][0-9A-Fa-f]\) .*Receive queue=0x\([0-9a-fA-F]*\).*/\1 \2/p" "$log" |
		while read -r f q; do echo "$((16#$f)) $((16#$q))"; done
}
fails=0
check() { if "$@"; then :; else fails=$((fails + 1)); fi; }

# Round 1: the device's steering is the Toeplitz hash through the default table (entry i -> i % 4).
"$rss_expect" "$key" <"$io/flows-1.txt" >"$io/hashes-1.txt" || vionet_fail "rss_expect failed"
observed 1 >"$io/seen-1.txt"
used_queues=$(cut -d' ' -f2 "$io/seen-1.txt" | sort -u | wc -l)
seen_flows=$(cut -d' ' -f1 "$io/seen-1.txt" | sort -u | wc -l)
frames=$(wc -l <"$io/seen-1.txt")
wrong=0
while read -r f hash; do
	want=$(( (16#$hash & (reta - 1)) % queues ))
	got=$(awk -v f="$f" '$1 == f {print $2}' "$io/seen-1.txt" | sort -u | tr '\n' ' ')
	if [ "$got" != "$want " ]; then
		echo "FAIL: round 1: flow $f (hash 0x$hash) arrived on queue(s) '${got% }', expected $want"
		wrong=$((wrong + 1))
	fi
done <"$io/hashes-1.txt"
echo "vm rss: round 1: $frames frames of $seen_flows flows on $used_queues queues"
[ "$wrong" -eq 0 ] && echo "PASS: every flow on the queue its Toeplitz hash predicts" || fails=$((fails + 1))
[ "$seen_flows" -eq "$flows" ] || { echo "FAIL: round 1: $seen_flows of $flows flows arrived"; fails=$((fails + 1)); }
[ "$used_queues" -ge 3 ] || { echo "FAIL: round 1: flows on $used_queues queues only"; fails=$((fails + 1)); }

# The hash each frame carried (VIRTIO_NET_F_HASH_REPORT: the guest turned RTE_ETH_RX_OFFLOAD_RSS_HASH
# on; testpmd prints "RSS hash=0x..."), against the Toeplitz hash computed here.
sed -n "s/.*src=02:00:00:00:01:\([0-9A-Fa-f][0-9A-Fa-f]\) .*RSS hash=0x\([0-9a-fA-F]*\).*/\1 \2/p" "$log" |
	while read -r f h; do printf '%d %08x\n' "$((16#$f))" "$((16#$h))"; done >"$io/reported-1.txt"
reported=$(wc -l <"$io/reported-1.txt")
bad_hash=0
while read -r f hash; do
	got=$(awk -v f="$f" '$1 == f {print $2}' "$io/reported-1.txt" | sort -u | tr '\n' ' ')
	if [ "$got" != "$hash " ]; then
		echo "FAIL: round 1: flow $f reported hash '${got% }', Toeplitz gives $hash"
		bad_hash=$((bad_hash + 1))
	fi
done <"$io/hashes-1.txt"
echo "vm rss: round 1: $reported of $frames frames carried a reported hash"
if [ "$reported" -eq "$frames" ] && [ "$bad_hash" -eq 0 ]; then
	echo "PASS: every reported hash equals the Toeplitz hash (hash report)"
else
	fails=$((fails + 1))
fi

# Round 2: every table entry names queue 3.
observed 2 >"$io/seen-2.txt"
frames2=$(wc -l <"$io/seen-2.txt")
off_queue=$(awk '$2 != 3' "$io/seen-2.txt" | wc -l)
echo "vm rss: round 2 (every entry -> queue 3): $frames2 frames, $off_queue elsewhere"
if [ "$frames2" -gt 0 ] && [ "$off_queue" -eq 0 ]; then
	echo "PASS: a RETA update steers every flow to queue 3"
else
	echo "FAIL: round 2: $off_queue of $frames2 frames not on queue 3"
	fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] || vionet_fail "RSS: $fails checks failed"
echo "vm rss: all checks passed"
