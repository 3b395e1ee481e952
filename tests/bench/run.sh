#!/bin/bash
# Benchmark of evenlight: speed against the compute bound of the network,
# the PyTorch reference of the same network, GIMP's Retinex and GEGL's
# shadows-highlights, the plug-in in GIMP from call to return, the CLI's
# peak memory, its start-up and batch mode.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage:  bash tests/bench/run.sh [--quick] [BUILD_DIR]      (BUILD_DIR: build/)
#
# The full run takes about 6-9 minutes on 2 cores. --quick uses tiny images
# and one run of everything: a smoke test that every section still prints a
# number (meson test -C BUILD_DIR --suite bench); its timings mean nothing.
# The inputs are tests/data/sample.jpg scaled and cropped to each size with
# ImageMagick, in a temporary directory that is removed afterwards.
# Sections whose tool is missing (torch, gimp-console-2.10, gegl) print a
# "skipped" line; a section that should have printed a number and did not
# makes the script exit 1.
set -u

quick=0
build=
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $arg" >&2; exit 2 ;;
    *) build=$arg ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${build:-$root/build}" 2>/dev/null && pwd) || { echo "run.sh: no build directory ${build:-$root/build}" >&2; exit 2; }
bench=$build/tests/bench/bench-enhance
cli=$build/ui/cli/evenlight
weights=${EVENLIGHT_WEIGHTS:-$root/weights/evenlight-v1.bin}
sample=$root/tests/data/sample.jpg
python=/usr/bin/python3
for f in "$bench" "$cli" "$weights" "$sample"; do
  [ -e "$f" ] || { echo "run.sh: $f is missing (build first: ninja -C $build)" >&2; exit 2; }
done

if [ $quick = 1 ]; then
  sizes="320x160 640x360 800x600"      # the last one holds the 512x512 preview
  runs=1; cmp_sizes="640x360"; cmp_runs=1; torch_runs=1; rss_size=800x600
  e2e_size=640x360; e2e_runs=1
  bench_flags="--quick"
else
  sizes="1000x500 1280x720 4000x3000 6000x4000"
  runs=5; cmp_sizes="1280x720 4000x3000"; rss_size=6000x4000; bench_flags=
  e2e_size=4000x3000; e2e_runs=3
