#!/usr/bin/env bash
# Runs every test suite from a fresh machine: set-up (packages, SDK headers, hugepages, build), then
# meson's suites one after another, each alone (they share hugepages and the two cores).
#
# environment: VIONET_TEST_SUITES (default: every suite except bench)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${VIONET_BUILD_DIR:-$repo_root/build}
"$repo_root/scripts/setup.sh"

available=$(meson test -C "$build_dir" --list 2>/dev/null | sed -n 's/^vionet:\([a-z_]*\) \/.*/\1/p' | sort -u)
suites=${VIONET_TEST_SUITES:-$(echo "$available" | grep -vx bench)}
status=0 passed=0 failed=0 skipped=0
for suite in $suites; do
	echo "=== suite $suite ==="
	meson test -C "$build_dir" --suite "$suite" --print-errorlogs --num-processes 1 || status=1
	# meson's log of this run: one JSON object per test
	read -r p f s < <(/usr/bin/python3 -c '
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    key = "OK" if r in ("OK", "EXPECTEDFAIL") else "SKIP" if r == "SKIP" else "FAIL"
    counts[key] += 1
print(counts["OK"], counts["FAIL"], counts["SKIP"])' "$build_dir/meson-logs/testlog.json")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "vionet: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
