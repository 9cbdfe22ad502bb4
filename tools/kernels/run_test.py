"""Unit tests of tools/kernels/run.py (`tools/harness kernels`): everything but the builds and the boots."""
import os
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qemu_configs  # noqa: E402
import run  # noqa: E402


def testdata(name):
    with open(os.path.join(HERE, "testdata", name)) as f:
        return f.read().splitlines()


def arch_of(arches):
    """A stand-in for kernel_arch.check: the architecture by file name."""
    def read(path):
        name = os.path.basename(path)
        if name not in arches:
            raise ValueError(f"{path} is not a kernel image this harness knows")
        return arches[name]
    return read


class ParseArgsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        for name in ("vmlinuz-amd64", "vmlinuz-arm64", "junk"):
            open(os.path.join(self.dir, name), "w").close()
        self.read = arch_of({"vmlinuz-amd64": "amd64", "vmlinuz-arm64": "arm64"})
        os.environ["PROCSCOPE_CALLER_DIR"] = self.dir

    def parse(self, *argv):
        return run.parse_args(list(argv), self.read)

    def refused(self, *argv):
        with self.assertRaises(run.Refused) as caught:
            self.parse(*argv)
        return str(caught.exception)

    def test_defaults(self):
        o = self.parse()
        self.assertEqual((o.arches, o.timeout, o.quick, o.tests_only, o.kernels), (["amd64"], 1200, False, False, []))
        self.assertEqual([line.name for line in o.lines], ["5.10", "6.1", "6.12", "7"])
        self.assertEqual([line.suite for line in self.parse("--quick").lines], ["bullseye", "bookworm", "trixie", "sid"])
        self.assertEqual(self.parse("--quick").timeout, 600)
        self.assertEqual(self.parse("--quick", "--timeout", "30").timeout, 30)
        self.assertEqual(self.parse("--full").quick, False)
        self.assertIn("contradict", self.refused("--quick", "--full"))

    def test_arches_in_the_order_named_once_each(self):
        self.assertEqual(self.parse("--arch", "arm64", "--arch", "amd64", "--arch", "arm64").arches, ["arm64", "amd64"])

    def test_images_give_the_arches_unless_named(self):
        o = self.parse("--kernel", "vmlinuz-arm64")
        self.assertEqual(o.arches, ["arm64"])
        self.assertEqual(o.kernels, [(os.path.join(self.dir, "vmlinuz-arm64"), "arm64")])
        self.assertEqual(self.parse("--kernel", "vmlinuz-arm64", "--kernel", "vmlinuz-amd64").arches, ["arm64", "amd64"])
        self.assertEqual(self.refused("--arch", "amd64", "--kernel", "vmlinuz-arm64"),
                         f"kernels: {self.dir}/vmlinuz-arm64 is an arm64 kernel: add --arch arm64")

    def test_lines_by_number_or_suite_oldest_first_once_each(self):
        o = self.parse("--line", "sid", "--line", "5.10", "--line", "7.x", "--line", "bookworm")
        self.assertEqual([(line.name, line.suite) for line in o.lines], [("5.10", "bullseye"), ("6.1", "bookworm"),
                                                                        ("7", "sid")])
        self.assertEqual([line.suite for line in self.parse("--line", "trixie-security").lines], ["trixie-security"])
        # An image alone boots no line; with --line both.
        self.assertEqual(self.parse("--kernel", "vmlinuz-amd64").lines, [])
        self.assertEqual(len(self.parse("--kernel", "vmlinuz-amd64", "--line", "6.12").lines), 1)

    def test_refusals_say_what_is_wrong(self):
        known = "the lines are 5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), 7 (sid)"
        self.assertIn(known, self.refused("--line", "6.6"))
        self.assertTrue(self.refused("--line", "6.6").startswith("kernels: unknown kernel line '6.6': "))
        self.assertIn(known, self.refused("--line", "sid-security"))
        self.assertIn(known, self.refused("--line"))
        self.assertEqual(self.refused("--arch"), "kernels: unknown architecture '': --arch takes amd64 or arm64")
        self.assertEqual(self.refused("--arch", "i386"), "kernels: unknown architecture 'i386': --arch takes amd64 or arm64")
        self.assertEqual(self.refused("--kernel", "missing"), "kernels: --kernel needs a kernel image file")
        self.assertEqual(self.refused("--kernel"), "kernels: --kernel needs a kernel image file")
        self.assertIn("kernels: --kernel ", self.refused("--kernel", "junk"))
        self.assertIn("is not a kernel image", self.refused("--kernel", "junk"))
        self.assertEqual(self.refused("--timeout", "ten"), "kernels: --timeout needs a number of seconds")
        self.assertTrue(self.refused("--help-me").startswith("kernels: unknown option '--help-me' (usage: "))

    def test_jobs_boot_guests_side_by_side_only_without_benchmarks(self):
        self.assertEqual(self.parse().jobs, 1)
        self.assertEqual(self.parse("--tests-only", "--jobs", "2").jobs, 2)
        wanted = "kernels: --jobs needs a number of guests to boot at the same time (1 or more)"
        for bad in (["--jobs"], ["--jobs", "0"], ["--jobs", "two"], ["--jobs", "-1"]):
            self.assertEqual(self.refused("--tests-only", *bad), wanted)
        self.assertIn("it needs --tests-only", self.refused("--quick", "--jobs", "2"))
        self.assertEqual(self.parse("--quick", "--jobs", "1").jobs, 1)


