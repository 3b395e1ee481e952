#!/bin/sh
# Fetches the training photos from Debian packages (GUIDE.md §4): downloads
# the packages without installing them, extracts them, and lets
# collect_photos.py select, normalise and list the photos.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: weights/train/get-data.sh [DATADIR]   (default weights/train/data)
# Result: DATADIR/photos/<id>.png and DATADIR/manifest.tsv. Idempotent:
# packages already downloaded or extracted are reused, photos already on
# disk are not decoded again (delete DATADIR/photos to redo them).
# Then: weights/train/make_targets.py [DATADIR] makes the targets.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${1:-$here/data}
python=${PYTHON:-/usr/bin/python3}

packages="gcompris-qt-data kphotoalbum lomiri-wallpapers-16.04
plasma-workspace-wallpapers mate-backgrounds opencv-doc python3-skimage
python3-sklearn"

mkdir -p "$data/debs/x"
cd "$data/debs"

missing=""
for p in $packages; do
  ls "${p}"_*.deb >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  # apt-get download writes into the current directory; as root it warns
  # that the _apt user cannot write here, which is harmless.
  apt-get download $missing 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
fi

for p in $packages; do
  deb=$(ls "${p}"_*.deb 2>/dev/null | sort | tail -n 1)
  if [ -z "$deb" ]; then
    echo "get-data: could not download $p (run apt-get update?)" >&2
    exit 1
  fi
  stamp="x/$p/.extracted-$deb"
  if [ ! -e "$stamp" ]; then
    rm -rf "x/$p"
    mkdir -p "x/$p"
    case $p in
      # Only the examples' data folder and the copyright file are needed.
      opencv-doc)
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "x/$p" \
          ./usr/share/doc/opencv-doc/examples/data \
          ./usr/share/doc/opencv-doc/copyright ;;
      *) dpkg-deb -x "$deb" "x/$p" ;;
    esac
    touch "$stamp"
  fi
done

cd "$here"
"$python" "$here/collect_photos.py" "$data"
# The committed copy of the manifest follows the default data directory
# only (make_targets.py then adds the clusters and coefficients).
if [ "$(cd "$data" && pwd)" = "$here/data" ]; then
  cp "$data/manifest.tsv" "$here/manifest.tsv"
fi
