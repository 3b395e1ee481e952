# Sourced by plugin/quickstart.sh and tests/run-all.sh: the Debian 12
# packages evenlight needs, a function that installs whichever of them
# are missing (as root, or through sudo), and one that configures a build
# directory afresh when they changed.

# Build and run: compiler, meson, GLib, GEGL/babl, GIMP 2.10 and its headers.
EVENLIGHT_BUILD_PACKAGES="gcc pkg-config meson ninja-build gettext libglib2.0-dev libgegl-dev libbabl-dev gegl gimp libgimp2.0-dev python3"
# Tests only: a virtual X server and tools to drive the real GIMP window,
# image comparison, the exact LP solver for the LAIC test, PyTorch for the
# reference network's tests, GNU parallel for the batch-mode recipe, groff to
# check the manual page.
EVENLIGHT_TEST_PACKAGES="gtk2-engines-pixbuf xvfb xauth x11-utils xdotool imagemagick python3-numpy python3-pil libglpk-dev python3-torch parallel groff-base"
# Retraining the weights (weights/train/retrain.sh): PyTorch, images, the
# loss curves, the C compiler for the retouching module that makes targets.
EVENLIGHT_TRAIN_PACKAGES="python3-torch python3-numpy python3-pil python3-matplotlib gcc libglib2.0-dev pkg-config"
# The exposure-fusion comparison (weights/fuse/eval_fuse.py), not the tests:
# OpenCV's Mertens fusion and enfuse.
EVENLIGHT_EVAL_PACKAGES="python3-opencv enfuse python3-numpy python3-pil"
# Sanitizers, leak checks and fuzzing.
EVENLIGHT_CHECK_PACKAGES="valgrind clang libclang-rt-14-dev"

evenlight_ensure_packages ()
{
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

# The installed versions of every package above: a build directory
# remembers them when it is configured.
evenlight_package_stamp ()
{
  # dpkg-query fails for a package it has never seen (the test packages,
  # when the quick start runs): that is part of the answer, not an error
  # for callers under `set -e -o pipefail`.
  { dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n' \
      $EVENLIGHT_BUILD_PACKAGES $EVENLIGHT_TEST_PACKAGES $EVENLIGHT_CHECK_PACKAGES \
      2>/dev/null || true; } | sort
}

# evenlight_configure DIR [MESON_ARGS...]: configures the build directory
# DIR, afresh (meson setup --wipe) when the packages changed since it was
# configured: meson keeps what it found missing (a library, a header), so
# a directory configured before the test packages were installed would
# skip their tests for ever.
evenlight_configure ()
{
  local dir=$1; shift
  local stamp=$dir/evenlight-packages.txt now
  now=$(evenlight_package_stamp)
  if [ -f "$dir/build.ninja" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$now" ]; then
    return 0
  fi
  if [ -f "$dir/build.ninja" ]; then
    echo "$dir was configured with other packages installed: configuring it afresh"
    meson setup --wipe "$dir" "$@" || return 1
  else
    meson setup "$dir" "$@" || return 1
  fi
  printf '%s\n' "$now" >"$stamp"
}
