#!/usr/bin/env bash
# The Debian package (scripts/package.sh) installs a PMD that DPDK finds by itself:
#   1. the package builds; its Depends are satisfied by this machine's DPDK, every ELF it ships finds
#      its libraries;
#   2. dpkg installs it into a scratch root (dpkg --root, nothing in the real /); the PMD lands in the
#      folder the installed librte_eal loads plugins from (its DPDK_PLUGIN_PATH string);
#   3. in a mount namespace of its own, that folder of the real system is overlaid with the scratch
#      root's (the real / is untouched, other processes see nothing), and Debian's dpdk-testpmd,
#      WITHOUT -d, runs a net_vionet_user port (txonly) against a second testpmd's net_vhost port
#      (rxonly): our port probes and the back end receives what it sent.
# usage: test_package.sh <source root> <work folder under a non-world-writable path> [meson options]
set -euo pipefail
src=$1
work=$(realpath -m "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"

mkdir -p "$work"
deb=$("$src/scripts/package.sh" --build-dir "$work/build" --out "$work" "$@" | tail -n 1)
[ -f "$deb" ] || vionet_fail "package.sh made no .deb"
echo "package: $deb"
dpkg-deb --info "$deb" | sed -n 's/^ Depends: /Depends: /p'

# 1. Every dependency (name, optional version constraint) is installed here in a version it accepts.
deps=$(dpkg-deb --field "$deb" Depends)
echo "$deps" | tr ',' '\n' | grep -q librte-ethdev || vionet_fail "Depends names no DPDK library: $deps"
echo "$deps" | tr ',' '\n' | while read -r name op version; do
	[ -n "$name" ] || continue
	installed=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
	case $installed in installed\ *) ;; *) vionet_fail "dependency $name is not installed" ;; esac
	if [ -n "$op" ]; then
		op=${op#(} version=${version%)}
		dpkg --compare-versions "${installed#installed }" "$op" "$version" ||
			vionet_fail "dependency $name ($op $version): installed ${installed#installed }"
	fi
done

# 2. Install into a scratch root with dpkg itself (its own database there; the DPDK packages it
#    depends on live in the real root, hence --force-depends).
root=$work/root
rm -rf "$root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --force-script-chrootless -i "$deb" >"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log"; vionet_fail "dpkg --root could not install the package"; }
dpkg --root="$root" --verify vionet || vionet_fail "dpkg --verify: installed files differ from the package"
plugin_dir=$(/usr/bin/python3 "$src/config/dpdk-plugin-dir.py" "$(pkg-config --variable=libdir libdpdk)")
[ -f "$root$plugin_dir/librte_net_vionet.so" ] ||
	vionet_fail "no librte_net_vionet.so in $plugin_dir (EAL's plugin folder) of the installed package: $(dpkg --root="$root" -L vionet | tr '\n' ' ')"
[ -x "$root/usr/bin/vionet-fwd" ] || vionet_fail "no /usr/bin/vionet-fwd in the package"
[ -f "$root/usr/share/doc/vionet/forwarder.md" ] && [ -f "$root/usr/share/doc/vionet/copyright" ] ||
	vionet_fail "documentation missing from /usr/share/doc/vionet"
for elf in "$root$plugin_dir/librte_net_vionet.so" "$root/usr/bin/vionet-fwd"; do
	if ldd "$elf" | grep -q 'not found'; then ldd "$elf"; vionet_fail "$elf: a library is not found"; fi
done
echo "installed into $root: $plugin_dir/librte_net_vionet.so, /usr/bin/vionet-fwd, /usr/share/doc/vionet"

# 3. testpmd without -d, the plugin folder of the real system overlaid with the scratch root's.
run=$(mktemp -d /run/vionet-package.XXXXXX)
tag=vionet_pkgtest_$$
cleanup() {
	rm -rf "$run" /var/run/dpdk/"${tag}"_? /dev/hugepages/"${tag}"_?map_*
}
trap cleanup EXIT
cat >"$run/in-namespace.sh" <<'EOF'
set -eu
plugin_dir=$1 root=$2 run=$3 tag=$4 eal_common=$5
mount -t overlay overlay -o "ro,lowerdir=$root$plugin_dir:$plugin_dir" "$plugin_dir"
dpdk-testpmd -l 0,1 --main-lcore 0 $eal_common --file-prefix="${tag}_b" \
	--vdev "net_vhost0,iface=$run/vh.sock,queues=1" -- --forward-mode=rxonly --stats-period 1 \
	>"$run/backend.log" 2>&1 &
backend=$!
for _ in $(seq 100); do [ -S "$run/vh.sock" ] && break; sleep 0.1; done
timeout 60 dpdk-testpmd -l 0,1 --main-lcore 0 $eal_common --file-prefix="${tag}_o" \
	--vdev "net_vionet_user0,path=$run/vh.sock,queues=1" -- --forward-mode=txonly --stats-period 1 \
	>"$run/ours.log" 2>&1 &
ours=$!
# a few seconds of traffic, then both stop on SIGINT and print their totals
for _ in $(seq 100); do
	grep -q "TX-packets: [1-9]" "$run/ours.log" 2>/dev/null && break
	kill -0 "$ours" 2>/dev/null || break
	sleep 0.1
done
sleep 1
kill -INT "$ours" 2>/dev/null || true
wait "$ours" || echo "our testpmd exited with $?" >>"$run/ours.log"
kill -INT "$backend" 2>/dev/null || true
wait "$backend" || echo "the back end exited with $?" >>"$run/backend.log"
EOF
unshare --mount --propagation private bash "$run/in-namespace.sh" "$plugin_dir" "$root" "$run" "$tag" \
	"-m 256 --no-pci --single-file-segments --log-level=pmd.net.vionet*:info" ||
	vionet_fail "could not run in a private mount namespace with the overlaid plugin folder"
for side in ours backend; do echo "=== $side"; grep -v -e "^VHOST_CONFIG" -e "^ *$" "$run/$side.log" | tail -n 30; done
grep -q "net_vionet_user0: transport vhost-user" "$run/ours.log" ||
	vionet_fail "our testpmd did not probe net_vionet_user0 from the plugin folder"
grep -q "exited with" "$run/ours.log" "$run/backend.log" && vionet_fail "a testpmd did not exit cleanly"
# testpmd's closing "Accumulated forward statistics" of each side
sent=$(awk '/Accumulated forward statistics/ {f = 1} f && /TX-packets:/ {print $2; exit}' "$run/ours.log")
received=$(awk '/Accumulated forward statistics/ {f = 1} f && /RX-packets:/ {print $2; exit}' "$run/backend.log")
echo "sent by our port: ${sent:-none}, received by the back end: ${received:-none}"
[ "${sent:-0}" -gt 0 ] && [ "${received:-0}" -gt 0 ] ||
	vionet_fail "no traffic from the installed PMD to the back end"
echo "package: installed layout found by EAL without -d, traffic passes"