fi
# Runs of the whole-process and PyTorch comparisons per size: fewer at
# 12 MP, where one PyTorch run takes tens of seconds.
cmp_runs_for () { [ $quick = 1 ] && echo 1 || { [ "$1" = 1280x720 ] && echo 5 || echo 3; }; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
missing=()
need () { [ -n "$2" ] || missing+=("$1"); }

# median, min and max of the numbers on stdin, one a line
stats () { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "%.0f %.0f %.0f\n", m, v[1], v[NR] }'; }

echo "== evenlight benchmark: bash tests/bench/run.sh $*"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')   host load (uptime):$(uptime | sed 's/.*load average/ load average/')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) processors; build: $build"
echo "tree: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet -- core 2>/dev/null || echo ' + uncommitted changes in core/')"
if command -v ninja >/dev/null && ninja -C "$build" -n 2>/dev/null | grep -q 'Compiling\|Linking'; then
  echo "warning: $build is older than the sources; these are the figures of the last build (ninja -C $build)"
fi
echo

# ---------------------------------------------------------------- inputs
have_convert=0
command -v convert >/dev/null && have_convert=1
inputs=()
for s in $sizes $rss_size; do
  f=$tmp/photo-$s.ppm
  [ -e "$f" ] && continue
  if [ $have_convert = 1 ]; then
    convert "$sample" -resize "$s^" -gravity center -extent "$s" -depth 8 "$f" || exit 1
  fi
done
if [ $have_convert = 1 ]; then
  for s in $sizes; do inputs+=("$tmp/photo-$s.ppm"); done
  echo "inputs: tests/data/sample.jpg scaled to cover and centre-cropped, 8-bit PPM"
else
  for s in $sizes; do inputs+=(--size "$s"); done
  echo "inputs: ImageMagick's convert missing: synthetic images; the tool comparisons are skipped"
fi
echo

# --------------------------------------------- engine: bound, sizes, preview
out=$tmp/bench.txt
"$bench" --weights "$weights" --runs $runs $bench_flags "${inputs[@]}" | tee "$out"
[ ${PIPESTATUS[0]} = 0 ] || { echo "run.sh: bench-enhance failed" >&2; exit 1; }
n_full=$(awk '$1 == "full" && $5 + 0 > 0' "$out" | wc -l)
[ "$n_full" = $(( $(echo $sizes | wc -w) * 2 )) ] || missing+=("full-pipeline rows")
need "CPU peak" "$(grep -A1 'CPU peak' "$out" | grep -o '2 threads [0-9.]* GFLOP' )"
need "flops per pixel" "$(awk '$1 == "total" && $3 + 0 > 0' "$out")"
need "slope" "$(grep -E '^slope +threads=2 wall: +[0-9.-]+ ms/MP' "$out")"
need "preview" "$(awk '/^preview Shadows move/ && $6 + 0 > 0' "$out")"
need "preview (Denoise)" "$(awk '/^preview Denoise move/ && $6 + 0 > 0' "$out")"
need "context share" "$(awk '$1 == "full" && $16 + 0 > 0' "$out")"
median_of () { awk -v s="$1" -v t="$2" '$1 == "full" && $2 == s && $4 == t { print $5 }' "$out"; }
echo

# ------------------------------------------------------- exposure fusion
fuse_out=$tmp/fuse.txt
"$build/tests/bench/bench-fuse" --weights "$weights" $([ $quick = 1 ] && echo --quick) | tee "$fuse_out"
[ ${PIPESTATUS[0]} = 0 ] || { echo "run.sh: bench-fuse failed" >&2; exit 1; }
fuse_ms=$(awk '/^fuse / { for (i = 1; i <= NF; i++) if ($i == "total") print $(i + 1) }' "$fuse_out")
need "exposure fusion" "$fuse_ms"
echo

# ------------------------------------------- very dark photos: LAIC, dequant
# tests/laic/laic-run on a dark 8-bit capture of the photo (0.04 J^1.2, the
# recipe of weights/DEQUANT.md), as raw float RGB: LAIC and the
# dequantization network (weights/evenlight-dequant-v3.bin) on 2 threads,
# each timed by the tool itself; peak RSS of the whole process, and of the
# dequantization alone (--gain-from the first run's gains, LAIC skipped).
laic_size=$([ $quick = 1 ] && echo 320x240 || echo 4000x3000)
laic_runs=$([ $quick = 1 ] && echo 1 || echo 3)
laic_ms=; dq_ms=
echo "== very dark photos, $laic_size, 2 threads: LAIC and dequantization (laic-run, $laic_runs runs)"
if [ $have_convert = 1 ] && [ -x "$build/tests/laic/laic-run" ] && [ -x $python ]; then
  raw=$tmp/dark-$laic_size.raw
  $python -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<II", *map(int, sys.argv[1].split("x"))))' \
    "$laic_size" >"$raw"
  convert "$sample" -resize "$laic_size^" -gravity center -extent "$laic_size" \
    -evaluate pow 1.2 -evaluate multiply 0.04 -depth 8 ppm:- |
    convert ppm:- -depth 32 -define quantum:format=floating-point -endian LSB rgb:- >>"$raw"
  rm -f "$tmp/laic.times"
  for ((r = 0; r < laic_runs; r++)); do
    /usr/bin/time -f 'rss %M' "$build/tests/laic/laic-run" "$raw" "$tmp/dark-out.raw" --threads 2 \
      --dequant "$root/weights/evenlight-dequant-v3.bin" --gain "$tmp/dark-gain.raw" 2>&1 |
      sed -n 's/.*laic \([0-9.]*\) s, dequant \([0-9.]*\) s.*/\1 \2/p; s/^rss \([0-9]*\)/rss \1/p' >>"$tmp/laic.times"
  done
  for ((r = 0; r < laic_runs; r++)); do
    /usr/bin/time -f 'rss %M' "$build/tests/laic/laic-run" "$raw" "$tmp/dark-out.raw" --threads 2 \
      --gain-from "$tmp/dark-gain.raw" --dequant "$root/weights/evenlight-dequant-v3.bin" 2>&1 |
      sed -n 's/^rss \([0-9]*\)/dqrss \1/p' >>"$tmp/laic.times"
  done
  laic_ms=$(awk '$1 ~ /^[0-9]/ { print $1 * 1000 }' "$tmp/laic.times" | stats | cut -d' ' -f1)
  dq_ms=$(awk '$1 ~ /^[0-9]/ { print $2 * 1000 }' "$tmp/laic.times" | stats | cut -d' ' -f1)
  rss_mb=$(awk '$1 == "rss" { print $2 / 1024 }' "$tmp/laic.times" | stats | cut -d' ' -f1)
  dq_rss_mb=$(awk '$1 == "dqrss" { print $2 / 1024 }' "$tmp/laic.times" | stats | cut -d' ' -f1)
  w=${laic_size%x*}; h=${laic_size#*x}
  echo "LAIC median $laic_ms ms; dequantization median $dq_ms ms (target <= 600); peak RSS of the tool $rss_mb MB" \
       "(float RGB image $(( w * h * 12 / 1048576 )) MB; the tool holds the image and the gains)"
  echo "dequantization alone (--gain-from): peak RSS $dq_rss_mb MB," \
       "$(awk -v r="$dq_rss_mb" -v f=$(( w * h * 12 )) 'BEGIN { printf "%.2f", r * 1048576 / f }')x the float RGB image (target <= 2.5x)"
  # The dark-photo dialog's coarse answer (laic-run --preview): the solver
  # made, the first level it shows (>= 8k pixels) and the finest it solves
  # for a Contrast move (<= 64k pixels), then the same for contrast 2 on
  # the same solver (a move of the slider).
  "$build/tests/laic/laic-run" "$raw" "$tmp/dark-out.raw" --threads 2 --preview 65536 \
    --preview-contrast 2 2>"$tmp/preview.txt"
  sed 's/^preview: /  /' "$tmp/preview.txt"
  # ms to the first level of >= 8192 pixels (the first the dialog shows)
  # for contrast $1, from the start of its solve (the solver is made once).
  first_level () { awk -v c="$1" '$1 == "preview:" && $2 == "contrast" && $3 == c "," && $5 ~ /^[0-9]+$/ {
      s = $6; gsub(/[^0-9]+/, " ", s); split(s, d, " ")
      if (d[1] * d[2] >= 8192 && t == "") t = $(NF - 1) }
    END { if (t != "") printf "%.0f", t * 1000 }' "$tmp/preview.txt"; }
  prev_solver=$(awk '/^preview: solver made in/ { printf "%.0f", $5 * 1000 }' "$tmp/preview.txt")
  prev_open_ms=$(first_level 1); prev_move_ms=$(first_level 2)
  echo "coarse answer (laic-run --preview 65536 --preview-contrast 2): solver made in $prev_solver ms," \
       "then the first level shown at $prev_open_ms ms; Contrast moved to 2: its first level at $prev_move_ms ms"
  rm -f "$raw" "$tmp/dark-out.raw" "$tmp/dark-gain.raw"
  need "LAIC" "$laic_ms"; need "dequantization" "$dq_ms"; need "dequantization peak" "$dq_rss_mb"
  need "LAIC's coarse answer" "$prev_move_ms"
else
  echo "LAIC and dequantization: skipped (needs convert, $python and $build/tests/laic/laic-run)"
fi
echo

# ------------------------------------------ the dark-photo dialog in GIMP
# tests/bench/dark-dialog.sh: the first preview after the dialog opens on a
# 12 MP layer and the answer to a Contrast move, in a real GIMP under Xvfb.
dialog_first=; dialog_move=
if [ $quick = 0 ]; then
  echo "== the dark-photo dialog on a 12 MP layer in GIMP (tests/bench/dark-dialog.sh, 3 runs)"
  bash "$root/tests/bench/dark-dialog.sh" "$build" 3 4000x3000 >"$tmp/dialog.txt" 2>&1
  case $? in
    0) cat "$tmp/dialog.txt"
       dialog_first=$(sed -n 's/.*first preview \([0-9.]*\) ms.*/\1/p' "$tmp/dialog.txt")
       dialog_move=$(sed -n 's/.*Contrast move to preview \([0-9.]*\) ms.*/\1/p' "$tmp/dialog.txt")
       need "dark dialog" "$dialog_first" ;;
    77) echo "skipped: $(tail -1 "$tmp/dialog.txt")" ;;
    *) cat "$tmp/dialog.txt"; missing+=("dark dialog") ;;
  esac
  echo
