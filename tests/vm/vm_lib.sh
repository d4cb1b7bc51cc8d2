# Host side of the QEMU guest tests: a Debian kernel and a busybox initrd (cached), and one function
# that boots a guest with virtio-net PCI functions, runs a command inside and brings back its output
# and exit status. Source it after tests/lib/common.sh.
#
# The guest (facts this machine taught us):
# - TCG only (nested KVM hangs early in boot): -accel tcg,thread=multi -cpu max -smp 2.
# - Debian's kernel has no VFIO no-IOMMU mode, so the guest gets a vIOMMU (intel-iommu) and modern
#   devices carry iommu_platform=on; legacy devices bypass the IOMMU and need DPDK's --iova-mode=pa.
# - Its root is the host's / over 9p (read-only), so it runs the host's DPDK and this build; /tmp and
#   /run are tmpfs. A second 9p share (the exchange folder) carries the command in and the results out.
#
# environment:
#   VIONET_VM_CACHE        where the kernel package and initrd are kept (default /var/cache/vionet)
#   VIONET_VM_BOOT_TIMEOUT seconds a guest may take to boot, run and power off, on top of the
#                          command's own budget (default 240: TCG on a busy 2-core host is slow)

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm_cache=${VIONET_VM_CACHE:-/var/cache/vionet}

vm_log() { echo "vm: $*" >&2; }

# The kernel package linux-image-amd64 points at (linux-image-6.1.0-N-amd64), downloaded once with
# apt-get and unpacked; reruns and machines without the network use what is cached.
vm_kernel_prepare() {
	local pkg deb
	mkdir -p "$vm_cache"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	deb=$(ls -t "$vm_cache"/${pkg:-linux-image-6.1.0-*-amd64}_*_amd64.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ] && [ -n "$pkg" ]; then
		vm_log "downloading $pkg"
		(cd "$vm_cache" && apt-get download -q "$pkg" >&2) || vionet_fail "apt-get download $pkg failed"
		deb=$(ls -t "$vm_cache"/"$pkg"_*_amd64.deb 2>/dev/null | head -n 1)
	fi
	[ -n "$deb" ] || vionet_fail "no Debian kernel package (linux-image-6.1.0-*-amd64) in $vm_cache and apt has none"
	local root=$vm_cache/root-$(basename "$deb" .deb)
	if [ ! -e "$root/.unpacked" ]; then
		rm -rf "$root"
		mkdir -p "$root"
		dpkg-deb -x "$deb" "$root" || vionet_fail "unpacking $deb failed"
		touch "$root/.unpacked"
	fi
	VM_KROOT=$root
	VM_KVER=$(ls "$root/lib/modules" | head -n 1)
	VM_KERNEL=$root/boot/vmlinuz-$VM_KVER
	[ -f "$VM_KERNEL" ] || vionet_fail "$deb holds no kernel image"
}

# The initrd: static busybox, the modules below with their dependencies, guest-init.sh as /init.
# Rebuilt when the init script or the kernel changes.
vm_initrd_prepare() {
	local want="vfio-pci vfio_iommu_type1 virtio_pci 9p 9pnet_virtio"
	local key
	command -v busybox >/dev/null || vionet_fail "busybox is missing (apt-get install busybox-static)"
	key=$(cat "$vm_dir/guest-init.sh" "$(command -v busybox)" | sha1sum | cut -c1-12)
	VM_INITRD=$vm_cache/initrd-$VM_KVER-$key.img
	[ -f "$VM_INITRD" ] && return 0
	command -v depmod >/dev/null || vionet_fail "depmod is missing (apt-get install kmod)"
	local stage
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,modules,proc,sys,dev,newroot}
	install -m 0755 "$(command -v busybox)" "$stage/bin/busybox"
	for applet in sh mount insmod mkdir switch_root sleep cat echo; do
		ln -s busybox "$stage/bin/$applet"
	done
	install -m 0755 "$vm_dir/guest-init.sh" "$stage/init"
	depmod -b "$VM_KROOT" "$VM_KVER" || vionet_fail "depmod -b $VM_KROOT failed"
	local mod line path
	for mod in $want; do
		modprobe -d "$VM_KROOT" -S "$VM_KVER" --show-depends "$mod" ||
			vionet_fail "module $mod not found in $VM_KROOT"
	done | awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' | while read -r path; do
		cp "$path" "$stage/modules/"
		basename "$path" >>"$stage/modules/load-order"
	done
	[ -s "$stage/modules/load-order" ] || vionet_fail "no modules collected for the initrd"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$VM_INITRD.tmp" ||
		vionet_fail "cpio of the initrd failed"
	mv "$VM_INITRD.tmp" "$VM_INITRD"
	rm -rf "$stage"
}

vm_prepare() {
	command -v qemu-system-x86_64 >/dev/null ||
		vionet_fail "qemu-system-x86_64 is missing: the vm suite needs it (apt-get install qemu-system-x86; scripts/setup.sh lists it)"
	exec 9>"$vm_cache.lock" 2>/dev/null || { mkdir -p "$vm_cache" && exec 9>"$vm_cache.lock"; }
	flock 9
	vm_kernel_prepare
	vm_initrd_prepare
	flock -u 9
}

# Guest PCI addresses of the two test NICs (fixed slots).
VM_NIC0=0000:00:04.0
VM_NIC1=0000:00:05.0

