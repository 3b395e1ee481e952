#!/usr/bin/env bash
# Retrains evenlight-v1 from scratch with one command: data, targets,
# training (both stages, fixed seeds and step counts), export, the exposure
# floor (calibrate_exposure.py), stage 2 again with its loss after the
# exposure step, the Fusion-Net for brackets
# (weights/fuse/train_fuse.py), evaluation on
# the held-out photos and the picture grid. Prints the wall time of every
# stage.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: weights/train/retrain.sh OUT_DIR [DATADIR]
#
#   OUT_DIR   receives evenlight-v1.bin, loss-curves.png, grid.png,
#             eval.txt / eval.json, timings.txt and the training run (run/:
#             log, history, checkpoints). Nothing in the source tree is
#             overwritten; copy the files over weights/ to ship them.
#   DATADIR   the photos (default weights/train/data, not in git); photos
#             and targets already there are reused (get-data.sh and
#             make_targets.py are idempotent).
#
# Environment: STEPS1 (default 1500), STEPS2 (default 720) and
# STEPS2_EXPOSURE (default 2160, stage 2 after the step) set the stage
# lengths; STAGE1_FROM=FILE takes stage 1 from a weights file and
# trains stage 2 only; THREADS (default 1, as the run that made the shipped
# weights; torch's results depend on the thread count, so another count
# gives slightly different weights); PYTHON (default /usr/bin/python3).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 OUT_DIR [DATADIR]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
data=${2:-$here/data}
python=${PYTHON:-/usr/bin/python3}
threads=${THREADS:-1}
export PYTHON="$python"
# The targets are made by the C retouching module, compiled once into the
# output directory (not into the source tree).
export EVENLIGHT_RETOUCH_SO_DIR="${EVENLIGHT_RETOUCH_SO_DIR:-$out/retouch-so}"

# What training needs from Debian (tests/debian-deps.sh), installed if
# missing: a new machine has no PyTorch.
# shellcheck source=../../tests/debian-deps.sh
. "$root/tests/debian-deps.sh"
evenlight_ensure_packages $EVENLIGHT_TRAIN_PACKAGES

timings="$out/timings.txt"
: > "$timings"
total0=$(date +%s)

stage() {
  name=$1
  shift
  t0=$(date +%s)
  echo "== $name: $*"
  "$@"
  t1=$(date +%s)
  line=$(printf '%-22s %6d s  (%.1f min)' "$name" $((t1 - t0)) "$(echo "$t1 $t0" | awk '{print ($1 - $2) / 60}')")
  echo "$line" | tee -a "$timings"
}

stage "data (get-data.sh)" sh "$here/get-data.sh" "$data"
stage "targets" "$python" "$here/make_targets.py" "$data"

set -- --data "$data" --out "$out/evenlight-v1.bin" --curves "$out/loss-curves.png" \
  --run-dir "$out/run" --cache-dir "$out/run/cache" \
  --steps1 "${STEPS1:-1500}" --steps2 "${STEPS2:-720}" --threads "$threads"
if [ -n "${STAGE1_FROM:-}" ]; then
  set -- "$@" --stage1-from "$STAGE1_FROM"
fi
stage "train + export" "$python" "$here/train.py" "$@"
# The exposure floor (MODEL.md §5b), chosen on the training photos and
# written into the weights file.
stage "exposure floor" "$python" "$here/calibrate_exposure.py" --data "$data" \
  --weights "$out/evenlight-v1.bin" --threads "$threads"

# The Fusion-Net for brackets (MODEL.md §3b), fine-tuned from the one just
# trained and written into the same file.
# Stage 2 again, from scratch, with its loss taken after the exposure step
# of that floor (weights/README.md, "Training"): the Restoration-Net learns
# to remove the noise the step's gain makes visible.
stage "stage 2 after step" "$python" "$here/train.py" --data "$data" \
  --stage1-from "$out/evenlight-v1.bin" --stage2-exposure --steps2 "${STEPS2_EXPOSURE:-2160}" \
  --out "$out/evenlight-v1.bin" --curves "$out/loss-curves-stage2-exposure.png" \
  --run-dir "$out/run-stage2-exposure" --cache-dir "$out/run/cache" --threads "$threads"

stage "bracket fusion" "$python" "$root/weights/fuse/train_fuse.py" --data "$data" \
  --weights "$out/evenlight-v1.bin" --out "$out/evenlight-v1.bin" --threads "$threads"

stage "evaluate + grid" sh -c '"$1" "$2/evaluate.py" --data "$3" --weights "$4/evenlight-v1.bin" \
  --grid "$4/grid.png" --json "$4/eval.json" --threads "$5" > "$4/eval.txt"' \
  sh "$python" "$here" "$data" "$out" "$threads"
cat "$out/eval.txt"

total1=$(date +%s)
printf '%-22s %6d s  (%.1f min)\n' "total" $((total1 - total0)) \
  "$(echo "$total1 $total0" | awk '{print ($1 - $2) / 60}')" | tee -a "$timings"
echo "weights: $out/evenlight-v1.bin  (ship: cp $out/evenlight-v1.bin $out/grid.png $root/weights/)"
