#!/usr/bin/env bash
# evenlight — the dialog of Even Light Exposure Fusion in a real GIMP 2.10
# window under Xvfb.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A bracket of tests/data/sample.jpg (weights/fuse/brackets.py) is opened
# as layers of one image; the dialog opens with its preview, Denoise is set
# to 0.20 with the keyboard, the preview follows, OK adds the fused layer,
# which must equal `evenlight --fuse --denoise 0.20` within 1/255; a second
# dialog is cancelled and adds nothing. Saves a screenshot of the dialog
# (SCREENSHOT).
#
# Usage: run-fuse-ui.sh BUILD_ROOT CLI IMGTOOL SCREENSHOT   (exit 77
#        without GIMP, Xvfb, xdotool or ImageMagick's import)
set -u
build=$1 cli=$2 imgtool=$3 screenshot=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
data=${EVENLIGHT_TEST_DATA:-$top/tests/data}

. "$here/profile.sh"
evenlight_ui_start fuse-ui xvfb-run xdotool xwininfo import -- "$@"
evenlight_make_profile "$work/profile"
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_NO_BUILD=1 \
  bash "$top/plugin/install-user.sh" "$build" >/dev/null || exit 1

. "$here/tap.sh"
die () {
  echo "$*"
  echo "# GIMP's log:"; sed 's/^/# /' "$work/gimp.log"
  exit 1
}

/usr/bin/python3 - "$top/weights/fuse" "$data/sample.jpg" "$work" <<'PY' || exit 1
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from PIL import Image
from brackets import bracket
photo = np.asarray(Image.open(sys.argv[2]).convert("RGB"))
_, aligned = bracket(photo, margin=0, seed=2)
for k in range(3):
    Image.fromarray(aligned[k]).save(f"{sys.argv[3]}/a{k}.png")
PY
"$cli" -q --denoise 0.20 --fuse "$work/a0.png" "$work/a1.png" "$work/a2.png" \
       "$work/cli-ui.png" || exit 1

evenlight_gimp_gui "$work/gimp.log" GIMP2_DIRECTORY="$work/profile" EVENLIGHT_DEBUG=1 \
  "$gimp" -n -d -f -s \
    -b "(begin (load \"$here/batch.scm\") (load \"$here/fuse.scm\") (load \"$here/fuse-ui.scm\") (el-fuse-ui \"$work\"))" \
    -b '(gimp-quit 1)'

dialog_id () { xdotool search --name '^Even Light Exposure Fusion$' 2>/dev/null | tail -1; }
opened () { grep -c 'evenlight-fuse: dialog open' "$work/gimp.log"; }
drawn () { grep -c 'evenlight-fuse: preview .* drawn' "$work/gimp.log"; }
dialog_open () { [ "$(opened)" -ge "$1" ] && [ -n "$(dialog_id)" ]; }
drawn_at_least () { [ "$(drawn)" -ge "$1" ]; }
on_screen () {
  awk '/evenlight-fuse: preview .* drawn/ { r = NR } /preview on screen/ { s = NR }
       END { exit !(r && s > r) }' "$work/gimp.log"
}
gimp_done () { ! kill -0 "$gimp_pid" 2>/dev/null; }

wait_for 900 dialog_open 1 || die "the dialog did not open"
win=$(dialog_id)
pass "the dialog opened (window $win): $(grep -m1 'dialog open' "$work/gimp.log")"
wait_for 300 drawn_at_least 1 || die "the preview was not drawn"
pass "the preview was drawn: $(grep -m1 'evenlight-fuse: preview' "$work/gimp.log")"
n0=$(drawn)
xdotool windowfocus --sync "$win"
xdotool key alt+d ctrl+a
xdotool type 0.20
xdotool key Tab
wait_for 300 drawn_at_least $((n0 + 1)) || die "the preview did not follow Denoise"
wait_for 300 on_screen || die "the preview did not reach the screen"
import -window "$win" "$screenshot" && pass "screenshot saved: $screenshot"
pass "the preview followed Denoise: $(grep 'evenlight-fuse: preview' "$work/gimp.log" | tail -1)"
xdotool key alt+o

wait_for 900 dialog_open 2 || die "the second dialog did not open"
xdotool windowfocus --sync "$(dialog_id)"
xdotool key Escape
wait_for 600 gimp_done || die "GIMP did not finish"
gimp_pid=
sed 's/^/# gimp: /' "$work/ui-cases.log"

info () { grep "^$1 info " "$work/ui-cases.log" | cut -d' ' -f3-; }
if grep -q '^apply ok' "$work/ui-cases.log" && [ "$(info after-apply)" = "4 Even Light Exposure Fusion" ]; then
  pass "OK added the fused layer on top: $(info after-apply)"
  check "it equals the CLI with --denoise 0.20 within 1/255" \
    "$imgtool" compare "$work/fuse-ui-after.png" "$work/cli-ui.png" --tolerance 0.0039216
else
  fail "apply: $(grep '^apply' "$work/ui-cases.log") / $(info after-apply)"
fi
[ "$(info after-cancel)" = 4 ] && pass "Cancel added nothing (4 layers)" ||
  fail "after cancel: $(info after-cancel) layers"
evenlight_check_plugin_log "$work/gimp.log"
evenlight_tap_end "$work/gimp.log"
