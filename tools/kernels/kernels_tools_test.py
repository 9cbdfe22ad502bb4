"""The parts of `tools/harness kernels` that need no guest: the initramfs builder (a dynamically linked program
gets its shared libraries and loader; the archive lists back, also through the system's cpio), result
collection from a serial log (carriage returns, kernel messages inside a block, a block cut short by a dead
guest), the report (probe differences marked, unmeasured keys shown and never marked, failed tests named,
emulated timings marked), the architecture read from a kernel image, and the harness's refusals of
`kernels --kernel` (before anything is installed or built). Booting is `tools/harness kernels`."""
import base64
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
PACK = os.path.join(HERE, "initramfs.py")
REPORT = os.path.join(HERE, "report.py")
KERNEL_ARCH = os.path.join(HERE, "kernel_arch.py")
HARNESS = os.path.join(TOOLS, "harness")


def python(script, *args):
    r = subprocess.run([sys.executable, script] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return r.returncode, r.stdout, r.stderr


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


class InitramfsTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp()

    def test_pack_takes_shared_libraries_and_lists_back(self):
        write(os.path.join(self.out, "init"), "#!/bin/sh\necho hello\n")
        write(os.path.join(self.out, "data.txt"), "plain data\n")
        image = os.path.join(self.out, "i.cpio.gz")
        rc, _, err = python(PACK, "pack", image, "--init", os.path.join(self.out, "init"), "--file",
                            "/bin/true:/usr/bin/true", "--file",
                            os.path.join(self.out, "data.txt") + ":/runfiles/procscope/data.txt", "--dir", "proc")
        self.assertEqual(rc, 0, err)
        rc, listed, _ = python(PACK, "list", image)
        names = listed.split()
        for want in ("init", "proc", "usr/bin/true", "runfiles/procscope/data.txt"):
            self.assertIn(want, names)
        # /bin/true is dynamically linked here: its libc and the loader must be inside, at the paths ldd names.
        ldd = subprocess.run(["ldd", "/bin/true"], stdout=subprocess.PIPE, text=True).stdout
        for lib in sorted(set(re.findall(r"/\S*", ldd))):
            self.assertIn(lib.lstrip("/"), names)
        # The system's cpio reads the same archive (tools/harness installs cpio with the rest).
        self.assertIsNotNone(shutil.which("cpio"), "cpio is not installed: the archive cannot be checked against it")
        with gzip.open(image) as f:
            cpio = subprocess.run(["cpio", "-t"], input=f.read(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.assertEqual(sorted(cpio.stdout.decode().split()), sorted(names))
        rc, _, _ = python(PACK, "pack", os.path.join(self.out, "x.gz"), "--file", "/bin/true:/x")
        self.assertNotEqual(rc, 0, "pack without --init accepted")

    def test_collect_keeps_whole_blocks_and_names_a_cut_one(self):
        encoded = base64.b64encode(b'{"k": [1, 2, 3]}').decode()
        lines = ["Booting...", "=== procscope-file a.json begin ==="]
        lines += [encoded[i:i + 8] for i in range(0, len(encoded), 8)]
        lines += ["[    3.1] random: crng init done", "=== procscope-file a.json end ===",
                  "=== procscope-file cut.txt begin ===", "aGVsbG8="]
        write(os.path.join(self.out, "serial.log"), "".join(line + "\r\n" for line in lines))
        results = os.path.join(self.out, "results")
        rc, text, _ = python(PACK, "collect", os.path.join(self.out, "serial.log"), results)
        self.assertEqual(rc, 1, "a cut block must give exit status 1")
        self.assertIn("collected a.json", text)
        self.assertIn("cut short: cut.txt", text)
        with open(os.path.join(results, "a.json")) as f:
            self.assertEqual(f.read(), '{"k": [1, 2, 3]}')
        self.assertFalse(os.path.exists(os.path.join(results, "cut.txt")), "a cut block was written")


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp()
        self.host, self.guest = os.path.join(self.out, "host"), os.path.join(self.out, "guest")
        for d, release, accel in ((self.host, "6.18.44", "host"), (self.guest, "6.1.0-56", "tcg")):
            os.makedirs(d)
            write(os.path.join(d, "kernel_release.txt"), release + "\n")
            write(os.path.join(d, "accel.txt"), accel + "\n")
        write(os.path.join(self.host, "probe.json"),
              '{"iov_max": 1024, "splits_elements": true, "procmem_eof_after_exit": true}')
        write(os.path.join(self.guest, "probe.json"),
              '{"iov_max": 1024, "splits_elements": false, "procmem_eof_after_exit": null, '
              '"procmem_eof_after_exit_unmeasured": "EAGAIN: fork"}')
        write(os.path.join(self.host, "tests.txt"), "x_test exit=0 seconds=2\ny_test exit=0 seconds=1\n"
                                                     "z_test exit=134 seconds=3\n")
        write(os.path.join(self.guest, "tests.txt"), "x_test exit=1 seconds=9\ny_test exit=0 seconds=1\n"
                                                      "z_test exit=0 seconds=3\n")
        write(os.path.join(self.host, "x_test.json"),
              '{"tests": 2, "testsuites": [{"name": "S", "testsuite": [{"name": "a"}]}]}')
        write(os.path.join(self.guest, "x_test.json"),
              '{"tests": 2, "testsuites": [{"name": "S", "testsuite": [{"name": "b", "failures": [{}]}]}]}')
        # A skipped case: the reason comes from the text log, as GoogleTest prints it.
        y = ('{"tests": 2, "testsuites": [{"name": "T", "testsuite": [{"name": "a", "result": "COMPLETED"}, '
             '{"name": "i386", "result": "SKIPPED"}]}]}')
        for d in (self.host, self.guest):
            write(os.path.join(d, "y_test.json"), y)
            # A binary that aborted (exit 134) after its cases passed: a failure, whatever its JSON says.
            write(os.path.join(d, "z_test.json"),
                  '{"tests": 1, "testsuites": [{"name": "U", "testsuite": [{"name": "a"}]}]}')
        write(os.path.join(self.host, "y_test.log"),
              "[ RUN      ] T.i386\ny_test.cc:9: Skipped\nno IA32 emulation in this kernel\n[  SKIPPED ] T.i386 (0 ms)\n")
        write(os.path.join(self.guest, "boot.txt"), "proc_mem.force_override=never\n")

    def test_report(self):
        md = os.path.join(self.out, "report.md")
        rc, text, _ = python(REPORT, md, self.host, self.guest)
        self.assertEqual(rc, 1, "failed tests must give exit status 1")
        for line in ["| | 6.18.44 (host) | 6.1.0-56 (tcg, proc_mem.force_override=never) |",
                     "| splits_elements | true | false | DIFFERS |",
                     "| iov_max | 1024 | 1024 |  |",
                     "| procmem_eof_after_exit | true | unmeasured: EAGAIN: fork |  |",
                     "| x_test | pass 2 (2 s) | FAIL (exit 1) 1/2: S.b |",
                     "| y_test | pass 1 (1 s), skip 1: T.i386 (no IA32 emulation in this kernel) | pass 1 (1 s), "
                     "skip 1: T.i386 (no reason given) |",
                     "| z_test | FAIL (exit 134), no failed case reported | pass 1 (3 s) |",
                     "| timing | real | emulated, not comparable |"]:
            self.assertIn(line + "\n", text)
        self.assertNotIn("procmem_eof_after_exit_unmeasured", text)
        with open(md) as f:
            self.assertEqual(f.read().rstrip("\n"), text.rstrip("\n"), "report.md differs from what was printed")

    def test_exit_status(self):
        # Only passes, and every boot finished: exit 0. A boot without tests.txt (it died mid-plan): exit 1, named.
        for d in (self.host, self.guest):
            write(os.path.join(d, "tests.txt"), "y_test exit=0 seconds=1\n")
        self.assertEqual(python(REPORT, os.path.join(self.out, "ok.md"), self.host, self.guest)[0], 0)
        dead = os.path.join(self.out, "dead")
        os.makedirs(dead)
        write(os.path.join(dead, "kernel_release.txt"), "6.1.0-56\n")
        write(os.path.join(dead, "accel.txt"), "tcg\n")
        rc, text, _ = python(REPORT, os.path.join(self.out, "dead.md"), self.host, dead)
        self.assertEqual(rc, 1, "an unfinished boot must give exit status 1")
        self.assertIn("Did not finish (no tests.txt: it hung past its time limit, crashed or did not boot): "
                      "6.1.0-56 (tcg) (given ? s)", text)

    def test_a_boot_that_never_started_says_its_package_and_limit(self):
        dead = os.path.join(self.out, "dead")
        os.makedirs(dead)
        write(os.path.join(dead, "package.txt"), "linux-image-7.2.13+deb14-cloud-amd64 7.2.13-1 (sid, amd64)\n")
        write(os.path.join(dead, "limit.txt"), "600\n")
        write(os.path.join(dead, "wall.txt"), "600\n")
        write(os.path.join(dead, "accel.txt"), "tcg\n")
        rc, text, _ = python(REPORT, os.path.join(self.out, "dead.md"), "--note=Not fetched: 5.10 (bullseye, arm64): "
                             "no linux-image-cloud-arm64 in bullseye", self.host, dead)
        self.assertEqual(rc, 1)
        for line in ["| | 6.18.44 (host) | linux-image-7.2.13+deb14-cloud-amd64 (tcg) |",
                     "| package | this machine's kernel | linux-image-7.2.13+deb14-cloud-amd64 7.2.13-1 (sid, amd64) |",
                     "| boot |  | 600 s of 600 s: DID NOT FINISH |",
                     "| y_test | pass 1 (1 s), skip 1: T.i386 (no IA32 emulation in this kernel) | DID NOT FINISH |",
                     "Not fetched: 5.10 (bullseye, arm64): no linux-image-cloud-arm64 in bullseye"]:
            self.assertIn(line + "\n", text)

    def test_a_skip_for_a_feature_the_probe_found_is_a_failure(self):
        for d in (self.host, self.guest):
            write(os.path.join(d, "tests.txt"), "y_test exit=0 seconds=1\n")
            write(os.path.join(d, "y_test.log"), "[ RUN      ] T.i386\ny_test.cc:9: Skipped\nneeds procmap_query "
                  "(the kernel answered ENOTTY)\n[  SKIPPED ] T.i386 (0 ms)\n")
        write(os.path.join(self.host, "probe.json"), '{"procmap_query": "supported"}')
        write(os.path.join(self.guest, "probe.json"), '{"procmap_query": "ENOTTY"}')
        rc, text, _ = python(REPORT, os.path.join(self.out, "skip.md"), self.host, self.guest)
        self.assertEqual(rc, 1)
        self.assertIn('| y_test | FAIL 1/2: T.i386 skipped though the probe says procmap_query = "supported" | '
                      'pass 1 (1 s), skip 1: T.i386 (needs procmap_query (the kernel answered ENOTTY)) |\n', text)


def image(path, *patches):
    """4 KiB of zeros with the given (offset, bytes) written in: the headers each format carries."""
    data = bytearray(4096)
    for offset, raw in patches:
        data[offset:offset + len(raw)] = raw
    with open(path, "wb") as f:
        f.write(data)


class KernelArchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp()
        pe = [(0, b"MZ"), (0x3C, bytes.fromhex("80000000")), (0x80, b"PE\0\0")]
        image(os.path.join(cls.out, "pe-amd64"), *pe, (0x84, bytes.fromhex("6486")))
        image(os.path.join(cls.out, "pe-arm64"), *pe, (0x84, bytes.fromhex("64aa")), (0x38, b"ARMd"))
        image(os.path.join(cls.out, "pe-i386"), *pe, (0x84, bytes.fromhex("4c01")))
        image(os.path.join(cls.out, "bzimage64"), (0x202, b"HdrS"), (0x236, bytes.fromhex("0100")))
        image(os.path.join(cls.out, "bzimage32"), (0x202, b"HdrS"), (0x236, bytes.fromhex("0000")))
        image(os.path.join(cls.out, "image-arm64"), (0x38, b"ARMd"))
        with open(os.path.join(cls.out, "image-arm64"), "rb") as f, \
                gzip.open(os.path.join(cls.out, "image-arm64.gz"), "wb") as g:
            g.write(f.read())
        write(os.path.join(cls.out, "text"), "plain text, not a kernel\n")

    def test_architectures(self):
        for name, want in [("pe-amd64", "amd64"), ("pe-arm64", "arm64"), ("bzimage64", "amd64"),
                           ("image-arm64", "arm64"), ("image-arm64.gz", "arm64")]:
            rc, out, err = python(KERNEL_ARCH, os.path.join(self.out, name))
            self.assertEqual((rc, out.strip()), (0, want), f"{name}: {err}")

    def test_what_no_guest_boots_is_refused_saying_why(self):
        for name, why in [("pe-i386", "is an i386 kernel"), ("bzimage32", "is an i386 kernel"),
                          ("text", "is not a kernel image"), ("missing", "No such file")]:
            rc, _, err = python(KERNEL_ARCH, os.path.join(self.out, name))
            self.assertEqual(rc, 1, name)
            self.assertIn(why, err)

    def refusal(self, *args):
        """tools/harness ARGS run in the images' folder: exit status 2 and its message."""
        r = subprocess.run([HARNESS] + list(args), cwd=self.out, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        self.assertEqual(r.returncode, 2, r.stdout)
        return r.stdout

    def test_harness_refuses_before_building(self):
        # A relative path is the caller's (run from the images' folder, not the checkout).
        self.assertIn(f"{self.out}/image-arm64 is an arm64 kernel: add --arch arm64",
                      self.refusal("kernels", "--arch", "amd64", "--kernel", "image-arm64"))
        self.assertIn(f"{self.out}/pe-amd64 is an amd64 kernel: add --arch amd64",
                      self.refusal("kernels", "--kernel", "pe-amd64", "--arch", "arm64"))
        self.assertIn("is an i386 kernel", self.refusal("kernels", "--kernel", "bzimage32"))
        self.assertIn("is not a kernel image", self.refusal("kernels", "--kernel", "text"))
        self.assertIn("--kernel needs a kernel image file", self.refusal("kernels", "--kernel", "no-such-image"))


if __name__ == "__main__":
    unittest.main()
