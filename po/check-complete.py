#!/usr/bin/env python3
"""Fails when the catalogue lacks the Arabic of a string in the sources.

Regenerates the template from the sources (ninja's nexus-pot target), merges
each catalogue against it without fuzzy matching, and requires every message
translated, none fuzzy, and msgfmt --check clean: a new string must come
with its Arabic.

Usage: check-complete.py BUILD_DIR PO_DIR LANG…
"""

import os
import subprocess
import sys
import tempfile

build_dir, po_dir, langs = sys.argv[1], sys.argv[2], sys.argv[3:]
subprocess.run(["ninja", "-C", build_dir, "nexus-pot"], check=True, capture_output=True)
pot = os.path.join(po_dir, "nexus.pot")

status = 0
with tempfile.TemporaryDirectory() as tmp:
    for lang in langs:
        merged = os.path.join(tmp, lang + ".po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                        os.path.join(po_dir, lang + ".po"), pot], check=True)
        check = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", merged],
                               capture_output=True, text=True)
        report = (check.stdout + check.stderr).strip()
        print(f"{lang}: {report}")
        if check.returncode != 0 or "untranslated" in report or "fuzzy" in report:
            untranslated = subprocess.run(["msgattrib", "--untranslated", "--no-wrap", merged],
                                          capture_output=True, text=True).stdout
            print("\n".join(l for l in untranslated.splitlines() if l.startswith("msgid"))[:2000])
            status = 1
sys.exit(status)
