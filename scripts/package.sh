#!/usr/bin/env bash
# Builds the Debian package `vionet` (no network): the PMD in the folder the installed DPDK loads
# plugins from by default (meson -Dinstall_dpdk_plugin=true, e.g.
# /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_net_vionet.so), vionet-fwd in /usr/bin, the
# README and doc/ in /usr/share/doc/vionet. Depends: computed by dpkg-shlibdeps from what the two
# ELF files link, and each DPDK library held to the DPDK release series it was built against (the
# PMD uses DPDK's driver-internal API, which may change with any DPDK release).
#
# usage: scripts/package.sh [--build-dir DIR] [--out DIR] [meson options...]
#   --build-dir  the meson build folder for the package (default build-package); configured or
#                reconfigured here, built incrementally
#   --out        where the .deb goes (default: the build folder)
#   meson options, e.g. -Dsdk_headers=<folder> (see config/sdk-headers.sh)
# Prints the path of the .deb on its last line.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build-package
out=""
meson_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build=$(realpath -m "$2"); shift 2 ;;
	--out) out=$(realpath -m "$2"); shift 2 ;;
	-h | --help) sed -n '2,16p' "$0"; exit 0 ;;
	*) meson_args+=("$1"); shift ;;
	esac
done
out=${out:-$build}
for tool in meson ninja dpkg-deb dpkg-shlibdeps dpkg-architecture; do
	command -v "$tool" >/dev/null || { echo "package.sh: $tool not found (apt-get install dpkg-dev meson ninja-build)" >&2; exit 1; }
done

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
options=(--prefix=/usr --libdir="lib/$multiarch" -Dbuildtype=release -Dtests=false -Dfuzz=disabled
	-Dinstall_dpdk_plugin=true "${meson_args[@]}")
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" "${options[@]}" >/dev/null
else
	meson setup "$build" "$src" "${options[@]}" >/dev/null
fi
ninja -C "$build" >/dev/null

stage=$build/deb-root
rm -rf "$stage"
DESTDIR=$stage meson install -C "$build" --no-rebuild --quiet
# A runtime package: the static library is for building against, not for running.
find "$stage" -name '*.a' -delete
plugin=$(find "$stage" -name librte_net_vionet.so -printf '%P\n')
[ -n "$plugin" ] || { echo "package.sh: meson install put no librte_net_vionet.so in $stage" >&2; exit 1; }
doc=$stage/usr/share/doc/vionet
install -d "$doc"
install -m 0644 "$src/README.md" "$src"/doc/*.md "$doc/"
version=$(meson introspect --projectinfo "$build" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vionet

Files: *
Copyright: the vionet authors
License: BSD-3-Clause
 Redistribution and use in source and binary forms, with or without modification, are permitted
 provided that the following conditions are met:
 .
 1. Redistributions of source code must retain the above copyright notice, this list of
    conditions and the following disclaimer.
 2. Redistributions in binary form must reproduce the above copyright notice, this list of
    conditions and the following disclaimer in the documentation and/or other materials provided
    with the distribution.
 3. Neither the name of the copyright holder nor the names of its contributors may be used to
    endorse or promote products derived from this software without specific prior written
    permission.
 .
 THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
 IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
 FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR
 CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
 DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER
 IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT
 OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
EOF

# Depends. dpkg-shlibdeps reads debian/control of a source tree; a minimal one in a scratch folder.
shlib_dir=$build/deb-shlibdeps
rm -rf "$shlib_dir"
mkdir -p "$shlib_dir/debian"
printf 'Source: vionet\n\nPackage: vionet\nArchitecture: any\n' >"$shlib_dir/debian/control"
depends=$(cd "$shlib_dir" && dpkg-shlibdeps -O -e"$stage/$plugin" -e"$stage/usr/bin/vionet-fwd" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# The DPDK release series of the installed librte_eal (the one we built against): 22.11.x -> 22.11.
eal_package=$(dpkg -S "$(realpath "/usr/lib/$multiarch/librte_eal.so")" | cut -d: -f1)
series=$(dpkg-query -W -f='${Version}' "$eal_package" | sed -E 's/^([0-9]+:)?([0-9]+)\.([0-9]+).*/\2 \3/')
read -r major minor <<<"$series"
next_series="$major.$((minor + 1))~"
depends=$(echo "$depends" | /usr/bin/python3 -c '
import re, sys
out = []
for dep in sys.stdin.read().strip().split(", "):
    out.append(dep)
    name = dep.split()[0]
    if re.match(r"librte-", name):
        out.append(f"{name} (<< {sys.argv[1]})")
print(", ".join(out))' "$next_series")

mkdir -p "$stage/DEBIAN"
installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: vionet
Version: $version
Architecture: $arch
Maintainer: vionet authors <vionet@localhost>
Installed-Size: $installed_kb
Depends: $depends
Section: net
Priority: optional
Homepage: https://localhost/vionet
Description: DPDK poll-mode driver for virtio-net, and the vionet-fwd forwarder
 net_vionet (virtio-net PCI functions through VFIO) and net_vionet_user (vhost-user) for
 DPDK $major.$minor, installed where DPDK's EAL loads drivers by default
 (/$(dirname "$plugin")), so DPDK applications find it without -d; vionet-fwd, a packet
 forwarder and generator for any ethdev port.
EOF
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$stage/usr/bin/vionet-fwd"

mkdir -p "$out"
deb=$out/vionet_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
