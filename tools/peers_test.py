"""peers.py's pure parts: the status file, the benchmark's paired timings, and the report's rows for a peer
that passes, fails, is not installed, hangs or crashes."""
import unittest

import peers

CONTEXT = {"date": "2026-12-07", "kernel": "6.18.44", "cpu": "AMD EPYC", "cores": 2, "revision": "abc123"}


def verdict(name, passed, got, outcome="returned", run=True):
    return {"class": name, "correct": "8 bytes, ok", "run": run, "passed": passed, "outcome": outcome,
            "problem": "" if passed else f"{name}: wrong", "got": got,
            "repro": f"procscope conform --batch '{name}'"}


def subject(name, **fields):
    s = {"name": name, "version": "", "missing": "", "classes": None, "classes_error": "", "run": None,
         "run_error": "", "run_seconds": 3.0, "timings": None, "bench_error": ""}
    s.update(fields)
    return s


RUN = {"cases": 2459, "random_cases": 50, "seed": 1, "failed": 2407, "hangs": 0, "crashes": 0, "not_run": 0}


class PeersTest(unittest.TestCase):
    def test_status_lines(self):
        self.assertEqual(peers.parse_status("lldb\tliblldb-14 1:14.0.6-12\t\nscanmem\t\tnot installed: no x\n"),
                         [("lldb", "liblldb-14 1:14.0.6-12", ""), ("scanmem", "", "not installed: no x")])

    def test_paired_timings_per_element_and_errors(self):
        bench = {"benchmarks": [
            {"name": "BM_PairedPlugin/N:4096/S:8/H:0/layout:spread", "engine_ns": 4096000.0,
             "plugin_ns": 409600000.0, "ratio": 100.0},
            {"name": "BM_PairedPlugin/N:4096/S:8/H:0.5/layout:spread", "error_occurred": True,
             "error_message": "a result of the plugin disagrees with the ground truth"},
            {"name": "BM_Read/strategy:default/N:4096/S:8/H:0/layout:spread", "real_time": 1.0},
        ]}
        self.assertEqual(peers.paired_timings(bench),
                         {0.0: (1000.0, 100000.0, 100.0),
                          0.5: "a result of the plugin disagrees with the ground truth"})

    def test_report_rows(self):
        classes = {"classes": [verdict("read, all mapped", True, [{"transferred": 8, "error": None}]),
                               verdict("prefix lost (read)", False, [{"transferred": 0, "error": "EIO"}]),
                               verdict("> MAX_RW_COUNT", False, [], outcome="hung"),
                               verdict("write, all mapped", False, [], run=False)]}
        engine = subject(peers.ENGINE, classes={"classes": [verdict("read, all mapped", True, [])]}, run=RUN)
        scanmem = subject("scanmem", version="scanmem 0.17-5", classes=classes, run=RUN,
                          timings={0.0: (250.0, 5000.0, 20.0), 0.1: "error text"})
        lldb = subject("lldb", missing="not installed: no /usr/lib/llvm-14/lib/liblldb-14.so (Debian package x)")
        crashed = subject("crashy", classes=None, classes_error="crashed (signal 11)", run=None,
                          run_error="hung (stopped after 3600 s)", bench_error="crashed (signal 11)")
        report = peers.render([engine, scanmem, lldb, crashed], CONTEXT)
        lines = report.splitlines()
        self.assertIn("| class | correct answer | engine | scanmem | lldb | crashy |", lines)
        self.assertIn("| read, all mapped | 8 bytes, ok | pass | pass | not installed | "
                      "no answer: crashed (signal 11) |", lines)
        self.assertIn("| prefix lost (read) | 8 bytes, ok | - | FAIL: 0 bytes, EIO | not installed | "
                      "no answer: crashed (signal 11) |", lines)
        self.assertIn("| > MAX_RW_COUNT | 8 bytes, ok | - | FAIL: hung | not installed | "
                      "no answer: crashed (signal 11) |", lines)
        self.assertIn("| write, all mapped | 8 bytes, ok | - | not run (no write) | not installed | "
                      "no answer: crashed (signal 11) |", lines)
        self.assertIn("  `procscope conform --batch 'prefix lost (read)'`", lines)
        self.assertIn("| scanmem | 2459 (50 random, seed 1) | 2407 | 0 | 0 | 0 | 3 s |", lines)
        self.assertIn("| lldb | not installed: no /usr/lib/llvm-14/lib/liblldb-14.so (Debian package x) | | | | | |",
                      lines)
        self.assertIn("| crashy | no report: hung (stopped after 3600 s) | | | | | 3 s |", lines)
        self.assertIn("| scanmem | 0 | 250 | 5000 | 20.0 |", lines)
        self.assertIn("| scanmem | 0.1 | error text | | |", lines)
        self.assertIn("| scanmem | 0.5 | no result | | |", lines)
        self.assertIn("| crashy | no result: crashed (signal 11) | | | |", lines)
        self.assertNotIn("| engine | 0 |", report)  # the engine is the reference, not a timed peer
        self.assertIn("scanmem scanmem 0.17-5, lldb (not installed: no /usr/lib/llvm-14/lib/liblldb-14.so "
                      "(Debian package x)), crashy.", report)


if __name__ == "__main__":
    unittest.main()
