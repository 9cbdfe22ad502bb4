#!/usr/bin/env python3
"""Summarises a Google Benchmark JSON file written by `tools/harness bench`.

Prints each ratio that procscope tracks, computed from the medians of the repetitions of one run, with
its target and whether it is met. Exit 0 whatever the ratios (benchmarks inform, they do not gate); exit 2
when the file is unreadable or lacks a benchmark a ratio needs.
"""
import json
import sys

# (label, numerator benchmark, denominator benchmark, target: ratio must be <= this)
RATIOS = [
    ("maps: parse / read (same ~2000-line text)", "BM_ParseMaps", "BM_ReadSelfMaps", 0.10),
    ("stat: parse / read", "BM_ParseStat", "BM_ReadSelfStat", 0.10),
]


def medians(data):
    """real_time per benchmark name: the median aggregate if present, else the single run."""
    out = {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if b.get("aggregate_name") == "median" or ("aggregate_name" not in b and name not in out):
            out[name] = float(b["real_time"])
    return out


def main(argv):
    if len(argv) != 2:
        print("usage: bench_report.py RESULT.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"bench_report: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2
    times = medians(data)
    rows = []
    for label, num, den, target in RATIOS:
        if num not in times or den not in times:
            print(f"bench_report: {argv[1]} lacks {num} or {den}", file=sys.stderr)
            return 2
        ratio = times[num] / times[den]
        rows.append((label, f"{times[num]:.0f} ns / {times[den]:.0f} ns", f"{ratio:.3f}", f"<= {target}",
                     "met" if ratio <= target else "UNMET"))
    header = ("ratio (medians)", "times", "value", "target", "status")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
