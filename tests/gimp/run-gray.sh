#!/usr/bin/env bash
# evenlight — the plug-in and the CLI agree bit for bit on float gray images.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The engine returns R' = G' = B' for a gray image, not always exactly
# equal, and each front-end writes back their mean. On a float image every
# rounding of that mean shows, so both front-ends must use the one gray
# merge (core/pixels.h): a 32-bit float gray TIFF, with and without alpha,
# goes through plug-in-evenlight and plug-in-evenlight-dark2 in a headless
# GIMP 2.10 and through the CLI (--method net and laic), and the results
# must be identical to the last bit (imgtool compare without tolerance).
#
# Usage: run-gray.sh PLUGIN CLI IMGTOOL   (exit 77 when GIMP is missing)
set -u
plugin=$1 cli=$2 imgtool=$3
here=$(cd "$(dirname "$0")" && pwd)
data=${EVENLIGHT_TEST_DATA:-$here/../data}
weights=${EVENLIGHT_TEST_WEIGHTS:-$data/golden-weights.bin}

. "$here/profile.sh"
evenlight_batch_start gray "$plugin" "$cli" "$imgtool" "$weights"
. "$here/tap.sh"

S=0.7 H=0.4 D=0.6 C=0.5

# Odd sizes, so that tiles never fit exactly.
W=333 Ht=251
"$imgtool" make gray  float $W $Ht "$work/grayf.tif" &&
"$imgtool" make graya float $W $Ht "$work/grayaf.tif" || { echo "cannot make the test images"; exit 1; }
# The CLI works while GIMP starts.
(
  for f in grayf grayaf; do
    "$cli" -q --shadows $S --highlights $H --denoise $D --weights "$weights" \
           "$work/$f.tif" "$work/cli-net-$f.tif" &&
    "$cli" -q --method laic --contrast $C "$work/$f.tif" "$work/cli-laic-$f.tif" ||
      { echo "the CLI failed on $f"; exit 1; }
  done
) >"$work/cli.log" 2>&1 &
cli_job=$!

start=$(date +%s)
GIMP2_DIRECTORY="$work/profile" EVENLIGHT_WEIGHTS="$weights" \
  timeout 400 gimp-console-2.10 -i -d -f \
    -b "(begin (load \"$here/batch.scm\")
          (let ((log (open-output-file \"$work/cases.log\")))
            (define (laic in out)
              (let* ((img (el-load in)) (drw (el-drawable img)))
                (plug-in-evenlight-dark2 RUN-NONINTERACTIVE img drw 0 $C)
                (el-save img drw out)
                (gimp-image-delete img)))
            (for-each
              (lambda (f)
                (define (path prefix) (string-append \"$work/\" prefix f \".tif\"))
                (el-case log (string-append \"net-\" f)
                  (lambda () (el-apply (path \"\") (path \"gimp-net-\") $S $H $D)))
                (el-case log (string-append \"laic-\" f)
                  (lambda () (laic (path \"\") (path \"gimp-laic-\")))))
              '(\"grayf\" \"grayaf\"))
            (close-output-port log)))" \
    -b '(gimp-quit 0)' </dev/null >"$work/gimp.log" 2>&1
evenlight_batch_finish "$work" "$start" "$cli_job"

: >"$work/checks.txt"
for f in grayf grayaf; do
  for m in net laic; do
    c=$m-$f
    if ! grep -q "^$c ok" "$work/cases.log"; then
      fail "$c: the plug-in call failed: $(grep "^$c error" "$work/cases.log" | cut -d' ' -f3-)"
      continue
    fi
    printf '%q ' "$c equals the CLI bit for bit" compare "$work/gimp-$c.tif" "$work/cli-$c.tif" >>"$work/checks.txt"
    echo >>"$work/checks.txt"
    printf '%q ' "$c was changed" compare "$work/gimp-$c.tif" "$work/$f.tif" --differ >>"$work/checks.txt"
    echo >>"$work/checks.txt"
  done
done
echo "grayf-format format $work/gimp-net-grayf.tif 'Y*float*'" >>"$work/checks.txt"
echo "grayaf-format format $work/gimp-net-grayaf.tif 'Y*A float*'" >>"$work/checks.txt"
while IFS= read -r line; do
  case $line in
    "ok - "*) pass "${line#ok - }" ;;
    *) fail "${line#not ok - }" ;;
  esac
done < <("$imgtool" run "$work/checks.txt")

evenlight_tap_end "$work/gimp.log"