fi

# ------------------------------------------------------- PyTorch reference
echo "== PyTorch reference (weights/train/bench_torch.py: model.py + the same weights file,"
echo "   float32, torch.no_grad, torch.set_num_threads(2), default sliders) on the same photo;"
echo "   timed: one forward pass on the image already in memory (both grids, slicing, Fusion-,"
echo "   Restoration-Net, Phi), like bench-enhance's 'full' rows; warm-up on a 256x256 crop."
declare -A torch_ms torch_cpu
torch_ok=1
if [ ! -x $python ] || ! $python -c 'import torch' 2>/dev/null; then
  echo "PyTorch: skipped, /usr/bin/python3 has no torch (Debian package python3-torch)"
  torch_ok=0
elif [ $have_convert = 0 ]; then
  echo "PyTorch: skipped, no photo inputs (convert missing)"
  torch_ok=0
else
  for s in $cmp_sizes; do
    line=$($python "$root/weights/train/bench_torch.py" "$weights" "$tmp/photo-$s.ppm" \
             --runs $(cmp_runs_for $s) --threads 2)
    echo "$line"
    torch_ms[$s]=$(echo "$line" | grep -o 'median_ms=[0-9.]*' | cut -d= -f2)
    torch_cpu[$s]=$(echo "$line" | grep -o 'cpu_ms=[0-9.]*' | cut -d= -f2)
    need "PyTorch $s" "${torch_ms[$s]}"
  done
fi
echo

