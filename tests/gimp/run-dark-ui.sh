#!/usr/bin/env bash
# evenlight — the dialog of Even Light for Dark Photos (plug-in-evenlight-dark)
# in a real GIMP 2.10 window under Xvfb.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the plug-in into a throw-away profile with plugin/install-user.sh
# and starts the full GIMP on a virtual screen (dark-ui.scm); with xdotool:
#  1. a 640 × 480 very dark image: before LAIC answers the preview shows
#     the original; its first LAIC preview comes from a coarse level of the
#     solve or from the thumbnail, before the whole solve ends; once it is
#     done the preview shows exactly the
#     non-interactive result of its rectangle (found in a screenshot), with
#     the check box on and off; Contrast is set to 2: LAIC runs once more
#     and the preview shows exactly the non-interactive result at contrast
#     2; OK gives exactly that result and LAIC was not run again;
#  2. a larger image: the check box is cleared while LAIC (at the last
#     values' contrast) runs, and the preview then shows exactly the coarse
#     level it names, as tests/laic/laic-run --preview computes it; Contrast
#     is set to 0.5 and OK pressed while LAIC still runs; the plug-in
#     cancels that solve, solves at 0.5 and gives exactly the
#     non-interactive result;
#  3. the same image: the dialog is closed while LAIC runs; the plug-in
#     cancels the solve and returns once it has ended (it is joined),
#     without error, crash or warning, and the image stays clean.
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
evenlight_gimp_gui "$work/gimp.log" GIMP2_DIRECTORY="$work/profile" EVENLIGHT_DEBUG=1 \
  "$gimp" -n -d -f -s \
    -b "(begin (load \"$here/batch.scm\") (load \"$here/dark-ui.scm\") (el-dark-ui \"$work\"))" \
    -b '(gimp-quit 1)'

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
# (The whole solve's result, not a coarse level of it.)
rendered_with () { [ "$(rendered)" -ge "$1" ] && grep 'rendered in' "$work/gimp.log" | tail -1 | grep -q "whole solve .*dequantization $2"; }
# The last preview rendered is LAIC's whole result at contrast $1.
rendered_at () { grep 'rendered in' "$work/gimp.log" | tail -1 | grep -q "whole solve .*contrast $1, dequantization $2"; }
# The first preview the $1-th dialog drew from LAIC came from a coarse
# level or from GIMP's thumbnail of the layer, and before its first whole
# solve ended.
coarse_first () {
  dialog_log "$1" | awk '/rendered in/ && !r { r = $0 } /LAIC of/ && !d { d = NR; if (!r) exit 1 }
                         END { exit !(r ~ /from (level|the thumbnail)/) }'
}
# Rectangle W H X Y ($3-$6) of image $2 is at least 3 times as bright as
# that of $1.
brighter () {
  "$python" -c '
import sys
import numpy as np
from PIL import Image
w, h, x, y = (int(v) for v in sys.argv[3:7])
a, b = (np.asarray(Image.open(p).convert("L"), dtype=float)[y:y + h, x:x + w].mean() for p in sys.argv[1:3])
print(f"mean {a:.1f} -> {b:.1f} / 255")
sys.exit(0 if b > 3 * a else 1)' "$@"
}
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
  pass "the preview showed the original before LAIC answered"
else
  fail "no preview drawn before LAIC answered"
fi
wait_for 300 at_least 'rendered in' 1 || die "no preview from LAIC"
if coarse_first 1; then
  pass "the first preview from LAIC came from a coarse level: $(dialog_log 1 | grep -m1 'rendered in' | sed 's/^evenlight-dark: //')"
else
  fail "the first preview from LAIC did not come from a coarse level before the whole solve: $(dialog_log 1 | grep 'rendered in\|LAIC of' | head -2 | tr '\n' ' ')"
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
# Once LAIC runs (it takes seconds on this image, more on a busy machine),
# the check box is cleared; the preview, drawn from a coarse level while
# the whole solve goes on, is captured. The screenshot is taken again if
# the preview was redrawn meanwhile.
wait_for 1800 dialog_has 2 'LAIC started' || die "the second analysis did not start"
xdotool windowfocus --sync "$win"
xdotool key alt+r
coarse_off_on_screen () {
  dialog_log 2 | awk '/rendered in|shows the original/ { r = NR; o = ($0 ~ /from level .*dequantization off/) }
                      /preview on screen/ { s = NR }
                      END { exit !(r && o && s > r) }'
}
shot_ok=
for _ in 1 2 3; do
  wait_for 300 coarse_off_on_screen || break
  drawn=$(last_drawn 2)
  import -window "$win" "$work/shot-coarse.png" || die "no screenshot"
  dialog_has 2 'LAIC of' && break   # too late: the whole solve has ended
  [ "$(last_drawn 2)" = "$drawn" ] && coarse_off_on_screen && { shot_ok=1; break; }
