#!/usr/bin/env bash
# The whole test suite: configure (once), build, run every meson test
# (unit, golden parity, CLI, GIMP batch and UI, translations), then print
# one summary line "N passed, N failed, N skipped".
#
# Usage: bash tests/run-all.sh            (build dir: build/)
#        BUILD=build-asan MESON_ARGS='-Db_sanitize=address,undefined' bash tests/run-all.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BUILD:-build}

# shellcheck source=tests/debian-deps.sh
. "$top/tests/debian-deps.sh"
evenlight_ensure_packages $EVENLIGHT_BUILD_PACKAGES $EVENLIGHT_TEST_PACKAGES || exit 1

if [ ! -f "$build/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup "$build" ${MESON_ARGS:-} || exit 1
fi
meson compile -C "$build" || exit 1

meson test -C "$build" --print-errorlogs --num-processes 2 ${MESON_TEST_ARGS:-}
rc=$?

/usr/bin/python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
