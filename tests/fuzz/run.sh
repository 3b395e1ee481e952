#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + AddressSanitizer + UBSan in
# build-fuzz/ and runs each for a bounded time (default 60 s; first
# argument), or only the targets named after it (weights, render).
# Prints the executions of each run; a crash fails the script and
# leaves the crashing input in build-fuzz/crashes/ (turn it into a
# regression test).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
targets=${*:-weights render}
build=${BUILD:-$top/build-fuzz}
cd "$top"
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Dplugin=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
fi
meson compile -C "$build" tests/fuzz/fuzz-weights tests/fuzz/fuzz-render
mkdir -p "$build/crashes"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for target in $targets; do
  work="$build/corpus-$target"
  mkdir -p "$work"
  log="$build/fuzz-$target.log"
  if ! "$build/tests/fuzz/fuzz-$target" -max_total_time="$seconds" \
       -max_len=65536 -rss_limit_mb=2048 -artifact_prefix="$build/crashes/" \
       "$work" "$top/tests/fuzz/corpus/$target" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz-$target: FAILED (input saved in $build/crashes/)"
    exit 1
  fi
  execs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n 1 | awk '{print $2}')
  echo "fuzz-$target: ${execs:-?} executions in ${seconds} s, no crash"
done
