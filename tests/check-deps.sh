#!/usr/bin/env bash
# tests/debian-deps.sh works where plugin/quickstart.sh and tests/run-all.sh
# use it: under `set -euo pipefail`, on a machine where some of the
# packages were never installed (the test packages during the quick start).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/debian-deps.sh
. "$top/tests/debian-deps.sh"
EVENLIGHT_TEST_PACKAGES="$EVENLIGHT_TEST_PACKAGES evenlight-no-such-package"
stamp=$(evenlight_package_stamp)
echo "ok 1 - the package stamp is made with a package dpkg never saw ($(wc -l <<<"$stamp") packages listed)"
for p in python3-torch libglpk-dev; do
  [[ " $EVENLIGHT_TEST_PACKAGES " == *" $p "* ]] ||
    { echo "not ok 2 - $p missing from the test packages"; exit 1; }
done
echo "ok 2 - the test packages include python3-torch and libglpk-dev"
echo "1..2"
