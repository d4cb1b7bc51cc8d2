#!/usr/bin/env bash
# Runs test_rx_intr (vhost mode) with the plugin at a path EAL accepts for -d (see vionet_plugin_path).
# usage: test_user_rx_intr.sh <test_rx_intr binary> <plugin.so> <packed 0|1>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
bin=$1
plugin=$(vionet_plugin_path "$2")
shift 2
exec timeout 300 "$bin" vhost "$plugin" "$@"