class PlanTest(unittest.TestCase):
    def test_quick_plan(self):
        self.assertEqual(run.plan_lines(3, ["cli_memory_test", "yama_test"]), testdata("plan-quick.txt"))

    def test_tests_only_has_no_benchmarks(self):
        self.assertEqual(run.plan_lines(0, ["a_test"]), ["probe", "test a_test"])

    def test_force_never_plan_keeps_the_tagged_tests_of_this_run_and_ends_with_scope_3(self):
        tests = ["cli_memory_test", "yama_test"]
        self.assertEqual(run.force_never_plan(tests, ["memory_engine_test", "yama_test"]),
                         testdata("plan-force-never.txt"))
        self.assertEqual(run.force_never_plan(["cli_memory_test"], ["cli_memory_test"]),
                         ["probe", "test cli_memory_test"])

    def test_repetitions(self):
        options = run.Options(quick=False, tests_only=False, timeout=1, arches=[], kernels=[], lines=[])
        self.assertEqual(run.repetitions(options), 9)
        options.quick = True
        self.assertEqual(run.repetitions(options), 3)
        options.tests_only = True
        self.assertEqual(run.repetitions(options), 0)

    def test_arm64_leaves_out_the_i386_test(self):
        tests = ["compat32_test", "process_test"]
        self.assertEqual(run.arch_tests(qemu_configs.CONFIGS["arm64"], tests), ["process_test"])
        self.assertEqual(run.arch_tests(qemu_configs.CONFIGS["amd64"], tests), tests)


class QemuTest(unittest.TestCase):
    def test_amd64_takes_the_accelerator_arm64_is_always_emulated(self):
        amd64 = qemu_configs.qemu_command(qemu_configs.CONFIGS["amd64"], "kvm", "K", "I", "")
        self.assertEqual(amd64[:3], ["qemu-system-x86_64", "-accel", "kvm"])
        self.assertEqual(amd64[amd64.index("-append") + 1], "console=ttyS0 panic=-1 quiet ")
        arm64 = qemu_configs.qemu_command(qemu_configs.CONFIGS["arm64"], "kvm", "K", "I", "x=1")
        self.assertEqual(arm64[:7], ["qemu-system-aarch64", "-M", "virt", "-cpu", "max,pauth-impdef=on", "-accel",
                                     "tcg"])
        self.assertEqual(arm64[arm64.index("-append") + 1], "console=ttyAMA0 panic=-1 quiet x=1")
        for command in (amd64, arm64):
            self.assertEqual(command[command.index("-kernel") + 1], "K")
            self.assertEqual(command[command.index("-initrd") + 1], "I")
            self.assertIn("-no-reboot", command)
            self.assertEqual(command[-2:], ["-nic", "none"])

    def test_boot_label_drops_the_plan(self):
        self.assertEqual(run.boot_label("proc_mem.force_override=never procscope.plan=plan-force-never"),
                         "proc_mem.force_override=never")
        self.assertEqual(run.boot_label("a=1"), "a=1")


