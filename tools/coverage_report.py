#!/usr/bin/env python3
"""Coverage figures for backend/ from `llvm-cov export -summary-only` JSON (clang source-based coverage).

  coverage_report.py EXPORT.json [--list-uncovered]

Prints one row per backend/ source file (lines, functions, branches: percent and covered/total), then, as
its last line:
  coverage backend/: lines N.N% (covered/total), functions N.N% (covered/total), branches N.N% (covered/total)
Test code under backend/ (*_test.cc, status_matchers.h, testdata_util.h, fake_memory.*, dying_memory.*) is
left out: it is what measures, not what is measured.
"""
import json
import re
import sys

TEST_ONLY = re.compile(
    r"(_test\.cc$|/status_matchers\.h$|/testdata_util\.h$|/fake_memory\.(h|cc)$|/dying_memory\.(h|cc)$)")


def backend_path(name):
    """'backend/...' for a file of the project's backend/, else None (paths may be absolute or prefixed)."""
    m = re.search(r"(?:^|/)(backend/.*)$", name)
    if not m or "/external/" in name or TEST_ONLY.search(m.group(1)):
        return None
    return m.group(1)


def percent(covered, total):
    return 100.0 * covered / total if total else 100.0


def cell(summary):
    return f"{percent(summary['covered'], summary['count']):5.1f}% ({summary['covered']}/{summary['count']})"


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    with open(argv[1]) as f:
        data = json.load(f)
    files = {}
    for export in data.get("data", []):
        for entry in export.get("files", []):
            path = backend_path(entry["filename"])
            if path is None:
                continue
            # The same file may appear once per binary: keep the best-covered account of it (the union is
            # already merged by llvm-cov when all binaries are given together).
            s = entry["summary"]
            if path not in files or s["lines"]["covered"] > files[path]["lines"]["covered"]:
                files[path] = s
    if not files:
        print("coverage_report.py: no backend/ file in the export", file=sys.stderr)
        return 1
    totals = {k: {"count": 0, "covered": 0} for k in ("lines", "functions", "branches")}
    width = max(len(p) for p in files)
    print(f"{'file'.ljust(width)}  {'lines':>22}  {'functions':>18}  {'branches':>20}")
    for path in sorted(files):
        s = files[path]
        for k in totals:
            totals[k]["count"] += s[k]["count"]
            totals[k]["covered"] += s[k]["covered"]
        print(f"{path.ljust(width)}  {cell(s['lines']):>22}  {cell(s['functions']):>18}  {cell(s['branches']):>20}")
    t = totals
    print(f"coverage backend/: lines {percent(t['lines']['covered'], t['lines']['count']):.1f}% "
          f"({t['lines']['covered']}/{t['lines']['count']}), "
          f"functions {percent(t['functions']['covered'], t['functions']['count']):.1f}% "
          f"({t['functions']['covered']}/{t['functions']['count']}), "
          f"branches {percent(t['branches']['covered'], t['branches']['count']):.1f}% "
          f"({t['branches']['covered']}/{t['branches']['count']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
