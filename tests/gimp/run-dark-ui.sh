#!/usr/bin/env bash
# evenlight — the dialog of Even Light for Dark Photos (plug-in-evenlight-dark)
# in a real GIMP 2.10 window under Xvfb.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the plug-in into a throw-away profile with plugin/install-user.sh
# and starts the full GIMP on a virtual screen (dark-ui.scm); with xdotool:
#  1. a 640 × 480 very dark image: while LAIC runs the preview shows the
#     original; once it is done the preview shows exactly the
#     non-interactive result of its rectangle (found in a screenshot), with
#     the check box on and off; Contrast is set to 2: LAIC runs once more
#     and the preview shows exactly the non-interactive result at contrast
#     2; OK gives exactly that result and LAIC was not run again;
#  2. a larger image: the check box is cleared, Contrast set to 0.5 and OK
#     pressed while LAIC (at the last values' contrast) still runs; the
#     plug-in waits for it, solves again at 0.5 and gives exactly the
#     non-interactive result;
#  3. the same image: the dialog is closed while LAIC runs; the plug-in
#     returns once the analysis has ended (it is joined), without error,
#     crash or warning, and the image stays clean.
# Saves a screenshot of the dialog (SCREENSHOT).
#
# Usage: run-dark-ui.sh BUILD_ROOT IMGTOOL SCREENSHOT   (exit 77 without
#        GIMP, Xvfb, xdotool, ImageMagick or Python's numpy and PIL)
set -u
build=$1 imgtool=$2 screenshot=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
python=/usr/bin/python3

. "$here/profile.sh"
evenlight_ui_start dark-ui xvfb-run xdotool xwininfo import convert -- "$@"
"$python" -c 'import numpy, PIL' 2>/dev/null || { echo "1..0 # SKIP python3-numpy/python3-pil not installed"; exit 77; }
evenlight_make_profile "$work/profile"
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_NO_BUILD=1 \
  bash "$top/plugin/install-user.sh" "$build" >/dev/null || exit 1

. "$here/tap.sh"
die () {
  echo "not ok - $*"
  echo "# GIMP's log:"; grep -v 'theme engine\|^$' "$work/gimp.log" | sed 's/^/# /'
  exit 1
}

# Very dark inputs: the synthetic scene at 8 % of its brightness, 8-bit
# (as in run-dark.sh); the larger one keeps LAIC busy for some seconds.
"$imgtool" make rgb 8 640 480 "$work/scene.png" >/dev/null &&
"$imgtool" make rgb 8 1600 1200 "$work/scene-big.png" >/dev/null &&
convert "$work/scene.png" -evaluate multiply 0.08 "PNG24:$work/dark.png" &&
convert "$work/scene-big.png" -evaluate multiply 0.08 "PNG24:$work/dark-big.png" ||
  { echo "cannot make the test images"; exit 1; }

unset EVENLIGHT_DEQUANT_WEIGHTS
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_DEBUG=1 \
  "$gimp" -n -d -f -s \
    -b "(begin (load \"$here/batch.scm\") (load \"$here/dark-ui.scm\") (el-dark-ui \"$work\"))" \
    -b '(gimp-quit 1)' </dev/null >"$work/gimp.log" 2>&1 &
gimp_pid=$!

count () { grep -c -- "$1" "$work/gimp.log"; }
at_least () { [ "$(count "$1")" -ge "$2" ]; }
dialog_id () { xdotool search --name '^Even Light for Dark Photos$' 2>/dev/null | tail -1; }
# X may reuse a window id: the plug-in's debug lines tell the dialogs apart.
dialog_open () { at_least 'dialog opened on' "$1" && [ -n "$(dialog_id)" ]; }
gimp_done () { ! kill -0 "$gimp_pid" 2>/dev/null; }
# The log from the $1-th dialog's opening on: a wait meant for a later
# dialog must not be met by the lines of an earlier one.
dialog_log () { awk -v n="$1" '/evenlight-dark: dialog opened on/ { k++ } k >= n' "$work/gimp.log"; }
last_rect () {  # W H X Y of the last preview line matching $1 (of the $2-th dialog on)
  dialog_log "${2:-1}" | grep "evenlight-dark: preview .*$1" | tail -1 |
    sed -E 's/.*preview ([0-9]+) x ([0-9]+) at \(([0-9]+), ([0-9]+)\).*/\1 \2 \3 \4/'
}
rendered () { count 'rendered in'; }
# The last preview drawn (rendered, or the original) is on the screen.
on_screen () {
  awk '/rendered in|shows the original/ { r = NR } /preview on screen/ { s = NR }
       END { exit !(r && s > r) }' "$work/gimp.log"
}
# The $1-th dialog has logged a line matching $2.
dialog_has () { dialog_log "$1" | grep -q -- "$2"; }
# The last preview the $1-th dialog drew is the original, and it is on the
# screen.
original_on_screen () {
  dialog_log "$1" | awk '/rendered in|shows the original/ { r = NR; o = ($0 ~ /shows the original/) }
                         /preview on screen/ { s = NR }
                         END { exit !(r && o && s > r) }'
}
# The last preview the $1-th dialog drew, by its place in the log: the
# same before and after a screenshot, the screenshot shows that preview.
last_drawn () { dialog_log "$1" | grep -n 'rendered in\|shows the original' | tail -1; }
rendered_with () { [ "$(rendered)" -ge "$1" ] && grep 'rendered in' "$work/gimp.log" | tail -1 | grep -q "dequantization $2"; }
# The last preview rendered is LAIC's result at contrast $1.
rendered_at () { grep 'rendered in' "$work/gimp.log" | tail -1 | grep -q "contrast $1, dequantization $2"; }
# Types $1 into the Contrast spin button (Alt+N) and leaves it (Tab), which
# sets the value.
set_contrast () { xdotool key alt+n ctrl+a && xdotool type "$1" && xdotool key Tab; }

