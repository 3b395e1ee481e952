# Sourced by plugin/quickstart.sh and tests/run-all.sh: the Debian 12
# packages evenlight needs, and a function that installs whichever of them
# are missing (as root, or through sudo).

# Build and run: compiler, meson, GLib, GEGL/babl, GIMP 2.10 and its headers.
EVENLIGHT_BUILD_PACKAGES="gcc pkg-config meson ninja-build gettext libglib2.0-dev libgegl-dev libbabl-dev gegl gimp libgimp2.0-dev python3"
# Tests only: a virtual X server and tools to drive the real GIMP window,
# image comparison, the exact LP solver for the LAIC test.
EVENLIGHT_TEST_PACKAGES="gtk2-engines-pixbuf xvfb xauth x11-utils xdotool imagemagick python3-numpy python3-pil libglpk-dev"
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
