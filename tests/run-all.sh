#!/usr/bin/env bash
# The whole test suite, in four passes, then one summary line
# "N passed, N failed, N skipped":
#   1. every meson test (unit, golden parity, CLI, GIMP batch and UI under
#      Xvfb, translations, PyTorch model) in build/;
#   2. the core, CLI, retouching and LAIC tests again, built with
#      AddressSanitizer + UBSan, in build-asan/;
#   3. a representative subset under valgrind --leak-check=full;
#   4. each libFuzzer target for a bounded time (EVENLIGHT_FUZZ_SECONDS,
#      default 45 s each; 0 skips this pass).
# Installs missing Debian packages first (as root or through sudo), and
# configures a build directory afresh when the packages changed since it
# was configured (tests/debian-deps.sh). Every skipped test is listed with
# its reason; the only skip allowed is the test that needs the private
# training photos (tests/summary.py).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BUILD:-build}
fuzz_seconds=${EVENLIGHT_FUZZ_SECONDS:-45}

# shellcheck source=tests/debian-deps.sh
. "$top/tests/debian-deps.sh"
evenlight_ensure_packages $EVENLIGHT_BUILD_PACKAGES $EVENLIGHT_TEST_PACKAGES \
  $EVENLIGHT_CHECK_PACKAGES || exit 1

passed=0 failed=0 skipped=0 status=0

# Adds the results of the last `meson test` in build dir $1 to the totals
# and says why each skipped test skipped (tests/summary.py: a skip without
# an allowed reason counts as a failure).
count_results ()   # build dir [log name, testlog by default]
{
  local out counts
  out=$(/usr/bin/python3 "$top/tests/summary.py" "$1/meson-logs/${2:-testlog}.json")
  grep -v '^counts ' <<<"$out"
  counts=$(grep '^counts ' <<<"$out")
  set -- ${counts#counts }
  passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
}

configure ()   # build dir, meson args...
{
  evenlight_configure "$@" && meson compile -C "$1"
}

echo "== 1. all tests ($build)"
if configure "$build" ${MESON_ARGS:-}; then
  meson test -C "$build" --print-errorlogs --num-processes 2 || status=1
  count_results "$build"
else
  status=1 failed=$((failed + 1))
fi

echo "== 2. AddressSanitizer + UBSan (build-asan)"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if configure build-asan -Db_sanitize=address,undefined -Db_lundef=false \
     -Dplugin=disabled -Dbuildtype=debugoptimized; then
  ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs \
    --num-processes 2 --no-suite cli --no-suite hostile --no-suite train || status=1
  count_results build-asan
  ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs \
    weights hostile-engine || status=1
  count_results build-asan
  # The CLI (and the hostile-input CLI test's image maker) load GEGL and its modules, which keep allocations for the life
  # of the process that LeakSanitizer cannot attribute; memory errors are
  # still caught here, leaks of our own code by the runs above and pass 3.
  ASAN_OPTIONS=detect_leaks=0 meson test -C build-asan --print-errorlogs \
    cli hostile-cli || status=1
  count_results build-asan
else
  status=1 failed=$((failed + 1))
fi

echo "== 3. valgrind --leak-check=full (subset, $build)"
meson test -C "$build" --print-errorlogs --num-processes 2 -t 5 \
  --wrapper 'valgrind --quiet --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite --show-leak-kinds=definite' \
  core-params core-golden core-kernels weights retouch laic-constraints || status=1
# meson names the log of a run with --wrapper after the wrapper.
count_results "$build" testlog-valgrind

if [ "$fuzz_seconds" != 0 ]; then
  echo "== 4. libFuzzer, ${fuzz_seconds} s per target (build-fuzz)"
  for target in weights render; do
    if bash "$top/tests/fuzz/run.sh" "$fuzz_seconds" "$target"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)) status=1
    fi
  done
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
