# evenlight — TAP reporting for the tests in GIMP (sourced by the run-*.sh
# scripts here and ../hostile/run-ui-close.sh).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later

failed=0 n=0
pass () { n=$((n + 1)); echo "ok $n - $*"; }
fail () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND does, with its output.
check () {
  local desc=$1; shift
  local out
  if out=$("$@" 2>&1); then pass "$desc: $out"; else fail "$desc: $out"; fi
}

# wait_for TENTHS COMMAND...: polls COMMAND ten times a second, for at
# most TENTHS tenths of a second.
wait_for () {
  local t=$1; shift
  for _ in $(seq "$t"); do "$@" && return 0; sleep 0.1; done
  return 1
}

# evenlight_check_plugin_log LOG: the plug-in did not crash and printed no
# GLib/GTK warning or critical (the theme engine's aside) in GIMP's LOG.
evenlight_check_plugin_log () {
  local log=$1 found
  if found=$(grep -Ei 'evenlight.*(crash|segmentation|terminated)|plug-in-evenlight.*crashed' "$log"); then
    fail "the plug-in crashed: $(echo "$found" | head -3)"
  else
    pass "no plug-in crash in GIMP's log"
  fi
  if found=$(grep -E '^\(evenlight:[0-9]+\): .*(CRITICAL|WARNING)' "$log" | grep -v 'theme engine'); then
    fail "the plug-in printed warnings: $(echo "$found" | head -3)"
  else
    pass "no GLib/GTK warnings or criticals from the plug-in"
  fi
}

# evenlight_tap_end LOG: the plan line; on any failure GIMP's LOG too,
# and the exit status 1.
evenlight_tap_end () {
  echo "1..$n"
  if [ $failed -ne 0 ]; then
    echo "# $failed of $n checks failed; GIMP's log:"
    grep -v 'theme engine\|^$' "$1" | sed 's/^/# /'
    exit 1
  fi
  echo "# all $n checks passed"
}