# 1. The small image.
wait_for 1800 dialog_open 1 || die "the dialog did not open"
win=$(dialog_id)
pass "the dialog opened (window $win)"
wait_for 600 at_least 'LAIC of' 1 || die "the analysis did not end"
pass "analysis: $(grep -m1 'LAIC of' "$work/gimp.log" | sed 's/^evenlight-dark: //')"
if at_least 'shows the original while LAIC runs' 1; then
  pass "the preview showed the original while LAIC ran"
else
  fail "no preview drawn while LAIC ran"
fi
# The check box starts on (no values stored yet: the default).
wait_for 300 rendered_with 1 on || die "the preview did not render with the dequantization"
wait_for 300 on_screen || die "the preview was not drawn"
import -window "$win" "$work/shot-1.png" || die "no screenshot"
read -r w1 h1 x1 y1 <<<"$(last_rect 'dequantization on')"
pass "preview rendered: $(grep 'rendered in' "$work/gimp.log" | tail -1 | sed 's/^evenlight-dark: //')"

xdotool windowfocus --sync "$win"
xdotool key alt+r
wait_for 300 rendered_with 2 off || die "the preview did not follow the check box (off)"
wait_for 300 on_screen || die "the preview was not drawn"
import -window "$win" "$work/shot-0.png" || die "no screenshot"
read -r w0 h0 x0 y0 <<<"$(last_rect 'dequantization off')"
pass "check box off, preview re-rendered: $(grep 'rendered in' "$work/gimp.log" | tail -1 | sed 's/^evenlight-dark: //')"
xdotool key alt+r
wait_for 300 rendered_with 3 on || die "the preview did not follow the check box (on)"
laic_runs=$(count 'LAIC of')
wait_for 300 on_screen || die "the preview was not drawn"
cp "$work/shot-1.png" "$screenshot" && pass "screenshot saved: $screenshot"
set_contrast 2
wait_for 1200 at_least 'LAIC of .*contrast 2$' 1 || die "LAIC did not run again when Contrast moved"
pass "Contrast 2: $(grep 'LAIC of .*contrast 2$' "$work/gimp.log" | tail -1 | sed 's/^evenlight-dark: //')"
wait_for 300 rendered_at 2 on || die "the preview did not show the result at contrast 2"
wait_for 300 on_screen || die "the preview was not drawn"
import -window "$win" "$work/shot-c2.png" || die "no screenshot"
read -r wc hc xc yc <<<"$(last_rect 'contrast 2, dequantization on')"
laic_runs_c2=$(count 'LAIC of')
xdotool key alt+o

# 2. The larger image: OK while LAIC runs.
wait_for 1800 dialog_open 2 || die "the second dialog did not open"
win=$(dialog_id)
# Once LAIC runs (it takes seconds on this image, more on a busy machine)
# and this dialog's preview shows the original: the layer can be read before
# the preview's first update, so LAIC can start before this dialog has
# logged any preview, and the first dialog's lines must not stand in for
# it. The screenshot is taken again if the preview was redrawn meanwhile.
wait_for 1800 dialog_has 2 'LAIC started' || die "the second analysis did not start"
shot_ok=
for _ in 1 2 3; do
  wait_for 300 original_on_screen 2 || break
  drawn=$(last_drawn 2)
  import -window "$win" "$work/shot-analysing.png" || die "no screenshot"
  dialog_has 2 'LAIC of' && break   # too late: LAIC has ended
  [ "$(last_drawn 2)" = "$drawn" ] && original_on_screen 2 && { shot_ok=1; break; }
done
[ -n "$shot_ok" ] ||
  die "no screenshot of the preview showing the original while LAIC ran: $(dialog_log 2 | grep 'preview \|LAIC' | tail -2 | tr '\n' ' ')"
read -r wa ha xa ya <<<"$(last_rect 'shows the original' 2)"
xdotool windowfocus --sync "$win"
xdotool key alt+r
set_contrast 0.5
xdotool key alt+o
wait_for 1200 at_least 'OK pressed during the analysis' 1 &&
  pass "OK pressed during the analysis" ||
  fail "OK was not pressed during the analysis (it had ended already?)"

