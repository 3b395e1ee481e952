#!/usr/bin/env bash
# evenlight — hostile input to the `evenlight` command-line tool (TAP).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Degenerate sizes, non-finite and out-of-range float pixels, fully
# transparent images, damaged weights files, outputs that cannot be
# written, damaged inputs. Every failure must be exit status 1 with a
# message naming the problem, and no output file.
#
# Usage: run-cli.sh CLI HOSTILE-IMG
set -u
cli=$1 img=$2
data=${EVENLIGHT_TEST_DATA:-$(dirname "$0")/../data}
weights=$data/golden-weights.bin
dequant=$data/dequant-golden-weights.bin

work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-hostile-XXXXXX")
trap 'chmod -R u+rwx "$work"; rm -rf "$work"' EXIT
n=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $*"; }
check () {  # check "LABEL" COMMAND...: ok when COMMAND succeeds
  local label=$1; shift
  if out=$("$@" 2>&1); then ok "$label"; else not_ok "$label"; echo "$out" | sed 's/^/# /'; fi
}

run () {  # run IN OUT [ARGS...]: the CLI's status in $status, stderr in $err
  local in=$1 out=$2; shift 2
  err=$(timeout "${CLI_TIMEOUT:-60}" "$cli" -q "$@" "$in" "$out" 2>&1 >/dev/null)
  status=$?
}

# expect_error LABEL PATTERN OUT [TODO]: the last run failed with status 1,
# a message matching PATTERN (a glob) and no file OUT.
expect_error () {
  local label=$1 pattern=$2 out=$3 todo=${4:-}
  local first=${err%%$'\n'*}
  if [ "$status" -eq 1 ] && [[ $err == $pattern ]] && [ ! -e "$out" ]; then
    ok "$label: $first${todo:+ # TODO $todo}"
  else
    not_ok "$label: status $status, output $( [ -e "$out" ] && echo written || echo none ), message '${first:0:300}'${todo:+ # TODO $todo}"
  fi
  rm -f "$out"
}

