# Shared helpers for the shell-driven test suites and scripts. Source it; it sets nothing global
# beyond the functions and VIONET_* variables it documents.

# EAL refuses to dlopen a plugin whose path has a world-writable directory above it (a clone under
# /tmp, say). Echo a path EAL accepts: the build's own .so when its ancestry is safe, else a copy in a
# root-owned staging folder.
vionet_plugin_path() {
	local so=$1 dir
	so=$(realpath "$so")
	dir=$(dirname "$so")
	while [ "$dir" != / ]; do
		if [ -n "$(find "$dir" -maxdepth 0 -perm -0002)" ]; then
			local stage=/run/vionet-plugins/$(sha1sum "$so" | cut -c1-12)
			mkdir -p "$stage"
			chmod 0755 /run/vionet-plugins "$stage"
			install -m 0644 "$so" "$stage/$(basename "$so")"
			echo "$stage/$(basename "$so")"
			return 0
		fi
		dir=$(dirname "$dir")
	done
	echo "$so"
}

# EAL options for one process of a test: its own file prefix, bounded hugepage memory, no PCI scan,
# so that several DPDK processes share this machine.
vionet_eal_common() {
	local prefix=$1 mem_mb=${2:-256}
	echo "--file-prefix=$prefix -m $mem_mb --no-pci --single-file-segments --log-level=pmd.net.vionet*:info"
}

# Fails the test with a message.
vionet_fail() {
	echo "FAIL: $*" >&2
	exit 1
}
