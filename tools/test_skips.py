#!/usr/bin/env python3
"""test_skips.py LOG TESTLOGS: the tests `bazel test` ran (LOG, its output) that skipped themselves, one line
each, "harness: skipped //pkg:target Suite.Name: reason", read from TESTLOGS/<pkg>/<target>/**/test.xml
(GoogleTest's XML). What tools/harness test prints after its count, so a skip (a peer not installed, no IA32
emulation) is seen, not buried in a test log. Nothing is printed when no test skipped.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

TARGET = re.compile(r"^(//[^ ]+) +(\(cached\) )?PASSED")


def passed_targets(log_text):
    return [m.group(1) for m in map(TARGET.match, log_text.splitlines()) if m]


def skips(xml_text):
    """[(Suite.Name, reason)] of one test.xml: the reason is the skip message's last line (GTEST_SKIP's
    text after the file:line)."""
    out = []
    for case in ET.fromstring(xml_text).iter("testcase"):
        skipped = case.find("skipped")
        if case.get("result") != "skipped" or skipped is None:
            continue
        message = (skipped.get("message") or "").strip().splitlines()
        out.append((f"{case.get('classname')}.{case.get('name')}", message[-1] if message else ""))
    return out


def main(argv):
    log, testlogs = argv
    with open(log, errors="replace") as f:
        targets = passed_targets(f.read())
    for target in targets:
        package, name = target[2:].split(":", 1)
        for path in sorted(glob.glob(os.path.join(testlogs, package, name, "**", "test.xml"), recursive=True)):
            try:
                with open(path, errors="replace") as f:
                    found = skips(f.read())
            except (OSError, ET.ParseError):
                continue
            for test, reason in found:
                print(f"harness: skipped {target} {test}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