# 3. The same image: closed while LAIC runs.
wait_for 1800 dialog_open 3 || die "the third dialog did not open"
win=$(dialog_id)
# Closed while LAIC runs, not while the layer is still being read (then
# LAIC would never start, and there would be nothing to join).
wait_for 1800 at_least 'LAIC started on 1600 x 1200, contrast 0.5' 2 || die "the third analysis did not start"
xdotool windowfocus --sync "$win"
xdotool key Escape
closed=$(date +%s.%N)
wait_for 1200 at_least 'dialog closed during the analysis' 1 &&
  pass "the dialog was closed during the analysis" ||
  fail "the dialog was not closed during the analysis (it had ended already?)"
wait_for 1200 gimp_done || die "GIMP did not finish (plug-in hung?)"
gimp_pid=
pass "GIMP finished $(awk -v a="$closed" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after the dialog was closed"
sed 's/^/# gimp: /' "$work/dark-ui-cases.log"

# The checks.
case_ok () { grep -q "^$1 ok" "$work/dark-ui-cases.log"; }
for c in batch-0 batch-1 batch-c2-1 batch-big-c05-0 apply early-ok close close-clean; do
  if case_ok "$c"; then pass "$c returned without error"; else fail "$c: $(grep "^$c " "$work/dark-ui-cases.log")"; fi
done
check "the preview (dequantization on) equals the non-interactive result" \
  "$python" "$here/find-preview.py" "$work/shot-1.png" "$work/batch-1.png" "$w1" "$h1" "$x1" "$y1"
check "the preview (dequantization off) equals the non-interactive result" \
  "$python" "$here/find-preview.py" "$work/shot-0.png" "$work/batch-0.png" "$w0" "$h0" "$x0" "$y0"
check "the preview at Contrast 2 equals the non-interactive result at contrast 2" \
  "$python" "$here/find-preview.py" "$work/shot-c2.png" "$work/batch-c2-1.png" "$wc" "$hc" "$xc" "$yc"
check "contrast 2 changed the previewed rectangle" \
  "$imgtool" compare "$work/batch-c2-1.png" "$work/batch-1.png" --differ --inside "$xc,$yc,$wc,$hc"
check "while LAIC ran the preview showed the original" \
  "$python" "$here/find-preview.py" "$work/shot-analysing.png" "$work/dark-big.png" "$wa" "$ha" "$xa" "$ya"
check "the previewed rectangle is brighter than the original" \
  "$python" -c '
import sys
import numpy as np
from PIL import Image
w, h, x, y = (int(v) for v in sys.argv[3:7])
a, b = (np.asarray(Image.open(p).convert("L"), dtype=float)[y:y + h, x:x + w].mean() for p in sys.argv[1:3])
print(f"mean {a:.1f} -> {b:.1f} / 255")
sys.exit(0 if b > 3 * a else 1)' "$work/dark.png" "$work/batch-1.png" "$w1" "$h1" "$x1" "$y1"
check "OK gave exactly the non-interactive result (contrast 2, dequantization on)" \
  "$imgtool" compare "$work/ui-after.png" "$work/batch-c2-1.png"
check "OK during the analysis gave exactly the non-interactive result (contrast 0.5, dequantization off)" \
  "$imgtool" compare "$work/ui-big.png" "$work/batch-big-c05-0.png"
check "the dequantization changed the previewed rectangle" \
  "$imgtool" compare "$work/batch-1.png" "$work/batch-0.png" --differ --inside "$x1,$y1,$w1,$h1"
# LAIC ran once when the first dialog opened, once more for Contrast 2,
# and never again on OK: the four batch runs time their own LAIC, the two
# OKs reuse the dialog's.
own=$(count 'layer: LAIC [0-9]') reused=$(count 'layer: LAIC from the dialog')
if [ "$laic_runs" -eq 1 ] && [ "$laic_runs_c2" -eq 2 ] && [ "$own" -eq 4 ] && [ "$reused" -eq 2 ]; then
  pass "OK reused the dialog's LAIC (LAIC runs in the first dialog: 1, then 2 after Contrast moved; batch $own, reused $reused)"
else
  fail "LAIC runs in the first dialog: $laic_runs (want 1), after Contrast moved $laic_runs_c2 (want 2), batch $own (want 4), reused $reused (want 2)"
fi
if at_least 'LAIC of 1600 x 1200 .*contrast 0.5$' 1; then
  pass "OK during the analysis waited for it, then solved at the new contrast"
else
  fail "no LAIC run at contrast 0.5 after OK"
fi
if at_least 'LAIC of' 5; then
  pass "the analysis of the closed dialog ended before the plug-in returned (joined)"
else
  fail "the analysis of the closed dialog did not report its end"
fi
evenlight_check_plugin_log "$work/gimp.log"
grep '^evenlight-dark: ' "$work/gimp.log" | sed 's/^/# /'

evenlight_tap_end "$work/gimp.log"
