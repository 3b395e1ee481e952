# evenlight — a throw-away GIMP 2.10 profile for the tests (sourced).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later

# evenlight_make_profile DIR [PLUGIN]: a fresh profile in DIR. With PLUGIN
# (the built executable), GIMP finds it through plug-in-path, next to the
# system's plug-ins, without installing anything.
evenlight_make_profile ()
{
  local dir=$1 plugin=${2:-}
  mkdir -p "$dir"
  # The writable data folders GIMP expects in a profile (it complains on
  # exit when they are missing).
  for d in brushes dynamics fonts gradients palettes patterns tool-presets \
           mypaint-brushes plug-ins scripts templates themes icons; do
    mkdir -p "$dir/$d"
  done
  if [ -n "$plugin" ]; then
    mkdir -p "$dir/test-plug-ins/evenlight"
    ln -sf "$(readlink -f "$plugin")" "$dir/test-plug-ins/evenlight/evenlight"
    printf '(plug-in-path "${gimp_dir}/plug-ins:${gimp_plug_in_dir}/plug-ins:%s")\n' \
      "$dir/test-plug-ins" > "$dir/gimprc"
  fi
}
