#!/usr/bin/env bash
# evenlight — the plug-in in a real, headless GIMP 2.10 against the CLI.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# One gimp-console-2.10 run in a throw-away profile executes every case of
# tests/gimp/batch.scm; then each exported result is compared with what
# `evenlight` (the CLI) makes of the same input and values: within 1/255
# for 8-bit images, 1e-4 for 16-bit and float ones. Alpha, precision,
# pixels outside a selection and refused inputs are checked as well.
#
# Usage: run-batch.sh PLUGIN CLI IMGTOOL   (exit 77 when GIMP is missing)
set -u
plugin=$1 cli=$2 imgtool=$3
here=$(cd "$(dirname "$0")" && pwd)
data=${EVENLIGHT_TEST_DATA:-$here/../data}
weights=${EVENLIGHT_TEST_WEIGHTS:-$data/golden-weights.bin}

command -v gimp-console-2.10 >/dev/null || { echo "gimp-console-2.10 not installed: skipped"; exit 77; }
for f in "$plugin" "$cli" "$imgtool" "$weights"; do
  [ -e "$f" ] || { echo "missing: $f"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-gimp-XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$here/profile.sh"
evenlight_make_profile "$work/profile" "$plugin"

S=0.7 H=0.4 D=0.6
failed=0 n=0
pass () { n=$((n + 1)); echo "ok $n - $*"; }
fail () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check () {  # check DESCRIPTION COMMAND...
  local desc=$1; shift
  local out
  if out=$("$@" 2>&1); then pass "$desc: $out"; else fail "$desc: $out"; fi
}

# Inputs (odd sizes, so tiles never fit exactly) and the CLI's results.
W=333 Ht=251
"$imgtool" make rgb   8     $W $Ht "$work/rgb8.png"  &&
"$imgtool" make rgba  8     $W $Ht "$work/rgba8.png" &&
"$imgtool" make rgb   16    $W $Ht "$work/rgb16.png" &&
"$imgtool" make rgb   float $W $Ht "$work/rgbf.tif"  &&
"$imgtool" make gray  8     $W $Ht "$work/gray8.png" || { echo "cannot make the test images"; exit 1; }
for f in rgb8.png rgba8.png rgb16.png rgbf.tif gray8.png; do
  "$cli" --shadows $S --highlights $H --denoise $D --weights "$weights" \
         "$work/$f" "$work/cli-$f" || { echo "the CLI failed on $f"; exit 1; }
done
"$cli" --weights "$weights" "$work/rgb8.png" "$work/cli-default-rgb8.png" || exit 1

# GIMP. The plug-in finds the weights through EVENLIGHT_WEIGHTS.
start=$(date +%s)
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$weights" \
  timeout 150 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$here/batch.scm\") (el-batch \"$work\" $S $H $D))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp.log" 2>&1
echo "# GIMP ran for $(( $(date +%s) - start )) s"
if [ ! -s "$work/cases.log" ]; then
  cat "$work/gimp.log"
  echo "GIMP did not run the cases"
  exit 1
fi
sed 's/^/# gimp: /' "$work/cases.log"

case_ok () { grep -q "^$1 ok" "$work/cases.log"; }
case_error () { grep "^$1 error" "$work/cases.log" | cut -d' ' -f3-; }

T8=$(awk 'BEGIN { printf "%.6f", 1 / 255 }')
compare () { "$imgtool" compare "$@"; }
format_is () {  # format_is FILE PATTERN
  local fmt; fmt=$("$imgtool" format "$1") || return 1
  echo "$fmt"
  [[ $fmt == $2 ]]
}

# 1. Each type against the CLI; alpha and precision kept.
for c in rgb8:png:$T8 rgba8:png:$T8 rgb16:png:1e-4 rgbf:tif:1e-4 gray8:png:$T8; do
  IFS=: read -r name ext tol <<<"$c"
  if case_ok "$name"; then
    check "$name equals the CLI" compare "$work/gimp-$name.$ext" "$work/cli-$name.$ext" --tolerance "$tol"
    check "$name was changed" compare "$work/gimp-$name.$ext" "$work/$name.$ext" --tolerance "$tol" --differ
  else
    fail "$name: the plug-in failed: $(case_error "$name")"
  fi
done
check "rgba8 alpha unchanged" compare "$work/gimp-rgba8.png" "$work/rgba8.png" --channels alpha
check "rgb16 stays 16-bit" format_is "$work/gimp-rgb16.png" "*u16"
check "rgbf stays float" format_is "$work/gimp-rgbf.tif" "*float"
check "gray8 stays gray" format_is "$work/gimp-gray8.png" "Y'*"

# 2. Selection: inside as without one (the context is global), outside untouched.
if case_ok selection; then
  check "selection inside equals the CLI" compare "$work/gimp-selection.png" "$work/cli-rgb8.png" --tolerance "$T8" --inside 40,30,150,100
  check "selection outside unchanged" compare "$work/gimp-selection.png" "$work/rgb8.png" --outside 40,30,150,100
else
  fail "selection: $(case_error selection)"
fi

# 3. A layer with offsets on a larger canvas.
if case_ok offsets; then
  check "offset layer equals the CLI" compare "$work/gimp-offsets.png" "$work/cli-rgb8.png" --tolerance "$T8"
else
  fail "offsets: $(case_error offsets)"
fi

# 4. Last values without a stored run: the defaults.
if case_ok last-vals; then
  check "last values default to the CLI defaults" compare "$work/gimp-last-vals.png" "$work/cli-default-rgb8.png" --tolerance "$T8"
else
  fail "last-vals: $(case_error last-vals)"
fi

# 5. Invalid values: calling error naming the slider, image untouched.
msg=$(case_error invalid-shadows)
if [[ $msg == *"invalid input arguments"*"Shadows"*"between 0 and 1"* ]]; then pass "invalid shadows refused: $msg"; else fail "invalid shadows: '$msg'"; fi
msg=$(case_error invalid-denoise)
if [[ $msg == *"invalid input arguments"*"Denoise"*"between 0 and 1"* ]]; then pass "invalid denoise refused: $msg"; else fail "invalid denoise: '$msg'"; fi
if case_ok invalid-clean; then pass "image unchanged (not dirty) after invalid values"; else fail "invalid values: $(case_error invalid-clean)"; fi

# 6. Refused drawables.
msg=$(case_error indexed)
if [[ $msg == *"indexed"*"RGB"* ]]; then pass "indexed image refused: $msg"; else fail "indexed: '$msg'"; fi
msg=$(case_error group)
if [[ $msg == *"layer group"* ]]; then pass "layer group refused: $msg"; else fail "group: '$msg'"; fi

# A missing weights file must be named in the message: a second, short
# GIMP (the variable cannot change within one), in the same profile.
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$work/no-such-weights.bin" \
  timeout 100 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$here/batch.scm\")
               (let ((log (open-output-file \"$work/weights.log\")))
                 (el-case log \"missing-weights\"
                   (lambda () (el-apply \"$work/rgb8.png\" \"$work/gimp-noweights.png\" $S $H $D)))
                 (close-output-port log)))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp2.log" 2>&1
cat "$work/gimp2.log" >>"$work/gimp.log"
# 7. A missing weights file is named in the message, nothing is written.
msg=$(grep "^missing-weights error" "$work/weights.log" 2>/dev/null | cut -d' ' -f3-)
if [[ $msg == *"no-such-weights.bin"* ]] && [ ! -e "$work/gimp-noweights.png" ]; then
  pass "missing weights file named: $msg"
else
  fail "missing weights: '$msg'"
fi

echo "1..$n"
if [ $failed -ne 0 ]; then
  echo "# $failed of $n checks failed; GIMP's log:"
  sed 's/^/# /' "$work/gimp.log"
  exit 1
fi
echo "# all $n checks passed"
