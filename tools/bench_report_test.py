"""tools/bench_report.py on small made-up result files (tools/testdata/bench): the summary's ratios and
met/unmet marks, compare's ratios, noise flags and probe differences (unmeasured keys never count as one),
and its refusal of runs whose grids do not overlap. Inputs are invented, so every expected number is known
exactly."""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "bench_report.py")
DATA = os.path.join(HERE, "testdata", "bench")


def report(*args):
    """(exit status, stdout + stderr) of bench_report.py ARGS."""
    r = subprocess.run([sys.executable, REPORT] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return r.returncode, r.stdout


def load(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


class BenchReportTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp()

    def write(self, name, data):
        path = os.path.join(self.out, name)
        with open(path, "w") as f:
            json.dump(data, f)
        return path

    def output(self, *args):
        rc, text = report(*args)
        self.assertEqual(rc, 0, text)
        return text

    def assertLine(self, pattern, text):
        self.assertRegex(text, re.compile(pattern, re.M))

    def test_summary(self):
        chart = os.path.join(self.out, "a.svg")
        s = self.output("summary", os.path.join(DATA, "a.json"), "--chart", chart)
        self.assertLine(r"P1 adaptive_coalesce N=4096 S=8 H=0.01: ns/valid element / H=0 \(price of holes\) \[unpaired\] *1.025 *- "
                        r"*information", s)
        self.assertLine(r"H=0.5: ns/valid element / H=0 \(price of holes\) \[unpaired\] *1.639 *- *information", s)
        self.assertNotIn("P7", s, "P7 shown for a run without floor_maps cells")
        self.assertLine(r"P2 retry / adaptive_coalesce .* \[unpaired\] *8.000 *- *information", s)
        self.assertLine(r"P3 per_element / adaptive_coalesce .*\(what batching saves on this CPU\) \[unpaired\] *2.000 *- *information", s)
        self.assertLine(r"P4 1024 x 8 B in 4 pages / one 16 KiB read \[unpaired\] *4.000 *- *information", s)
        self.assertLine(r"P5 .*H=0 \[unpaired\] *1.053 *- *information", s)
        self.assertNotRegex(s, re.compile(r"\[unpaired\].*(met|UNMET)$", re.M), "an unpaired ratio given a target")
        self.assertNotIn("plugin /", s)
        self.assertNotRegex(s, re.compile(r"^C", re.M), "C rows for a run without CLI cells")
        with open(chart) as f:
            self.assertIn("<polyline", f.read())

    def plugin_run(self):
        """a.json plus a plugin at twice adaptive_coalesce's times and floor_maps at 0.8 times (P7 = 1.25)."""
        data = load("a.json")
        data.setdefault("context", {})["procscope_plugin"] = "made-up plugin (x.so)"
        extra = []
        for row in data["benchmarks"]:
            if row["name"].startswith("BM_Read/strategy:adaptive_coalesce/N:4096/"):
                for strategy, factor in (("plugin", 2), ("floor_maps", 0.8)):
                    twin = copy.deepcopy(row)
                    for key in ("name", "run_name"):
                        twin[key] = twin[key].replace("strategy:adaptive_coalesce", f"strategy:{strategy}")
                    twin["real_time"] *= factor
                    extra.append(twin)
        data["benchmarks"] += extra
        return data

    def test_plugin_ratios_and_unpaired_p7(self):
        s = self.output("summary", self.write("plugin.json", self.plugin_run()))
        for h in ("0", "0.1", "0.5"):
            self.assertLine(rf"plugin / adaptive_coalesce at N=4096 S=8 H={h} \[unpaired\] \[made-up plugin \(x.so\)\] *2.000 *- "
                            r"*information", s)
        for h in ("0.01", "0.1", "0.5"):
            self.assertLine(rf"P7 adaptive_coalesce / floor_maps \(valid-only calls \+ one maps read\), N=4096 S=8 "
                            rf"H={h} \[unpaired\] *1.250 *- *information", s)

    def test_paired_cells_win(self):
        data = self.plugin_run()
        for floor, n, h, ratio in [("floor_maps", 4096, "0.01", 1.04), ("floor_maps", 4096, "0.1", 1.07),
                                   ("floor_maps", 4096, "0.5", 1.2), ("floor_syscall", 1024, "0", 1.01)]:
            name = f"BM_Paired/floor:{floor}/N:{n}/S:8/H:{h}/layout:spread"
            data["benchmarks"].append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                                       "aggregate_name": "median", "real_time": 1000, "time_unit": "us",
                                       "ratio": ratio})
        s = self.output("summary", self.write("paired.json", data))
        self.assertLine(r"N=4096 S=8 H=0.01 \[paired\] *1.040 *<= 1.1 *met", s)
        self.assertLine(r"N=4096 S=8 H=0.5 \[paired\] *1.200 *<= 1.1 *UNMET", s)
        self.assertLine(r"P5 .*H=0 \[paired\] *1.010 *<= 1.05 *met", s)

    def test_p4_paired_against_the_coalescing_floor(self):
        data = load("a.json")
        name = "BM_Paired/floor:floor_coalesce/N:1024/S:8/H:0/layout:dense16"
        data["benchmarks"].append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                                   "aggregate_name": "median", "real_time": 3, "time_unit": "us", "ratio": 1.07})
        s = self.output("summary", self.write("p4.json", data))
        self.assertLine(r"P4 adaptive_coalesce / floor_coalesce \(span read \+ scatter\), 1024 x 8 B in 4 pages "
                        r"\[paired\] *1.070 *<= 1.1 *met", s)
        self.assertNotIn("one 16 KiB read", s)

    def test_paired_plugin_cells_win_over_the_unpaired_quotient(self):
        data = self.plugin_run()
        name = "BM_PairedPlugin/N:4096/S:8/H:0.1/layout:spread"
        data["benchmarks"].append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                                   "aggregate_name": "median", "real_time": 1000, "time_unit": "us",
                                   "ratio": 30.5})
        s = self.output("summary", self.write("paired_plugin.json", data))
        self.assertLine(r"plugin / adaptive_coalesce at N=4096 S=8 H=0.1 \[paired\] \[made-up plugin \(x.so\)\] "
                        r"*30.500 *- *information", s)
        self.assertLine(r"plugin / adaptive_coalesce at N=4096 S=8 H=0.5 \[unpaired\] \[made-up plugin \(x.so\)\] *2.000 *- "
                        r"*information", s)

    def paired_cells(self, data, cells):
        """Adds paired cells {name: [ratio per repetition]} to `data` (repetitions and their median)."""
        for name, ratios in cells.items():
            for r in ratios:
                data["benchmarks"].append({"name": name, "run_name": name, "run_type": "iteration",
                                           "real_time": 10, "time_unit": "us", "ratio": r})
            data["benchmarks"].append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                                       "aggregate_name": "median", "real_time": 10, "time_unit": "us",
                                       "ratio": sorted(ratios)[len(ratios) // 2]})
        return data

    def test_p0_paired_and_p3_beside_the_hardware_ratio(self):
        data = load("a.json")
        data.setdefault("procscope", {})["cpu_model"] = "AMD EPYC 7B13"
        for name, t in (("BM_ParseMaps", 300), ("BM_ReadSelfMaps", 1000), ("BM_ParseStat", 1), ("BM_ReadSelfStat", 4)):
            data["benchmarks"].append({"name": name, "run_name": name, "run_type": "iteration", "real_time": t,
                                       "time_unit": "us"})
        for row in list(data["benchmarks"]):
            if row["name"].startswith("BM_Read/strategy:per_element/N:4096/S:8/H:0/"):
                twin = copy.deepcopy(row)
                for key in ("name", "run_name"):
                    twin[key] = twin[key].replace("strategy:per_element", "strategy:floor_syscall")
                twin["real_time"] /= 4
                data["benchmarks"].append(twin)
        self.paired_cells(data, {"BM_PairedMapsSpans": [0.08, 0.09, 0.085]})
        s = self.output("summary", self.write("p0.json", data))
        self.assertLine(r"^ratio \(medians of one run; CPU: AMD EPYC 7B13\)", s)
        self.assertLine(r"P0 maps: ParseMapsSpans \(the engine's parse\) / read of the same ~2000 lines \[paired\] "
                        r"*0.085 *<= 0.1 *met", s)
        self.assertLine(r"P0 maps: full parse / read \[unpaired\] *0.300 *- *information", s)
        self.assertLine(r"P0 stat: parse / read \[unpaired\] *0.250 *- *information", s)
        self.assertLine(r"P3 per_element / floor_syscall .*\(the same, hand-built: the hardware's ratio\) \[unpaired\] "
                        r"*4.000 *- *information", s)

    def test_check_exit_status(self):
        p4 = "BM_Paired/floor:floor_coalesce/N:1024/S:8/H:0/layout:dense16"
        p5 = "BM_Paired/floor:floor_syscall/N:1024/S:8/H:0/layout:spread"
        met = self.paired_cells(load("a.json"), {p4: [1.02, 1.04, 1.03], p5: [1.01, 1.02, 1.01],
                                                 "BM_PairedMapsSpans": [0.08, 0.08, 0.08]})
        rc, s = report("check", self.write("met.json", met))
        self.assertEqual(rc, 0, s)
        self.assertIn("bench check: all 3 targets met (within 5%)", s)
        self.assertNotIn("P2", s)  # information is not checked
        # 1.12 is beyond 1.10 but within 5% of it; 1.20 is not: quiet repetitions, so a miss.
        within = self.paired_cells(load("a.json"), {p4: [1.12, 1.12, 1.12]})
        rc, s = report("check", self.write("within.json", within))
        self.assertEqual(rc, 0, s)
        self.assertLine(r"P4 .* *1.120 *0.00 *<= 1.1 \(\+5%\) *within tolerance$", s)
        missed = self.paired_cells(load("a.json"), {p4: [1.19, 1.20, 1.21], p5: [1.01, 1.01, 1.01]})
        rc, s = report("check", self.write("missed.json", missed))
        self.assertEqual(rc, 1, s)
        self.assertLine(r"P4 .* *1.200 *0.02 *<= 1.1 \(\+5%\) *MISSED$", s)
        self.assertIn("bench check: 1 target(s) missed beyond the tolerance", s)
        # The same miss with repetitions spread over 10%: measure again (3), not excused.
        noisy = self.paired_cells(load("a.json"), {p4: [1.05, 1.20, 1.40]})
        rc, s = report("check", self.write("noisy.json", noisy))
        self.assertEqual(rc, 3, s)
        self.assertLine(r"P4 .* *MISSED \(noisy\)$", s)
        # What `bench --check` writes: the paired cells and nothing else.
        alone = self.paired_cells({"benchmarks": []}, {p4: [1.02, 1.03, 1.04],
                                                        "BM_Paired/floor:floor_maps/N:4096/S:8/H:0.5/layout:spread":
                                                            [1.05, 1.06, 1.07]})
        rc, s = report("check", self.write("alone.json", alone))
        self.assertEqual(rc, 0, s)
        self.assertIn("bench check: all 2 targets met (within 5%)", s)
        # Spread wide, but even the best repetition misses: a real slowdown, not noise.
        slow = self.paired_cells(load("a.json"), {p4: [2.5, 3.2, 3.6]})
        rc, s = report("check", self.write("slow.json", slow))
        self.assertEqual(rc, 1, s)
        self.assertLine(r"P4 .* *3.200 *0.34 *<= 1.1 \(\+5%\) *MISSED$", s)
        # A file with no paired target: bad input.
        rc, s = report("check", os.path.join(DATA, "a.json"))
        self.assertEqual(rc, 2, s)

    def test_p10_sparse_and_guard_rows(self):
        p10 = "BM_Paired/floor:sparse/mappings:30000/N:16/holes:1/engine:default"
        three = "BM_Paired/floor:sparse/mappings:30000/N:16/holes:3/engine:default"
        data = self.paired_cells(load("a.json"), {
            p10: [1.05, 1.06, 1.07], three: [2.0, 2.1, 2.2],
            "BM_Sparse/mappings:30000/N:16/holes:1/engine:maps_text": [740, 750, 760],
            "BM_Sparse/mappings:30000/N:16/holes:1/engine:procmap_query": [2.1, 2.14, 2.2],
            "BM_PairedGuard/floor:floor_pagemap/N:4096/S:8/H:0.1/layout:guard": [1.1, 1.11, 1.12]})
        for b in data["benchmarks"]:  # how the last batch classified: calls (1), procmap_query (2)
            if b["run_name"] in (p10, three):
                b["classified_by"] = 1 if b["run_name"] == p10 else 2
        s = self.output("summary", self.write("p10.json", data))
        self.assertLine(r"^P10 default / floor_sparse \(calls that stop at the hole, no classification\), 30,000 "
                        r"mappings, N=16, 1 hole \[paired\] *1.060 *<= 1.5 *met", s)
        self.assertLine(r"^P10 cost model: default \(by calls\) / floor_sparse at 30000 mappings, N=16, 1 hole; "
                        r"forced: maps_text 750, procmap_query 2.14 \[paired\] *1.060", s)
        self.assertLine(r"^P10 cost model: default \(by procmap_query\) / floor_sparse at 30000 mappings, N=16, "
                        r"3 holes; forced: - \[paired\] *2.100", s)
        self.assertLine(r"^guard pages: adaptive_coalesce / floor_pagemap \(one pagemap read \+ the valid-only "
                        r"calls\), N=4096 S=8 H=0.1 \[paired\] *1.110", s)
        # P10 is one of bench --check's targets; 1.7 misses it.
        rc, c = report("check", self.write("p10check.json", self.paired_cells({"benchmarks": []}, {p10: [1.7, 1.7, 1.7]})))
        self.assertEqual(rc, 1, c)
        self.assertLine(r"^P10 .* *1.700 *0.00 *<= 1.5 \(\+5%\) *MISSED$", c)

    def test_cli_rows(self):
        data = load("a.json")

        def row(n, fmt, ms, **counters):
            name = f"BM_Cli/N:{n}/format:{fmt}/iterations:1/manual_time"
            return dict(name=name + "_median", run_name=name, run_type="aggregate", aggregate_name="median",
                        real_time=ms, time_unit="ms", **counters)

        data["benchmarks"] += [row(10000, "json", 10, ratio=2.5, peak_rss_mb=5.5, data_mb=0.08),
                               row(1000000, "json", 800, ratio=1.7, peak_rss_mb=80.0, data_mb=7.6),
                               row(1000000, "ndjson", 760, ratio=1.6, peak_rss_mb=25, data_mb=7.6),
                               row(1000000, "out", 880, ratio=1.9, peak_rss_mb=25, data_mb=7.6),
                               row(1000000, "table", 1200, ratio=2.5, peak_rss_mb=25, data_mb=7.6)]
        s = self.output("summary", self.write("cli.json", data))
        self.assertLine(r"C0 read --json 10k elements: CLI wall / engine \(peak RSS 6 MB\) *2.500 *- *information", s)
        self.assertLine(r"C1 read --json 1M elements: CLI wall / engine *1.700 *<= 5 *met", s)
        self.assertLine(r"C2 read --json 1M elements: peak RSS - data read \(MB\) *72.400 *<= 64 *UNMET", s)
        self.assertLine(r"C3 --format ndjson / --json, 1M elements \(wall\) \[unpaired\] *0.950 *- *information", s)
        self.assertLine(r"C4 --out \(ndjson results\) / --json, 1M elements \(wall\) \[unpaired\] *1.100 *- *information", s)
        self.assertLine(r"C5 table / --json, 1M elements \(wall\) \[unpaired\] *1.500 *- *information", s)

    def test_compare(self):
        chart = os.path.join(self.out, "c.svg")
        rc, s = report("compare", os.path.join(DATA, "a.json"), os.path.join(DATA, "b.json"), "--chart", chart)
        self.assertEqual(rc, 1, s)  # b.json's engine cells are 1.5 times slower: regressions
        lines = s.splitlines()
        self.assertEqual(lines[0], "note: these runs differ in kernel (6.18.44 / 6.1.0): a difference below may "
                                   "be the machine's, not the code's")
        self.assertEqual(lines[1], "baseline: 6.18.44")
        self.assertEqual(lines[2], "REGRESSED: 6 cell(s) slower than the baseline by more than both runs' noise "
                                   "and the threshold (10%):")
        regressed = lines[4:10]
        self.assertTrue(any(re.match(r"^BM_Read/strategy:retry/N:4096/S:8/H:0.5/layout:spread +.*b.json +1.500 "
                                     r"+0.00$", line) for line in regressed), s)
        self.assertFalse(any(line.startswith("BM_Dense1024In4Pages") for line in regressed), s)
        self.assertEqual(report("compare", os.path.join(DATA, "a.json"), os.path.join(DATA, "a.json"))[0], 0)
        self.assertLine(r"BM_Read/strategy:retry/N:4096/S:8/H:0.5/layout:spread *1.500 \(noise 0.00\) \*", s)
        self.assertLine(r"BM_Dense1024In4Pages *1.000 \(noise 0.00\)$", s)
        self.assertLine(r"splits_elements *true *false", s)
        with open(chart) as f:
            self.assertIn("<svg", f.read())

    def test_an_unmeasured_probe_key_is_shown_but_never_a_difference(self):
        a, b = load("a.json"), load("b.json")
        for data, eof in ((a, True), (b, None)):
            probe = data.setdefault("procscope", {}).setdefault("probe", {})
            probe["procmem_eof_after_exit"] = eof
            probe["splits_elements"] = True
        b["procscope"]["probe"]["procmem_eof_after_exit_unmeasured"] = "EAGAIN: fork"
        rc, s = report("compare", self.write("a.json", a), self.write("b.json", b))
        self.assertNotIn("procmem_eof_after_exit", s)
        self.assertIn("kernel semantics (procscope probe): identical", s)

    def test_noise_threshold(self):
        def run(name, reps):
            rows = [{"name": name, "run_name": name, "run_type": "iteration", "real_time": t, "time_unit": "ns"}
                    for t in reps]
            rows.append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                         "aggregate_name": "median", "real_time": sorted(reps)[len(reps) // 2], "time_unit": "ns"})
            return rows

        def file(name, release, cells):
            return self.write(name, {"context": {"kernel_release": release},
                                     "benchmarks": [r for n, reps in cells.items() for r in run(n, reps)]})

        n1 = file("n1.json", "base", {"BM_Steady": [100] * 3, "BM_Noisy": [80, 100, 120], "BM_Small": [100] * 3})
        n2 = file("n2.json", "other", {"BM_Steady": [110] * 3, "BM_Noisy": [110] * 3, "BM_Small": [103] * 3})
        s = self.output("compare", n1, n2, "--chart", os.path.join(self.out, "n.svg"))
        self.assertLine(r"BM_Steady *1.100 \(noise 0.00\) \*", s)
        self.assertLine(r"BM_Noisy *1.100 \(noise 0.40\)$", s)
        self.assertLine(r"BM_Small *1.030 \(noise 0.00\)$", s)
        # 10% slower is not beyond a 10% threshold; with 5%, BM_Steady regressed (BM_Noisy is within its noise).
        self.assertIn("no cell slower than the baseline by more than both runs' noise and the threshold (10%)", s)
        rc, s = report("compare", n1, n2, "--threshold", "5%")
        self.assertEqual(rc, 1, s)
        self.assertLine(r"^BM_Steady +.*n2.json +1.100 +0.00$", s)
        self.assertNotRegex(s, re.compile(r"^BM_Noisy +.*n2.json", re.M))
        self.assertNotRegex(s, re.compile(r"^BM_Small +.*n2.json", re.M))
        # Faster is never a regression.
        self.assertEqual(report("compare", n2, n1, "--threshold", "5%")[0], 0)

    def test_compare_names_missing_cells_and_other_machines_first(self):
        a, b = load("a.json"), load("b.json")
        a.setdefault("procscope", {})["cpu_model"] = "AMD EPYC 7B13"
        b.setdefault("procscope", {})["cpu_model"] = "Intel Xeon"
        b["benchmarks"] = [r for r in b["benchmarks"] if not r["name"].startswith("BM_Dense1024In4Pages")]
        rc, s = report("compare", self.write("a.json", a), self.write("b.json", b))
        self.assertTrue(s.startswith("note: these runs differ in CPU (AMD EPYC 7B13 / Intel Xeon)"), s)
        self.assertLine(r"^only in some files, not compared: 1 cell\(s\) of .*a.json: BM_Dense1024In4Pages$", s)

    def test_compare_bad_input_is_status_2(self):
        a = os.path.join(DATA, "a.json")
        for args in ((a, a, "--threshold", "ten"), (a, a, "--threshold=-5%"), (a, "/nonexistent.json")):
            rc, s = report("compare", *args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(len(s.strip().splitlines()), 1, s)

    def test_refusals(self):
        rc, text = report("compare", os.path.join(DATA, "a.json"), os.path.join(DATA, "disjoint.json"))
        self.assertEqual(rc, 2)
        self.assertIn("no benchmark in common", text)
        self.assertNotEqual(report("compare", os.path.join(DATA, "a.json"))[0], 0)
        self.assertNotEqual(report("summary", os.path.join(DATA, "missing.json"))[0], 0)


if __name__ == "__main__":
    unittest.main()
