"""Unit tests of tools/mutate.py (`tools/harness mutate`): arguments, the deterministic sample, bazel's verdicts,
the triage file, the two-step test run (with a stand-in for bazel), resumable state and the report."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutate  # noqa: E402
import mutate_ops  # noqa: E402


class ArgsTest(unittest.TestCase):
    def test_defaults_and_values(self):
        o = mutate.parse_args([])
        self.assertEqual((o["sample"], o["seed"], o["in_place"], o["files"], o["only"]), (None, 1, False, [], None))
        o = mutate.parse_args(["--sample", "5", "--seed", "0", "--operators", "negate,bound", "--in-place", "a.cc"])
        self.assertEqual((o["sample"], o["seed"], o["operators"], o["in_place"], o["files"]),
                         (5, 0, ["negate", "bound"], True, ["a.cc"]))
        self.assertEqual(mutate.parse_args(["--only", "aaaaaaaaaa,bbbbbbbbbb"])["only"], {"aaaaaaaaaa", "bbbbbbbbbb"})

    def test_bad_arguments_say_what_is_wrong(self):
        for args, says in ((["--sample"], r"--sample needs a value"),
                           (["--sample", "0"], r"--sample takes a positive whole number, not '0'"),
                           (["--timeout", "x"], r"--timeout takes a positive whole number, not 'x'"),
                           (["--operators", "negate,flip"], r"unknown operator 'flip' \(known: relational, "),
                           (["--changed", "HEAD~1", "a.cc"], r"name FILEs or --changed REV, not both"),
                           (["-x"], r"unknown option '-x' \(usage: ")):
            with self.assertRaisesRegex(mutate.Refused, "^mutate: " + says):
                mutate.parse_args(args)

    def test_only_shipped_cpp_is_mutated(self):
        self.assertTrue(mutate.MUTABLE.match("backend/memory/vm_batch.cc"))
        self.assertTrue(mutate.MUTABLE.match("tools/conform/judge.h"))
        for path in ("tests/conform_test.cc", "backend/memory/strategy_test.cc", "fixtures/holes.cc", "tools/mutate.py",
                     "backend/memory/fake_memory.cc", "backend/memory/dying_memory.h", "backend/status_matchers.h"):
            self.assertFalse(mutate.MUTABLE.match(path), path)
        with self.assertRaisesRegex(mutate.Refused, "^mutate: no such file: nowhere.cc$"):
            mutate.check_files(["nowhere.cc"])
        with self.assertRaisesRegex(mutate.Refused, "is not project C\\+\\+ under backend/ or tools/"):
            mutate.check_files(["tools/mutate.py"])


def fake_mutants(path, n):
    return mutate_ops.find_mutants(path, "".join(f"x{i} = a < b;\n" for i in range(n)), ["relational"])


class SampleTest(unittest.TestCase):
    BY_FILE = {"a.cc": fake_mutants("a.cc", 10), "b.cc": fake_mutants("b.cc", 3)}

    def test_everything_in_file_order_without_a_sample(self):
        self.assertEqual([(m.path, m.line) for m in mutate.select(self.BY_FILE, None, 1)],
                         [("a.cc", i) for i in range(1, 11)] + [("b.cc", i) for i in range(1, 4)])

    def test_a_sample_is_deterministic_spread_and_grows_by_prefix(self):
        six = mutate.select(self.BY_FILE, 6, 1)
        self.assertEqual([m.key for m in six], [m.key for m in mutate.select(self.BY_FILE, 6, 1)])
        self.assertEqual([m.path for m in six], ["a.cc", "b.cc"] * 3)
        nine = mutate.select(self.BY_FILE, 9, 1)
        self.assertEqual([m.key for m in nine[:6]], [m.key for m in six])
        self.assertEqual([m.path for m in nine[6:]], ["a.cc"] * 3)  # b.cc has no more
        self.assertNotEqual([m.key for m in mutate.select(self.BY_FILE, 6, 2)], [m.key for m in six])


class VerdictTest(unittest.TestCase):
    def test_bazel_outcomes(self):
        log = "//t:a_test   FAILED in 1.0s\n//t:b_test   PASSED in 1s\n//t:c_test (cached) FAILED in 2s\n"
        self.assertEqual(mutate.verdict(3, log), ("killed", ["//t:a_test", "//t:c_test"]))
        self.assertEqual(mutate.verdict(3, "//t:a_test   TIMEOUT in 60.0s\n"), ("timed out", ["//t:a_test"]))
        self.assertEqual(mutate.verdict(0, "//t:b_test   PASSED in 1s\n"), ("survived", []))
        self.assertEqual(mutate.verdict(1, "ERROR: x.cc:3: error"), ("didn't build", []))
        self.assertEqual(mutate.verdict(37, ""), ("error", []))

    def test_a_run_stopped_at_its_first_failure_names_it_from_the_test_output(self):
        timed_out = ("ERROR: x/BUILD.bazel:470:8: Testing //tests:conform_test (shard 1 of 3) failed: aborting\n"
                     "==================== Test output for //tests:conform_test (shard 1 of 3):\n"
                     "Running main()\n-- Test timed out at 2026-12-07 04:56:41 UTC --\n"
                     "================================================================================\n"
                     "//tests:conform_test                NO STATUS in 120.0s\n")
        self.assertEqual(mutate.verdict(3, timed_out), ("timed out", ["//tests:conform_test"]))
        failed = ("==================== Test output for //tests:cli_memory_test:\n[  FAILED  ] X.Y\n"
                  "//tests:cli_memory_test             NO STATUS\n")
        self.assertEqual(mutate.verdict(3, failed), ("killed", ["//tests:cli_memory_test"]))

    def test_likeliest_killers_first(self):
        tests = ["//tests:z_test", "//backend/memory:b_test", "//tests:a_test", "//backend/memory:a_test"]
        self.assertEqual(mutate.order_tests("backend/memory/x.cc", tests, {"//tests:z_test": 2}),
                         ["//tests:z_test", "//backend/memory:a_test", "//backend/memory:b_test", "//tests:a_test"])


class JudgeTest(unittest.TestCase):
    def run_judge(self, outcomes, tests=("//t:1", "//t:2", "//t:3", "//t:4", "//t:5")):
        calls = []

        def fake(tree, targets, log_path, timeout):
            calls.append(list(targets))
            return outcomes[len(calls) - 1]

        return mutate.judge("/tree", None, list(tests), "/dev/null", 100, run=fake), calls

    def test_killed_by_the_first_tests_runs_no_others(self):
        result, calls = self.run_judge([(3, "//t:2   FAILED in 1s\n")])
        self.assertEqual(result, ("killed", ["//t:2"]))
        self.assertEqual(calls, [["//t:1", "//t:2", "//t:3"]])

    def test_a_survivor_of_the_first_tests_meets_the_rest(self):
        result, calls = self.run_judge([(0, ""), (3, "//t:5   FAILED in 1s\n")])
        self.assertEqual(result, ("killed", ["//t:5"]))
        self.assertEqual(calls, [["//t:1", "//t:2", "//t:3"], ["//t:4", "//t:5"]])
        self.assertEqual(self.run_judge([(0, ""), (0, "")])[0], ("survived", []))

    def test_an_interrupted_run_is_a_timeout_and_a_build_failure_stops(self):
        self.assertEqual(self.run_judge([(None, "")])[0], ("timed out", []))
        result, calls = self.run_judge([(1, "error: no")])
        self.assertEqual((result, len(calls)), (("didn't build", []), 1))


class TriageStateReportTest(unittest.TestCase):
    def test_triage_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "triage.md")
            with open(path, "w") as f:
                f.write("# Triage\n\n## backend/x.cc 0123456789\n- `a < b` -> `a <= b`\nequivalent: a == b "
                        "cannot happen here\n\n## backend/y.cc abcdefabcd\n(no reason: not counted)\n")
            self.assertEqual(mutate.read_triage(path), {"0123456789": "a == b cannot happen here"})
            self.assertEqual(mutate.read_triage(os.path.join(d, "none.md")), {})

    def test_state_is_kept_across_runs(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "state", "tree.json")
            mutate.State(path).put("k1", {"verdict": "killed", "tests": ["//t:a"], "seconds": 3})
            self.assertEqual(mutate.State(path).get("k1")["verdict"], "killed")
            self.assertIsNone(mutate.State(path).get("k2"))

    def test_a_survivors_diff_has_its_lines_numbered_as_in_the_file(self):
        self.assertEqual(mutate.unified_diff("x.cc", "  f(a,\n    b);", "  {}", 7),
                         "--- a/x.cc\n+++ b/x.cc\n@@ -7,2 +7,1 @@\n-  f(a,\n-    b);\n+  {}\n")

    def test_report_counts_and_scores_per_file(self):
        rows = [{"file": "a.cc", "verdict": v, "key": k, "operator": "negate", "line": 3, "diff": "-x\n+y\n"}
                for v, k in (("killed", "1"), ("killed", "2"), ("timed out", "3"), ("survived", "4"),
                             ("equivalent", "5"), ("didn't build", "6"))]
        rows.append({"file": "b.cc", "verdict": "didn't build", "key": "7", "operator": "literal", "line": 1,
                     "diff": ""})
        text, totals = mutate.report(rows, ["a.cc", "b.cc", "c.cc"], "T.md")
        self.assertIn("| a.cc | 6 | 2 | 1 | 1 | 1 | 1 | 0 | 75.0% |", text)
        self.assertIn("| b.cc | 1 | 0 | 0 | 0 | 0 | 1 | 0 | - |", text)
        self.assertNotIn("c.cc", text)
        self.assertIn("| **all** | 7 | 2 | 1 | 1 | 1 | 2 | 0 | 75.0% |", text)
        self.assertIn("### a.cc 4 (negate, line 3)", text)
        self.assertEqual(totals["survived"], 1)


if __name__ == "__main__":
    unittest.main()