# vm_run <io-dir> <cmd-file> <budget-s> [nic options...]
# Boots a guest whose two virtio-net functions are made with "-device virtio-net-pci,<opts>" (the
# options given, default modern with iommu_platform) on one hub, runs <cmd-file> inside, leaves its
# output in <io-dir>/out.log and its exit status in <io-dir>/rc. Extra QEMU arguments in VM_QEMU_EXTRA
# (an array), a command QEMU runs under in VM_QEMU_PREFIX (an array: "ip netns exec <ns>" for a
# tap back end inside the test's network namespace), and the monitor socket at <io-dir>/monitor.sock for a host-side helper (VM_HOST_HELPER:
# a command run in the background with the io dir as argument while the guest runs).
# Returns the guest command's exit status; 125 when the guest did not finish.
vm_run() {
	local io=$1 cmd=$2 budget=$3
	local nic_opts=${4:-disable-legacy=on,iommu_platform=on}
	local timeout_s=$((budget + ${VIONET_VM_BOOT_TIMEOUT:-240}))
	vm_prepare
	cp "$vm_dir/guest-stage2.sh" "$io/stage2.sh"
	cp "$cmd" "$io/cmd.sh"
	rm -f "$io/rc" "$io/out.log"
	local netdevs=(-netdev hubport,id=n0,hubid=0 -netdev hubport,id=n1,hubid=0)
	local nics=(-device "virtio-net-pci,id=nic0,netdev=n0,addr=0x4,mac=52:54:00:12:00:01,$nic_opts"
		    -device "virtio-net-pci,id=nic1,netdev=n1,addr=0x5,mac=52:54:00:12:00:02,$nic_opts")
	[ -n "${VM_NETDEVS+x}" ] && netdevs=("${VM_NETDEVS[@]}")
	[ -n "${VM_NICS+x}" ] && nics=("${VM_NICS[@]}")
	local qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
		    -accel tcg,thread=multi -cpu max -smp 2 -m "${VM_MEM_MB:-2048}"
		    -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on
		    -kernel "$VM_KERNEL" -initrd "$VM_INITRD"
		    -append "console=ttyS0 intel_iommu=on iommu=pt hugepages=${VM_HUGEPAGES:-512} panic=-1 loglevel=4"
		    -serial "file:$io/console.log" -monitor "unix:$io/monitor.sock,server=on,wait=off"
		    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
		    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,addr=0x8
		    -fsdev "local,id=vmio,path=$io,security_model=none"
		    -device virtio-9p-pci,fsdev=vmio,mount_tag=vmio,addr=0x9
		    "${netdevs[@]}" "${nics[@]}" "${VM_QEMU_EXTRA[@]}")
	vm_log "booting guest (budget ${timeout_s}s): ${qemu[*]}"
	local start=$SECONDS helper_pid=
	timeout --kill-after=10 "$timeout_s" ${VM_QEMU_PREFIX[@]+"${VM_QEMU_PREFIX[@]}"} "${qemu[@]}" \
		>"$io/qemu.log" 2>&1 &
	local qemu_pid=$!
	if [ -n "${VM_HOST_HELPER:-}" ]; then
		$VM_HOST_HELPER "$io" &
		helper_pid=$!
	fi
	wait "$qemu_pid"
	local qemu_rc=$?
	[ -n "$helper_pid" ] && { kill "$helper_pid" 2>/dev/null; wait "$helper_pid" 2>/dev/null; }
	vm_log "guest ran $((SECONDS - start))s (qemu exit $qemu_rc)"
	if [ ! -s "$io/rc" ]; then
		vm_log "the guest did not finish its command; qemu said:"
		tail -n 20 "$io/qemu.log" >&2
		vm_log "console tail:"
		tail -n 40 "$io/console.log" >&2
		[ -f "$io/out.log" ] && { vm_log "command output so far:"; tail -n 60 "$io/out.log" >&2; }
		return 125
	fi
	return "$(cat "$io/rc")"
}

# Sends one command to the QEMU monitor of the guest whose io dir is <io-dir>.
vm_monitor() {
	local io=$1
	shift
	python3 - "$io/monitor.sock" "$*" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
time.sleep(0.5)
s.close()
PY
}

# A VM_HOST_HELPER: serves the guest's requests for the QEMU monitor, each a file the guest creates
# in the io dir and acknowledged with another: link-off-request / link-on-request (guest_lib.sh
# host_set_link: set_link on the function whose QEMU id is VM_LINK_NIC, default nic1), and
# announce-request (test_announce: announce_self on every NIC, three rounds, as after a live
# migration). A request is served again once the guest removed its done file.
vm_link_helper() {
	local io=$1 nic=${VM_LINK_NIC:-nic1} state
	while true; do
		for state in off on; do
			if [ -e "$io/link-$state-request" ] && [ ! -e "$io/link-$state-done" ]; then
				vm_monitor "$io" "set_link $nic $state"
				touch "$io/link-$state-done"
			fi
		done
		if [ -e "$io/announce-request" ] && [ ! -e "$io/announce-done" ]; then
			vm_monitor "$io" "migrate_set_parameter announce-rounds 3"
			vm_monitor "$io" "migrate_set_parameter announce-initial 200"
			vm_monitor "$io" "migrate_set_parameter announce-step 300"
			vm_monitor "$io" "migrate_set_parameter announce-max 1000"
			vm_monitor "$io" "announce_self"
			touch "$io/announce-done"
		fi
		sleep 0.3
	done
}
