#!/usr/bin/env python3
"""Fails when a source file has translatable strings but is missing from
POTFILES.in (its strings would never reach translators), or when POTFILES.in
names a file that does not exist."""

import os
import re
import sys

top = sys.argv[1]
listed = set()
with open(os.path.join(top, "po", "POTFILES.in"), encoding="utf-8") as handle:
    for line in handle:
        line = line.strip()
        if line and not line.startswith("#"):
            listed.add(line)

marker_c = re.compile(r'\b(N?_|C_|NC_|g_dngettext|ngettext)\s?\(\s*"')
marker_ui = re.compile(r'translatable="yes"')
found = set()
for folder in ("app", "engine", "ui"):
    for root, _, files in os.walk(os.path.join(top, folder)):
        for name in files:
            path = os.path.relpath(os.path.join(root, name), top)
            if name.endswith((".c", ".cc")):
                pattern = marker_c
            elif name.endswith(".ui"):
                pattern = marker_ui
            else:
                continue
            with open(os.path.join(top, path), encoding="utf-8") as handle:
                if pattern.search(handle.read()):
                    found.add(path)

missing = sorted(found - listed)
stale = sorted(p for p in listed if not os.path.exists(os.path.join(top, p)))
for path in missing:
    print(f"not in po/POTFILES.in but has translatable strings: {path}")
for path in stale:
    print(f"listed in po/POTFILES.in but missing: {path}")
sys.exit(1 if missing or stale else 0)
