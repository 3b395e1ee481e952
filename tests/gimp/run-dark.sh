#!/usr/bin/env bash
# evenlight — plug-in-evenlight-dark (Even Light for Dark Photos) in a real,
# headless GIMP 2.10, against the CLI's --method laic [--dequantize].
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A very dark RGBA and a very dark gray image go through the procedure with
# dequantize 0 and 1, and two opaque RGB images (without and with a gAMA
# chunk) with dequantize 0; the results must be brighter, keep alpha and
# gray, and equal the CLI's within 1/255. The dequantization weights are
# found next to the plug-in, where plugin/install-user.sh puts them.
# These calls are old-style ones: plug-in-evenlight-dark with the argument
# list it was first published with. plug-in-evenlight-dark2 (with the
# contrast) must give exactly their results at the default contrast, the
# CLI's --contrast results at both ends of the range, and refuse a contrast
# outside it with a message naming it, leaving the image clean.
#
# Usage: run-dark.sh PLUGIN CLI IMGTOOL PARAM_TABLE   (exit 77 when GIMP or
# ImageMagick is missing)
set -u
plugin=$1 cli=$2 imgtool=$3 param_table=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
dq_file=$(awk -F'"' '/define EVENLIGHT_DEQUANT_FILE/ { print $2 }' "$top/core/dequant.h")
dq_weights=$top/weights/$dq_file

