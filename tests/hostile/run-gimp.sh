#!/usr/bin/env bash
# evenlight — hostile input to the plug-in in a real, headless GIMP 2.10
# (TAP).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Float layers with NaN/Inf/negative/above-1 values, a transparent layer,
# 1-pixel layers, a selection partly outside an offset layer, drawables
# that are not layers, a damaged weights file, an error and a cancel in
# the middle of the apply; the image must come out sane or, on an error,
# untouched and clean. (Undo of a successful apply
# restoring the pixels exactly needs the GUI: tests/gimp/run-ui.sh.)
#
# Usage: run-gimp.sh PLUGIN CLI IMGTOOL HOSTILE-IMG   (exit 77 without GIMP)
set -u
plugin=$1 cli=$2 imgtool=$3 img=$4
here=$(cd "$(dirname "$0")" && pwd)
gimptests=$here/../gimp
data=${EVENLIGHT_TEST_DATA:-$here/../data}
weights=$data/golden-weights.bin

command -v gimp-console-2.10 >/dev/null || { echo "1..0 # SKIP gimp-console-2.10 not installed"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-hostile-gimp-XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$gimptests/profile.sh"
evenlight_make_profile "$work/profile"
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_NO_BUILD=1 \
  bash "$here/../../plugin/install-user.sh" "$(dirname "$(dirname "$plugin")")" >/dev/null \
  || { echo "Bail out! cannot install the plug-in"; exit 1; }

S=0.7 H=0.4 D=0.6
n=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $*"; }
check () {  # check LABEL COMMAND...
  local label=$1 out; shift
  if out=$("$@" 2>&1); then ok "$label: ${out//$'\n'/; }"; else not_ok "$label: ${out//$'\n'/; }"; fi
}
case_line () { grep "^$2 " "$work/$1" 2>/dev/null | head -1 | cut -d' ' -f2-; }
expect_ok () {  # expect_ok LOG CASE LABEL
  local r; r=$(case_line "$1" "$2")
  if [ "$r" = ok ]; then ok "$3"; else not_ok "$3: '${r:-no result}'"; fi
}
expect_refused () {  # expect_refused LOG CASE PATTERN LABEL
  local r; r=$(case_line "$1" "$2")
  if [[ $r == error* && $r == $3 ]]; then ok "$4: ${r#error }"; else not_ok "$4: '${r:-no result}'"; fi
}

{ "$img" make nasty 67 45 "$work/nasty.tif" && "$img" make clear 67 45 "$work/clear.png" &&
  "$img" make plain 1 1 "$work/tiny.png" && "$img" make plain 300 1 "$work/row.png" &&
  "$img" make plain 300 200 "$work/plain.png" &&
  "$img" make plain 600 400 "$work/midway.png"; } >/dev/null \
  || { echo "Bail out! cannot make the test images"; exit 1; }
"$cli" -q --shadows $S --highlights $H --denoise $D --weights "$weights" \
  "$work/plain.png" "$work/cli-plain.png" || { echo "Bail out! the CLI failed"; exit 1; }
cp "$weights" "$work/damaged.bin"
printf '\x5a' | dd of="$work/damaged.bin" bs=1 seek=5000 conv=notrunc status=none

GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$weights" \
  timeout 300 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$gimptests/batch.scm\") (load \"$here/hostile.scm\")
               (el-hostile \"$work\" $S $H $D))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp.log" 2>&1
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$work/damaged.bin" \
  timeout 180 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$gimptests/batch.scm\") (load \"$here/hostile.scm\")
               (el-hostile-weights \"$work\" $S $H $D))" \
    -b '(gimp-quit 0)' </dev/null >>"$work/gimp.log" 2>&1
# An apply that stops midway, with tiles already in the shadow buffer
# (600 x 400: 6 tiles of 256 x 256): by an error after 2 tiles, and by
# killing the plug-in after 3 tiles, which is what GIMP 2.10 does when the
# user presses Cancel on the progress bar.
midway () {  # midway NAME [ENV...]: runs el-hostile-midway in GIMP
  local name=$1; shift
  env GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$weights" "$@" \
    timeout 300 gimp-console-2.10 -i -d -f \
      -b "(begin (load \"$gimptests/batch.scm\") (load \"$here/hostile.scm\")
                 (el-hostile-midway \"$work\" \"$name\" $S $H $D))" \
      -b '(gimp-quit 0)' </dev/null >"$work/gimp-$name.log" 2>&1
}
midway fail EVENLIGHT_TEST_FAIL_AFTER_TILES=2
midway cancel EVENLIGHT_TEST_STALL_AFTER_TILES=3 EVENLIGHT_TEST_STALL_PIDFILE="$work/stall.pid" &
gimp_pid=$!
for _ in $(seq 600); do [ -s "$work/stall.pid" ] && break; sleep 0.1; done
stalled=no
if [ -s "$work/stall.pid" ]; then
  stalled=yes
  kill -KILL "$(cat "$work/stall.pid")"
fi
wait "$gimp_pid"

if [ ! -s "$work/hostile.log" ] || [ ! -s "$work/weights.log" ]; then
  sed 's/^/# /' "$work/gimp.log"
  echo "Bail out! GIMP did not run the cases"
  exit 1
fi
sed 's/^/# gimp: /' "$work/hostile.log" "$work/weights.log"

# 1. Non-finite and out-of-range float values.
check "GIMP kept the hostile float values when loading" "$img" nonfinite "$work/gimp-nasty-raw.tif"
expect_ok hostile.log nasty "float layer with NaN/Inf/negative/above-1 enhanced"
check "float result finite and in [0, 1]" "$img" unit "$work/gimp-nasty.tif"

# 2. A fully transparent layer: alpha unchanged, colour sane.
expect_ok hostile.log clear "transparent layer enhanced"
check "transparent layer: alpha unchanged" "$img" alpha "$work/clear.png" "$work/gimp-clear.png"
check "transparent layer: colour finite and in [0, 1]" "$img" unit "$work/gimp-clear.png"

# 3. 1 × 1 and 300 × 1 layers.
expect_ok hostile.log tiny "1 x 1 layer enhanced"
check "1 x 1 layer keeps its size" "$img" size "$work/gimp-tiny.png" 1 1
expect_ok hostile.log row "300 x 1 layer enhanced"
check "300 x 1 layer keeps its size" "$img" size "$work/gimp-row.png" 300 1

# 4. A selection partly outside the (offset, partly off-canvas) layer:
#    inside as the CLI (the context is the whole layer), outside untouched.
T8=$(awk 'BEGIN { printf "%.6f", 1 / 255 }')
expect_ok hostile.log partial-selection "selection partly outside the layer applied"
check "partial selection: inside equals the CLI" \
  "$imgtool" compare "$work/gimp-partial.png" "$work/cli-plain.png" --tolerance "$T8" --inside 0,0,230,100
check "partial selection: inside was changed" \
  "$imgtool" compare "$work/gimp-partial.png" "$work/plain.png" --tolerance "$T8" --inside 0,0,230,100 --differ
check "partial selection: outside unchanged" \
  "$imgtool" compare "$work/gimp-partial.png" "$work/plain.png" --outside 0,0,230,100
expect_ok hostile.log outside-selection "selection that misses the layer: no error"
check "selection that misses the layer: layer unchanged" \
  "$imgtool" compare "$work/gimp-outside.png" "$work/gimp-partial.png"

# 5. Drawables that are not layers: clear errors, image clean, pixels kept.
expect_refused hostile.log group "*layer group*" "layer group refused"
expect_refused hostile.log channel "*layers only*channel*" "channel refused"
expect_refused hostile.log mask "*layers only*" "layer mask refused"
expect_refused hostile.log bad-id "*" "invalid drawable ID refused"
expect_ok hostile.log refused-clean "image not dirty after the refused calls (no undo step)"
check "layer unchanged after the refused calls" "$imgtool" compare "$work/gimp-refused.png" "$work/plain.png"

# 6. A damaged weights file: the file named, image clean, pixels kept.
expect_refused weights.log damaged-weights "*damaged.bin*" "damaged weights file refused"
expect_ok weights.log damaged-weights-clean "image not dirty after the failed call (no undo step)"
check "layer unchanged after the failed call" "$imgtool" compare "$work/gimp-damaged.png" "$work/plain.png"

# 7. An error midway, and a cancel midway: no merge, no undo step.
expect_refused fail.log midway "*after 2 tiles*" "error after 2 of 6 tiles reported"
expect_ok fail.log midway-clean "image not dirty after the error midway (no undo step)"
check "layer unchanged after the error midway" "$imgtool" compare "$work/gimp-fail.png" "$work/midway.png"
if [ $stalled = yes ]; then
  ok "plug-in stopped after 3 of 6 tiles and was killed (as by Cancel)"
else
  not_ok "the plug-in never reached its 3rd tile: $(sed 's/^/# /' "$work/gimp-cancel.log")"
fi
expect_refused cancel.log midway "*" "killed plug-in: the call fails"
expect_ok cancel.log midway-clean "image not dirty after the cancel midway (no undo step)"
check "layer unchanged after the cancel midway" "$imgtool" compare "$work/gimp-cancel.png" "$work/midway.png"

# The plug-in must not crash on any of it.
if grep -Ei "evenlight.*(crash|segmentation|terminated)|plug-in-evenlight.*crashed" "$work/gimp.log"; then
  not_ok "the plug-in crashed"
else
  ok "no plug-in crash in GIMP's log"
fi
echo "1..$n"
