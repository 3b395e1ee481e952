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
# Usage: run-batch.sh PLUGIN CLI IMGTOOL PARAM_TABLE   (exit 77 when GIMP is missing)
# PLUGIN is BUILD/plugin/evenlight; plugin/install-user.sh installs it,
# with the weights and translations of that build, into a fresh profile.
set -u
plugin=$1 cli=$2 imgtool=$3 param_table=$4
here=$(cd "$(dirname "$0")" && pwd)
data=${EVENLIGHT_TEST_DATA:-$here/../data}
weights=${EVENLIGHT_TEST_WEIGHTS:-$data/golden-weights.bin}

command -v gimp-console-2.10 >/dev/null || { echo "gimp-console-2.10 not installed: skipped"; exit 77; }
for f in "$plugin" "$cli" "$imgtool" "$param_table" "$weights"; do
  [ -e "$f" ] || { echo "missing: $f"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-gimp-XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$here/profile.sh"
evenlight_profile_with_plugin "$work/profile" "$plugin" || exit 1

S=0.7 H=0.4 D=0.6
# The ranges of Shadows and Denoise from the parameter table; the refused
# calls use values just outside them.
read -r _ _ s_min s_max _ < <("$param_table" | grep '^enhance shadows ')
read -r _ _ d_min d_max _ < <("$param_table" | grep '^enhance denoise ')
bad_s=$(awk -v m="$s_max" 'BEGIN { print m + 0.5 }')
bad_d=$(awk -v m="$d_min" 'BEGIN { print m - 0.25 }')
. "$here/tap.sh"

# Inputs (odd sizes, so tiles never fit exactly) and the CLI's results.
W=333 Ht=251
"$imgtool" make rgb   8     $W $Ht "$work/rgb8.png"  &&
"$imgtool" make rgba  8     $W $Ht "$work/rgba8.png" &&
"$imgtool" make rgb   16    $W $Ht "$work/rgb16.png" &&
"$imgtool" make rgb   float $W $Ht "$work/rgbf.tif"  &&
"$imgtool" make gray  8     $W $Ht "$work/gray8.png" || { echo "cannot make the test images"; exit 1; }
# The CLI works while GIMP starts.
(
  for f in rgb8.png rgba8.png rgb16.png rgbf.tif gray8.png; do
    "$cli" --shadows $S --highlights $H --denoise $D --weights "$weights" \
           "$work/$f" "$work/cli-$f" || { echo "the CLI failed on $f"; exit 1; }
  done
  "$cli" --weights "$weights" "$work/rgb8.png" "$work/cli-default-rgb8.png"
) >"$work/cli.log" 2>&1 &
cli_job=$!

# GIMP. The plug-in finds the weights through EVENLIGHT_WEIGHTS.
start=$(date +%s)
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$weights" \
  timeout 400 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$here/batch.scm\") (el-batch \"$work\" $S $H $D $bad_s $bad_d))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp.log" 2>&1
evenlight_batch_finish "$work" "$start" "$cli_job"

case_ok () { grep -q "^$1 ok" "$work/cases.log"; }
case_error () { grep "^$1 error" "$work/cases.log" | cut -d' ' -f3-; }

# Image comparisons are collected in checks.txt and run by one imgtool
# process; a case whose plug-in call failed is reported as such instead.
T8=$(awk 'BEGIN { printf "%.6f", 1 / 255 }')
: >"$work/checks.txt"
want () {  # want CASE LABEL IMGTOOL-COMMAND...
  local c=$1 label=$2; shift 2
  if case_ok "$c"; then
    printf '%q ' "$label" "$@" >>"$work/checks.txt"
    echo >>"$work/checks.txt"
  else
    fail "$label: the plug-in call failed: $(case_error "$c")"
  fi
}
w=$work

# 1. Each type against the CLI; alpha and precision kept.
for c in rgb8:png:$T8 rgba8:png:$T8 rgb16:png:1e-4 rgbf:tif:1e-4 gray8:png:$T8; do
  IFS=: read -r name ext tol <<<"$c"
  want "$name" "$name equals the CLI" compare "$w/gimp-$name.$ext" "$w/cli-$name.$ext" --tolerance "$tol"
  want "$name" "$name was changed" compare "$w/gimp-$name.$ext" "$w/$name.$ext" --tolerance "$tol" --differ
done
want rgba8 "rgba8 alpha unchanged" compare "$w/gimp-rgba8.png" "$w/rgba8.png" --channels alpha
want rgb16 "rgb16 stays 16-bit" format "$w/gimp-rgb16.png" "*u16*"
want rgbf "rgbf stays float" format "$w/gimp-rgbf.tif" "*float*"
want gray8 "gray8 stays gray" format "$w/gimp-gray8.png" "Y'*"

# 2. Selection: inside as without one (the context is global), outside untouched.
want selection "selection inside equals the CLI" compare "$w/gimp-selection.png" "$w/cli-rgb8.png" --tolerance "$T8" --inside 40,30,150,100
want selection "selection outside unchanged" compare "$w/gimp-selection.png" "$w/rgb8.png" --outside 40,30,150,100

# 3. A layer with offsets on a larger canvas.
want offsets "offset layer equals the CLI" compare "$w/gimp-offsets.png" "$w/cli-rgb8.png" --tolerance "$T8"

# 4. Last values without a stored run: the defaults.
want last-vals "last values default to the CLI defaults" compare "$w/gimp-last-vals.png" "$w/cli-default-rgb8.png" --tolerance "$T8"

while IFS= read -r line; do
  case $line in
    "ok - "*) pass "${line#ok - }" ;;
    *) fail "${line#not ok - }" ;;
  esac