# ------------------------------------------- whole-process tools, same file
# Each tool reads the same 8-bit TIFF and writes an 8-bit TIFF; timed with
# /usr/bin/time as whole processes (start-up, load, filter, save). The
# load/save-only runs of GIMP and of gegl are subtracted to give the filter's
# own time. Runs are interleaved (one of each tool per round) so that load
# changes on the machine hit every tool alike.
echo "== whole processes on the same 8-bit TIFF (from the same photo), 2 threads where the tool"
echo "   has threads (evenlight --threads 2, GEGL_THREADS=2; GIMP: its default num-processors"
echo "   = $(nproc), Retinex itself is a single-threaded plug-in). Wall ms, median (min-max)."
echo "   filter = median(tool) - median(load/save only) of the same program:"
echo "   GIMP: gimp-console-2.10 -i -d -f batch with plug-in-retinex (scale 240, 3 scales, uniform,"
echo "   dynamic 1.2: the dialog defaults) minus the same batch with only gimp-file-load/-save;"
echo "   gegl: gegl:shadows-highlights shadows=50 highlights=-50 + convert to u8, minus 'gegl in -o out';"
echo "   evenlight CLI (default sliders; loads and saves with GEGL) minus the same 'gegl in -o out'."
have_gimp=0; have_gegl=0
command -v gimp-console-2.10 >/dev/null && have_gimp=1
command -v gegl >/dev/null && have_gegl=1
[ $have_gimp = 1 ] || echo "GIMP Retinex: skipped, gimp-console-2.10 not installed (Debian package gimp)"
[ $have_gegl = 1 ] || echo "GEGL shadows-highlights: skipped, gegl not installed (Debian package gegl)"
export GIMP2_DIRECTORY=$tmp/gimp-profile   # never the user's profile
# In a sanitizer build the CLI's GEGL modules keep allocations LeakSanitizer
# cannot attribute (as tests/run-all.sh says): leaks are checked elsewhere.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export GEGL_THREADS=2
# GIMP's batch mode as a script, so /usr/bin/time can run it: IN OUT FILTER(0/1)
cat >"$tmp/gimp-batch.sh" <<'EOS'
f=""
[ "$3" = 1 ] && f="(plug-in-retinex RUN-NONINTERACTIVE img d 240 3 0 1.2)"
exec gimp-console-2.10 -i -d -f -n -b "(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE \"$1\" \"$1\"))) (d (car (gimp-image-get-active-drawable img)))) $f (gimp-file-save RUN-NONINTERACTIVE img d \"$2\" \"$2\") (gimp-image-delete img))" -b '(gimp-quit 0)'
EOS
gimp_batch () { bash "$tmp/gimp-batch.sh" "$@"; }
timed () {   # NAME CMD...: appends wall ms to $tmp/t.NAME
  local name=$1; shift
  /usr/bin/time -f '%e' -o "$tmp/time.txt" "$@" >"$tmp/log.$name" 2>&1 \
    && awk '{ printf "%.0f\n", $1 * 1000 }' "$tmp/time.txt" >>"$tmp/t.$name" \
    || { echo "run.sh: $name failed:"; tail -5 "$tmp/log.$name"; }
}
declare -A filt
if [ $have_convert = 1 ]; then
  [ $have_gimp = 1 ] && gimp_batch "$tmp/photo-${sizes%% *}.ppm" "$tmp/warm.ppm" 0 >/dev/null 2>&1  # profile
  printf "%-42s %-10s %22s %14s\n" "what" "size" "whole process ms" "filter ms"
  for s in $cmp_sizes; do
    in=$tmp/in-$s.tif
    convert "$tmp/photo-$s.ppm" -depth 8 -compress none "$in"
    rm -f "$tmp"/t.*
    for ((r = 0; r < $(cmp_runs_for $s); r++)); do
      timed cli "$cli" -q -w "$weights" --threads 2 "$in" "$tmp/cli.tif"
      if [ $have_gegl = 1 ]; then
        timed gegl_io gegl "$in" -o "$tmp/io.tif"
        timed gegl_sh gegl "$in" -o "$tmp/sh.tif" -- gegl:shadows-highlights shadows=50 highlights=-50 \
          "gegl:convert-format" "format=R'G'B' u8"
      fi
      if [ $have_gimp = 1 ]; then
        timed gimp_io bash "$tmp/gimp-batch.sh" "$in" "$tmp/gio.tif" 0
        timed gimp_rx bash "$tmp/gimp-batch.sh" "$in" "$tmp/grx.tif" 1
      fi
    done
    if [ $have_gimp = 1 ] && cmp -s "$tmp/gio.tif" "$tmp/grx.tif"; then
      echo "run.sh: GIMP's Retinex left the image unchanged" >&2
      missing+=("GIMP Retinex output")
    fi
    row () {   # LABEL FILE [SUBTRACT-FILE] [KEY]
      local st sub="" fm=""
      st=$(stats <"$tmp/t.$2" 2>/dev/null) || { missing+=("$1 $s"); return; }
      if [ -n "${3:-}" ]; then
        local sst spread
        sst=$(stats <"$tmp/t.$3")
        sub=${sst%% *}
        spread=$(( $(echo $sst | cut -d' ' -f3) - $(echo $sst | cut -d' ' -f2) ))
        fm=$(( ${st%% *} - sub ))
        filt[$4,$s]=$fm
        # A difference smaller than the spread of the load/save runs is noise.
        if [ $fm -le $spread ]; then
          filt[$4,$s]="$fm (below the load/save spread of $spread)"
          fm="$fm (<noise)"
        fi
      fi
      printf "%-42s %-10s %8s (%s-%s) %14s\n" "$1" "$s" ${st%% *} $(echo $st | cut -d' ' -f2) \
        $(echo $st | cut -d' ' -f3) "$fm"
    }
    if [ $have_gegl = 1 ]; then
      row "gegl load/save only" gegl_io
      row "evenlight CLI, --threads 2" cli gegl_io cli
      row "gegl:shadows-highlights (gegl tool)" gegl_sh gegl_io gegl
    else
      row "evenlight CLI, --threads 2" cli
    fi
    if [ $have_gimp = 1 ]; then
      row "gimp-console load/save only" gimp_io
      row "GIMP plug-in-retinex (gimp-console)" gimp_rx gimp_io gimp
    fi
    echo "   ($(cmp_runs_for $s) runs each, interleaved)"
  done
else
  echo "tool comparison: skipped, no photo inputs (convert missing)"
fi
echo

