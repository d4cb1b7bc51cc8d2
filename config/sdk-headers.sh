#!/usr/bin/env bash
# Puts DPDK's driver-SDK headers for the *installed* DPDK into a build-local folder.
#
# Debian's libdpdk-dev ships the application API only; a PMD also needs the driver-facing headers
# (ethdev_driver.h, bus_pci_driver.h, ...). Those live in Debian's source package of the same
# version, so we fetch exactly that version and extract only the headers. Nothing of DPDK's source
# is kept in the repository.
#
# usage: config/sdk-headers.sh [OUTDIR]      (default: .sdk/ beside this repository's root)
# prints the include directory it filled (or found) on its last line.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
outdir=${1:-$repo_root/.sdk}
headers=(ethdev_driver.h ethdev_pci.h ethdev_vdev.h bus_pci_driver.h bus_vdev_driver.h bus_driver.h dev_driver.h)

die() { echo "sdk-headers: $*" >&2; exit 1; }

dpdk_incdir=$(pkg-config --variable=includedir libdpdk 2>/dev/null)/dpdk || die "pkg-config cannot find libdpdk: install libdpdk-dev"
have_all=1
for h in "${headers[@]}"; do [ -f "$dpdk_incdir/$h" ] || have_all=0; done
if [ "$have_all" = 1 ]; then
	# DPDK built with enable_driver_sdk: nothing to fetch.
	echo "$dpdk_incdir"
	exit 0
fi

deb_version=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) || die "libdpdk-dev is not installed"
[ -n "$deb_version" ] || die "libdpdk-dev is not installed"
incdir=$outdir/dpdk-$deb_version/include
stamp=$incdir/.complete
if [ -f "$stamp" ]; then
	echo "$incdir"
	exit 0
fi

# apt-get source needs a deb-src entry; add one mirroring the configured binary sources when none exists.
ensure_deb_src() {
	if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "no deb-src entry in apt's sources and not root: add one (deb-src for bookworm main) or run as root"
	local src=/etc/apt/sources.list.d/vionet-deb-src.sources
	echo "sdk-headers: adding $src so that apt-get source can fetch dpdk" >&2
	cat >"$src" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get update -q >&2
}

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
ensure_deb_src
(cd "$workdir" && apt-get source --download-only -q "dpdk=$deb_version" >&2) ||
	die "apt-get source --download-only dpdk=$deb_version failed: enable deb-src for Debian's archive, or build DPDK with -Denable_driver_sdk=true"
orig=$(ls "$workdir"/dpdk_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || die "the source package of dpdk $deb_version has no orig tarball"

mkdir -p "$incdir"
# Only the header files, wherever they sit in the tree (lib/ethdev, lib/eal/include, drivers/bus/*).
members=$(tar -tf "$orig" | grep -E "/($(IFS='|'; echo "${headers[*]}" | sed 's/\./\\./g'))\$")
[ -n "$members" ] || die "none of the SDK headers are in $orig"
tar -xf "$orig" -C "$workdir" $members
for h in "${headers[@]}"; do
	f=$(find "$workdir" -name "$h" -path '*/dpdk*' | head -n 1)
	[ -n "$f" ] || die "$h is missing from $orig"
	install -m 0644 "$f" "$incdir/$h"
done
touch "$stamp"
echo "$incdir"