done < <("$imgtool" run "$work/checks.txt")

# 5. Invalid values: calling error naming the slider, image untouched.
msg=$(case_error invalid-shadows)
if [[ $msg == *"invalid input arguments"*"Shadows"*"between $s_min and $s_max"* ]]; then pass "invalid shadows refused: $msg"; else fail "invalid shadows: '$msg'"; fi
msg=$(case_error invalid-denoise)
if [[ $msg == *"invalid input arguments"*"Denoise"*"between $d_min and $d_max"* ]]; then pass "invalid denoise refused: $msg"; else fail "invalid denoise: '$msg'"; fi
if case_ok invalid-clean; then pass "image unchanged (not dirty) after invalid values"; else fail "invalid values: $(case_error invalid-clean)"; fi

# 6. Refused drawables.
msg=$(case_error indexed)
if [[ $msg == *"indexed"*"RGB"* ]]; then pass "indexed image refused: $msg"; else fail "indexed: '$msg'"; fi
msg=$(case_error group)
if [[ $msg == *"layer group"* ]]; then pass "layer group refused: $msg"; else fail "group: '$msg'"; fi
msg=$(case_error channel)
if [[ $msg == *"layers only"*"channel"* ]]; then pass "channel refused: $msg"; else fail "channel: '$msg'"; fi

# A second, short GIMP in German (the environment cannot change within
# one GIMP): a missing weights file must be named in the message, and the
# plug-in must find its translations next to itself.
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$work/no-such-weights.bin" \
LC_ALL=C.UTF-8 LANGUAGE=de \
  timeout 250 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$here/batch.scm\")
               (let ((log (open-output-file \"$work/weights.log\"))
                     (img (el-load \"$work/rgb8.png\")))
                 (el-case log \"missing-weights\"
                   (lambda () (el-apply \"$work/rgb8.png\" \"$work/gimp-noweights.png\" $S $H $D)))
                 (gimp-image-convert-indexed img CONVERT-DITHER-NONE
                                             CONVERT-PALETTE-GENERATE 255 FALSE FALSE \"\")
                 (el-case log \"indexed-de\"
                   (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img (el-drawable img) $S $H $D)))
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
msg=$(grep "^indexed-de error" "$work/weights.log" 2>/dev/null | cut -d' ' -f3-)
if [[ $msg == *"indizierten Bildern"* ]]; then
  pass "the installed translation is used (LANGUAGE=de): $msg"
else
  fail "German translation not used: '$msg'"
fi

evenlight_tap_end "$work/gimp.log"