# 1. Degenerate sizes: the result has the input's size.
for size in 1x1 1x2 2x1 1x700 700x1 3x300 300x3; do
  w=${size%x*} h=${size#*x}
  "$img" make plain "$w" "$h" "$work/in-$size.png" >/dev/null || { echo "Bail out! cannot make images"; exit 1; }
  run "$work/in-$size.png" "$work/out-$size.png" --weights "$weights"
  if [ "$status" -eq 0 ] && "$img" size "$work/out-$size.png" "$w" "$h" >/dev/null \
     && "$img" unit "$work/out-$size.png" >/dev/null; then
    ok "$size image enhanced"
  else
    not_ok "$size image: status $status: $err"
  fi
done

for size in 1x1 700x1; do
  w=${size%x*} h=${size#*x}
  run "$work/in-$size.png" "$work/classic-$size.png" --method classic
  if [ "$status" -eq 0 ] && "$img" size "$work/classic-$size.png" "$w" "$h" >/dev/null; then
    ok "$size image, classic method"
  else
    not_ok "$size image, classic method: status $status: $err"
  fi
done

# 2. NaN, ±Inf, negative and above-1 float pixels: finite output in [0, 1].
"$img" make nasty 67 45 "$work/nasty.tif" >/dev/null
check "the float TIFF really holds non-finite values" "$img" nonfinite "$work/nasty.tif"
run "$work/nasty.tif" "$work/nasty-out.tif" --weights "$weights"
if [ "$status" -eq 0 ]; then ok "float TIFF with NaN/Inf enhanced"; else not_ok "float TIFF with NaN/Inf: $err"; fi
check "float output finite and in [0, 1]" "$img" unit "$work/nasty-out.tif"
run "$work/nasty.tif" "$work/nasty-classic.tif" --method classic
check "classic method: float output finite and in [0, 1]" "$img" unit "$work/nasty-classic.tif"

# 3. Fully transparent RGBA: alpha unchanged bit for bit.
"$img" make clear 67 45 "$work/clear.png" >/dev/null
run "$work/clear.png" "$work/clear-out.png" --weights "$weights"
check "transparent image: alpha unchanged" "$img" alpha "$work/clear.png" "$work/clear-out.png"

# 4. Damaged weights: status 1, the file named, no output.
in=$work/in-300x3.png out=$work/w-out.png
: >"$work/empty.bin"
head -c 1000 "$weights" >"$work/truncated.bin"
head -c 100000 /dev/urandom >"$work/random.bin" 2>/dev/null || head -c 100000 "$data/sample.jpg" >"$work/random.bin"
cp "$weights" "$work/flipped.bin"
size=$(stat -c %s "$weights")
printf '\x5a' | dd of="$work/flipped.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
"$img" weights "$weights" "$work/arch.bin" evenlight-net-v9
"$img" weights "$weights" "$work/nan.bin" nan
run "$in" "$out" --weights "$work/empty.bin";     expect_error "empty weights file" "*empty.bin*" "$out"
run "$in" "$out" --weights "$work/truncated.bin"; expect_error "truncated weights file" "*truncated.bin*" "$out"
run "$in" "$out" --weights "$work/random.bin";    expect_error "random bytes as weights" "*random.bin*" "$out"
run "$in" "$out" --weights "$work/flipped.bin";   expect_error "one byte changed (checksum)" "*flipped.bin*" "$out"
run "$in" "$out" --weights "$work/arch.bin";      expect_error "weights of an unknown architecture" "*arch.bin*evenlight-net-v9*" "$out"
run "$in" "$out" --weights "$dequant";            expect_error "weights of the dequantization network" "*dequant-golden-weights.bin*evenlight-dequant-v1*" "$out"
run "$in" "$out" --weights "$data/golden.bin";    expect_error "golden vectors as weights" "*golden.bin*" "$out"
run "$in" "$out" --weights "$work/nan.bin";       expect_error "NaN in a tensor (valid checksum)" "*nan.bin*NaN*" "$out"
run "$in" "$out" --weights "$work";               expect_error "a directory as weights" "*evenlight-hostile-*" "$out"
run "$in" "$out" --weights "$work/none.bin";      expect_error "missing weights file" "*none.bin*" "$out"
EVENLIGHT_WEIGHTS=$work/flipped.bin run "$in" "$out"
expect_error "EVENLIGHT_WEIGHTS names a damaged file" "*flipped.bin*" "$out"
cp "$weights" "$work/readonly.bin"; chmod 0444 "$work/readonly.bin"
run "$in" "$out" --weights "$work/readonly.bin"
if [ "$status" -eq 0 ] && [ -e "$out" ]; then ok "read-only weights file is used"; else not_ok "read-only weights: $err"; fi
rm -f "$out"
cp "$weights" "$work/noread.bin"; chmod 0000 "$work/noread.bin"
if [ "$(id -u)" -ne 0 ]; then
  run "$in" "$out" --weights "$work/noread.bin"
  expect_error "unreadable weights file" "*noread.bin*ermission*" "$out"
else
  ok "unreadable weights file # SKIP root reads any file"
fi

# 5. Outputs that cannot be written: status 1, nothing left behind.
run "$in" "$work/no-such-dir/out.png" --weights "$weights"
expect_error "output in a missing folder" "*no-such-dir*" "$work/no-such-dir/out.png"
run "$in" "$work/in-1x1.png/out.png" --weights "$weights"
expect_error "output under a file" "*in-1x1.png*" "$work/in-1x1.png/out.png"
mkdir "$work/adir"
run "$in" "$work/adir" --weights "$weights"
if [ "$status" -eq 1 ] && [ -d "$work/adir" ] && [ -z "$(ls -A "$work/adir")" ]; then
  ok "a folder as output: ${err%%$'\n'*}"
else
  not_ok "a folder as output: status $status: $err"
fi
run "$in" "$work/out.xyz" --weights "$weights"
expect_error "unknown output extension" "*out.xyz*" "$work/out.xyz"
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$work/ro"; chmod 0555 "$work/ro"
  run "$in" "$work/ro/out.png" --weights "$weights"
  expect_error "output in a read-only folder" "*ro/out.png*" "$work/ro/out.png"
else
  ok "output in a read-only folder # SKIP root writes anywhere"
fi
ls "$work"/.evenlight* "$work"/*.tmp >/dev/null 2>&1 && not_ok "temporary files left behind" || ok "no temporary files left behind"

# 6. Damaged inputs: an error, not a result made of the loader's guesses.
cp "$in" "$work/in.png"
head -c 3 "$work/in.png" >"$work/head3.png"
run "$work/head3.png" "$work/o.png" --weights "$weights"
expect_error "3-byte PNG" "*head3.png*" "$work/o.png"
head -c 100 /dev/zero >"$work/zeros.png"
run "$work/zeros.png" "$work/o.png" --weights "$weights"
expect_error "zeros named .png" "*zeros.png*" "$work/o.png"
# Bytes that are no image, under a name no loader of GEGL's claims: a clear
# error at once (GEGL would hand them to ImageMagick, which can spin).
head -c 5000 /dev/urandom >"$work/random.dat"
run "$work/random.dat" "$work/o.png" --weights "$weights"
expect_error "random bytes named .dat" "*random.dat*not an image*" "$work/o.png"
printf 'not a picture\n' >"$work/notes.txt"
run "$work/notes.txt" "$work/o.png" --weights "$weights"
expect_error "a text file" "*notes.txt*not an image*" "$work/o.png"
"$img" make nasty 300 200 "$work/big.tif" >/dev/null
head -c 200000 "$work/big.tif" >"$work/trunc.tif"
run "$work/trunc.tif" "$work/o.tif" --weights "$weights"
expect_error "truncated TIFF" "*trunc.tif*" "$work/o.tif"
"$img" make plain 300 200 "$work/big.png" >/dev/null
size=$(stat -c %s "$work/big.png")
head -c $((size / 2)) "$work/big.png" >"$work/trunc.png"
run "$work/trunc.png" "$work/o.png" --weights "$weights"
expect_error "PNG cut at half its size" "*trunc.png*incomplete*" "$work/o.png"
# The last 12 bytes (the IEND chunk) missing: all pixel data is there.
head -c $((size - 12)) "$work/big.png" >"$work/noiend.png"
run "$work/noiend.png" "$work/o.png" --weights "$weights"
expect_error "PNG without its IEND chunk" "*noiend.png*incomplete*" "$work/o.png"

if command -v convert >/dev/null; then
  convert "$work/big.png" -quality 95 "$work/big.jpg"
  convert "$work/big.png" -quality 95 -interlace Plane "$work/prog.jpg"
  { cat "$work/big.jpg"; printf 'trailing bytes after the end marker'; } >"$work/trailer.jpg"
  for f in big prog trailer; do
    run "$work/$f.jpg" "$work/o.png" --weights "$weights"
    if [ "$status" -eq 0 ] && [ -e "$work/o.png" ]; then ok "complete JPEG ($f) accepted"; else not_ok "complete JPEG ($f): status $status: $err"; fi
    rm -f "$work/o.png"
  done
  for f in big prog; do
    size=$(stat -c %s "$work/$f.jpg")
    head -c $((size / 2)) "$work/$f.jpg" >"$work/trunc-$f.jpg"
    run "$work/trunc-$f.jpg" "$work/o.png" --weights "$weights"
    expect_error "JPEG ($f) cut at half its size" "*trunc-$f.jpg*incomplete*" "$work/o.png"
  done
  head -c $(( $(stat -c %s "$work/big.jpg") - 2 )) "$work/big.jpg" >"$work/noeoi.jpg"
  run "$work/noeoi.jpg" "$work/o.png" --weights "$weights"
  expect_error "JPEG without its end marker" "*noeoi.jpg*incomplete*" "$work/o.png"
else
  ok "truncated JPEG # SKIP ImageMagick's convert not installed"
fi
sum_before=$(md5sum <"$work/trunc.png")
run "$work/trunc.png" "$work/o.png" --weights "$weights"
[ "$(md5sum <"$work/trunc.png")" = "$sum_before" ] && ok "refused input left untouched" || not_ok "refused input was modified"

# A 30000 × 20000 PNG header whose pixel data stops after 2 KB: it must
# be refused before decoding, not decoded (and processed) for minutes. The
# limit only catches that (a refusal takes a second or two, start-up
# included, even on a busy machine).
cp "$(dirname "$0")/header-30000x20000.png" "$work/huge.png"
start=$(date +%s)
CLI_TIMEOUT=60 run "$work/huge.png" "$work/o.png" --weights "$weights"
[ "$status" -eq 124 ] && err="(still running after 60 s, killed)"
expect_error "truncated 30000 × 20000 PNG refused before decoding ($(( $(date +%s) - start )) s)" "*huge.png*incomplete*" "$work/o.png"

# 7. Whole-image methods on an image too large for this machine's memory
#    (about 35 GB for --method classic at 30000 × 20000): refused from the
#    header, before decoding, with the advice to use --method net.
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null)
for m in classic laic; do
  if [ "${avail_kb:-0}" -gt 30000000 ]; then
    ok "--method $m on 30000 × 20000 refused for memory # SKIP more than 30 GB available here"
    continue
  fi
  start=$(date +%s)
  CLI_TIMEOUT=60 run "$work/huge.png" "$work/o.png" --method $m
  [ "$status" -eq 124 ] && err="(still running after 60 s, killed)"
  expect_error "--method $m on 30000 × 20000 refused for memory ($(( $(date +%s) - start )) s)" \
    "*memory*--method $m*30000 × 20000*--method net*" "$work/o.png"
done

echo "1..$n"
