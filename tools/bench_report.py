#!/usr/bin/env python3
"""procscope benchmark results: merge runs into one result file, summarise it, compare result files.

  bench_report.py merge OUT.json --context CONTEXT.json --probe PROBE.json RUN.json [RUN.json ...]
  bench_report.py summary RESULT.json [--chart OUT.svg]
  bench_report.py compare A.json B.json [...] [--chart OUT.svg] [--threshold 10%]
  bench_report.py check RESULT.json [--tolerance 5%]

A result file is Google Benchmark JSON (every repetition plus the mean/median/stddev/cv aggregates) with a
"procscope" object: kernel release, CPU model, cores, git revision, strategies, the default strategy and
`procscope probe --json`. Ratios use medians of one run. Exit status: 0; 1 (compare) when a cell of a later
file is slower than the first file's by more than both runs' noise (the repetitions' relative spread) and
the threshold, (check) when a paired target is missed beyond the tolerance; 3 (check) when the only misses
are in noisy cells (their repetitions' ratios spread over 10%: measure again); 2 on unreadable input, a missing benchmark, or (compare) runs with no benchmark in common.
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probe_keys  # noqa: E402  (tools/probe_keys.py)

DEFAULT = "default"  # resolved through procscope.default_strategy


def fail(message):
    print(f"bench_report: {message}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        fail(f"{path} is not Google Benchmark JSON (no 'benchmarks' list)")
    return data


class Runs:
    """Medians and repetition spreads of one result file, by benchmark run name."""

    def __init__(self, data):
        self.data = data
        self.median, self.reps = {}, {}
        for b in data["benchmarks"]:
            name = b.get("run_name", b["name"])
            if b.get("run_type") == "aggregate" or "aggregate_name" in b:
                if b.get("aggregate_name") == "median":
                    self.median[name] = b
            else:
                self.reps.setdefault(name, []).append(b)
        for name, reps in self.reps.items():  # a run without repetitions: its single result is the median
            self.median.setdefault(name, reps[0])
        self.default = data.get("procscope", {}).get("default_strategy", "adaptive_coalesce")

    def value(self, name, key="real_time"):
        b = self.median.get(name)
        if b is None or key not in b:
            return None
        return float(b[key])

    def spread(self, name, key="real_time"):
        """Relative spread of the repetitions: (max - min) / median, 0 with fewer than two."""
        reps = [float(r[key]) for r in self.reps.get(name, []) if key in r]
        med = self.value(name, key)
        if len(reps) < 2 or not med:
            return 0.0
        return (max(reps) - min(reps)) / med


def cell(strategy, n=4096, size=8, holes=0, layout="spread"):
    h = f"{holes:g}"
    return f"BM_Read/strategy:{strategy}/N:{n}/S:{size}/H:{h}/layout:{layout}"


def paired(floor, n=4096, size=8, holes=0, layout="spread"):
    return f"BM_Paired/floor:{floor}/N:{n}/S:{size}/H:{holes:g}/layout:{layout}"


def sparse(mappings, n, holes, engine="default"):
    """A sparse-batch cell (memory_benchmark RunSparse): the default's is paired with floor_sparse (a target);
    the forced means' (maps_text, procmap_query) are the cost model's evidence, paired with the same floor."""
    batch = f"mappings:{mappings}/N:{n}/holes:{holes}/engine:{engine}"
    return f"BM_Paired/floor:sparse/{batch}" if engine == "default" else f"BM_Sparse/{batch}"


# memory_benchmark's "classified_by" counter: Classification's order (backend/memory/batch.h).
CLASSIFIED_BY = ["none", "calls", "procmap_query", "maps_text"]


def sparse_rows(runs):
    """P10 (a target) and, per sparse cell, each means' ratio to floor_sparse (information: the cost model)."""
    rows = []
    ratio = runs.value(sparse(30000, 16, 1), "ratio")
    if ratio is not None:
        rows.append(("P10 default / floor_sparse (calls that stop at the hole, no classification), 30,000 "
                     "mappings, N=16, 1 hole [paired]", ratio, "<=", 1.5, sparse(30000, 16, 1)))
    for mappings in (2000, 30000):
        for n in (1, 16, 256):
            for holes in (1, 3):
                default = runs.value(sparse(mappings, n, holes), "ratio")
                if default is None:
                    continue
                by = runs.value(sparse(mappings, n, holes), "classified_by")
                means = CLASSIFIED_BY[int(by)] if by is not None and 0 <= int(by) < 4 else "?"
                others = []
                for engine in ("maps_text", "procmap_query"):
                    r = runs.value(sparse(mappings, n, holes, engine), "ratio")
                    if r is not None:
                        others.append(f"{engine} {r:.3g}")
                rows.append((f"P10 cost model: default (by {means}) / floor_sparse at {mappings} mappings, N={n}, "
                             f"{holes} hole{'s' if holes > 1 else ''}; forced: {', '.join(others) or '-'} [paired]",
                             default, None, None))
    return rows


