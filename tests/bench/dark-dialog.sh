#!/usr/bin/env bash
# evenlight — benchmark of the dark-photo dialog in a real GIMP 2.10 under
# Xvfb: how long after it opens on a large layer it shows its first
# preview from LAIC, and how long after a Contrast move the preview shows
# the new value.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: dark-dialog.sh BUILD_DIR [RUNS [SIZE]]     (RUNS 3, SIZE 4000x3000)
#
# The layer is tests/data/sample.jpg scaled to SIZE and darkened as in
# run.sh's LAIC section (0.04 J^1.2, 8-bit). Each run opens the dialog on
# it (the check box on, as by default), waits for its first preview from
# LAIC, sets Contrast to 1.5 (typed into the spin button: the layer is
# usually still being read, the thumbnail answers) and waits for the
# preview at 1.5; once the layer is read and the whole solve has started,
# sets Contrast to 0.5 (the solve is cancelled, the coarse levels answer)
# and waits for the preview at 0.5, then closes the dialog. The figures are
# the plug-in's own (EVENLIGHT_DEBUG): the time from the dialog's opening to
# the end of reading the layer and to its first preview, and from each
# Contrast move to the preview at the new value (a coarse preview is drawn
# first without the dequantization, then with it: both are timed), with
# the render time of the dequantized coarse previews.
# Exits 77 without GIMP, Xvfb, xdotool or ImageMagick.
set -u
build=$(cd "${1:?usage: dark-dialog.sh BUILD_DIR [RUNS [SIZE]]}" && pwd)
runs=${2:-3} size=${3:-4000x3000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gimptests=$top/tests/gimp

. "$gimptests/profile.sh"
evenlight_ui_start dark-dialog-bench xvfb-run xdotool convert -- "$@"
. "$gimptests/tap.sh" >/dev/null
evenlight_make_profile "$work/profile"
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_NO_BUILD=1 \
  bash "$top/plugin/install-user.sh" "$build" >/dev/null || exit 1
convert "$top/tests/data/sample.jpg" -resize "$size^" -gravity center -extent "$size" \
  -evaluate pow 1.2 -evaluate multiply 0.04 -depth 8 "PNG24:$work/dark.png" ||
  { echo "cannot make the test image"; exit 1; }

evenlight_gimp_gui "$work/gimp.log" GIMP2_DIRECTORY="$work/profile" EVENLIGHT_DEBUG=1 \
  "$gimp" -n -d -f -s -b "
(begin (load \"$gimptests/batch.scm\")
  (let loop ((i 0))
    (if (< i $runs)
      (let* ((img (el-load \"$work/dark.png\"))
             (drw (el-drawable img))
             (disp (car (gimp-display-new img))))
        (gimp-displays-flush)
        (el-try (lambda () (plug-in-evenlight-dark2 RUN-INTERACTIVE img drw 1 1.0)))
        (gimp-display-delete disp)
        (loop (+ i 1))))))" -b '(gimp-quit 1)'

count () { grep -c -- "$1" "$work/gimp.log"; }
at_least () { [ "$(count "$1")" -ge "$2" ]; }
dialog () { xdotool search --name '^Even Light for Dark Photos$' 2>/dev/null | tail -1; }
echo "== the dark-photo dialog on a $size layer, $runs runs; $(nproc) processors," \
     "load average:$(uptime | sed 's/.*load average://')"
for ((i = 1; i <= runs; i++)); do
  wait_for 3000 at_least 'dialog opened on' "$i" || { echo "the dialog did not open"; exit 1; }
  wait_for 3000 at_least 'first preview from LAIC' "$i" || { echo "no first preview"; exit 1; }
  win=$(dialog)
  xdotool windowfocus --sync "$win"
  xdotool key alt+n ctrl+a && xdotool type 1.5 && xdotool key Tab
  wait_for 3000 at_least 'dark: preview at contrast 1.5 ' "$i" || { echo "no preview after the Contrast move"; exit 1; }
  wait_for 3000 at_least 'layer read' "$i" && wait_for 3000 at_least 'LAIC started on' "$i" || { echo "the whole solve did not start"; exit 1; }
  sleep 0.5
  xdotool key alt+n ctrl+a && xdotool type 0.5 && xdotool key Tab
  wait_for 3000 at_least 'dark: preview at contrast 0.5 ' "$i" &&
    wait_for 3000 at_least 'dequantized preview at contrast 0.5 ' "$i" || { echo "no preview after the second Contrast move"; exit 1; }
  xdotool key Escape
done
wait_for 6000 eval '! kill -0 $gimp_pid 2>/dev/null' || { echo "GIMP did not finish"; exit 1; }
gimp_pid=

# median of the numbers on stdin
median () { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
grep '^evenlight-dark: \(layer read\|first preview\|preview at contrast\|dequantized preview\|LAIC cancelled\|coarse levels\|thumbnail\)' "$work/gimp.log" |
  sed 's/^evenlight-dark: /  /'
read_ms=$(sed -n 's/.*layer read \([0-9.]*\) ms.*/\1/p' "$work/gimp.log" | median)
first_ms=$(sed -n 's/.*first preview from LAIC \([0-9.]*\) ms.*/\1/p' "$work/gimp.log" | median)
move_ms=$(sed -n 's/^evenlight-dark: preview at contrast 1.5 \([0-9.]*\) ms.*/\1/p' "$work/gimp.log" | median)
move2_ms=$(sed -n 's/^evenlight-dark: preview at contrast 0.5 \([0-9.]*\) ms.*/\1/p' "$work/gimp.log" | median)
move2_dq_ms=$(sed -n 's/^evenlight-dark: dequantized preview at contrast 0.5 \([0-9.]*\) ms.*/\1/p' "$work/gimp.log" | median)
render_ms=$(grep 'from \(level\|the thumbnail\) .*rendered in .*dequantization on' "$work/gimp.log" |
            sed -n 's/.*rendered in \([0-9.]*\) ms.*/\1/p' | median)
echo "dark dialog $size: layer read $read_ms ms, first preview $first_ms ms (<= 1000)," \
     "Contrast move to preview $move2_ms ms after the read (<= 200; dequantized $move2_dq_ms ms)," \
     "$move_ms ms during it; a coarse preview's render $render_ms ms" \
     "(medians of $runs; load average:$(uptime | sed 's/.*load average://'))"
