#!/usr/bin/env bash
# tools/bench_report.py on small made-up result files (tests/testdata/bench): the summary's ratios and
# met/unmet marks, compare's ratios, noise flags and probe differences, and its refusal of runs whose grids
# do not overlap. Inputs are invented, so every expected number below is known exactly.
set -euo pipefail
report=tools/bench_report.py
data=tests/testdata/bench
out=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }

summary=$(python3 "$report" summary "$data/a.json" --chart "$out/a.svg")
echo "$summary"
grep -q "P1 adaptive_coalesce N=4096 S=8 H=0.01: ns/valid element / H=0 (price of holes) *1.025 *- *information" \
  <<<"$summary" || fail "P1 H=0.01"
grep -q "H=0.5: ns/valid element / H=0 (price of holes) *1.639 *- *information" <<<"$summary" || fail "P1 H=0.5"
grep -q "P7" <<<"$summary" && fail "P7 shown for a run without floor_maps cells"
grep -q "P2 retry / adaptive_coalesce .* 8.000 *>= 4 *met" <<<"$summary" || fail "P2"
grep -q "P3 per_element / adaptive_coalesce .* 2.000 *>= 3 *UNMET" <<<"$summary" || fail "P3 unmet"
grep -q "P4 .* 4.000 *<= 4 *met" <<<"$summary" || fail "P4"
grep -q "P5 .*H=0 \[unpaired\] *1.053 *<= 1.05 *UNMET" <<<"$summary" || fail "P5 from two cells"
grep -q "<polyline" "$out/a.svg" || fail "no chart lines"

# A run with a plugin (bench --backend): its cells at twice the default's times give ratios of 2, shown as
# information (no target).
python3 - "$data/a.json" "$out/plugin.json" <<'PY'
import copy, json, sys
data = json.load(open(sys.argv[1]))
data.setdefault("context", {})["procscope_plugin"] = "made-up plugin (x.so)"
extra = []
for row in data["benchmarks"]:
    if row["name"].startswith("BM_Read/strategy:adaptive_coalesce/N:4096/"):
        twin = copy.deepcopy(row)
        for key in ("name", "run_name"):
            twin[key] = twin[key].replace("strategy:adaptive_coalesce", "strategy:plugin")
        twin["real_time"] *= 2
        extra.append(twin)
        # floor_maps at 0.8 x the default's time: P7 = 1.25 (UNMET) at every H.
        floor = copy.deepcopy(row)
        for key in ("name", "run_name"):
            floor[key] = floor[key].replace("strategy:adaptive_coalesce", "strategy:floor_maps")
        floor["real_time"] *= 0.8
        extra.append(floor)
data["benchmarks"] += extra
json.dump(data, open(sys.argv[2], "w"))
PY
plugin=$(python3 "$report" summary "$out/plugin.json")
echo "$plugin"
for h in 0 0.1 0.5; do
  grep -q "plugin / adaptive_coalesce at N=4096 S=8 H=$h \[made-up plugin (x.so)\] *2.000 *- *information" \
    <<<"$plugin" || fail "plugin ratio at H=$h"
done
grep -q "plugin /" <<<"$summary" && fail "a run without a plugin shows plugin ratios"
for h in 0.01 0.1 0.5; do
  grep -q "P7 adaptive_coalesce / floor_maps (valid-only calls + one maps read), N=4096 S=8 H=$h \[unpaired\] *1.250 *<= 1.1 *UNMET" \
    <<<"$plugin" || fail "P7 at H=$h"
done

# Paired cells (BM_Paired): their "ratio" counter is P5/P7, whatever the separate cells say.
python3 - "$out/plugin.json" "$out/paired.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
for floor, n, h, ratio in [("floor_maps", 4096, "0.01", 1.04), ("floor_maps", 4096, "0.1", 1.07),
                           ("floor_maps", 4096, "0.5", 1.2), ("floor_syscall", 1024, "0", 1.01)]:
    name = f"BM_Paired/floor:{floor}/N:{n}/S:8/H:{h}/layout:spread"
    data["benchmarks"].append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                               "aggregate_name": "median", "real_time": 1000, "time_unit": "us", "ratio": ratio})
json.dump(data, open(sys.argv[2], "w"))
PY
paired=$(python3 "$report" summary "$out/paired.json")
echo "$paired"
grep -q "N=4096 S=8 H=0.01 \[paired\] *1.040 *<= 1.1 *met" <<<"$paired" || fail "paired P7 at H=0.01"
grep -q "N=4096 S=8 H=0.5 \[paired\] *1.200 *<= 1.1 *UNMET" <<<"$paired" || fail "paired P7 at H=0.5"
grep -q "P5 .*H=0 \[paired\] *1.010 *<= 1.05 *met" <<<"$paired" || fail "paired P5"

