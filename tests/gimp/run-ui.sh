#!/usr/bin/env bash
# evenlight — the dialog in a real GIMP 2.10 window under Xvfb.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the plug-in into a throw-away profile with plugin/install-user.sh,
# starts the full GIMP on a virtual screen and, with xdotool, moves the
# Shadows slider and presses OK; checks that the layer now equals the
# CLI's result for the values set in the dialog, that the preview showed
# exactly those pixels, that undo restores the original exactly, that
# Cancel changes nothing and that the values are remembered. Saves a
# screenshot of the dialog next to the test log (SCREENSHOT).
#
# Usage: run-ui.sh BUILD_ROOT CLI IMGTOOL SCREENSHOT   (exit 77 without
#        GIMP, Xvfb, xdotool, ImageMagick or Python's numpy and PIL)
# EVENLIGHT_TEST_WEIGHTS and EVENLIGHT_UI_INPUT choose other weights and
# another input; ui/dialog.png was made with the trained weights on a photo:
#   EVENLIGHT_TEST_WEIGHTS=weights/evenlight-v1.bin EVENLIGHT_UI_INPUT=photo.jpg \
#     tests/gimp/run-ui.sh "$PWD/build" build/ui/cli/evenlight \
#     build/tests/gimp/imgtool ui/dialog.png
set -u
build=$1 cli=$2 imgtool=$3 screenshot=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
data=${EVENLIGHT_TEST_DATA:-$top/tests/data}
weights=${EVENLIGHT_TEST_WEIGHTS:-$data/golden-weights.bin}
python=/usr/bin/python3

. "$here/profile.sh"
evenlight_ui_start ui xvfb-run xdotool xwininfo import -- "$@"
"$python" -c 'import numpy, PIL' 2>/dev/null || { echo "1..0 # SKIP python3-numpy/python3-pil not installed"; exit 77; }
evenlight_make_profile "$work/profile"
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_NO_BUILD=1 \
  bash "$top/plugin/install-user.sh" "$build" || exit 1

. "$here/tap.sh"
die () {
  echo "$*"
  echo "# GIMP's log:"; sed 's/^/# /' "$work/gimp.log"
  exit 1
}

# The defaults from the header; the test sets Shadows to 0.30.
default () { awk -v n="EVENLIGHT_DEFAULT_$1" '$2 == n { gsub("f", "", $3); print $3 }' "$top/core/evenlight.h"; }
H=$(default HIGHLIGHTS) D=$(default DENOISE)
# EVENLIGHT_UI_INPUT: a photo to use instead of the synthetic scene (for
# the screenshot in the README), fitted into 640 × 480.
if [ -n "${EVENLIGHT_UI_INPUT:-}" ]; then
  convert "$EVENLIGHT_UI_INPUT" -auto-orient -resize '640x480>' -strip \
          "png24:$work/ui-input.png" || exit 1
else
  "$imgtool" make rgb 8 640 480 "$work/ui-input.png" || exit 1
fi
"$cli" --shadows 0.30 --highlights "$H" --denoise "$D" --weights "$weights" \
       "$work/ui-input.png" "$work/cli-ui.png" || exit 1