def paired_plugin(n=4096, size=8, holes=0.0, layout="spread"):
    """The BM_PairedPlugin cell of a batch (memory_benchmark --backend): its "ratio" is plugin / engine."""
    return f"BM_PairedPlugin/N:{n}/S:{size}/H:{holes:g}/layout:{layout}"


def paired_ratio(runs, strategy, floor, **batch):
    """The engine / floor ratio of one batch: the paired cell's "ratio" counter (both timed batch after
    batch), else, for result files made before paired cells existed, the quotient of the two cells' medians
    (marked "unpaired"). (None, "") when neither is in the file."""
    ratio = runs.value(paired(floor, **batch), "ratio")
    if ratio is not None:
        return ratio, " [paired]"
    engine, base = runs.value(cell(strategy, **batch)), runs.value(cell(floor, **batch))
    if engine is None or base is None:
        return None, ""
    return engine / base, " [unpaired]"


def need(runs, name, key="real_time"):
    v = runs.value(name, key)
    if v is None:
        fail(f"the result lacks {name} ({key})")
    return v


def paired_target(how, op, target):
    """A target for a paired ratio; an unpaired one (a result file older than its paired cell) is shown as
    information only: two cells timed apart differ by 10-25% here, more than any target's margin."""
    return (op, target) if how == " [paired]" else (None, None)


