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

# evenlight_batch_start NAME PLUGIN FILE...: for a test in a headless
# GIMP; exits 77 when GIMP is missing and 1 when the PLUGIN or a FILE is,
# then makes the work folder $work (removed on exit) with a profile in
# $work/profile where the PLUGIN is installed.
evenlight_batch_start ()
{
  local name=$1 plugin=$2 f
  command -v gimp-console-2.10 >/dev/null || { echo "gimp-console-2.10 not installed: skipped"; exit 77; }
  for f in "${@:2}"; do
    [ -e "$f" ] || { echo "missing: $f"; exit 1; }
  done
  work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-$name-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  evenlight_profile_with_plugin "$work/profile" "$plugin" || exit 1
}

# The GUI tests (run-ui.sh, run-dark-ui.sh, ../hostile/run-ui-close.sh).
#
# evenlight_ui_start NAME TOOL... -- "$@": exits 77 when GIMP or a TOOL is
# missing, re-runs the calling script under a virtual screen of its own
# (xvfb-run), then makes the work folder $work (removed on exit, with the
# GIMP started into $gimp_pid killed) and sets $gimp.
evenlight_ui_start ()
{
  local name=$1 p
  shift
  gimp=$(command -v gimp-2.10 || command -v gimp) || { echo "1..0 # SKIP gimp not installed"; exit 77; }
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    command -v "$1" >/dev/null || { echo "1..0 # SKIP $1 not installed"; exit 77; }
    shift
  done
  shift
  if [ -z "${EVENLIGHT_UNDER_XVFB:-}" ]; then
    # Each test looks for a free display from a start of its own: two
    # `xvfb-run -a` started at once from the same number can both take it,
    # and the second GIMP then "cannot open display".
    local start=$(( 100 + $(printf %s "$name" | cksum | cut -d' ' -f1) % 60 * 10 ))
    # Xvfb's own messages, shown when GIMP cannot use the display.
    EVENLIGHT_XVFB_LOG=$(mktemp "${TMPDIR:-/tmp}/evenlight-$name-xvfb-XXXXXX.log")
    export EVENLIGHT_XVFB_LOG
    EVENLIGHT_UNDER_XVFB=1 exec xvfb-run -a -n "$start" -e "$EVENLIGHT_XVFB_LOG" \
      -s '-screen 0 1280x1024x24' "$0" "$@"
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/evenlight-$name-XXXXXX")
  gimp_pid=
  trap '[ -n "$gimp_pid" ] && kill "$gimp_pid" 2>/dev/null; rm -rf "$work" "${EVENLIGHT_XVFB_LOG:-}"' EXIT
}

# evenlight_gimp_gui LOG [VAR=VALUE...] GIMP ARGS...: starts GIMP's GUI in
# the background with its output in LOG and sets $gimp_pid. In a full test
# run on a loaded machine a GIMP once exited at start with "Cannot open
# display" while its Xvfb was up (the cause is outside evenlight): such a
# start is retried twice, once the display answers again, and said so.
evenlight_gimp_gui ()
{
  local log=$1 try i
  shift
  for try in 1 2 3; do
    env "$@" </dev/null >"$log" 2>&1 &
    gimp_pid=$!
    # Until GIMP has a window on the display (xdotool finds it by its
    # _NET_WM_PID) or has exited; the limit only bounds a hang, which the
    # test itself then reports.
    for i in $(seq 1200); do
      kill -0 "$gimp_pid" 2>/dev/null || break
      [ -n "$(xdotool search --pid "$gimp_pid" 2>/dev/null | head -1)" ] && return 0
      sleep 0.1
    done
    if kill -0 "$gimp_pid" 2>/dev/null || ! grep -qi 'cannot open display' "$log"; then
      return 0
    fi
    echo "# GIMP could not open the display $DISPLAY (start $try): $(head -c 300 "$log" | tr '\n' ' ')"
    [ -s "${EVENLIGHT_XVFB_LOG:-}" ] && sed 's/^/# xvfb: /' "$EVENLIGHT_XVFB_LOG" | tail -20
    for i in $(seq 100); do
      xwininfo -root >/dev/null 2>&1 && break
      sleep 0.1
    done
  done
  return 0
}

# After a batch run of GIMP begun at $2 (date +%s), in the work directory
# $1: how long it ran, the cases it logged ($1/cases.log, as TAP comments)
# and the CLI job $3 that ran meanwhile ($1/cli.log). Exits the test when
# GIMP ran no case or the CLI failed.
evenlight_batch_finish ()
{
  echo "# GIMP ran for $(( $(date +%s) - $2 )) s"
  if [ ! -s "$1/cases.log" ]; then
    cat "$1/gimp.log"
    echo "GIMP did not run the cases"
    exit 1
  fi
  sed 's/^/# gimp: /' "$1/cases.log"
  wait "$3" || { cat "$1/cli.log"; echo "the CLI failed"; exit 1; }
  sed 's/^/# cli: /' "$1/cli.log"
}