class RunBootsTest(unittest.TestCase):
    def setUp(self):
        self.order = []

    def boots(self, count, jobs, fail=None):
        """Runs `count` fake boots that each wait until `jobs` of them run at once (or 2 s passed); returns
        (the most that ran at once, the order they were called in)."""
        lock, running, most, order = threading.Lock(), [0], [0], self.order
        together = threading.Barrier(jobs)

        def boot(name, extra=""):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                order.append(name + extra)
            try:
                together.wait(timeout=2)
            except threading.BrokenBarrierError:
                pass
            with lock:
                running[0] -= 1
            if name == fail:
                raise RuntimeError(f"{name} failed")

        run.run_boots([(f"g{i}",) if i % 2 else (f"g{i}", "-never") for i in range(count)], jobs, boot)
        return most[0], order

    def test_at_most_jobs_guests_at_once_each_called_once(self):
        most, order = self.boots(6, 2)
        self.assertEqual(most, 2)
        self.assertEqual(sorted(order), sorted(["g0-never", "g1", "g2-never", "g3", "g4-never", "g5"]))
        self.order = []
        self.assertEqual(self.boots(4, 1), (1, ["g0-never", "g1", "g2-never", "g3"]))

    def test_a_failed_boot_is_raised_after_the_others_ran(self):
        with self.assertRaisesRegex(RuntimeError, "g1 failed"):
            self.boots(4, 2, fail="g1")
        self.assertEqual(sorted(self.order), ["g0-never", "g1", "g2-never", "g3"])


class FetchLinesTest(unittest.TestCase):
    def test_a_line_that_cannot_be_fetched_is_named_and_the_others_go_on(self):
        import kernel_lines
        fetched = []

        def fake(cache, line, arch, say):
            fetched.append(line.name)
            if line.suite == "sid":
                raise kernel_lines.FetchError("cannot download linux-binary-7.2.13+deb14-cloud-arm64 7.2.13-1 from sid")
            return kernel_lines.Kernel(line.name, line.suite, arch, "linux-image-x", "1", "/v", "")

        real, kernel_lines.fetch = kernel_lines.fetch, fake
        try:
            result = run.fetch_lines(list(kernel_lines.LINES), "arm64")
        finally:
            kernel_lines.fetch = real
        self.assertEqual(fetched, ["5.10", "6.1", "6.12", "7"])
        self.assertEqual([k is not None for _, k, _ in result], [True, True, True, False])
        self.assertEqual(result[3][2], "cannot download linux-binary-7.2.13+deb14-cloud-arm64 7.2.13-1 from sid")


class MiscTest(unittest.TestCase):
    def test_benchmark_context_marks_emulation(self):
        self.assertEqual(run.benchmark_context("6.1.0-57-cloud-amd64", "tcg", "T"),
                         {"kernel_release": "6.1.0-57-cloud-amd64 [emulated, not comparable]", "accel": "tcg",
                          "emulated": True, "timestamp": "T"})
        self.assertEqual(run.benchmark_context("6.18", "host", "T")["emulated"], False)

    def test_caller_path(self):
        os.environ["PROCSCOPE_CALLER_DIR"] = "/somewhere"
        self.assertEqual(run.caller_path("k"), "/somewhere/k")
        self.assertEqual(run.caller_path("/abs/k"), "/abs/k")


if __name__ == "__main__":
    unittest.main()
