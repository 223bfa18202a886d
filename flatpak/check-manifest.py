#!/usr/bin/env python3
"""Sanity checks for the Nexus Flatpak manifest.

Usage: check-manifest.py MANIFEST [EXPECTED_APP_ID]

Checks the structure of the manifest only. It runs offline, so the archive
checksums are checked for form (64 hex digits), not against the archives.
Exits 0 when every check passes, 1 with one line per problem otherwise,
2 when the file cannot be read or is not JSON.
"""

import json
import re
import sys

DEFAULT_APP_ID = "io.nexus.Nexus"
RUNTIME = "org.gnome.Platform"
SDK = "org.gnome.Sdk"
COMMAND = "nexus"
APP_MODULE = "nexus"

# Libraries the GNOME runtime lacks; each needs a module whose name
# contains the key.
REQUIRED_MODULES = ("phonenumber", "protobuf", "xlsxwriter", "shumate")

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# Source types that fetch a file and therefore must pin it by checksum.
FETCHED_TYPES = ("archive", "file")


def check(manifest, app_id):
    problems = []

    def fail(msg):
        problems.append(msg)

    if not isinstance(manifest, dict):
        return ["top level is not a JSON object"]

    if manifest.get("app-id", manifest.get("id")) != app_id:
        fail("app-id is %r, expected %r"
             % (manifest.get("app-id", manifest.get("id")), app_id))
    if manifest.get("runtime") != RUNTIME:
        fail("runtime is %r, expected %r" % (manifest.get("runtime"), RUNTIME))
    if manifest.get("sdk") != SDK:
        fail("sdk is %r, expected %r" % (manifest.get("sdk"), SDK))
    if not isinstance(manifest.get("runtime-version"), str) \
            or not manifest.get("runtime-version"):
        fail("runtime-version is missing or not a string")
    if manifest.get("command") != COMMAND:
        fail("command is %r, expected %r" % (manifest.get("command"), COMMAND))

    modules = manifest.get("modules")
    if not isinstance(modules, list) or not modules:
        fail("modules is missing or empty")
        return problems

    names = []
    for index, module in enumerate(modules):
        where = "module #%d" % (index + 1)
        if not isinstance(module, dict):
            # A bare string names a module file; this manifest keeps every
            # module inline so that it can be checked here.
            fail("%s is not an inline object" % where)
            names.append(None)
            continue

        name = module.get("name")
        if not isinstance(name, str) or not name:
            fail("%s has no name" % where)
            name = None
        else:
            where = "module %r" % name
        names.append(name)

        if not isinstance(module.get("buildsystem"), str) \
                or not module.get("buildsystem"):
            fail("%s has no buildsystem" % where)

        sources = module.get("sources")
        if not isinstance(sources, list) or not sources:
            fail("%s has no sources" % where)
            continue

        for sindex, source in enumerate(sources):
            swhere = "%s source #%d" % (where, sindex + 1)
            if not isinstance(source, dict):
                fail("%s is not an object" % swhere)
                continue
            stype = source.get("type")
            if not isinstance(stype, str) or not stype:
                fail("%s has no type" % swhere)
                continue
            if stype in FETCHED_TYPES and "path" not in source:
                url = source.get("url")
                if not isinstance(url, str) or not url.startswith("https://"):
                    fail("%s: url %r is not https" % (swhere, url))
                sha = source.get("sha256")
                if not isinstance(sha, str) or not SHA256_RE.match(sha):
                    fail("%s: sha256 %r is not 64 lowercase hex digits"
                         % (swhere, sha))
            elif stype == "git":
                url = source.get("url")
                if not isinstance(url, str) or not url.startswith("https://"):
                    fail("%s: url %r is not https" % (swhere, url))
                if "commit" not in source and "tag" not in source:
                    fail("%s: git source pins neither tag nor commit" % swhere)

    last = modules[-1]
    if not isinstance(last, dict) or last.get("name") != APP_MODULE:
        fail("the last module must be %r, found %r"
             % (APP_MODULE, last.get("name") if isinstance(last, dict) else last))
    else:
        sources = last.get("sources") or []
        if not any(isinstance(s, dict) and s.get("type") == "dir"
                   and s.get("path") for s in sources):
            fail("module %r must build from a 'dir' source with a path"
                 % APP_MODULE)

    for wanted in REQUIRED_MODULES:
        if not any(n and wanted in n for n in names):
            fail("no module provides %s" % wanted)

    seen = set()
    for n in names:
        if n is None:
            continue
        if n in seen:
            fail("module name %r is used twice" % n)
        seen.add(n)

    return problems


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: %s MANIFEST [EXPECTED_APP_ID]\n" % argv[0])
        return 2
    path = argv[1]
    app_id = argv[2] if len(argv) == 3 else DEFAULT_APP_ID

    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except OSError as e:
        sys.stderr.write("%s: cannot read: %s\n" % (path, e.strerror))
        return 2
    except ValueError as e:
        sys.stderr.write("%s: not valid JSON: %s\n" % (path, e))
        return 2

    problems = check(manifest, app_id)
    if problems:
        for p in problems:
            sys.stderr.write("%s: %s\n" % (path, p))
        sys.stderr.write("%s: %d problem(s) found\n" % (path, len(problems)))
        return 1

    print("%s: OK (%d modules; archive checksums checked for form only, "
          "not against the archives)" % (path, len(manifest["modules"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
