# evenlight — a throw-away GIMP 2.10 profile for the tests (sourced).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later

# evenlight_make_profile DIR: a fresh profile in DIR.
#
# GIMP queries every plug-in it finds when a profile is new, which takes
# longer than all the tests together; the profile therefore sees only the
# system plug-ins the tests use (Script-Fu for the batch commands, PNG and
# TIFF for loading and exporting) and its own plug-ins folder, where
# plugin/install-user.sh puts Even Light.
evenlight_make_profile ()
{
  local dir=$1 sys p
  mkdir -p "$dir"
  # The writable data folders GIMP expects in a profile (it complains on
  # exit when they are missing).
  for p in brushes dynamics fonts gradients palettes patterns tool-presets \
           mypaint-brushes plug-ins scripts templates themes icons; do
    mkdir -p "$dir/$p"
  done
  sys=$(pkg-config --variable=gimplibdir gimp-2.0 2>/dev/null || echo /usr/lib/gimp/2.0)/plug-ins
  mkdir -p "$dir/system-plug-ins"
  for p in script-fu file-png file-tiff; do
    ln -sfn "$sys/$p" "$dir/system-plug-ins/$p"
  done
  printf '(plug-in-path "${gimp_dir}/plug-ins:%s")\n' "$dir/system-plug-ins" > "$dir/gimprc"
}

# Makes a fresh profile in $1 and installs the plug-in built at $2 into it
# the way a user would (install-user.sh: binary, weights and translations
# side by side).
evenlight_profile_with_plugin ()
{
  local profile=$1 plugin=$2
  local source_root
  source_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  evenlight_make_profile "$profile"
  GIMP2_DIRECTORY="$profile" EVENLIGHT_NO_BUILD=1 \
    bash "$source_root/plugin/install-user.sh" "$(dirname "$(dirname "$plugin")")" >/dev/null
}