# ------------------------------------------- GIMP end to end: the plug-in
# The time a GIMP user waits after OK, in batch mode: Script-Fu reads the
# clock just before (plug-in-evenlight ...) and just after it returns; the
# plug-in's own report (EVENLIGHT_DEBUG) splits that time into its parts,
# and what is left is starting the plug-in's process and GIMP's side of the
# call. The whole batch is also timed against the same batch without the
# call. The layer is the photo as an 8-bit TIFF, converted in GIMP to 16-bit
# and float for the other two rows.
echo "== GIMP end to end: plug-in-evenlight (default sliders) on a $e2e_size RGB layer in"
echo "   gimp-console-2.10 batch mode, from the call to its return (Script-Fu's clock); parts from"
echo "   the plug-in (EVENLIGHT_DEBUG); 'rest' = call - parts (process start, GIMP's side);"
echo "   batch = whole process with the call - the same batch without it. Median ms of $e2e_runs runs."
declare -A e2e_call
plugin=$build/plugin/evenlight
if [ $have_gimp = 0 ]; then
  echo "GIMP end to end: skipped, gimp-console-2.10 not installed (Debian package gimp)"
elif [ ! -x "$plugin" ]; then
  echo "GIMP end to end: skipped, the plug-in was not built ($plugin)"
elif [ $have_convert = 0 ]; then
  echo "GIMP end to end: skipped, no photo inputs (convert missing)"
else
  # shellcheck source=tests/gimp/profile.sh
  . "$root/tests/gimp/profile.sh"
  e2e_profile=$tmp/gimp-evenlight
  evenlight_profile_with_plugin "$e2e_profile" "$plugin"
  # IN CALL(0/1) PRECISION: prints "call-us N" (Script-Fu's message) when CALL is 1
  cat >"$tmp/gimp-e2e.sh" <<'EOB'
call=""
[ "$2" = 1 ] && call="(plug-in-evenlight RUN-NONINTERACTIVE img d 1.0 0.4 0.5)"
exec gimp-console-2.10 -i -d -f -n -b "
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE \"$1\" \"$1\")))
       (d (car (gimp-image-get-active-drawable img))))
  (if (not (= (car (gimp-image-get-precision img)) $3))
      (gimp-image-convert-precision img $3))
  (let ((t0 (gettimeofday)))
    $call
    (let ((t1 (gettimeofday)))
      (if (= $2 1)
          (gimp-message (string-append \"call-us \" (number->string
            (+ (* 1000000 (- (car t1) (car t0))) (- (cadr t1) (cadr t0)))))))))
  (gimp-image-delete img))" -b '(gimp-quit 0)'
EOB
  in=$tmp/e2e-$e2e_size.tif
  convert "$tmp/photo-$e2e_size.ppm" -depth 8 -compress none "$in"
  GIMP2_DIRECTORY=$e2e_profile bash "$tmp/gimp-e2e.sh" "$in" 0 PRECISION-U8-GAMMA >/dev/null 2>&1  # warm-up
  parts="read context render write merge"
  printf "%-7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %11s\n" layer call gegl_init \
    read context render write merge rest batch "call/engine"
  for prec in U8 U16 FLOAT; do
    rm -f "$tmp"/e2e.*
    for ((r = 0; r < e2e_runs; r++)); do
      GIMP2_DIRECTORY=$e2e_profile EVENLIGHT_DEBUG=1 /usr/bin/time -f '%e' -o "$tmp/time.txt" \
        bash "$tmp/gimp-e2e.sh" "$in" 1 "PRECISION-$prec-GAMMA" >"$tmp/e2e.log" 2>&1
      awk '{ printf "%.0f\n", $1 * 1000 }' "$tmp/time.txt" >>"$tmp/e2e.with"
      sed -n 's/.*call-us \([0-9]*\).*/\1/p' "$tmp/e2e.log" | awk '{ print $1 / 1000 }' >>"$tmp/e2e.call"
      for p in gegl_init $parts; do
        sed -n "s/^evenlight: .* $p \([0-9.]*\) ms.*/\1/p" "$tmp/e2e.log" >>"$tmp/e2e.$p"
      done
      GIMP2_DIRECTORY=$e2e_profile /usr/bin/time -f '%e' -o "$tmp/time.txt" \
        bash "$tmp/gimp-e2e.sh" "$in" 0 "PRECISION-$prec-GAMMA" >/dev/null 2>&1
      awk '{ printf "%.0f\n", $1 * 1000 }' "$tmp/time.txt" >>"$tmp/e2e.without"
    done
    med () { stats <"$tmp/e2e.$1" 2>/dev/null | cut -d' ' -f1; }
    call=$(med call)
    if [ -z "$call" ] || [ -z "$(med render)" ]; then
      echo "run.sh: plug-in-evenlight on a $prec layer printed no timings:"; tail -5 "$tmp/e2e.log"
      missing+=("GIMP end to end $prec")
      continue
    fi
    e2e_call[$prec]=$call
    sum=0
    for p in gegl_init $parts; do sum=$(( sum + $(med $p) )); done
    engine=$(median_of "$e2e_size" 2)
    printf "%-7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %11s\n" $prec $call $(med gegl_init) \
      $(med read) $(med context) $(med render) $(med write) $(med merge) $(( call - sum )) \
      $(( $(med with) - $(med without) )) \
      "$(awk -v c="$call" -v e="$engine" 'BEGIN { if (e > 0) printf "%.2f", c / e; else print "-" }')"
  done
  echo "   (engine: bench-enhance 'full' $e2e_size, 2 threads, above: $(median_of "$e2e_size" 2) ms; the plug-in"
  echo "   renders on $(nproc) threads, GIMP's processors; parts are medians of each column, so they need"
  echo "   not add up to the median call exactly)"
fi
echo