command -v gimp-console-2.10 >/dev/null || { echo "gimp-console-2.10 not installed: skipped"; exit 77; }
command -v convert >/dev/null || { echo "ImageMagick not installed: skipped"; exit 77; }
for f in "$plugin" "$cli" "$imgtool" "$param_table" "$dq_weights"; do
  [ -e "$f" ] || { echo "missing: $f"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-dark-XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$here/profile.sh"
evenlight_profile_with_plugin "$work/profile" "$plugin" || exit 1
[ -f "$work/profile/plug-ins/evenlight/$dq_file" ] ||
  { echo "install-user.sh did not install $dq_file"; exit 1; }

. "$here/tap.sh"

# Very dark inputs: the synthetic scene at 8 % of its brightness, 8-bit.
W=211 Ht=157
"$imgtool" make rgba 8 $W $Ht "$work/scene.png" &&
"$imgtool" make gray 8 $W $Ht "$work/scene-gray.png" &&
"$imgtool" make rgb 8 $W $Ht "$work/scene-rgb.png" &&
convert "$work/scene.png" -channel RGB -evaluate multiply 0.08 +channel "PNG32:$work/dark.png" &&
convert "$work/scene-rgb.png" -evaluate multiply 0.08 -define png:exclude-chunks=gAMA,cHRM,sRGB,bKGD,date,tIME "PNG24:$work/dark-plain.png" &&
convert "$work/scene-rgb.png" -evaluate multiply 0.08 -define png:exclude-chunks=cHRM,sRGB,bKGD,date,tIME "PNG24:$work/dark-gama.png" &&
identify -verbose "$work/dark-gama.png" | grep -q 'Gamma: 0.4545' &&
convert "$work/scene-gray.png" -evaluate multiply 0.08 -define png:color-type=0 "$work/dark-gray.png" ||
  { echo "cannot make the test images"; exit 1; }

# Contrast's range and default, from the parameter table.
read -r c_min c_max c_def < <("$param_table" | awk '$1 == "dark" && $2 == "contrast" { print $3, $4, $5 }')
[ -n "$c_def" ] || { echo "no contrast in the dark-photo table"; exit 1; }
c_bad=$(awk -v m="$c_max" 'BEGIN { printf "%g", m + 0.5 }')

# The CLI works while GIMP starts.
(
  "$cli" -q --method laic "$work/dark.png" "$work/cli-dark-0.png" &&
  "$cli" -q --method laic --dequantize --dequant-weights "$dq_weights" \
         "$work/dark.png" "$work/cli-dark-1.png" &&
  "$cli" -q --method laic "$work/dark-gray.png" "$work/cli-gray-0.png" &&
  "$cli" -q --method laic "$work/dark-plain.png" "$work/cli-plain-0.png" &&
  "$cli" -q --method laic "$work/dark-gama.png" "$work/cli-gama-0.png" &&
  "$cli" -q --method laic --contrast "$c_min" "$work/dark.png" "$work/cli-cmin.png" &&
  "$cli" -q --method laic --contrast "$c_max" "$work/dark.png" "$work/cli-cmax.png"
) >"$work/cli.log" 2>&1 &
cli_job=$!

unset EVENLIGHT_DEQUANT_WEIGHTS
start=$(date +%s)
GIMP2_DIRECTORY="$work/profile" \
  timeout 400 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$here/batch.scm\")
          (let ((log (open-output-file \"$work/cases.log\")))
            (define (run in out dq)
              (let* ((img (el-load in)) (drw (el-drawable img)))
                (plug-in-evenlight-dark RUN-NONINTERACTIVE img drw dq)
                (el-save img drw out)
                (gimp-image-delete img)))
            (el-case log \"dark-0\" (lambda () (run \"$work/dark.png\" \"$work/gimp-dark-0.png\" 0)))
            (el-case log \"dark-1\" (lambda () (run \"$work/dark.png\" \"$work/gimp-dark-1.png\" 1)))
            (el-case log \"gray-0\" (lambda () (run \"$work/dark-gray.png\" \"$work/gimp-gray-0.png\" 0)))
            (el-case log \"plain-0\" (lambda () (run \"$work/dark-plain.png\" \"$work/gimp-plain-0.png\" 0)))
            (el-case log \"gama-0\" (lambda () (run \"$work/dark-gama.png\" \"$work/gimp-gama-0.png\" 0)))
            (el-case log \"invalid\" (lambda () (run \"$work/dark.png\" \"$work/gimp-invalid.png\" 2)))
            (define (run2 in out dq c)
              (let* ((img (el-load in)) (drw (el-drawable img)))
                (plug-in-evenlight-dark2 RUN-NONINTERACTIVE img drw dq c)
                (el-save img drw out)
                (gimp-image-delete img)))
            (el-case log \"v2-default\" (lambda () (run2 \"$work/dark.png\" \"$work/gimp-v2-default.png\" 0 $c_def)))
            (el-case log \"v2-cmin\" (lambda () (run2 \"$work/dark.png\" \"$work/gimp-cmin.png\" 0 $c_min)))
            (el-case log \"v2-cmax\" (lambda () (run2 \"$work/dark.png\" \"$work/gimp-cmax.png\" 0 $c_max)))
            (let* ((img (el-load \"$work/dark.png\")) (drw (el-drawable img)))
              (gimp-image-clean-all img)
              (el-case log \"invalid-contrast\"
                (lambda () (plug-in-evenlight-dark2 RUN-NONINTERACTIVE img drw 0 $c_bad)))
              (display (if (= (car (gimp-image-is-dirty img)) TRUE)
                           \"invalid-contrast-clean error the image was modified\"
                           \"invalid-contrast-clean ok\")
                       log)
              (newline log)
              (el-save img drw \"$work/gimp-invalid-contrast.png\")
              (gimp-image-delete img))
            (close-output-port log)))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp.log" 2>&1
evenlight_batch_finish "$work" "$start" "$cli_job"

case_ok () { grep -q "^$1 ok" "$work/cases.log"; }
mean () { convert "$1" -alpha off -colorspace gray -format "%[fx:mean]" info:; }
T8=$(awk 'BEGIN { printf "%.6f", 1 / 255 }')
# "Unchanged" allows 1e-6: reading the same 8-bit level as float, babl
# picks its conversion by timing it, and on a busy machine two runs gave
# values 2^-24 apart (alpha at one pixel, seen once in three runs); a real
# change moves at least one level, 1/255.
TSAME=0.000001
: >"$work/checks.txt"
check () { printf '%q ' "$@" >>"$work/checks.txt"; echo >>"$work/checks.txt"; }

for c in dark-0 dark-1 gray-0 plain-0 gama-0; do
  if ! case_ok "$c"; then
    fail "$c: the plug-in call failed: $(grep "^$c error" "$work/cases.log" | cut -d' ' -f3-)"
    continue
  fi
  # The input of case NAME-DQ: dark.png for "dark", else dark-NAME.png.
  in=$work/dark-${c%-?}.png
  [ "${c%-?}" = dark ] && in=$work/dark.png
  m_in=$(mean "$in")
  m=$(mean "$work/gimp-$c.png")
  if awk -v a="$m" -v b="$m_in" 'BEGIN { exit !(a > 3 * b) }'; then
    pass "$c brightened: mean $m_in -> $m"
  else
    fail "$c not brightened: mean $m_in -> $m"
  fi
  # Both read the same pixels (the CLI reads gray and alpha images in
  # their own layout, as the plug-in does); GIMP's import of a PNG with a
  # gAMA chunk moves some levels by up to 0.4/255, which LAIC turns into
  # about 0.1/255 (measured): 1/255 holds with a margin.
  check "$c equals the CLI within 1/255" compare "$work/gimp-$c.png" "$work/cli-$c.png" --tolerance "$T8"
done
check "dark-0 alpha unchanged" compare "$work/gimp-dark-0.png" "$work/dark.png" --channels alpha --tolerance "$TSAME"
check "dark-1 alpha unchanged" compare "$work/gimp-dark-1.png" "$work/dark.png" --channels alpha --tolerance "$TSAME"
check "dequantize 1 differs from 0" compare "$work/gimp-dark-1.png" "$work/gimp-dark-0.png" --tolerance "$T8" --differ
check "gray stays gray" format "$work/gimp-gray-0.png" "Y'*"

# plug-in-evenlight-dark2: the contrast.
for c in v2-default v2-cmin v2-cmax invalid-contrast-clean; do
  if case_ok "$c"; then pass "$c returned without error"; else fail "$c: $(grep "^$c " "$work/cases.log")"; fi
done
msg=$(grep "^invalid-contrast error" "$work/cases.log" | cut -d' ' -f3-)
if [[ $msg == *"Contrast (λ2)"*"between $c_min and $c_max"*"not $c_bad"* ]]; then
  pass "contrast $c_bad refused: $msg"
else
  fail "contrast $c_bad: '$msg'"
fi
check "the old-style call (plug-in-evenlight-dark) equals plug-in-evenlight-dark2 at contrast $c_def, bit for bit" \
  compare "$work/gimp-dark-0.png" "$work/gimp-v2-default.png"
check "contrast $c_min equals the CLI's --contrast $c_min within 1/255" \
  compare "$work/gimp-cmin.png" "$work/cli-cmin.png" --tolerance "$T8"
check "contrast $c_max equals the CLI's --contrast $c_max within 1/255" \
  compare "$work/gimp-cmax.png" "$work/cli-cmax.png" --tolerance "$T8"
check "contrast $c_min differs from contrast $c_def" \
  compare "$work/gimp-cmin.png" "$work/gimp-v2-default.png" --tolerance "$T8" --differ
check "contrast $c_max differs from contrast $c_def" \
  compare "$work/gimp-cmax.png" "$work/gimp-v2-default.png" --tolerance "$T8" --differ
check "a refused contrast leaves the layer as it was" \
  compare "$work/gimp-invalid-contrast.png" "$work/dark.png" --tolerance "$TSAME"
while IFS= read -r line; do
  case $line in
    "ok - "*) pass "${line#ok - }" ;;
    *) fail "${line#not ok - }" ;;
  esac
done < <("$imgtool" run "$work/checks.txt")

msg=$(grep "^invalid error" "$work/cases.log" | cut -d' ' -f3-)
if [[ $msg == *"Dequantize"*"not 2"* ]]; then pass "dequantize 2 refused: $msg"; else fail "dequantize 2: '$msg'"; fi

evenlight_tap_end "$work/gimp.log"
