#!/bin/sh
# Run one libFuzzer target for a bounded time: exit status non-zero on any crash, sanitizer report,
# leak, timeout or broken promise (the target aborts). Usage: run_fuzz.sh <target> <corpus dir> [seconds]
# VIONET_FUZZ_SECONDS overrides the time (CI keeps the default). -error_exitcode=1: libFuzzer's
# default for a crash is 77, which meson reads as "skipped".
set -eu
target=$1
corpus=$2
seconds=${VIONET_FUZZ_SECONDS:-${3:-60}}
mkdir -p "$corpus" "$corpus.artifacts"
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 \
	-artifact_prefix="$corpus.artifacts/" "$corpus"
