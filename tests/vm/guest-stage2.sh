#!/bin/sh
# Runs inside the guest, in the host's root (read-only 9p) after switch_root. Prepares what DPDK needs
# (hugetlbfs, writable runtime folders), runs the test's command from the exchange folder with its output
# in out.log, writes the exit status to 'rc' (the harness's proof that the command finished), powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
io=/run/vmio
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/hugepages /dev/pts /dev/shm
mount -t hugetlbfs nodev /dev/hugepages
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
echo "vionet-vm: guest up, $(grep -c ^processor /proc/cpuinfo) cpus, $(cat /proc/sys/vm/nr_hugepages) hugepages" >/dev/console
cd /tmp
/bin/sh "$io/cmd.sh" >"$io/out.log" 2>&1 </dev/null
rc=$?
echo "$rc" >"$io/rc"
sync
echo "vionet-vm: command exited with $rc" >/dev/console
echo o >/proc/sysrq-trigger
sleep 60