# ------------------------------------------------------ CLI memory at 24 MP
echo "== evenlight CLI peak RSS (/usr/bin/time -v, --threads 2, 8-bit TIFF in and out) against"
echo "   the image as 32-bit float RGBA (W x H x 16 bytes)"
rss_ratio=; rss_ratio_nocache=
if [ $have_convert = 1 ]; then
  in=$tmp/in-$rss_size.tif
  convert "$tmp/photo-$rss_size.ppm" -depth 8 -compress none "$in"
  small=$tmp/in-small.tif
  convert "$tmp/photo-${sizes%% *}.ppm" -depth 8 -compress none "$small"
  w=${rss_size%x*}; h=${rss_size#*x}
  # babl loads its cache of conversions (~/.cache/babl/babl-fishes) at
  # start-up, and what it builds from it can take hundreds of MB in every
  # GEGL program, whatever the image: so the figure is given with the
  # user's cache as it is and with the cache off (BABL_INHIBIT_CACHE=1).
  for mode in cache nocache; do
    env_mode=""
    [ $mode = nocache ] && env_mode="BABL_INHIBIT_CACHE=1"
    label=$([ $mode = cache ] && echo "babl cache as found" || echo "BABL_INHIBIT_CACHE=1")
    env $env_mode /usr/bin/time -v "$cli" -q -w "$weights" --threads 2 "$in" "$tmp/cli-rss.tif" 2>"$tmp/rss.txt" >/dev/null
    kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$tmp/rss.txt")
    [ -n "$kb" ] || continue
    ratio=$(awk -v kb="$kb" -v w="$w" -v h="$h" 'BEGIN { printf "%.2f", kb * 1024 / (w * h * 16) }')
    [ $mode = cache ] && rss_ratio=$ratio || rss_ratio_nocache=$ratio
    base=""
    if [ $have_gegl = 1 ] && env $env_mode /usr/bin/time -v gegl "$small" -o "$tmp/small-out.tif" 2>"$tmp/rss0.txt" >/dev/null; then
      base=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%.0f", $2 / 1024 }' "$tmp/rss0.txt")
    fi
    awk -v kb="$kb" -v w="$w" -v h="$h" -v r="$ratio" -v l="$label" -v b="$base" -v s="${sizes%% *}" 'BEGIN {
      printf "CLI %dx%d (%s): peak RSS %.0f MB, float RGBA image %.0f MB: %s x", w, h, l, kb / 1024, w * h * 16 / 1048576, r
      if (b != "") printf "   [gegl load/save of the %s image alone: %s MB]", s, b
      printf "\n" }'
  done
  rm -f "$in" "$tmp/cli-rss.tif" "$small"
else
  echo "CLI peak RSS: skipped, no photo inputs (convert missing)"
fi
[ $have_convert = 0 ] || need "CLI peak RSS" "$rss_ratio"
echo