def summary_rows(runs):
    """(label, value, op, target, cell) per ratio; op/target None for information, cell the paired cell of a
    target. Every target is a paired ratio
    (both sides timed in the same iterations); a quotient of two cells is marked [unpaired] and is never
    a target."""
    d = runs.default
    rows = []
    if runs.value("BM_PairedMapsSpans") is not None:
        rows.append(("P0 maps: ParseMapsSpans (the engine's parse) / read of the same ~2000 lines [paired]",
                     need(runs, "BM_PairedMapsSpans", "ratio"), "<=", 0.10, "BM_PairedMapsSpans"))
    if runs.value("BM_ParseMaps") is not None:
        rows.append(("P0 maps: full parse / read [unpaired]",
                     need(runs, "BM_ParseMaps") / need(runs, "BM_ReadSelfMaps"), None, None))
        if runs.value("BM_ParseMapsSpans") is not None and runs.value("BM_PairedMapsSpans") is None:
            rows.append(("P0 maps: ParseMapsSpans / read [unpaired]",
                         need(runs, "BM_ParseMapsSpans") / need(runs, "BM_ReadSelfMaps"), None, None))
        rows.append(("P0 stat: parse / read [unpaired]", need(runs, "BM_ParseStat") / need(runs, "BM_ReadSelfStat"),
                     None, None))
    if runs.value(cell(d)) is not None:
        base = need(runs, cell(d), "ns_per_valid_element")
        # P1 is the price of holes, bounded below by the maps read (P7's floor): information, not a target.
        for h in (0.01, 0.1, 0.5):
            rows.append((f"P1 {d} N=4096 S=8 H={h:g}: ns/valid element / H=0 (price of holes) [unpaired]",
                         need(runs, cell(d, holes=h), "ns_per_valid_element") / base, None, None))
    # The paired targets need no other cell (tools/harness bench --check runs them alone).
    for h in (0.01, 0.1, 0.5):
        ratio, how = paired_ratio(runs, d, "floor_maps", holes=h)
        if ratio is not None:
            rows.append((f"P7 {d} / floor_maps (valid-only calls + one maps read), N=4096 S=8 H={h:g}{how}",
                         ratio, *paired_target(how, "<=", 1.10), paired("floor_maps", holes=h)))
    if runs.value(cell(d)) is not None:
        rows.append((f"P2 retry / {d} at N=4096 S=8 H=0.5 (speed-up) [unpaired]",
                     need(runs, cell("retry", holes=0.5)) / need(runs, cell(d, holes=0.5)), None, None))
        # P3 divides two kernel-bound numbers: what batching saves on this CPU, shown beside the hardware's own
        # ratio (a call per element against the fewest calls, both hand-built).
        rows.append((f"P3 per_element / {d} at N=4096 S=8 H=0 (what batching saves on this CPU) [unpaired]",
                     need(runs, cell("per_element")) / need(runs, cell(d)), None, None))
        if runs.value(cell("floor_syscall")) is not None:
            rows.append(("P3 per_element / floor_syscall at N=4096 S=8 H=0 (the same, hand-built: the hardware's "
                         "ratio) [unpaired]", need(runs, cell("per_element")) / need(runs, cell("floor_syscall")),
                         None, None))
    ratio, how = paired_ratio(runs, d, "floor_coalesce", n=1024, layout="dense16")
    if ratio is not None:
        rows.append((f"P4 {d} / floor_coalesce (span read + scatter), 1024 x 8 B in 4 pages{how}",
                     ratio, *paired_target(how, "<=", 1.10), paired("floor_coalesce", n=1024, layout="dense16")))
    elif runs.value("BM_Dense1024In4Pages") is not None:  # a file from before the coalescing floor: information
        rows.append(("P4 1024 x 8 B in 4 pages / one 16 KiB read [unpaired]",
                     need(runs, "BM_Dense1024In4Pages") / need(runs, "BM_One16KiBRead"), None, None))
    ratio, how = paired_ratio(runs, d, "floor_syscall", n=1024)
    if ratio is not None:
        rows.append((f"P5 {d} / hand-built single syscall, N=1024 S=8 H=0{how}", ratio,
                     *paired_target(how, "<=", 1.05), paired("floor_syscall", n=1024)))
    rows += sparse_rows(runs)
    for h in (0.01, 0.1, 0.5):
        for floor in ("floor_syscall", "floor_pagemap"):
            name = paired(floor, holes=h, layout="guard").replace("BM_Paired/", "BM_PairedGuard/")
            ratio = runs.value(name, "ratio")
            if ratio is not None:
                what = ("the valid-only calls" if floor == "floor_syscall"
                        else "one pagemap read + the valid-only calls")
                rows.append((f"guard pages: {d} / {floor} ({what}), N=4096 S=8 H={h:g} [paired]", ratio, None, None))
    rows += cli_rows(runs)
    if runs.value(cell("plugin")) is not None and runs.value(cell(d)) is not None:
        plugin = runs.data.get("context", {}).get("procscope_plugin", "plugin")
        for h in (0, 0.1, 0.5):
            ratio = runs.value(paired_plugin(holes=h), "ratio")
            how = " [paired]"
            if ratio is None:
                ratio, how = need(runs, cell("plugin", holes=h)) / need(runs, cell(d, holes=h)), " [unpaired]"
            rows.append((f"plugin / {d} at N=4096 S=8 H={h:g}{how} [{plugin}]", ratio, None, None))
    # A fifth field: the paired cell behind a target (its "ratio" counter), None for the rest.
    return [r + (None,) * (5 - len(r)) for r in rows]


def cli(n, fmt):
    return f"BM_Cli/N:{n}/format:{fmt}/iterations:1/manual_time"