done
[ -n "$shot_ok" ] ||
  die "no screenshot of a coarse preview while LAIC ran: $(dialog_log 2 | grep 'preview \|LAIC' | tail -2 | tr '\n' ' ')"
# The preview in the screenshot is the one drawn last before it (a later
# level may have been drawn since).
coarse_line=${drawn#*:}
read -r wa ha xa ya <<<"$(echo "$coarse_line" |
  sed -E 's/.*preview ([0-9]+) x ([0-9]+) at \(([0-9]+), ([0-9]+)\).*/\1 \2 \3 \4/')"
read -r lw lh lc <<<"$(echo "$coarse_line" | sed -E 's/.*from level [0-9]+ \(([0-9]+) x ([0-9]+)\).*contrast ([0-9.]+),.*/\1 \2 \3/')"
pass "coarse preview while LAIC ran: $(echo "$coarse_line" | sed 's/^evenlight-dark: //')"
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
# The coarse level the preview named, solved and rendered outside GIMP.
"$python" - "$work/dark-big.png" "$work/dark-big.raw" <<'PY' || die "cannot convert dark-big.png"
import struct, sys
import numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1]).convert("RGB"), dtype=np.float64) / 255.0
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<II", a.shape[1], a.shape[0]))
    f.write(a.astype("<f4").tobytes())
PY
"$build/tests/laic/laic-run" "$work/dark-big.raw" "$work/coarse.raw" --threads 2 \
  --contrast "$lc" --preview $((lw * lh)) 2>"$work/laic-run.log" &&
"$python" - "$work/coarse.raw" "$work/coarse.png" <<'PY' || die "laic-run --preview failed: $(cat "$work/laic-run.log")"
import struct, sys
import numpy as np
from PIL import Image
d = open(sys.argv[1], "rb").read()
w, h = struct.unpack("<II", d[:8])
a = np.frombuffer(d[8:], dtype="<f4").reshape(h, w, 3)
Image.fromarray(np.floor(np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8)).save(sys.argv[2])
PY
check "the coarse preview equals LAIC's coarse level (laic-run --preview $((lw * lh)), contrast $lc)" \
  "$python" "$here/find-preview.py" "$work/shot-coarse.png" "$work/coarse.png" "$wa" "$ha" "$xa" "$ya"
check "the coarse preview is brighter than the original" \
  brighter "$work/dark-big.png" "$work/coarse.png" "$wa" "$ha" "$xa" "$ya"
check "the previewed rectangle is brighter than the original" \
  brighter "$work/dark.png" "$work/batch-1.png" "$w1" "$h1" "$x1" "$y1"
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
# The thumbnail's solve ends before the whole solve starts: on the
# 1600 × 1200 layer the first answer is the thumbnail's.
first2=$(dialog_log 2 | grep -m1 'rendered in' | sed 's/^evenlight-dark: //')
if [[ $first2 == *"from the thumbnail"* ]]; then
  pass "the first preview of the 1600 x 1200 layer came from GIMP's thumbnail: $first2"
else
  fail "the first preview of the 1600 x 1200 layer did not come from the thumbnail: $first2"
fi
if dialog_has 2 'LAIC cancelled .*contrast 2$'; then
  pass "Contrast moved during the analysis: the solve at 2 was cancelled"
else
  fail "the solve at contrast 2 was not cancelled when Contrast moved"
fi
if dialog_log 3 | grep -q 'LAIC cancelled\|LAIC of'; then
  pass "the analysis of the closed dialog ended before the plug-in returned (joined): $(dialog_log 3 | grep 'LAIC cancelled\|LAIC of' | sed 's/^evenlight-dark: //')"
else
  fail "the analysis of the closed dialog did not report its end"
fi
evenlight_check_plugin_log "$work/gimp.log"
grep '^evenlight-dark: ' "$work/gimp.log" | sed 's/^/# /'

evenlight_tap_end "$work/gimp.log"