# ------------------------------------------------- CLI start-up and batch
# A fresh process per photo (no page cache is dropped: "cold" here is a new
# process, the files are in memory), with babl's cache file present (the
# one a GIMP batch run writes, tests/data/babl-fishes-gimp, put back before
# each run since programs rewrite it at exit) and absent; then the same
# photos in one batch process. Peak RSS from /usr/bin/time.
echo "== evenlight CLI start-up: one 0.25 MP JPEG (500x500) per process, then a batch"
startup_ms=; startup_ms_nocache=; batch_s=
if [ $have_convert = 1 ]; then
  jpg=$tmp/startup.jpg
  convert "$sample" -resize '500x500^' -gravity center -extent 500x500 -quality 90 "$jpg"
  n_batch=$([ $quick = 1 ] && echo 5 || echo 100)
  n_runs=$([ $quick = 1 ] && echo 1 || echo 7)
  mkdir -p "$tmp/batch-in" "$tmp/batch-out"
  for i in $(seq -w 1 $n_batch); do cp "$jpg" "$tmp/batch-in/photo-$i.jpg"; done
  seed_cache () {  # seed_cache MODE XDG: babl's cache file as MODE wants it
    rm -rf "$2/babl"
    [ "$1" = cache ] || return 0
    mkdir -p "$2/babl" && cp "$root/tests/data/babl-fishes-gimp" "$2/babl/babl-fishes"
  }
  # The CLI's own report (EVENLIGHT_DEBUG) splits each run: weights,
  # gegl_init, checks, load, context, render, save; "rest" is the wall time
  # outside them (starting the process, linking its libraries, gegl_exit).
  startup_parts="weights gegl_init checks load context render save total"
  for mode in cache nocache; do
    xdg=$tmp/xdg-$mode
    rm -f "$tmp/startup.times" "$tmp"/startup.part.*
    for r in $(seq 0 $n_runs); do
      seed_cache $mode "$xdg"
      XDG_CACHE_HOME=$xdg EVENLIGHT_DEBUG=1 /usr/bin/time -f '%e %M %U %S %R' -o "$tmp/one.txt" \
        "$cli" -q -w "$weights" "$jpg" "$tmp/startup-out.jpg" >/dev/null 2>"$tmp/one.log" || break
      [ "$r" = 0 ] && continue   # run 0: warm-up
      cat "$tmp/one.txt" >>"$tmp/startup.times"
      for p in $startup_parts; do
        sed -n "s/^evenlight: .* $p \([0-9.]*\) ms.*/\1/p" "$tmp/one.log" >>"$tmp/startup.part.$p"
      done
    done
    [ -s "$tmp/startup.times" ] || continue
    read -r med lo hi < <(awk '{ print $1 * 1000 }' "$tmp/startup.times" | stats)
    rss=$(awk '{ print $2 }' "$tmp/startup.times" | stats | awk '{ printf "%.0f", $1 / 1024 }')
    cpu=$(awk '{ print ($3 + $4) * 1000 }' "$tmp/startup.times" | stats | cut -d' ' -f1)
    faults=$(awk '{ print $5 }' "$tmp/startup.times" | stats | cut -d' ' -f1)
    has=$([ $mode = cache ] && echo "babl cache file of a GIMP run present" || echo "no babl cache file")
    echo "one photo per process ($has): median $med ms wall (min $lo, max $hi), $cpu ms CPU" \
         "(user + system), peak RSS $rss MB, $faults minor page faults"
    line="   parts, median ms:"
    for p in $startup_parts; do
      line="$line $p $(stats <"$tmp/startup.part.$p" 2>/dev/null | cut -d' ' -f1)"
    done
    echo "$line; rest $(( med - $(stats <"$tmp/startup.part.total" | cut -d' ' -f1) ))"
    [ $mode = cache ] && startup_ms=$med || startup_ms_nocache=$med
  done
  seed_cache cache "$tmp/xdg-cache"
  XDG_CACHE_HOME=$tmp/xdg-cache /usr/bin/time -f '%e %M %U %S' -o "$tmp/batch.txt" \
    "$cli" -q -w "$weights" --output-dir "$tmp/batch-out" "$tmp"/batch-in/*.jpg >/dev/null 2>&1 &&
    read -r batch_s batch_kb batch_u batch_sys <"$tmp/batch.txt" &&
    echo "batch: $n_batch such photos in one process (--output-dir, $(nproc) files at once):" \
         "$batch_s s wall, $(awk -v u="$batch_u" -v s="$batch_sys" 'BEGIN { printf "%.1f", u + s }') s CPU," \
         "$(awk -v s="$batch_s" -v n=$n_batch 'BEGIN { printf "%.0f", s * 1000 / n }') ms per photo," \
         "peak RSS $(( batch_kb / 1024 )) MB"
  rm -rf "$tmp/batch-in" "$tmp/batch-out"
else
  echo "CLI start-up: skipped, no photo inputs (convert missing)"
fi
[ $have_convert = 0 ] || { need "CLI start-up" "$startup_ms"; need "CLI batch" "$batch_s"; }
echo

# ------------------------------------ the file path at 12 MP: CLI vs engine
# The 12 MP photo as an 8-bit PPM through the CLI (--threads 2) as a whole
# process, against the engine in memory (bench-enhance, above). The CLI's
# report (EVENLIGHT_DEBUG) gives the codec's own time: load (GEGL's PPM
# decoder filling the image's buffer) and save (its encoder writing the
# file). What the file path adds is the rest: wall time minus a 1 x 1 PPM
# through the CLI (start-up) minus load and save.
fp_size=$([ $quick = 1 ] && echo "$e2e_size" || echo 4000x3000)
fp_runs=$([ $quick = 1 ] && echo 1 || echo 5)
fp_ratio=
echo "== file path: a $fp_size 8-bit PPM through the CLI (--threads 2) against the engine in memory;"
echo "   wall ms, medians of $fp_runs runs after a warm-up, the two runs interleaved"
if [ $have_convert = 1 ]; then
  ppm=$tmp/photo-$fp_size.ppm
  tiny=$tmp/tiny.ppm
  convert -size 1x1 xc:gray50 -depth 8 "$tiny"
  rm -f "$tmp"/fp.*
  for r in $(seq 0 $fp_runs); do
    EVENLIGHT_DEBUG=1 /usr/bin/time -f '%e' -o "$tmp/time.txt" "$cli" -q -w "$weights" \
      --threads 2 "$ppm" "$tmp/fp-out.ppm" >/dev/null 2>"$tmp/fp.log"
    [ "$r" = 0 ] || awk '{ printf "%.0f\n", $1 * 1000 }' "$tmp/time.txt" >>"$tmp/fp.cli"
    [ "$r" = 0 ] || for p in load context render save; do
      sed -n "s/^evenlight: .* $p \([0-9.]*\) ms.*/\1/p" "$tmp/fp.log" >>"$tmp/fp.part.$p"
    done
    [ "$r" = 0 ] || sed -n 's/^evenlight: .* load \([0-9.]*\) ms.* save \([0-9.]*\) ms.*/\1 \2/p' \
      "$tmp/fp.log" | awk '{ printf "%.0f\n", $1 + $2 }' >>"$tmp/fp.codec"
    /usr/bin/time -f '%e' -o "$tmp/time.txt" "$cli" -q -w "$weights" --threads 2 \
      "$tiny" "$tmp/fp-tiny.ppm" >/dev/null 2>&1
    [ "$r" = 0 ] || awk '{ printf "%.0f\n", $1 * 1000 }' "$tmp/time.txt" >>"$tmp/fp.cli1"
  done
  fmed () { stats <"$tmp/fp.$1" 2>/dev/null | cut -d' ' -f1; }
  engine=$(median_of "$fp_size" 2)
  if [ -n "$(fmed cli)" ] && [ -n "$(fmed codec)" ] && [ -n "$engine" ]; then
    rest=$(( $(fmed cli) - $(fmed cli1) - $(fmed codec) ))
    fp_ratio=$(awk -v r="$rest" -v e="$engine" 'BEGIN { printf "%.2f", r / e }')
    echo "CLI $(fmed cli) ms; 1 x 1 PPM $(fmed cli1) ms; codec (load + save) $(fmed codec) ms" \
         "(load $(fmed part.load), save $(fmed part.save)); context $(fmed part.context)," \
         "render $(fmed part.render); engine $engine ms"
    echo "file path: (CLI - 1 x 1 - codec) / engine = $rest / $engine = $fp_ratio (target <= 1.3)"
  else
    missing+=("file path")
  fi
  rm -f "$tmp"/fp-*.ppm
