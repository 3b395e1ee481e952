#!/usr/bin/python3
# The totals of tests/run-all.sh from meson's test logs, with the reason of
# every skip.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads meson's testlog.json files (one JSON object a line) and prints

    skipped: NAME (LOG): REASON
    ...
    counts PASSED FAILED SKIPPED

A test may skip only for a reason listed in ALLOWED (the photos the
training tests need are private; a CPU without AVX2 cannot run the AVX2
copies of the engine). Any other skip means the machine lacks something
the README's test command should have installed, or a build directory
that was configured before it was there: it is reported as
"skipped without an allowed reason" and counted as a failure.

    /usr/bin/python3 tests/summary.py BUILD/meson-logs/testlog.json...
    /usr/bin/python3 tests/summary.py --self-test
"""

import json
import re
import sys

# (test name pattern, reason pattern): both must match.
ALLOWED = [
    (r"train-parity-photos", r"no training photos|no val photos"),
    (r"core-(region|golden)-avx2", r"no AVX2"),
]


def reason(entry):
    """What the test said about its skip: the last line of its output that
    mentions skipping, else its last line, else that it said nothing."""
    lines = [l.strip() for l in
             (entry.get("stdout", "") + "\n" + (entry.get("stderr") or "")).splitlines()
             if l.strip()]
    said = [l for l in lines if re.search(r"skip", l, re.I)]
    if said:
        return said[-1]
    if lines:
        return lines[-1]
    return "exit status 77, no reason printed"


def allowed(name, why):
    return any(re.search(n, name) and re.search(r, why) for n, r in ALLOWED)


def summarise(paths, out):
    passed = failed = skipped = 0
    for path in paths:
        try:
            lines = open(path).read().splitlines()
        except OSError:
            lines = []
        for line in lines:
            entry = json.loads(line)
            result = entry.get("result", "")
            name = entry.get("name", "?")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                why = reason(entry)
                if allowed(name, why):
                    skipped += 1
                    print(f"skipped: {name} ({path}): {why}", file=out)
                else:
                    failed += 1
                    print(f"skipped without an allowed reason (counted as failed): "
                          f"{name} ({path}): {why}", file=out)
            else:
                failed += 1
    print(f"counts {passed} {failed} {skipped}", file=out)
    return passed, failed, skipped


def self_test():
    import io
    import os
    import tempfile

    entries = [
        {"name": "core-params", "result": "OK", "stdout": ""},
        {"name": "train-parity-photos", "result": "SKIP",
         "stdout": "SKIP: no training photos (set EVENLIGHT_TRAIN_DATA)\n"},
        {"name": "laic-exact-lp", "result": "SKIP", "stdout": "GLPK not available: skipped\n"},
        {"name": "train-model", "result": "SKIP", "stdout": ""},
        {"name": "gimp-ui", "result": "FAIL", "stdout": "not ok 3 - x\n"},
    ]
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "testlog.json")
        with open(log, "w") as f:
            for e in entries:
                f.write(json.dumps(e) + "\n")
        out = io.StringIO()
        counts = summarise([log], out)
    text = out.getvalue()
    print(text, end="")
    ok = (counts == (1, 3, 1)
          and "skipped: train-parity-photos" in text
          and "no training photos" in text
          and "allowed reason (counted as failed): laic-exact-lp" in text
          and "GLPK not available" in text
          and "train-model" in text and "no reason printed" in text
          and text.rstrip().endswith("counts 1 3 1"))
    print("self-test:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    summarise(sys.argv[1:], sys.stdout)
