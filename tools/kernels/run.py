#!/usr/bin/env python3
"""run.py: `tools/harness kernels` (its usage is in tools/harness --help).

Runs the probe, the kernel-dependent regression tests and the quick benchmark grid on this host's kernel and,
inside QEMU, on Debian kernels or the --kernel images given, then writes results/kernels/<timestamp>/
(report.md, one folder per boot). Works in the checkout's root; a relative --kernel path is the caller's
(PROCSCOPE_CALLER_DIR, set by tools/harness). Packages are installed through `tools/harness
ensure-packages`, only after the arguments were checked. Exit status: 0; 1 when a test failed on some
kernel or a guest did not finish; 2 on bad arguments or a step that could not be done (one line "harness:
...").

What differs between architectures is data (qemu_configs.py); what runs in each guest is run_plan.sh.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent import futures

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import initramfs  # noqa: E402
import kernel_arch  # noqa: E402
import kernel_lines  # noqa: E402
import qemu_configs  # noqa: E402
import report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.path.join("results", "kernels", "cache")
# Packages every kernels run needs beyond the harness's own; arm64 adds the harness's arm64 set.
PACKAGES = ("qemu-system-x86", "busybox-static")
USAGE = ("usage: tools/harness kernels [--arch amd64|arm64]... [--line LINE]... [--kernel VMLINUZ]... [--quick|--full] "
         "[--tests-only] [--timeout S] [--jobs N]")


class Refused(Exception):
    """A step that cannot be done: printed as one "harness: ..." line, exit status 2."""


# Guests may boot side by side (--jobs): one line is written whole, never interleaved with another's.
_OUTPUT = threading.Lock()


def say(*words, err=False):
    with _OUTPUT:
        print("harness:", *words, file=sys.stderr if err else sys.stdout, flush=True)


def tell(line):
    """One progress line on stdout (a guest's, or a step's), whole."""
    with _OUTPUT:
        print(line, flush=True)


def caller_path(path):
    """PATH as an absolute path; a relative one is taken from where tools/harness was run."""
    if os.path.isabs(path):
        return path
    return os.path.join(os.environ.get("PROCSCOPE_CALLER_DIR", os.getcwd()), path)


# --- Arguments ---------------------------------------------------------------------------------------------

class Options:
    def __init__(self, quick, tests_only, timeout, arches, kernels, lines, jobs=1):
        self.quick = quick
        self.tests_only = tests_only
        self.timeout = timeout
        self.arches = arches  # in the order first named, or the images' architectures, or ["amd64"]
        self.kernels = kernels  # [(absolute path, arch)]
        # [kernel_lines.Line] for every arch: those named with --line, oldest first; without --line, every
        # line when no --kernel was given, else none
        self.lines = lines
        self.jobs = jobs  # guests booted at the same time



def parse_args(argv, read_arch=None):
    """The command line, checked: every refusal happens here, before anything is installed or built.
    read_arch(path) -> "amd64" or "arm64", or raises ValueError with the reason (kernel_arch.check)."""
    read_arch = read_arch or kernel_arch.check
    quick = tests_only = full = False
    timeout = None
    jobs = 1
    arches, kernels, lines = [], [], []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--quick":
            quick = True
        elif arg == "--full":
            full = True
        elif arg == "--tests-only":
            tests_only = True
        elif arg == "--arch":
            value = args.pop(0) if args else ""
            if value not in qemu_configs.CONFIGS:
                raise Refused(f"kernels: unknown architecture '{value}': --arch takes "
                              f"{' or '.join(qemu_configs.CONFIGS)}")
            if value not in arches:
                arches.append(value)
        elif arg == "--line":
            value = args.pop(0) if args else ""
            line = kernel_lines.find(value)
            if line is None:
                raise Refused(f"kernels: unknown kernel line '{value}': the lines are {kernel_lines.known_names()}"
                              " (a suite name may end in -security: with its security updates)")
            if line not in lines:
                lines.append(line)
        elif arg == "--kernel":
            image = caller_path(args.pop(0)) if args else ""
            if not image or not os.path.isfile(image):
                raise Refused("kernels: --kernel needs a kernel image file")
            try:
                kernels.append((image, read_arch(image)))
            except ValueError as e:
                raise Refused(f"kernels: --kernel {e}") from None
        elif arg == "--timeout":
            value = args.pop(0) if args else ""
            if not re.fullmatch(r"[0-9]+", value):
                raise Refused("kernels: --timeout needs a number of seconds")
            timeout = int(value)
        elif arg == "--jobs":
            value = args.pop(0) if args else ""
            if not re.fullmatch(r"[1-9][0-9]*", value):
                raise Refused("kernels: --jobs needs a number of guests to boot at the same time (1 or more)")
            jobs = int(value)
        else:
            raise Refused(f"kernels: unknown option '{arg}' ({USAGE})")
    # Without --arch: the architectures of the --kernel images, else amd64. With it, every image must be of
    # an architecture it names.
    named = bool(arches)
    for image, arch in kernels:
        if arch in arches:
            continue
        if named:
            raise Refused(f"kernels: {image} is an {arch} kernel: add --arch {arch}")
        arches.append(arch)
    if not arches:
        arches = ["amd64"]
    if quick and full:
        raise Refused("kernels: --quick and --full contradict each other (--full is the default)")
    if timeout is None:
        timeout = 600 if quick else 1200
    if not lines and not kernels:
        lines = list(kernel_lines.LINES)
    order = [line.name for line in kernel_lines.LINES]
    lines.sort(key=lambda line: (order.index(line.name), line.suite))
    if jobs > 1 and not tests_only:
        raise Refused("kernels: --jobs runs guests side by side, which skews their benchmarks against each other: "
                      "it needs --tests-only")
    return Options(quick, tests_only, timeout, arches, kernels, lines, jobs)


# --- The plan ----------------------------------------------------------------------------------------------

def plan_lines(reps, tests):
    """run_plan.sh's plan: probe, each test, both benchmarks (reps repetitions; 0: no benchmarks)."""
    lines = ["probe"] + [f"test {t}" for t in tests]
    if reps > 0:
        rep = (f"--benchmark_repetitions={reps} --benchmark_enable_random_interleaving=true "
               "--benchmark_display_aggregates_only=true")
        lines += [f"bench procfs_parse_benchmark {rep}",
                  f"bench memory_benchmark --grid=quick --benchmark_min_time=0.1 {rep}"]
    return lines


