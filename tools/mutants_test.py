"""Unit tests of tools/mutants.py (`tools/harness mutants`): patches planted and undone in a scratch git
repository, with a stand-in for bazel."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mutants  # noqa: E402

DATA = os.path.join(HERE, "testdata", "mutants")


class ReadTest(unittest.TestCase):
    def test_header_lines(self):
        m = mutants.read_mutant(os.path.join(DATA, "flip.patch"))
        self.assertEqual((m.name, m.bug, m.tests),
                         ("flip", "the answer is off by one", "//pkg:answer_test //pkg:other_test"))

    def test_a_patch_without_tests_is_refused(self):
        with self.assertRaisesRegex(mutants.Refused, "no_tests.patch needs a 'Bug:' and a 'Tests:' line"):
            mutants.read_mutant(os.path.join(DATA, "no_tests.patch"))

    def test_arguments(self):
        self.assertEqual(mutants.parse_args([], DATA),
                         (False, [os.path.join(DATA, n) for n in ("flip.patch", "no_tests.patch", "stale.patch")]))
        self.assertEqual(mutants.parse_args(["--in-place", "flip"], DATA), (True, [os.path.join(DATA, "flip.patch")]))
        with self.assertRaisesRegex(mutants.Refused, r"^mutants: no tests/mutants/gone.patch$"):
            mutants.parse_args(["gone"], DATA)
        with self.assertRaisesRegex(mutants.Refused, r"^mutants: unknown option '-x' \(usage: "):
            mutants.parse_args(["-x"], DATA)


class VerdictTest(unittest.TestCase):
    LOG = ("//pkg:b_test   FAILED in 1.0s\n//pkg:a_test   TIMEOUT in 60.0s\n//pkg:c_test   PASSED in 0.1s\n"
           "//pkg:b_test   FAILED in 1.0s\n")

    def test_kill_names_each_failed_test_once_in_order(self):
        self.assertEqual(mutants.verdict(3, self.LOG, "L"), ("killed by //pkg:a_test //pkg:b_test", True))

    def test_other_endings(self):
        self.assertEqual(mutants.verdict(0, "", "L"), ("SURVIVED", False))
        self.assertEqual(mutants.verdict(1, "", "L"), ("BROKEN: does not build (see L)", False))
        self.assertEqual(mutants.verdict(3, "no test lines", "L"), ("ERROR: bazel exited 3 (see L)", False))
        self.assertEqual(mutants.verdict(37, "", "L"), ("ERROR: bazel exited 37 (see L)", False))

    def test_table_pads_all_but_the_bug(self):
        self.assertEqual(mutants.table([("m", "killed by //x", "3s", "a bug")]),
                         ["MUTANT  VERDICT        TIME  BUG", "m       killed by //x  3s    a bug"])


class RunTest(unittest.TestCase):
    def setUp(self):
        self.tree = tempfile.mkdtemp()
        git = ["git", "-C", self.tree, "-c", "user.name=t", "-c", "user.email=t@t"]
        subprocess.run(["git", "init", "-q", self.tree], check=True)
        with open(os.path.join(self.tree, "answer.txt"), "w") as f:
            f.write("42\n")
        subprocess.run(git + ["add", "answer.txt"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "x"], check=True)
        self.logs = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tree)
        shutil.rmtree(self.logs)

    def answer(self):
        with open(os.path.join(self.tree, "answer.txt")) as f:
            return f.read()

    def test_planted_while_tested_undone_after(self):
        seen = []

        def fake_bazel(tree, tests, log_path):
            seen.append((self.answer(), tests))
            return 3, "//pkg:answer_test   FAILED in 0.1s\n"

        m = mutants.read_mutant(os.path.join(DATA, "flip.patch"))
        rows, all_killed = mutants.run_mutants(self.tree, [m], self.logs, fake_bazel)
        self.assertEqual(seen, [("43\n", "//pkg:answer_test //pkg:other_test")])
        self.assertEqual(self.answer(), "42\n")
        self.assertTrue(all_killed)
        self.assertEqual(rows[0][:2], ("flip", "killed by //pkg:answer_test"))

    def test_a_survivor_and_a_stale_patch_fail_the_run(self):
        flip = mutants.read_mutant(os.path.join(DATA, "flip.patch"))
        stale = mutants.read_mutant(os.path.join(DATA, "stale.patch"))
        rows, all_killed = mutants.run_mutants(self.tree, [stale, flip], self.logs, lambda *a: (0, ""))
        self.assertFalse(all_killed)
        self.assertEqual([r[1] for r in rows], ["BROKEN: the patch does not apply", "SURVIVED"])
        self.assertEqual(self.answer(), "42\n")

    def test_undone_on_interrupt(self):
        def interrupted(*args):
            raise KeyboardInterrupt

        flip = mutants.read_mutant(os.path.join(DATA, "flip.patch"))
        with self.assertRaises(KeyboardInterrupt):
            mutants.run_mutants(self.tree, [flip], self.logs, interrupted)
        self.assertEqual(self.answer(), "42\n")


class ScratchTreeTest(unittest.TestCase):
    """The scratch worktree outlives the checkout it was made from: a clone in the same place must still get one."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.root = os.path.join(self.tmp, "checkout")
        self.saved = (mutants.ROOT, os.environ.get("XDG_CACHE_HOME"))
        mutants.ROOT = self.root
        os.environ["XDG_CACHE_HOME"] = os.path.join(self.tmp, "cache")

    def tearDown(self):
        mutants.ROOT = self.saved[0]
        if self.saved[1] is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = self.saved[1]
        shutil.rmtree(self.tmp)

    def make_checkout(self, text):
        git = ["git", "-C", self.root, "-c", "user.name=t", "-c", "user.email=t@t"]
        subprocess.run(["git", "init", "-q", self.root], check=True)
        with open(os.path.join(self.root, "answer.txt"), "w") as f:
            f.write(text)
        subprocess.run(git + ["add", "answer.txt"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "x"], check=True)

    def test_a_checkout_cloned_again_gets_a_fresh_tree(self):
        self.make_checkout("1\n")
        tree = mutants.scratch_tree("mutate")
        with open(os.path.join(tree, "answer.txt")) as f:
            self.assertEqual(f.read(), "1\n")
        shutil.rmtree(self.root)  # the checkout is replaced: the tree's .git file now points nowhere
        self.make_checkout("2\n")
        self.assertEqual(mutants.scratch_tree("mutate"), tree)
        with open(os.path.join(tree, "answer.txt")) as f:
            self.assertEqual(f.read(), "2\n")


if __name__ == "__main__":
    unittest.main()