# CLI cells (bench/cli_benchmark.cc): C1-C5 at 1M elements, C0 information at 10k/200k.
python3 - "$data/a.json" "$out/cli.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
def row(n, fmt, ms, **counters):
    name = f"BM_Cli/N:{n}/format:{fmt}/iterations:1/manual_time"
    return dict(name=name + "_median", run_name=name, run_type="aggregate", aggregate_name="median",
                real_time=ms, time_unit="ms", **counters)
data["benchmarks"] += [row(10000, "json", 10, ratio=2.5, peak_rss_mb=5.5, data_mb=0.08),
                       row(1000000, "json", 800, ratio=1.7, peak_rss_mb=80.0, data_mb=7.6),
                       row(1000000, "ndjson", 760, ratio=1.6, peak_rss_mb=25, data_mb=7.6),
                       row(1000000, "out", 880, ratio=1.9, peak_rss_mb=25, data_mb=7.6),
                       row(1000000, "table", 1200, ratio=2.5, peak_rss_mb=25, data_mb=7.6)]
json.dump(data, open(sys.argv[2], "w"))
PY
cli=$(python3 "$report" summary "$out/cli.json")
echo "$cli"
grep -q "C0 read --json 10k elements: CLI wall / engine (peak RSS 6 MB) *2.500 *- *information" <<<"$cli" || fail "C0"
grep -q "C1 read --json 1M elements: CLI wall / engine *1.700 *<= 5 *met" <<<"$cli" || fail "C1"
grep -q "C2 read --json 1M elements: peak RSS - data read (MB) *72.400 *<= 64 *UNMET" <<<"$cli" || fail "C2"
grep -q "C3 --format ndjson / --json, 1M elements (wall) *0.950 *<= 1 *met" <<<"$cli" || fail "C3"
grep -q "C4 --out (ndjson results) / --json, 1M elements (wall) *1.100 *<= 1 *UNMET" <<<"$cli" || fail "C4"
grep -q "C5 table / --json, 1M elements (wall) *1.500 *<= 2 *met" <<<"$cli" || fail "C5"
grep -q "^C" <<<"$summary" && fail "C rows for a run without CLI cells"

compare=$(python3 "$report" compare "$data/a.json" "$data/b.json" --chart "$out/c.svg")
echo "$compare"
grep -q "baseline: 6.18.44" <<<"$compare" || fail "baseline label"
grep -q "BM_Read/strategy:retry/N:4096/S:8/H:0.5/layout:spread *1.500 (noise 0.00) \*" <<<"$compare" || fail "flagged 1.5x"
grep -q "BM_Dense1024In4Pages *1.000 (noise 0.00)$" <<<"$compare" || fail "unchanged benchmark flagged"
grep -q "splits_elements *true *false" <<<"$compare" || fail "probe difference not shown"
grep -q "<svg" "$out/c.svg" || fail "no compare chart"

# The noise threshold: a difference is flagged only above both runs' repetition spread and above 5%.
python3 - "$out" <<'PY'
import json, sys
def run(name, reps):
    rows = [{"name": name, "run_name": name, "run_type": "iteration", "real_time": t, "time_unit": "ns"} for t in reps]
    rows.append({"name": name + "_median", "run_name": name, "run_type": "aggregate", "aggregate_name": "median",
                 "real_time": sorted(reps)[len(reps) // 2], "time_unit": "ns"})
    return rows
def write(path, release, cells):
    benchmarks = [row for name, reps in cells.items() for row in run(name, reps)]
    json.dump({"context": {"kernel_release": release}, "benchmarks": benchmarks}, open(path, "w"))
write(sys.argv[1] + "/n1.json", "base", {"BM_Steady": [100, 100, 100], "BM_Noisy": [80, 100, 120], "BM_Small": [100, 100, 100]})
write(sys.argv[1] + "/n2.json", "other", {"BM_Steady": [110, 110, 110], "BM_Noisy": [110, 110, 110], "BM_Small": [103, 103, 103]})
PY
noise=$(python3 "$report" compare "$out/n1.json" "$out/n2.json" --chart "$out/n.svg")
echo "$noise"
grep -q "BM_Steady *1.100 (noise 0.00) \*" <<<"$noise" || fail "a 10% difference with no spread is not flagged"
grep -q "BM_Noisy *1.100 (noise 0.40)$" <<<"$noise" || fail "a 10% difference inside a 40% spread is flagged"
grep -q "BM_Small *1.030 (noise 0.00)$" <<<"$noise" || fail "a 3% difference (under 5%) is flagged"

set +e
refusal=$(python3 "$report" compare "$data/a.json" "$data/disjoint.json" 2>&1)
status=$?
set -e
[ "$status" -eq 2 ] || fail "compare of disjoint grids exited $status, not 2"
grep -q "no benchmark in common" <<<"$refusal" || fail "refusal message: $refusal"
python3 "$report" compare "$data/a.json" >/dev/null 2>&1 && fail "compare of one file accepted"
python3 "$report" summary "$data/missing.json" >/dev/null 2>&1 && fail "missing file accepted"
echo "PASS"
