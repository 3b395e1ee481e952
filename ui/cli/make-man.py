#!/usr/bin/python3
# Makes the manual page evenlight.1 from `evenlight --help` and --version,
# so that the two cannot drift apart (ui/cli/meson.build runs it on every
# build of the CLI).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: make-man.py EVENLIGHT OUTPUT

--help is GOption's: "Usage:" with the synopsis, the summary, the option
groups ("Help Options:", "Application Options:"; each option on one line,
its description after the aligned column), then the description, whose
paragraphs are separated by empty lines; a paragraph that starts with a
word and a colon ("Environment:", "Exit status:") becomes a section of its
own (Environment, Exit status, Files, Examples).
"""

import datetime
import os
import re
import subprocess
import sys


def roff(text):
    """Escapes text for roff: backslashes, leading dots and quotes, dashes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # Non-ASCII characters (γ, “”, …, ×) as groff's Unicode escapes.
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def main():
    exe, output = sys.argv[1], sys.argv[2]
    env = dict(os.environ, LC_ALL="C.UTF-8")
    help_text = subprocess.run([exe, "--help"], capture_output=True, text=True,
                               env=env, check=True).stdout
    version = subprocess.run([exe, "--version"], capture_output=True, text=True,
                             env=env, check=True).stdout.split()[-1]

    lines = help_text.rstrip("\n").split("\n")
    usage, summary, options, description = [], [], [], []
    part = None
    for line in lines:
        if line == "Usage:":
            part = "usage"
            continue
        if re.match(r"^[A-Z][A-Za-z ]* Options:$", line):
            part = "options"
            continue
        if part == "usage":
            if line.strip() == "":
                part = "summary"
            else:
                usage.append(line.strip())
            continue
        if part == "summary":
            summary.append(line)
            continue
        if part == "options":
            m = re.match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", line)
            if line.strip() == "":
                part = "after-options"
                continue
            if m:
                options.append((m.group(1), m.group(2) or ""))
            continue
        if part == "after-options":
            if line.strip() == "" and not description:
                continue
            if re.match(r"^[A-Z][A-Za-z ]* Options:$", line):
                part = "options"
                continue
            description.append(line)

    paragraphs = re.split(r"\n\s*\n", "\n".join(description).strip())
    summary_text = " ".join(l.strip() for l in summary if l.strip())

    out = []
    date = datetime.date.today().strftime("%Y-%m")
    if "SOURCE_DATE_EPOCH" in os.environ:
        date = datetime.datetime.utcfromtimestamp(
            int(os.environ["SOURCE_DATE_EPOCH"])).strftime("%Y-%m")
    out.append(f'.TH EVENLIGHT 1 "{date}" "evenlight {version}" "User Commands"')
    out.append(".SH NAME")
    out.append("evenlight \\- " + roff(summary_text.split(":")[0].rstrip(".")
                                       if summary_text else "enhance photos"))
    out.append(".SH SYNOPSIS")
    for u in usage:
        words = u.split(" ", 1)
        out.append(".B " + roff(words[0]))
        if len(words) > 1:
            out.append(roff(words[1]))
        out.append(".br")
    out.append(".SH DESCRIPTION")
    out.append(roff(summary_text))
    sections = []
    for p in paragraphs:
        flat = " ".join(l.strip() for l in p.split("\n"))
        m = re.match(r"^(Environment|Exit status|Files|Examples):\s*(.*)$", flat)
        if m:
            sections.append((m.group(1).upper(), m.group(2), p))
        else:
            out.append(".PP")
            out.append(roff(flat))
    out.append(".SH OPTIONS")
    for spec, text in options:
        out.append(".TP")
        out.append(".B " + roff(spec))
        out.append(roff(text))
    for title, first, raw in sections:
        out.append(".SH " + title)
        # Lines that begin with two spaces in --help are items of a list.
        items = [l for l in raw.split("\n")[1:] if l.startswith("  ")]
        if items:
            head = raw.split("\n")[0].split(":", 1)[1].strip()
            if head:
                out.append(roff(head))
            for item in items:
                m = re.match(r"^\s+(\S+)\s{2,}(.*)$", item)
                out.append(".TP")
                if m:
                    out.append(".B " + roff(m.group(1)))
                    out.append(roff(m.group(2)))
                else:
                    out.append(roff(item.strip()))
        else:
            out.append(roff(first))
    out.append(".SH SEE ALSO")
    out.append("The README of evenlight, and its GIMP plug-in: Colors \\(-> Tone Mapping "
               "\\(-> Even Light.")
    with open(output, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
