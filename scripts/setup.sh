#!/usr/bin/env bash
# One idempotent set-up for a Debian 12 machine (run as root): packages, DPDK driver-SDK headers,
# hugepages, build. Each step checks first and does only what is missing, so running it again is cheap.
#
# environment:
#   VIONET_BUILD_DIR   build directory (default: build)
#   VIONET_HUGEPAGES   2 MiB hugepages to have at least (default: 1024; never lowered)
#   CI=true            build with -Werror
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${VIONET_BUILD_DIR:-$repo_root/build}
want_hugepages=${VIONET_HUGEPAGES:-1024}

log() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

# Packages the build, the tests and the demo need. Tests that need more (QEMU, clang's fuzzer runtime)
# list theirs here too, so that one command sets up everything.
packages=(
	dpdk dpdk-dev libdpdk-dev libnuma-dev libcunit1-dev
	meson ninja-build pkg-config gcc python3 python3-pyelftools
	clang libclang-rt-14-dev
	qemu-system-x86 busybox-static kmod cpio pciutils
	dpkg-dev
)

install_packages() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

setup_hugepages() {
	local nr_file=/proc/sys/vm/nr_hugepages have
	have=$(cat "$nr_file")
	if [ "$have" -lt "$want_hugepages" ]; then
		[ "$(id -u)" = 0 ] || die "need $want_hugepages hugepages (have $have) and not root"
		log "reserving $want_hugepages 2 MiB hugepages (had $have)"
		echo "$want_hugepages" >"$nr_file"
		have=$(cat "$nr_file")
		[ "$have" -ge 512 ] || die "the kernel granted only $have hugepages; DPDK needs at least 512 here"
	fi
	# Any existing hugetlbfs mount will do; DPDK finds it in /proc/mounts.
	if ! grep -q ' hugetlbfs ' /proc/mounts; then
		log "mounting hugetlbfs on /dev/hugepages"
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages
	fi
}

build() {
	local sdk_incdir
	sdk_incdir=$("$repo_root/config/sdk-headers.sh" | tail -n 1)
	local opts=(-Dsdk_headers="$sdk_incdir" -Dbuildtype=debugoptimized)
	[ "${CI:-}" = true ] && opts+=(-Dwerror=true)
	if [ -f "$build_dir/build.ninja" ]; then
		# Reconfiguring makes ninja regenerate everything: only when the options changed.
		if [ "$(cat "$build_dir/.vionet-setup-options" 2>/dev/null)" != "${opts[*]}" ]; then
			meson configure "$build_dir" "${opts[@]}" >/dev/null
		fi
	else
		meson setup "$build_dir" "$repo_root" "${opts[@]}" >&2
	fi
	echo "${opts[*]}" >"$build_dir/.vionet-setup-options"
	ninja -C "$build_dir" >&2
}

install_packages
setup_hugepages
build
log "ready: build in $build_dir"
