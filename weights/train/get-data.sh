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

# The first eight gave the first 210 photos; the others were added for
# issue 12 (collect_photos.py, PHOTO_DIRS, lists what is taken from each).
packages="gcompris-qt-data kphotoalbum lomiri-wallpapers-16.04
plasma-workspace-wallpapers mate-backgrounds opencv-doc python3-skimage
python3-sklearn
palapeli-data lxqt-themes libjxl-testdata labelme-examples gimp-help-en
gimp-help-common python-matplotlib-data python3-scipy psychtoolbox-3-common
tuxpaint-data darknet forensics-samples-files node-opencv libsixel-examples
golang-github-disintegration-imaging-dev golang-golang-x-image-dev
lomiri-wallpapers-20.04 scribus-template libdlib19.1 nip2
afterstep-data gnome-taquin golang-github-bep-gowebp-dev libelementary-data
libjs-jquery-backstretch libjs-jquery-colorbox libjs-jquery-slides
python-kivy-examples qtbase5-examples qtdeclarative5-examples
ruby-rmagick-doc tuxtype-data tdiary-theme renpy-demo krank kodi-data
lifeograph liblemonldap-ng-portal-perl zoph"

# The folders taken from the packages that are only partly extracted.
partial_paths() {
  case $1 in
    gimp-help-en) echo ./usr/share/gimp/2.0/help/en/images/tutorials ;;
    libjxl-testdata) echo ./usr/share/libjxl-testdata/jxl/flower/flower.png \
      ./usr/share/libjxl-testdata/jxl/hdr_room.png ;;
    python3-scipy) echo ./usr/lib/python3/dist-packages/scipy/misc/face.dat ;;
    krank) echo ./usr/share/games/krank/levels/unera-backgrounds ;;
    kodi-data) echo ./usr/share/kodi/addons/skin.estuary/extras/home-images \
      ./usr/share/kodi/addons/skin.estouchy/background ;;
    psychtoolbox-3-common) echo ./usr/share/psychtoolbox-3/PsychDemos \
      ./usr/share/psychtoolbox-3/PsychHardware/EyelinkToolbox ;;
  esac
}

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
      # Large packages of which a few files are used: take only those
      # folders (and the copyright file, or its symlink).
      gimp-help-en|gimp-help-common|libjxl-testdata|python3-scipy|\
      psychtoolbox-3-common|krank|kodi-data)
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "x/$p" --wildcards \
          "./usr/share/doc/$p" \
          $(partial_paths "$p") ;;
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