def arch_tests(config, all_tests):
    return [t for t in all_tests if t not in config.skipped_tests]


def force_never_plan(tests, force_override_tests):
    """The second boot's plan (proc_mem.force_override=never): the probe and the tests tagged force_override
    among `tests`, no benchmarks, and yama_test with ptrace_scope 3 last (it holds until reboot)."""
    lines = plan_lines(0, [t for t in force_override_tests if t in tests])
    if "yama_test" in tests:
        lines.append("test yama_test PROCSCOPE_YAMA_SCOPE3=1")
    return lines


def boot_label(extra):
    """What boot.txt records of a boot's extra kernel parameters: all but the plan selection."""
    return extra.split(" procscope.plan=")[0]


def repetitions(options):
    if options.tests_only:
        return 0
    return 3 if options.quick else 9


# --- Steps that run things ---------------------------------------------------------------------------------

def run(cmd, **kwargs):
    """Runs cmd (a list), checked; Refused naming it when it fails."""
    result = subprocess.run(cmd, **kwargs)
    if result.returncode != 0:
        raise Refused(f"kernels: {' '.join(cmd[:3])} ... failed (exit {result.returncode})")
    return result


def output(cmd, **kwargs):
    return run(cmd, stdout=subprocess.PIPE, text=True, **kwargs).stdout


def ensure_packages(arches):
    cmd = [os.path.join(ROOT, "tools", "harness"), "ensure-packages"]
    if "arm64" in arches:
        cmd.append("--arm64")
    if subprocess.run(cmd + list(PACKAGES)).returncode != 0:
        raise Refused("kernels: the packages could not be installed (see above)")


