#!/usr/bin/env bash
# Runs one fuzz target for a bounded time: new inputs go to a corpus in the
# build tree, the seeds are read from the source tree.
set -eu
target=$1
seconds=$2
shift 2
corpus="$(dirname "$target")/corpus-$(basename "$target")"
mkdir -p "$corpus"
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
  "$corpus" "$@"
