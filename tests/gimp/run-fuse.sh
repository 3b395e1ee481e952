#!/usr/bin/env bash
# evenlight — plug-in-evenlight-fuse (Even Light Exposure Fusion) in a real,
# headless GIMP 2.10, against `evenlight --fuse`.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Brackets of tests/data/sample.jpg (weights/fuse/brackets.py: −2, 0, +2 EV
# with noise, 8 bits; once aligned, once moved by a few pixels) are put
# into images as File ▸ Open as Layers does (tests/gimp/fuse.scm) and
# fused: the new layer is on top, named after the procedure, at the place
# and size the CLI reports, with the CLI's pixels within 1/255; hidden
# layers are left out, layer offsets respected, and one visible layer,
# an out-of-range Denoise and an indexed image refused with the image
# left as it was.
#
# Usage: run-fuse.sh PLUGIN CLI IMGTOOL PARAM_TABLE   (exit 77 when GIMP is
# missing)
set -u
plugin=$1 cli=$2 imgtool=$3 param_table=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
data=${EVENLIGHT_TEST_DATA:-$here/../data}

command -v gimp-console-2.10 >/dev/null || { echo "gimp-console-2.10 not installed: skipped"; exit 77; }
for f in "$plugin" "$cli" "$imgtool" "$param_table"; do
  [ -e "$f" ] || { echo "missing: $f"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-fuse-XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$here/profile.sh"
evenlight_profile_with_plugin "$work/profile" "$plugin" || exit 1

/usr/bin/python3 - "$top/weights/fuse" "$data/sample.jpg" "$work" <<'PY' || { echo "cannot make the brackets"; exit 1; }
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from PIL import Image
from brackets import bracket
photo = np.asarray(Image.open(sys.argv[2]).convert("RGB"))
moved, aligned = bracket(photo, shifts=[(3, -2), (0, 0), (-2, 1)], margin=4, seed=1)
for k in range(3):
    Image.fromarray(aligned[k]).save(f"{sys.argv[3]}/a{k}.png")
    Image.fromarray(moved[k]).save(f"{sys.argv[3]}/m{k}.png")
PY

# Denoise just above its range (the parameter table) must be refused.
read -r d_max < <("$param_table" | awk '$1 == "fuse" && $2 == "denoise" { print $4 }')
[ -n "$d_max" ] || { echo "no denoise in the fusion table"; exit 1; }
bad_d=$(awk -v m="$d_max" 'BEGIN { printf "%g", m + 0.5 }')

# The CLI works while GIMP starts.
(
  "$cli" --fuse --denoise 0.5 "$work/a0.png" "$work/a1.png" "$work/a2.png" "$work/cli-aligned.png" &&
  "$cli" --fuse --denoise 0.5 "$work/m0.png" "$work/m1.png" "$work/m2.png" "$work/cli-moved.png"
) >"$work/cli.log" 2>&1 &
cli_job=$!

start=$(date +%s)
GIMP2_DIRECTORY="$work/profile" \
  timeout 400 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$here/batch.scm\") (load \"$here/fuse.scm\") (el-fuse \"$work\" $bad_d))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp.log" 2>&1
evenlight_batch_finish "$work" "$start" "$cli_job"

. "$here/tap.sh"
info () { grep "^$1 info " "$work/cases.log" | cut -d' ' -f3-; }
error_of () { grep "^$1 error " "$work/cases.log" | cut -d' ' -f3-; }
case_ok () { grep -q "^$1 ok" "$work/cases.log"; }
# The CLI's "result: the W × H pixels at X,Y" of the n-th run.
crop=($(grep 'result: the' "$work/cli.log" | sed 's/.*the \([0-9]*\) × \([0-9]*\) pixels at \([0-9]*\),\([0-9]*\).*/\1 \2 \3 \4/'))
T8=$(awk 'BEGIN { printf "%.6f", 1 / 255 }')

for c in aligned moved; do
  if ! case_ok "$c"; then fail "$c: the plug-in call failed: $(error_of "$c")"; continue; fi
  i=0; [ $c = moved ] && i=4
  want="4 ${crop[i]} ${crop[i+1]} ${crop[i+2]} ${crop[i+3]} Even Light Exposure Fusion"
  got=$(info "$c")
  if [ "$got" = "$want" ]; then
    pass "$c: a new layer on top, placed and sized as the CLI's result: $got"
  else
    fail "$c: layers, size, offsets, name: '$got', want '$want'"
  fi
  if out=$("$imgtool" compare "$work/gimp-$c.png" "$work/cli-$c.png" --tolerance "$T8" 2>&1); then
    pass "$c: the CLI's pixels within 1/255: $out"
  else
    fail "$c: differs from the CLI: $out"
  fi
done
[ "$(info aligned-dirty)" = 1 ] && pass "the fused image is dirty (one change)" ||
  fail "aligned-dirty: $(info aligned-dirty)"

msg=$(error_of bad-denoise)
if [[ $msg == *"Denoise"* ]] && [ "$(info bad-denoise-layers)" = "4 0" ]; then
  pass "Denoise $bad_d refused, image untouched: $msg"
else
  fail "bad-denoise: '$msg', layers and dirty '$(info bad-denoise-layers)'"
fi
read -r n_l w h x y _ <<<"$(info offsets)"
if case_ok offsets && [ "$n_l" = 4 ] && [ "$x" -ge 20 ] && [ "$y" -ge 10 ] &&
   [ $((x + w)) -le 792 ] && [ $((y + h)) -le 442 ]; then
  pass "offsets respected: the result ($w x $h at $x,$y) lies where all layers are"
else
  fail "offsets: '$(info offsets)' $(error_of offsets)"
fi
if case_ok hidden && [ "$(info hidden | cut -d' ' -f1)" = 4 ]; then
  pass "a hidden layer is left out (two exposures fused): $(info hidden)"
else
  fail "hidden: '$(info hidden)' $(error_of hidden)"
fi
msg=$(error_of one-layer)
[[ $msg == *"at least two visible layers"*"Open as Layers"* ]] &&
  pass "no or one visible layer refused: $msg" || fail "one-layer: '$msg'"
msg=$(error_of indexed)
[[ $msg == *"indexed"* ]] && [ "$(info indexed-layers)" = 2 ] &&
  pass "indexed image refused, untouched: $msg" || fail "indexed: '$msg' layers $(info indexed-layers)"

evenlight_check_plugin_log "$work/gimp.log"
evenlight_tap_end "$work/gimp.log"