else
  echo "file path: skipped, no photo inputs (convert missing)"
fi
echo

# ----------------------------------------------------------------- summary
echo "== summary (2 threads; wall ms, medians from above)"
for s in $cmp_sizes; do
  e=$(median_of "$s" 2)
  if [ $torch_ok = 1 ] && [ -n "${torch_ms[$s]:-}" ] && [ -n "$e" ]; then
    ec=$(awk -v s="$s" '$1 == "full" && $2 == s && $4 == 2 { print $9 }' "$out")   # CPU ms
    awk -v s="$s" -v e="$e" -v p="${torch_ms[$s]}" -v ec="$ec" -v pc="${torch_cpu[$s]}" 'BEGIN {
      printf "evenlight / PyTorch, %s, image in memory: wall %.0f / %.0f ms = %.3f (PyTorch %.1f x as long);" \
             " CPU time %.0f / %.0f ms = %.3f (%.1f x)\n", s, e, p, e / p, p / e, ec, pc, ec / pc, pc / ec }'
  fi
  if [ -n "${filt[cli,$s]:-}" ]; then
    line="filter only, $s: evenlight ${filt[cli,$s]} ms"
    [ -n "${filt[gimp,$s]:-}" ] && line="$line, GIMP Retinex ${filt[gimp,$s]} ms"
    [ -n "${filt[gegl,$s]:-}" ] && line="$line, GEGL shadows-highlights ${filt[gegl,$s]} ms"
    echo "$line"
  fi
done
[ -n "$rss_ratio" ] && echo "CLI peak RSS at $rss_size: $rss_ratio x the image as float RGBA" \
  "($rss_ratio_nocache x with BABL_INHIBIT_CACHE=1)"
[ -n "$startup_ms" ] && echo "CLI, one 0.25 MP JPEG per process: $startup_ms ms with babl's cache file," \
  "$startup_ms_nocache ms without; $n_batch in one batch process: $batch_s s"
[ -n "$fp_ratio" ] && echo "CLI file path at $fp_size, 8-bit PPM: (CLI - codec) / engine = $fp_ratio"
if [ -n "${e2e_call[U8]:-}" ]; then
  echo "GIMP plug-in, $e2e_size layer, call to return: ${e2e_call[U8]} ms 8-bit, ${e2e_call[U16]:-?} ms 16-bit," \
    "${e2e_call[FLOAT]:-?} ms float; engine in memory $(median_of "$e2e_size" 2) ms"
fi
if [ $quick = 0 ]; then
  # The issue's targets next to the figures (reported, never asserted).
  pv=$(awk '/^preview Shadows move/ { print $6 }' "$out")
  pvd=$(awk '/^preview Denoise move/ { print $6 }' "$out")
  ctx24=$(awk '$1 == "full" && $2 == "6000x4000" && $4 == 2 { print $15 " ms, " $16 }' "$out")
  echo "targets: 1280x720 $(median_of 1280x720 2) ms (<= 50); 12 MP $(median_of 4000x3000 2) ms (<= 1000);" \
       "24 MP $(median_of 6000x4000 2) ms (<= 2000); preview $pv ms (<= 15; Denoise only $pvd ms);" \
       "context at 24 MP $ctx24 of the total (reduce if > 15 %);" \
       "PyTorch/evenlight at 12 MP >= 10; CLI RSS at 24 MP <= 1.5 x;" \
       "fusion of 3 x 12 MP $fuse_ms ms (<= 1500);" \
       "dark photo at 12 MP: LAIC ${laic_ms:-?} ms (<= 1500), dequantization ${dq_ms:-?} ms (<= 600);" \
       "dark dialog at 12 MP: first preview ${dialog_first:-?} ms (<= 1000), Contrast move ${dialog_move:-?} ms (<= 200);" \
       "CLI first photo (0.25 MP JPEG) ${startup_ms:-?} ms (<= 150); 100 in batch ${batch_s:-?} s (<= 5);" \
       "CLI file path at 12 MP ${fp_ratio:-?} x engine + codec (<= 1.3);" \
       "GIMP plug-in at 12 MP, 8-bit ${e2e_call[U8]:-?} ms (<= 1.5 x engine = $(awk -v e="$(median_of 4000x3000 2)" 'BEGIN { printf "%.0f", 1.5 * e }'))"
fi
echo "finished: $(date -u '+%H:%M UTC'), load:$(uptime | sed 's/.*load average:/ /')"

if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: no number for: ${missing[*]}" >&2
  exit 1
fi
exit 0
