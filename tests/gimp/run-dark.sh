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
#
# Usage: run-dark.sh PLUGIN CLI IMGTOOL   (exit 77 when GIMP or ImageMagick
# is missing)
set -u
plugin=$1 cli=$2 imgtool=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
dq_file=$(awk -F'"' '/define EVENLIGHT_DEQUANT_FILE/ { print $2 }' "$top/core/dequant.h")
dq_weights=$top/weights/$dq_file

command -v gimp-console-2.10 >/dev/null || { echo "gimp-console-2.10 not installed: skipped"; exit 77; }
command -v convert >/dev/null || { echo "ImageMagick not installed: skipped"; exit 77; }
for f in "$plugin" "$cli" "$imgtool" "$dq_weights"; do
  [ -e "$f" ] || { echo "missing: $f"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-dark-XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$here/profile.sh"
evenlight_profile_with_plugin "$work/profile" "$plugin" || exit 1
[ -f "$work/profile/plug-ins/evenlight/$dq_file" ] ||
  { echo "install-user.sh did not install $dq_file"; exit 1; }

failed=0 n=0
pass () { n=$((n + 1)); echo "ok $n - $*"; }
fail () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

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

# The CLI works while GIMP starts.
(
  "$cli" -q --method laic "$work/dark.png" "$work/cli-dark-0.png" &&
  "$cli" -q --method laic --dequantize --dequant-weights "$dq_weights" \
         "$work/dark.png" "$work/cli-dark-1.png" &&
  "$cli" -q --method laic "$work/dark-gray.png" "$work/cli-gray-0.png" &&
  "$cli" -q --method laic "$work/dark-plain.png" "$work/cli-plain-0.png" &&
  "$cli" -q --method laic "$work/dark-gama.png" "$work/cli-gama-0.png"
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
            (close-output-port log)))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp.log" 2>&1
echo "# GIMP ran for $(( $(date +%s) - start )) s"
if [ ! -s "$work/cases.log" ]; then
  cat "$work/gimp.log"
  echo "GIMP did not run the cases"
  exit 1
fi
sed 's/^/# gimp: /' "$work/cases.log"
wait "$cli_job" || { cat "$work/cli.log"; echo "the CLI failed"; exit 1; }

case_ok () { grep -q "^$1 ok" "$work/cases.log"; }
mean () { convert "$1" -alpha off -colorspace gray -format "%[fx:mean]" info:; }
T8=$(awk 'BEGIN { printf "%.6f", 1 / 255 }')
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
check "dark-0 alpha unchanged" compare "$work/gimp-dark-0.png" "$work/dark.png" --channels alpha
check "dark-1 alpha unchanged" compare "$work/gimp-dark-1.png" "$work/dark.png" --channels alpha
check "dequantize 1 differs from 0" compare "$work/gimp-dark-1.png" "$work/gimp-dark-0.png" --tolerance "$T8" --differ
check "gray stays gray" format "$work/gimp-gray-0.png" "Y'*"
while IFS= read -r line; do
  case $line in
    "ok - "*) pass "${line#ok - }" ;;
    *) fail "${line#not ok - }" ;;
  esac
done < <("$imgtool" run "$work/checks.txt")

msg=$(grep "^invalid error" "$work/cases.log" | cut -d' ' -f3-)
if [[ $msg == *"Dequantize"*"not 2"* ]]; then pass "dequantize 2 refused: $msg"; else fail "dequantize 2: '$msg'"; fi

echo "1..$n"
if [ $failed -ne 0 ]; then
  echo "# $failed of $n checks failed; GIMP's log:"
  sed 's/^/# /' "$work/gimp.log"
  exit 1
fi
echo "# all $n checks passed"