def cli_rows(runs):
    """`procscope read` end to end (bench/cli_benchmark.cc): targets at 1M elements, the rest information."""
    if runs.value(cli(1000000, "json")) is None:
        return []
    rows = []
    for n, label in ((10000, "10k"), (200000, "200k")):
        if runs.value(cli(n, "json")) is not None:
            rows.append((f"C0 read --json {label} elements: CLI wall / engine (peak RSS "
                         f"{need(runs, cli(n, 'json'), 'peak_rss_mb'):.0f} MB)",
                         need(runs, cli(n, "json"), "ratio"), None, None))
    json_1m = cli(1000000, "json")
    rows.append(("C1 read --json 1M elements: CLI wall / engine", need(runs, json_1m, "ratio"), "<=", 5.0))
    rows.append(("C2 read --json 1M elements: peak RSS - data read (MB)",
                 need(runs, json_1m, "peak_rss_mb") - need(runs, json_1m, "data_mb"), "<=", 64.0))
    for name, fmt in (("C3 --format ndjson", "ndjson"), ("C4 --out (ndjson results)", "out"), ("C5 table", "table")):
        rows.append((f"{name} / --json, 1M elements (wall) [unpaired]",
                     need(runs, cli(1000000, fmt)) / need(runs, json_1m), None, None))
    return rows


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


def svg_lines(path, title, x_labels, series, y_label):
    """A small dependency-free SVG line chart; y on a log scale. series: {name: [y or None per x]}."""
    values = [v for ys in series.values() for v in ys if v]
    if not values:
        return False
    lo, hi = math.log10(min(values)) - 0.1, math.log10(max(values)) + 0.1
    w, h, left, right, top, bottom = 760, 420, 70, 190, 40, 50
    px = lambda i: left + (w - left - right) * (i / max(1, len(x_labels) - 1))
    py = lambda v: top + (h - top - bottom) * (1 - (math.log10(v) - lo) / (hi - lo))
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#17becf"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>',
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>',
           f'<text x="16" y="{h / 2}" transform="rotate(-90 16 {h / 2})" text-anchor="middle">{y_label}</text>']
    for i, label in enumerate(x_labels):
        out.append(f'<text x="{px(i):.1f}" y="{h - bottom + 18}" text-anchor="middle">{label}</text>')
    for e in range(math.ceil(lo), math.floor(hi) + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for k, (name, ys) in enumerate(series.items()):
        color = colors[k % len(colors)]
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(ys) if v)
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{w - right + 10}" y="{top + 16 * k + 10}" fill="{color}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def cmd_summary(args):
    runs = Runs(load(args.result))
    ctx = runs.data.get("procscope", {})
    if ctx:
        print(f"kernel {ctx.get('kernel_release', '?')}, {ctx.get('cpu_model', '?')}, {ctx.get('cores', '?')} cores, "
              f"revision {ctx.get('git_revision', '?')}, default strategy {runs.default}")
    rows = [(label, f"{v:.3f}", "-", "information") if target is None else
            (label, f"{v:.3f}", f"{op} {target:g}", "met" if (v <= target if op == "<=" else v >= target) else "UNMET")
            for label, v, op, target, _ in summary_rows(runs)]
    # The CPU beside every ratio: the same code gives other ratios on another CPU (AMD EPYC and Intel Xeon VMs).
    print_table((f"ratio (medians of one run; CPU: {ctx.get('cpu_model', '?')})", "value", "target", "status"), rows)
    if args.chart:
        strategies = sorted({n.split("/")[1].split(":")[1] for n in runs.median if n.startswith("BM_Read/")})
        holes = [0, 0.01, 0.1, 0.5]
        series = {s: [runs.value(cell(s, holes=h), "ns_per_element") for h in holes] for s in strategies}
        series = {s: ys for s, ys in series.items() if any(ys)}
        if svg_lines(args.chart, "ns per element vs hole fraction (N=4096, S=8, one element per page)",
                     [f"H={h:g}" for h in holes], series, "ns per element (log)"):
            print(f"chart: {args.chart}")
        else:
            print("chart: not written (the result has no N=4096 S=8 spread cells with ns_per_element)")
    return 0


