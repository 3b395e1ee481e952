#!/usr/bin/env bash
# evenlight — install the GIMP 2.10 plug-in for the current user (no root).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: plugin/install-user.sh [BUILD_DIR]      (default: build)
#
# Builds the plug-in if needed (set EVENLIGHT_NO_BUILD=1 to skip that) and
# copies it into GIMP's per-user plug-in folder,
#   ${GIMP2_DIRECTORY:-~/.config/GIMP/2.10}/plug-ins/evenlight/
#     evenlight            the plug-in
#     evenlight-v1.bin     the weights (the plug-in looks next to itself)
#     evenlight-dequant-v3.bin  the weights of the dequantization network
#                          (Even Light for Dark Photos)
#     locale/LANG/LC_MESSAGES/evenlight.mo   (likewise for translations)
# Restart GIMP afterwards: Colors ▸ Tone Mapping ▸ Even Light…
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
# A relative build folder is taken from the current folder if it exists
# there, else from the source tree.
if [ -d "$build" ]; then
  build=$(cd "$build" && pwd)
elif [[ $build != /* ]]; then
  build=$top/$build
fi

if [ "${EVENLIGHT_NO_BUILD:-0}" != 1 ]; then
  [ -f "$build/build.ninja" ] || meson setup "$build" "$top"
  meson compile -C "$build"
fi
plugin=$build/plugin/evenlight
[ -x "$plugin" ] || { echo "install-user.sh: $plugin was not built (is libgimp2.0-dev installed?)" >&2; exit 1; }

gimp_dir=${GIMP2_DIRECTORY:-${XDG_CONFIG_HOME:-$HOME/.config}/GIMP/2.10}
dest=$gimp_dir/plug-ins/evenlight
# GIMP fills in a new profile (brushes, gradients, gimprc, …) only when its
# folder does not exist yet; creating plug-ins/ first would leave a profile
# without those folders and GIMP would complain at every start. So if there
# is no profile yet, let GIMP make it before the plug-in is copied in.
if [ ! -d "$gimp_dir" ] && command -v gimp-console-2.10 >/dev/null; then
  GIMP2_DIRECTORY=$gimp_dir gimp-console-2.10 -i -d -f -b '(gimp-quit 0)' >/dev/null 2>&1 || true
fi
mkdir -p "$dest"
install -m 755 "$plugin" "$dest/evenlight"

weights=$top/weights/evenlight-v1.bin
if [ -f "$weights" ]; then
  install -m 644 "$weights" "$dest/evenlight-v1.bin"
else
  echo "install-user.sh: warning: $weights not found; set EVENLIGHT_WEIGHTS or install it later next to the plug-in" >&2
fi
# The file name the plug-in looks for (core/dequant.h).
dq_file=$(awk -F'"' '/define EVENLIGHT_DEQUANT_FILE/ { print $2 }' "$top/core/dequant.h")
dq_weights=$top/weights/$dq_file
if [ -f "$dq_weights" ]; then
  install -m 644 "$dq_weights" "$dest/$dq_file"
else
  echo "install-user.sh: warning: $dq_weights not found; set EVENLIGHT_DEQUANT_WEIGHTS or install it later next to the plug-in" >&2
fi

n_lang=0
for mo in "$build"/po/*/LC_MESSAGES/evenlight.mo; do
  [ -f "$mo" ] || continue
  lang=$(basename "$(dirname "$(dirname "$mo")")")
  mkdir -p "$dest/locale/$lang/LC_MESSAGES"
  install -m 644 "$mo" "$dest/locale/$lang/LC_MESSAGES/evenlight.mo"
  n_lang=$((n_lang + 1))
done

echo "Installed the Even Light plug-in into $dest ($n_lang translations)."
echo "Restart GIMP, then use Colors > Tone Mapping > Even Light..."
