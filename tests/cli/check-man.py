#!/usr/bin/python3
# The manual page evenlight.1: made from --help, it names every option of
# --help, groff renders it without a warning, and `meson install` installs
# it into man1.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-man.py EVENLIGHT MANPAGE BUILD_DIR   (TAP)"""

import json
import re
import subprocess
import sys

exe, page, build = sys.argv[1:4]
n = failed = 0


def check(ok, what):
    global n, failed
    n += 1
    failed += not ok
    print(("ok" if ok else "not ok") + f" {n} - {what}")


help_text = subprocess.run([exe, "--help"], capture_output=True, text=True,
                           check=True).stdout
options = sorted(set(re.findall(r"^\s+(?:-\w, )?(--[\w-]+)", help_text, re.M)))
try:
    source = open(page).read()
except OSError as e:
    source = ""
    print(f"# {e}")
check(bool(source), f"{page} was made")
rendered = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page],
                          capture_output=True, text=True)
check(rendered.returncode == 0 and rendered.stderr.strip() == "",
      "groff renders it without a warning" +
      (f": {rendered.stderr.strip()}" if rendered.stderr.strip() else ""))
text = subprocess.run(["groff", "-man", "-Tutf8", page], capture_output=True,
                      text=True).stdout
text = re.sub(r".\x08", "", text).replace("\u2010", "-").replace("\u2212", "-")
missing = [o for o in options if o not in text]
check(len(options) > 10 and not missing,
      f"it names all {len(options)} options of --help" +
      (f"; missing: {' '.join(missing)}" if missing else ""))
for section in ("SYNOPSIS", "OPTIONS", "ENVIRONMENT", "EXIT STATUS"):
    check(section in text, f"section {section}")
installed = json.loads(subprocess.run(["meson", "introspect", "--installed", build],
                                      capture_output=True, text=True).stdout or "{}")
dest = [d for d in installed.values() if d.endswith("/man1/evenlight.1")]
check(bool(dest), "meson install puts it into " + (dest[0] if dest else "man1 (not listed)"))
print(f"1..{n}")
sys.exit(1 if failed else 0)
