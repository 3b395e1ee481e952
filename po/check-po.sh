#!/usr/bin/env bash
# evenlight — the translations are complete and up to date.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 1. evenlight.pot holds exactly the strings xgettext finds today in the
#    files of POTFILES (so a new string cannot go unnoticed);
# 2. every catalogue in LINGUAS translates every one of those strings, has
#    nothing untranslated or fuzzy, and compiles with msgfmt --check.
#
# Usage: check-po.sh SOURCE_ROOT   (exit 77 when gettext is not installed)
set -u
top=$1
po=$top/po
for p in xgettext msgfmt msgcmp; do
  command -v $p >/dev/null || { echo "$p not installed: skipped"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# The keywords of meson's i18n 'glib' preset, which builds evenlight.pot.
(cd "$top" && xgettext --from-code=UTF-8 --add-comments --package-name=evenlight \
   --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
   --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
   --files-from=po/POTFILES --output="$tmp/fresh.pot") || exit 1
echo "$(grep -c '^msgid ' "$tmp/fresh.pot") strings in the sources (one is the header)"

if msgcmp --use-untranslated "$po/evenlight.pot" "$tmp/fresh.pot" >"$tmp/out" 2>&1 &&
   msgcmp --use-untranslated "$tmp/fresh.pot" "$po/evenlight.pot" >>"$tmp/out" 2>&1; then
  echo "evenlight.pot: up to date"
else
  echo "evenlight.pot is out of date (run: ninja evenlight-pot evenlight-update-po):"
  cat "$tmp/out"
  failed=1
fi

for lang in $(grep -v '^#' "$po/LINGUAS"); do
  f=$po/$lang.po
  if ! stats=$(msgfmt --check --statistics -o "$tmp/$lang.mo" "$f" 2>&1); then
    echo "$lang.po does not compile: $stats"
    failed=1
    continue
  fi
  if [[ $stats == *untranslated* || $stats == *fuzzy* ]]; then
    echo "$lang.po is incomplete: $stats"
    failed=1
  elif ! msgcmp "$f" "$tmp/fresh.pot" >"$tmp/out" 2>&1; then
    echo "$lang.po lacks translations of strings in the sources:"
    cat "$tmp/out"
    failed=1
  else
    echo "$lang.po: $stats"
  fi
done
exit $failed
