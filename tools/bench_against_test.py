"""bench_against.py's pure parts: its arguments, the medians it adds to one side's repetitions, and the
refusal of a revision the repository does not have."""
import unittest

import bench_against


class BenchAgainstTest(unittest.TestCase):
    def test_arguments(self):
        self.assertEqual(bench_against.parse_args(["HEAD~1"]), ("HEAD~1", 5))
        self.assertEqual(bench_against.parse_args(["--reps", "3", "abc123"]), ("abc123", 3))
        for bad in ([], ["--reps", "1", "HEAD"], ["--reps"], ["--fast", "HEAD"], ["HEAD", "HEAD~1"]):
            with self.assertRaises(bench_against.Refused, msg=bad):
                bench_against.parse_args(bad)

    def test_medians_of_every_number(self):
        rows = [{"name": "BM_A", "run_name": "BM_A", "real_time": t, "ratio": r, "time_unit": "us",
                 "error_occurred": False} for t, r in ((3, 1.1), (1, 1.3), (2, 1.2))]
        out = bench_against.with_medians(rows)
        self.assertEqual(out[:3], rows)
        median = out[3]
        self.assertEqual(median["run_type"], "aggregate")
        self.assertEqual(median["aggregate_name"], "median")
        self.assertEqual(median["real_time"], 2)
        self.assertEqual(median["ratio"], 1.2)
        self.assertNotIn("error_occurred", median)

    def test_an_unknown_revision_is_refused_in_one_line(self):
        with self.assertRaises(bench_against.Refused) as caught:
            bench_against.resolve("no-such-revision-anywhere")
        self.assertEqual(str(caught.exception),
                         "bench: --against: 'no-such-revision-anywhere' is not a revision of this repository")


if __name__ == "__main__":
    unittest.main()
