#!/usr/bin/env bash
# evenlight — batch mode (`--output-dir DIR INPUT…`) as a user drives it:
# the README's GNU parallel recipe run locally with -j2, and the progress
# line on a terminal (a pseudo-terminal from `script`), none with --quiet
# or without a terminal.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-batch.sh CLI HOSTILE-IMG   (TAP; GNU parallel and script(1)
# are among the test packages, tests/debian-deps.sh)
set -u
cli=$(realpath "$1") img=$(realpath "$2")
data=${EVENLIGHT_TEST_DATA:-$(dirname "$0")/../data}
weights=$data/golden-weights.bin
work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-batch-XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

for p in parallel script; do
  command -v $p >/dev/null || { echo "1..0 # SKIP $p not installed"; exit 77; }
done

mkdir -p "$work/in" "$work/ref"
for i in 1 2 3 4 5 6; do
  "$img" make plain $((40 + 7 * i)) $((30 + 5 * i)) "$work/in/photo-$i.png" >/dev/null ||
    { echo "Bail out! cannot make images"; exit 1; }
  "$cli" -q --weights "$weights" "$work/in/photo-$i.png" "$work/ref/photo-$i.png" ||
    { echo "Bail out! the CLI failed on photo-$i.png"; exit 1; }
done

same_as_ref () {  # same_as_ref DIR: DIR holds exactly the six results
  local f
  [ "$(ls "$1" | wc -l)" -eq 6 ] || return 1
  for f in "$work"/ref/*.png; do
    cmp -s "$f" "$1/$(basename "$f")" || return 1
  done
}

# 1. The README's recipe, on this machine: GNU parallel hands several
#    photos to each evenlight process (-X), two processes at a time.
(cd "$work" && parallel --will-cite -j2 -X "$cli" -q --weights "$weights" \
   --output-dir out {} ::: in/*.png) >"$work/parallel.log" 2>&1
if same_as_ref "$work/out"; then
  ok "parallel -j2 -X: every photo enhanced as one by one"
else
  not_ok "parallel -j2 -X: the results differ or are missing: $(ls "$work/out" 2>&1 | tr '\n' ' ')"
  sed 's/^/# /' "$work/parallel.log"
fi

# 2. On a terminal: a progress line (files done / total, the file, time
#    left) and a closing count.
script -qec "'$cli' --weights '$weights' --output-dir '$work/tty' $work/in/*.png" \
  /dev/null >"$work/tty.log" 2>&1
if grep -q 'done, photo-' "$work/tty.log" && grep -q '6 of 6 files enhanced' "$work/tty.log" &&
   same_as_ref "$work/tty"; then
  ok "progress on a terminal: files done, the current file, then \"6 of 6 files enhanced\""
else
  not_ok "progress on a terminal"
  tr '\r' '\n' <"$work/tty.log" | tail -5 | sed 's/^/# /'
fi

# 3. --quiet on a terminal, and no terminal: nothing on stderr.
script -qec "'$cli' -q --weights '$weights' --output-dir '$work/quiet' $work/in/*.png" \
  /dev/null >"$work/quiet.log" 2>&1
if [ ! -s "$work/quiet.log" ] && same_as_ref "$work/quiet"; then
  ok "--quiet on a terminal: nothing printed"
else
  not_ok "--quiet on a terminal printed something"
  sed 's/^/# /' "$work/quiet.log"
fi
"$cli" --weights "$weights" --output-dir "$work/pipe" "$work"/in/*.png 2>"$work/pipe.log" | cat
if [ ! -s "$work/pipe.log" ] && same_as_ref "$work/pipe"; then
  ok "stderr not a terminal: nothing printed"
else
  not_ok "stderr not a terminal: something printed"
  sed 's/^/# /' "$work/pipe.log"
fi

echo "1..$n"
[ $failed -eq 0 ]
