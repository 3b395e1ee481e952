#!/usr/bin/env bash
# evenlight — closing the dialog while its context is being computed, in a
# real GIMP 2.10 window under Xvfb (TAP).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The dialog computes the context on a worker thread as soon as it opens;
# on a 24 MP layer that takes seconds. The dialog is closed (Escape) before
# the preview could render, i.e. while the worker still runs: the plug-in
# must stop it and return (no hang, no crash, no GLib warnings) and the
# image must stay clean.
#
# Usage: run-ui-close.sh PLUGIN IMGTOOL   (exit 77 without GIMP, Xvfb or
#        xdotool)
set -u
plugin=$1 imgtool=$2
here=$(cd "$(dirname "$0")" && pwd)
gimptests=$here/../gimp
data=${EVENLIGHT_TEST_DATA:-$here/../data}
weights=$data/golden-weights.bin

. "$gimptests/profile.sh"
evenlight_ui_start ui-close xvfb-run xdotool -- "$@"
evenlight_make_profile "$work/profile"
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_NO_BUILD=1 \
  bash "$here/../../plugin/install-user.sh" "$(dirname "$(dirname "$plugin")")" >/dev/null \
  || { echo "Bail out! cannot install the plug-in"; exit 1; }
"$imgtool" make rgb 8 6000 4000 "$work/close-input.png" >/dev/null \
  || { echo "Bail out! cannot make the test image"; exit 1; }

. "$gimptests/tap.sh"
die () { echo "Bail out! $*"; sed 's/^/# /' "$work/gimp.log"; exit 1; }
dialog_id () { xdotool search --name '^Even Light$' 2>/dev/null | tail -1; }
dialog_open () { [ -n "$(dialog_id)" ]; }
gimp_done () { ! kill -0 "$gimp_pid" 2>/dev/null; }

evenlight_gimp_gui "$work/gimp.log" GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$weights" EVENLIGHT_DEBUG=1 \
  "$gimp" -n -d -f -s \
    -b "(begin (load \"$gimptests/batch.scm\") (load \"$here/hostile.scm\")
               (load \"$here/ui-close.scm\") (el-ui-close \"$work\"))" \
    -b '(gimp-quit 1)'

wait_for 1200 dialog_open || die "the dialog did not open"
win=$(dialog_id)
xdotool windowfocus --sync "$win"
xdotool key Escape
# The preview renders only once the context is ready: none yet means the
# dialog was closed during the computation.
if grep -q 'preview .* rendered in' "$work/gimp.log"; then
  fail "the dialog was closed during the context computation (the context was ready first)"
else
  pass "the dialog was closed during the context computation"
fi
wait_for 600 gimp_done || die "GIMP did not finish after the dialog was closed (plug-in hung?)"
gimp_pid=
sed 's/^/# gimp: /' "$work/close.log" 2>/dev/null
grep '^evenlight:' "$work/gimp.log" | sed 's/^/# /'

if grep -q '^close ok' "$work/close.log" 2>/dev/null; then
  pass "the plug-in returned (cancelled) without error"
else
  fail "close: $(grep '^close ' "$work/close.log" 2>/dev/null)"
fi
if grep -q '^close-clean ok' "$work/close.log" 2>/dev/null; then
  pass "image not dirty after closing the dialog (no undo step)"
else
  fail "image dirty after closing the dialog"
fi
evenlight_check_plugin_log "$work/gimp.log"
evenlight_tap_end "$work/gimp.log"
