#!/usr/bin/env bash
# Runs every test suite from a fresh machine: set-up (packages, SDK headers, hugepages, build), then
# meson's suites one after another, each alone (they share hugepages and the two cores), then the
# unit and integration suites again in a build with AddressSanitizer and UndefinedBehaviorSanitizer.
#
# environment:
#   VIONET_TEST_SUITES     suites of the plain build (default: every suite except bench)
#   VIONET_TEST_SANITIZE   1 (default): also the sanitizer pass; 0 skips it
#   VIONET_ASAN_BUILD_DIR  the sanitizer build (default: build-asan)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${VIONET_BUILD_DIR:-$repo_root/build}
asan_dir=${VIONET_ASAN_BUILD_DIR:-$repo_root/build-asan}
"$repo_root/scripts/setup.sh"

status=0 passed=0 failed=0 skipped=0

# Runs one suite of a build (or the tests named after the label) and adds meson's results (one JSON
# object per test) to the totals.
run_suite() {
	local dir=$1 suite=$2 label=$3 p f s
	shift 3
	echo "=== suite $label ==="
	if [ $# -gt 0 ]; then
		meson test -C "$dir" --print-errorlogs --num-processes 1 "$@" || status=1
	else
		meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes 1 || status=1
	fi
	read -r p f s < <(/usr/bin/python3 -c '
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    key = "OK" if r in ("OK", "EXPECTEDFAIL") else "SKIP" if r == "SKIP" else "FAIL"
    counts[key] += 1
print(counts["OK"], counts["FAIL"], counts["SKIP"])' "$dir/meson-logs/testlog.json")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

available=$(meson test -C "$build_dir" --list 2>/dev/null | sed -n 's/^vionet:\([a-z_]*\) \/.*/\1/p' | sort -u)
suites=${VIONET_TEST_SUITES:-$(echo "$available" | grep -vx bench)}
for suite in $suites; do
	run_suite "$build_dir" "$suite" "$suite"
done

if [ "${VIONET_TEST_SANITIZE:-1}" = 1 ]; then
	# Our objects built with ASan and UBSan. Debian's dpdk-testpmd is not, so the runtimes are
	# preloaded for the processes that load our plugin; DPDK's own allocations outlive EAL's exit,
	# hence no leak report. Any sanitizer report ends the process with an error: the test fails.
	opts=(-Dsdk_headers="$("$repo_root/config/sdk-headers.sh" | tail -n 1)" -Dbuildtype=debug
	      -Db_sanitize=address,undefined -Db_lundef=false)
	[ "${CI:-}" = true ] && opts+=(-Dwerror=true)
	if [ ! -f "$asan_dir/build.ninja" ]; then
		meson setup "$asan_dir" "$repo_root" "${opts[@]}" >&2
	elif [ "$(cat "$asan_dir/.vionet-setup-options" 2>/dev/null)" != "${opts[*]}" ]; then
		meson configure "$asan_dir" "${opts[@]}" >/dev/null
	fi
	echo "${opts[*]}" >"$asan_dir/.vionet-setup-options"
	ninja -C "$asan_dir" >&2
	export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
	export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	run_suite "$asan_dir" unit "unit (asan+ubsan)"
	# Left to the plain build: the tests whose long-running process is Debian's testpmd
	# (user_testpmd_*): with the runtime preloaded into it, testpmd hangs at exit on this machine
	# (the same with DPDK's own virtio-user PMD), so there they would test the sanitizer, not the
	# PMD. vionet-fwd is ours and built with the sanitizers: its tests run here (what once looked
	# like a hang of it was UBSan stopping the generator on a real overflow). The reconnect soak
	# (user_reconnect_*) too: its 400 restarts take minutes, and each restart is what
	# user_datapath's back end restart does once per variant here. The package test builds and
	# installs its own tree. The rows that repeat a test through each vector width (names ending
	# in _sse, _avx2, _avx512) too: the vector paths run under the sanitizers in the unit suite's
	# equivalence tests and the fuzz target, and each row costs the sanitized run as much as the
	# scalar one it repeats.
	mapfile -t pmd_tests < <(meson test -C "$asan_dir" --list --suite integration 2>/dev/null |
		sed -n 's/^vionet:integration \/ //p' |
		grep -v -e '^user_testpmd_' -e '^user_reconnect_' -e '^package$' \
			-e '_sse$' -e '_avx2$' -e '_avx512$')
	run_suite "$asan_dir" integration "integration (asan+ubsan)" "${pmd_tests[@]}"
	unset LD_PRELOAD
fi

echo "vionet: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
