# evenlight — a throw-away GIMP 2.10 profile for the tests (sourced).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later

# evenlight_make_profile DIR [PLUGIN]: a fresh profile in DIR.
#
# GIMP queries every plug-in it finds when a profile is new, which takes
# longer than all the tests together; the profile therefore sees only the
# system plug-ins the tests use (Script-Fu for the batch commands, PNG and
# TIFF for loading and exporting) and its own plug-ins folder, where
# install-user.sh puts Even Light. With PLUGIN (the built executable),
# GIMP finds that one through plug-in-path instead, nothing installed.
evenlight_make_profile ()
{
  local dir=$1 plugin=${2:-} sys p path
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
  path="\${gimp_dir}/plug-ins:$dir/system-plug-ins"
  if [ -n "$plugin" ]; then
    mkdir -p "$dir/test-plug-ins/evenlight"
    ln -sf "$(readlink -f "$plugin")" "$dir/test-plug-ins/evenlight/evenlight"
    path="$path:$dir/test-plug-ins"
  fi
  printf '(plug-in-path "%s")\n' "$path" > "$dir/gimprc"
}