def parse_threshold(text):
    """--threshold: "10%" or "0.1" -> 0.1; fail() on anything else."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1
    if not 0 <= value < 10:
        fail(f"--threshold: '{text}' is not a fraction like 10% or 0.1")
    return value


def machine_note(all_runs, paths):
    """The first line of a comparison when the files come from different CPUs or kernels, else None."""
    diffs = []
    for key, what in (("cpu_model", "CPU"), ("kernel_release", "kernel")):
        values = [r.data.get("procscope", {}).get(key, "?") for r in all_runs]
        if len(set(values)) > 1:
            diffs.append(f"{what} ({' / '.join(values)})")
    if not diffs:
        return None
    return (f"note: these runs differ in {' and '.join(diffs)}: a difference below may be the machine's, not "
            f"the code's")


def cmd_compare(args):
    threshold = parse_threshold(args.threshold)
    all_runs = [Runs(load(p)) for p in args.results]
    common = set(all_runs[0].median)
    for r in all_runs[1:]:
        common &= set(r.median)
    if not common:
        fail("the runs have no benchmark in common: their grids do not overlap, nothing to compare")
    note = machine_note(all_runs, args.results)
    if note:
        print(note)
    base = all_runs[0]
    labels = [r.data.get("procscope", {}).get("kernel_release", p) for r, p in zip(all_runs, args.results)]
    print("baseline: " + labels[0])
    rows, flagged, regressed = [], 0, []
    chart = {}
    for name in sorted(common):
        a = base.value(name)
        row = [name]
        for r, label, path in zip(all_runs[1:], labels[1:], args.results[1:]):
            b = r.value(name)
            ratio = b / a if a else float("nan")
            noise = base.spread(name) + r.spread(name)
            flag = abs(ratio - 1) > max(noise, 0.05)
            flagged += flag
            if ratio - 1 > max(noise, threshold) + 1e-9:  # 1.1 / 1.0 - 1 is a hair over 0.1
                regressed.append((name, path, f"{ratio:.3f}", f"{noise:.2f}"))
            row.append(f"{ratio:.3f} (noise {noise:.2f}){' *' if flag else ''}")
            chart.setdefault(label, []).append(ratio)
        rows.append(tuple(row))
    # The regressions first: what a maintainer checking "did my change slow anything down" needs to see.
    if regressed:
        print(f"REGRESSED: {len(regressed)} cell(s) slower than the baseline by more than both runs' noise and "
              f"the threshold ({threshold:.0%}):")
        print_table(("benchmark", "file", "time ratio", "noise"), regressed)
    else:
        print(f"no cell slower than the baseline by more than both runs' noise and the threshold ({threshold:.0%})")
    print_table(tuple(["benchmark"] + [f"{l} / {labels[0]}" for l in labels[1:]]), rows)
    print(f"{flagged} difference(s) larger than the noise (marked *: |ratio - 1| above the repetitions' "
          f"relative spread of both runs, and above 5%)")
    for r, path in zip(all_runs, args.results):
        missing = sorted(n for n in r.median if n not in common)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            print(f"only in some files, not compared: {len(missing)} cell(s) of {path}: {shown}")
    probes = [r.data.get("procscope", {}).get("probe", {}) for r in all_runs]
    diffs = sorted((k, *cells) for k, cells, differs in probe_keys.rows(probes, skip={"kernel_release"}) if differs)
    if diffs:
        print("kernel semantics that differ (procscope probe):")
        print_table(tuple(["key"] + labels), diffs)
    elif any(probes):
        print("kernel semantics (procscope probe): identical")
    if args.chart:
        if svg_lines(args.chart, f"time ratio to {labels[0]} per benchmark (x: row of the table)",
                     [str(i) for i in range(len(rows))], chart, "ratio (log)"):
            print(f"chart: {args.chart}")
    return 1 if regressed else 0


NOISY = 0.10  # a paired target whose repetitions' ratios spread wider than this was measured in a noisy phase


def cmd_check(args):
    """The targets only (every one a paired ratio): exit 0 when each is met within the tolerance, 1 when one
    is missed beyond it in a quiet run, 3 when the misses all come from noisy cells (the caller reruns)."""
    tolerance = parse_threshold(args.tolerance)
    runs = Runs(load(args.result))
    ctx = runs.data.get("procscope", {})
    rows = [r for r in summary_rows(runs) if r[3] is not None]
    if not rows:
        fail(f"{args.result} holds no paired target cell (BM_Paired..., BM_PairedMapsSpans)")
    table, missed, noisy_missed = [], 0, 0
    for label, v, op, target, source in rows:
        spread = runs.spread(source, "ratio") if source else 0.0
        bound = target * (1 + tolerance) if op == "<=" else target * (1 - tolerance)
        within = v <= bound if op == "<=" else v >= bound
        met = v <= target if op == "<=" else v >= target
        # Noisy: the repetitions spread wide and the best of them would have passed. A miss even the best
        # repetition makes (a real slowdown) is never excused as noise.
        reps = [float(r["ratio"]) for r in runs.reps.get(source, []) if "ratio" in r] if source else []
        best = (min(reps) if op == "<=" else max(reps)) if reps else v
        noisy = spread > NOISY and (best <= bound if op == "<=" else best >= bound)
        status = "met" if met else "within tolerance" if within else "MISSED (noisy)" if noisy else "MISSED"
        missed += not within and not noisy
        noisy_missed += not within and noisy
        table.append((label, f"{v:.3f}", f"{spread:.2f}", f"{op} {target:g} (+{tolerance:.0%})" if op == "<="
                      else f"{op} {target:g} (-{tolerance:.0%})", status))
    print(f"CPU {ctx.get('cpu_model', '?')}, kernel {ctx.get('kernel_release', '?')}, revision "
          f"{ctx.get('git_revision', '?')}")
    print_table(("target (paired, medians of one run)", "value", "spread", "target", "status"), table)
    if missed:
        print(f"bench check: {missed} target(s) missed beyond the tolerance")
        return 1
    if noisy_missed:
        print(f"bench check: {noisy_missed} target(s) missed in cells whose repetitions spread over {NOISY:.0%}: "
              f"measure again")
        return 3
    print(f"bench check: all {len(rows)} targets met (within {tolerance:.0%})")
    return 0


def cmd_merge(args):
    merged = None
    gbench = {}
    for path in args.runs:
        data = load(path)
        gbench.update(data.get("context", {}))  # each run adds its own custom context keys
        if merged is None:
            merged = data
        else:
            merged["benchmarks"].extend(data["benchmarks"])
    try:
        with open(args.context) as f:
            context = json.load(f)
        with open(args.probe) as f:
            context["probe"] = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read the context or probe: {e}")
    merged["context"] = gbench
    context.setdefault("strategies", gbench.get("procscope_strategies", "").split(","))
    context.setdefault("default_strategy", gbench.get("procscope_default_strategy"))
    context.setdefault("grid", gbench.get("procscope_grid"))
    merged["procscope"] = context
    with open(args.out, "w") as f:
        json.dump(merged, f, indent=1)
    return 0


def main(argv):
    parser = argparse.ArgumentParser(prog="bench_report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="ratios P0-P10 of one result file, met/unmet (P1 and plugin ratios: information)")
    s.add_argument("result")
    s.add_argument("--chart", help="write an SVG of ns/element vs hole fraction here")
    c = sub.add_parser("compare", help="line up the same benchmarks from result files of different kernels or "
                                       "revisions; exit 1 when a cell regressed, 2 on bad input")
    c.add_argument("results", nargs="+")
    c.add_argument("--chart", help="write an SVG of the ratios here")
    c.add_argument("--threshold", default="10%",
                   help="a cell is REGRESSED when its time ratio to the first file exceeds 1 + max(both runs' "
                        "noise, this) (default 10%%); exit 1 when one is")
    k = sub.add_parser("check", help="the paired targets only: exit 0 met, 1 missed beyond --tolerance, 3 "
                                     "missed in noisy cells (measure again)")
    k.add_argument("result")
    k.add_argument("--tolerance", default="5%", help="how far beyond its target a ratio may be (default 5%%)")
    m = sub.add_parser("merge", help="(used by tools/harness bench) one result file from benchmark runs")
    m.add_argument("out")
    m.add_argument("--context", required=True)
    m.add_argument("--probe", required=True)
    m.add_argument("runs", nargs="+")
    args = parser.parse_args(argv[1:])
    if args.command == "compare" and len(args.results) < 2:
        fail("compare needs at least two result files")
    return {"summary": cmd_summary, "compare": cmd_compare, "check": cmd_check, "merge": cmd_merge}[args.command](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