def kernel_tests(tag):
    """The test binaries tagged `tag` ("kernel", "kernel_quick", "force_override"), in name order."""
    result = subprocess.run(["bazel", "query", f"attr(tags, '\\b{tag}\\b', tests(//tests:all))"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return sorted(line[len("//tests:"):] for line in result.stdout.split() if line.startswith("//tests:"))


def bazel_bin(flags):
    return output(["bazel", "info"] + list(flags) + ["bazel-bin"], stderr=subprocess.DEVNULL).strip()


def fetch_package(package, arch):
    """Downloads Debian's PACKAGE for ARCH (apt-get download, never installed) and unpacks it under
    results/kernels/cache/PACKAGE-ARCH; returns that directory."""
    os.makedirs(CACHE, exist_ok=True)

    def cached():
        names = sorted(n for n in os.listdir(CACHE) if n.startswith(package + "_") and n.endswith(f"_{arch}.deb"))
        return os.path.join(CACHE, names[0]) if names else None

    deb = cached()
    if deb is None:
        download = subprocess.run(["apt-get", "download", "-q", f"{package}:{arch}"], cwd=CACHE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in download.stdout.splitlines():
            if not line.startswith("W: Download is performed unsandboxed"):
                print(line, file=sys.stderr)
        deb = cached()
        if deb is None:
            raise Refused(f"kernels: apt-get download {package}:{arch} failed")
    directory = os.path.join(CACHE, f"{package}-{arch}")
    run(["dpkg-deb", "-x", deb, directory])
    return os.path.abspath(directory)


def image_kernel(image, arch):
    """A --kernel image as a kernel_lines.Kernel (no line, no package), with the modules of its package
    when they lie beside it: ../lib/modules/RELEASE or ../usr/lib/modules/RELEASE of boot/vmlinuz-RELEASE,
    or the directory of usr/lib/modules/RELEASE/vmlinuz (sid's layout)."""
    name = os.path.basename(image)
    here = os.path.dirname(image)
    if name == "vmlinuz":
        candidates = [here]
    else:
        release = name[len("vmlinuz-"):] if name.startswith("vmlinuz-") else name
        candidates = [os.path.join(here, "..", sub, release) for sub in ("lib/modules", "usr/lib/modules")]
    modules = next((os.path.abspath(c) for c in candidates if os.path.isdir(os.path.join(c, "kernel"))), "")
    return kernel_lines.Kernel("", "", arch, "", "", image, modules)


def fetch_lines(lines, arch):
    """[(line, Kernel or None, why)]: each line's kernel for ARCH, fetched; a line that could not be fetched
    is said in one line (package and suite) and carries why, the others go on."""
    fetched = []
    for line in lines:
        try:
            fetched.append((line, kernel_lines.fetch(CACHE, line, arch, say), ""))
        except kernel_lines.FetchError as e:
            say(f"kernels: line {line.name} ({arch}): {e}", err=True)
            fetched.append((line, None, str(e)))
    return fetched


def guest_busybox(config):
    if config.busybox_package is None:
        return "/bin/busybox"
    return os.path.join(fetch_package(config.busybox_package, config.arch), "bin", "busybox")


def stage_binaries(stage, config, reps, tests):
    """Builds the guest binaries and copies them into a runfiles-shaped tree under `stage`: the CLI, the
    seccomp wrapper, the benchmarks (when reps > 0), every fixture, the tests, the procfs captures."""
    say(f"building the {config.arch} guest binaries (-c opt, project code linked in statically)")
    query = ["bazel", "query", 'kind("cc_binary", //fixtures:all)']
    fixtures = subprocess.run(query, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()
    # The i386 fixtures are genrules named NAME_build whose output is NAME (fixtures/i386.bzl); x86 only.
    fixtures_i386 = []
    if config.i386_fixtures:
        query = ["bazel", "query", 'kind("genrule", //fixtures:all)']
        fixtures_i386 = subprocess.run(query, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                       text=True).stdout.split()
    benches = ["memory_benchmark", "procfs_parse_benchmark"] if reps > 0 else []
    # deny_process_vm: the seccomp wrapper the container tests run the CLI under.
    targets = (["//tools:procscope", "//tests/util:deny_process_vm"] + fixtures + fixtures_i386 +
               [f"//bench:{b}" for b in benches] + [f"//tests:{t}" for t in tests])
    run(["bazel", "build"] + list(config.bazel_flags) + targets)
    bin_dir = bazel_bin(config.bazel_flags)
    for sub in ("tools", "tests/util", "bench", "fixtures", "backend/procfs"):
        os.makedirs(os.path.join(stage, sub), exist_ok=True)

    def copy(relative, to=None):
        shutil.copy2(os.path.join(bin_dir, relative), os.path.join(stage, to or relative))

    copy("tools/procscope")
    copy("tests/util/deny_process_vm")
    for b in benches:
        copy(f"bench/{b}")
    for t in fixtures:
        copy("fixtures/" + t.split(":")[1])
    for t in fixtures_i386:
        name = t.split(":")[1]
        copy("fixtures/" + name[:-len("_build")] if name.endswith("_build") else "fixtures/" + name)
    for t in tests:
        copy(f"tests/{t}")
    shutil.copytree("backend/procfs/testdata", os.path.join(stage, "backend/procfs/testdata"), dirs_exist_ok=True)
    # kernel_facts_test compares the probe with the facts file's column for the kernel it runs on.
    shutil.copy2("backend/KERNEL_FACTS.md", os.path.join(stage, "backend", "KERNEL_FACTS.md"))


def stage_kernel_modules(stage, kmods_test, kernels):
    """Kernel modules for the guests, from each kernel's package (Kernel.modules: its lib/modules/RELEASE),
    with their dependencies, staged flat under stage/kmods/RELEASE/ (.ko.xz decompressed): the ones
    kmods_test loads (`kmods_test --print-modules`) and overlay, which guest_init.sh loads for overlay_test."""
    names = ["overlay"] + output([kmods_test, "--print-modules"]).split()
    for kernel in kernels:
        if not kernel.modules:
            say(f"no modules beside {kernel.vmlinuz}: kmods_test will skip in that guest")
            continue
        release = os.path.basename(kernel.modules)
        out = os.path.join(stage, "kmods", release)
        try:
            initramfs.copy_modules(kernel.modules, out, names)
        except (OSError, SystemExit) as e:
            print(e, file=sys.stderr)
            raise Refused(f"kernels: cannot stage the modules kmods_test needs from {kernel.modules}") from None
        say(f"modules for {release}: " + "".join(n + " " for n in sorted(os.listdir(out))))


def pack_initramfs(image, stage, plan, plan_never, busybox):
    """The initramfs every guest boots: busybox, the plans (/plan, and /plan-force-never for the boot with
    proc_mem.force_override=never), run_plan.sh and the staged tree under /runfiles."""
    files = [("tools/kernels/run_plan.sh", "/run_plan.sh"), (plan, "/plan"), (plan_never, "/plan-force-never"),
             (busybox, "/bin/busybox")]
    for directory, _, names in sorted(os.walk(stage)):
        for name in sorted(names):
            path = os.path.join(directory, name)
            files.append((path, "/runfiles/procscope/" + os.path.relpath(path, stage)))
    initramfs.pack(image, "tools/kernels/guest_init.sh", files, ["proc", "sys", "dev", "tmp", "results"])
    size = output(["du", "-h", image]).split("\t")[0]
    say(f"initramfs {size}")


def boot_guest(config, kernel, image, guest, accel, timeout, extra=""):
    """Boots one kernel with the initramfs under QEMU, shows its progress lines, always stops it (at the
    latest after `timeout` seconds) and collects its result files into `guest`. `extra`: more kernel
    parameters (recorded in guest/boot.txt for the report), e.g. one that picks another plan. The kernel
    (a kernel_lines.Kernel) is described in guest/package.txt, the time limit in limit.txt and the boot's
    wall-clock seconds in wall.txt."""
    os.makedirs(guest, exist_ok=True)
    say(f"booting {kernel.describe()} {'with ' + extra + ' ' if extra else ''}({accel}, limit {timeout}s)")
    if extra:
        write_lines(os.path.join(guest, "boot.txt"), [boot_label(extra)])
    write_lines(os.path.join(guest, "package.txt"), [kernel.describe()])
    write_lines(os.path.join(guest, "limit.txt"), [str(timeout)])
    started = time.monotonic()
    cmd = (["timeout", "--signal=KILL", str(timeout)] +
           qemu_configs.qemu_command(config, accel, kernel.vmlinuz, image, extra))
    marker = re.compile(rb"=== procscope-(?:progress|guest) .* ===")
    with open(os.path.join(guest, "serial.log"), "wb") as log:
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for line in qemu.stdout:
                log.write(line)
                log.flush()
                for found in marker.findall(line):
                    tell(f"  {os.path.basename(guest)}: " + found.decode("utf-8", "replace"))
        finally:
            if qemu.poll() is None:
                qemu.kill()
            qemu.wait()
    with open(os.path.join(guest, "serial.log"), "rb") as f:
        finished = b"=== procscope-guest done ===" in f.read()
    if not finished:
        say(f"guest {os.path.basename(guest)} did not finish (time limit {timeout}s, or it crashed): partial results")
    collected = subprocess.run([sys.executable, os.path.join(HERE, "initramfs.py"), "collect",
                                os.path.join(guest, "serial.log"), guest], stdout=subprocess.PIPE, text=True)
    for line in collected.stdout.splitlines():
        tell(f"  {os.path.basename(guest)}: " + line)
    with open(os.path.join(guest, "accel.txt"), "w") as f:
        f.write(accel + "\n")
    write_lines(os.path.join(guest, "wall.txt"), [str(round(time.monotonic() - started))])


def run_boots(boots, jobs, boot):
    """Calls boot(*args) for each args of `boots`, at most `jobs` at a time, and returns when all are done.
    A boot's failure (an exception) is raised after the others finished."""
    with futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for done in [pool.submit(boot, *args) for args in boots]:
            done.result()


def run_on_host(stage, plan, host):
    """The plan on this machine's kernel, from the staged tree, exactly as a guest runs it."""
    say(f"host kernel {os.uname().release}")
    proc = subprocess.Popen(["sh", os.path.join(ROOT, "tools/kernels/run_plan.sh"), os.path.join(ROOT, plan),
                             os.path.join(ROOT, host)], cwd=stage, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        print("  host: " + line, end="", flush=True)
    proc.wait()
    with open(os.path.join(host, "accel.txt"), "w") as f:
        f.write("host\n")


def benchmark_context(label, accel, stamp):
    """The context bench_report.py merges into a boot's bench.json (an emulated guest says so in its label)."""
    if accel == "tcg":
        label += " [emulated, not comparable]"
    return {"kernel_release": label, "accel": accel, "emulated": accel == "tcg", "timestamp": stamp}


def merge_benchmarks(stamp, dirs):
    for d in dirs:
        if not os.path.isfile(os.path.join(d, "memory_benchmark.json")):
            continue
        accel = report._read(os.path.join(d, "accel.txt"))
        label = report._read(os.path.join(d, "kernel_release.txt"))
        with open(os.path.join(d, "context.json"), "w") as f:
            json.dump(benchmark_context(label, accel, stamp), f)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench_report.py"), "merge",
                        os.path.join(d, "bench.json"), "--context", os.path.join(d, "context.json"),
                        "--probe", os.path.join(d, "probe.json"), os.path.join(d, "procfs_parse_benchmark.json"),
                        os.path.join(d, "memory_benchmark.json")], stdout=subprocess.DEVNULL)


def kvm_usable():
    # A /dev/kvm node alone is not enough: on this project's VMs it exists while the CPU offers no
    # virtualisation (no vmx/svm flag), and a KVM guest then hangs in the firmware at full CPU.
    if not (os.access("/dev/kvm", os.R_OK) and os.access("/dev/kvm", os.W_OK)):
        return False
    with open("/proc/cpuinfo") as f:
        return re.search(r"\b(vmx|svm)\b", f.read()) is not None


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def kernels(options):
    ensure_packages(options.arches)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = os.path.join("results", "kernels", stamp)
    os.makedirs(out, exist_ok=True)
    os.makedirs(CACHE, exist_ok=True)
    all_tests = kernel_tests("kernel_quick" if options.quick else "kernel")
    if not all_tests:
        raise Refused("kernels: no test is tagged for the kernel run (bazel query failed?)")
    reps = repetitions(options)
    # kmods_test --print-modules names the modules to stage: a build this machine runs, whatever the arch.
    host_flags = qemu_configs.CONFIGS["amd64"].bazel_flags
    run(["bazel", "build"] + list(host_flags) + ["//tests:kmods_test"])
    kmods_test = os.path.join(bazel_bin(host_flags), "tests", "kmods_test")
    accel = "kvm" if kvm_usable() else "tcg"
    if accel == "tcg":
        say("KVM is not usable here (no /dev/kvm, or no vmx/svm CPU flag): guests run under TCG emulation; their "
            "timings are marked emulated, not comparable")
    force_override_tests = kernel_tests("force_override")
    host, defaults, nevers, missing = [], [], [], []
    for arch in options.arches:
        config = qemu_configs.CONFIGS[arch]
        tests = arch_tests(config, all_tests)
        # (folder name, Kernel): the --kernel images of this arch, then the lines' kernels.
        boots = [(f"{config.guest_prefix}{n}", image_kernel(k, arch))
                 for n, k in enumerate((k for k, a in options.kernels if a == arch), 1)]
        for line, kernel, why in fetch_lines(options.lines, arch):
            if kernel is None:
                missing.append(f"{line.name} ({line.suite}, {arch}): {why}")
            else:
                boots.append((f"{config.guest_prefix}-{line.name}" + ("-security" if "-security" in line.suite
                                                                     else ""), kernel))
        if not boots and not config.host_column:
            continue
        base = os.path.join(out, f"stage-{arch}")
        stage = os.path.join(base, "runfiles", "procscope")
        plan, plan_never = os.path.join(base, "plan"), os.path.join(base, "plan-force-never")
        image = os.path.join(out, f"initramfs-{arch}.cpio.gz")
        stage_binaries(stage, config, reps, tests)
        stage_kernel_modules(stage, kmods_test, [kernel for _, kernel in boots])
        write_lines(plan, plan_lines(reps, tests))
        write_lines(plan_never, force_never_plan(tests, force_override_tests))
        pack_initramfs(image, stage, plan, plan_never, guest_busybox(config))
        if config.host_column:
            host.append(os.path.join(out, "host"))
            run_on_host(stage, plan, host[-1])
        guest_accel = "tcg" if config.always_tcg else accel
        runs = []
        for name, kernel in boots:
            runs.append((config, kernel, image, os.path.join(out, name), guest_accel, options.timeout))
            defaults.append(os.path.join(out, name))
            # Every line boots a second time with the parameter: on a kernel without the switch (5.10.223)
            # the probe says "no such switch" and the force tests expect forcing.
            runs.append((config, kernel, image, os.path.join(out, name + "-force-never"), guest_accel,
                         options.timeout, "proc_mem.force_override=never procscope.plan=plan-force-never"))
            nevers.append(os.path.join(out, name + "-force-never"))
        run_boots(runs, options.jobs, boot_guest)
    dirs = host + defaults + nevers
    merge_benchmarks(stamp, dirs)
    notes = [f"Not fetched: {m}" for m in missing]
    rc = report.main(["report.py", os.path.join(out, "report.md")] + [f"--note={n}" for n in notes] + dirs)
    say(f"report in {out}/report.md")
    if missing:
        say(f"kernels: {len(missing)} kernel(s) could not be fetched (see above)", err=True)
        rc = 1
    if rc != 0:
        say("kernels: a test failed on some kernel, or a guest did not finish (see the report)", err=True)
    return rc


def main(argv):
    os.chdir(ROOT)
    try:
        return kernels(parse_args(argv[1:]))
    except Refused as e:
        say(str(e), err=True)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv))
