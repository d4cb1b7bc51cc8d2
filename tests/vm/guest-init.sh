#!/bin/sh
# The initrd's /init (busybox): load the modules the guest needs, mount the host's / (9p, read-only) and
# the harness's exchange folder (9p, writable), then switch_root into the host's root and run the stage
# script the harness left in the exchange folder (which mounts /proc, /sys and /dev afresh). Any failure powers the guest off: the harness then
# finds no exit status and fails with the console log.
export PATH=/bin
die() {
	echo "vionet-vm-init: $*"
	echo o >/proc/sysrq-trigger
	sleep 60
}
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 1 >/proc/sys/kernel/sysrq
# Load order computed on the build host with `modprobe --show-depends` (dependencies first).
while read -r mod; do
	insmod "/modules/$mod" || die "insmod $mod failed"
done </modules/load-order
mkdir -p /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /newroot ||
	die "mounting the host root failed"
for dir in tmp run; do
	mount -t tmpfs -o mode=1777 tmpfs "/newroot/$dir" || die "tmpfs on /$dir failed"
done
mkdir -p /newroot/run/vmio
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmio /newroot/run/vmio ||
	die "mounting the exchange folder failed"
exec switch_root /newroot /bin/sh /run/vmio/stage2.sh