evenlight_gimp_gui "$work/gimp.log" GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$weights" EVENLIGHT_DEBUG=1 \
  "$gimp" -n -d -f -s \
    -b "(begin (load \"$here/batch.scm\") (load \"$here/ui.scm\") (el-ui \"$work\"))" \
    -b '(gimp-quit 1)'

dialog_id () { xdotool search --name '^Even Light$' 2>/dev/null | tail -1; }
rendered () { grep -c 'preview .* rendered in' "$work/gimp.log"; }
# The conditions waited for (evaluated anew at each poll).
dialog_open () { [ -n "$(dialog_id)" ]; }
# X reuses the window id of the first dialog for the second: count the
# contexts the plug-in computed instead.
second_dialog_open () { [ "$(grep -c 'context of' "$work/gimp.log")" -ge 2 ] && dialog_open; }
rendered_at_least () { [ "$(rendered)" -ge "$1" ]; }
# The last rendered preview is on the screen.
on_screen () {
  awk '/rendered in/ { r = NR } /preview on screen/ { s = NR }
       END { exit !(r && s > r) }' "$work/gimp.log"
}
gimp_done () { ! kill -0 "$gimp_pid" 2>/dev/null; }

# 1. The dialog opens, the preview renders once the context is ready.
wait_for 900 dialog_open || die "the dialog did not open"
win=$(dialog_id)
pass "the dialog opened (window $win)"
wait_for 300 rendered_at_least 1 || die "the preview did not render"
pass "the preview rendered: $(grep -m1 'preview .* rendered in' "$work/gimp.log")"

# Shadows to 0.30 through its mnemonic and spin button.
xdotool windowfocus --sync "$win"
xdotool key alt+s ctrl+a
xdotool type 0.30
xdotool key Tab
wait_for 300 rendered_at_least 2 || die "the preview did not follow the slider"
wait_for 300 on_screen || die "the preview was not drawn"
import -window "$win" "$screenshot" && pass "screenshot saved: $screenshot"
line=$(grep 'preview .* rendered in' "$work/gimp.log" | tail -1)
pass "the preview re-rendered after the slider moved: $line"
xdotool key alt+o

# 2. The second dialog: undo in the image window meanwhile, then cancel.
wait_for 600 second_dialog_open || die "the second dialog did not open"
win2=$(dialog_id)
image_win=$(xdotool search --name 'ui-input' 2>/dev/null | head -1)
[ -n "$image_win" ] || die "no image window"
xdotool windowfocus --sync "$image_win"
xdotool key ctrl+z
sleep 2
xdotool windowfocus --sync "$win2"
xdotool key Escape

wait_for 600 gimp_done || die "GIMP did not finish"
gimp_pid=
sed 's/^/# gimp: /' "$work/ui-cases.log"

# The checks.
if grep -q '^apply ok' "$work/ui-cases.log"; then
  check "OK applied the dialog's values (equals the CLI with shadows 0.30)" \
    "$imgtool" compare "$work/ui-after.png" "$work/cli-ui.png" --tolerance 0.0039216
  # The preview showed the top-left part of the result: find it in the
  # screenshot and compare.
  read -r pw ph px py <<<"$(sed -E 's/.*preview ([0-9]+) x ([0-9]+) at \(([0-9]+), ([0-9]+)\).*/\1 \2 \3 \4/' <<<"$line")"
  check "the preview equals the result pixel for pixel" \
    "$python" "$here/find-preview.py" "$screenshot" "$work/ui-after.png" "$pw" "$ph" "$px" "$py"
else
  fail "apply: $(grep '^apply' "$work/ui-cases.log")"
fi
# Script-Fu does not treat a cancelled procedure as an error; that Cancel
# changed nothing shows in the undo check below.
if grep -q '^cancel ok' "$work/ui-cases.log"; then
  pass "Cancel returned without error"
else
  fail "cancel: $(grep '^cancel' "$work/ui-cases.log")"
fi
evenlight_check_plugin_log "$work/gimp.log"
check "undo restored the original exactly" \
  "$imgtool" compare "$work/ui-undone.png" "$work/ui-input.png"
if grep -q '^last-vals ok' "$work/ui-cases.log"; then
  check "the dialog's values were remembered" \
    "$imgtool" compare "$work/ui-last.png" "$work/cli-ui.png" --tolerance 0.0039216
else
  fail "last-vals: $(grep '^last-vals' "$work/ui-cases.log")"
fi
# The timings the plug-in prints after OK (EVENLIGHT_DEBUG) are parts of
# its time: none negative, also when the dialog read the layer first.
timings=$(grep 'rendered: gegl_init' "$work/gimp.log")
if [ -z "$timings" ]; then
  fail "the plug-in printed no timings"
elif grep -Eq -- '-[0-9.]+ ms' <<<"$timings"; then
  fail "a negative timing: $(grep -E -- '-[0-9.]+ ms' <<<"$timings" | head -1)"
else
  pass "the plug-in's timings are all positive ($(wc -l <<<"$timings") runs)"
fi
grep 'evenlight: ' "$work/gimp.log" | sed 's/^/# /'

evenlight_tap_end "$work/gimp.log"
