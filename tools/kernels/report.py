#!/usr/bin/env python3
"""report.py OUT.md [--note=TEXT]... DIR...: the side-by-side report of `tools/harness kernels`.

Each DIR holds what run_plan.sh wrote for one kernel (the host first): kernel_release.txt, accel.txt ("host",
"kvm" or "tcg"), probe.json, tests.txt, <test>.json (GoogleTest JSON) and, when benchmarks ran, bench.json
(merged by bench_report.py). Prints the report and writes it to OUT.md: kernel semantics (probe keys) side by
side with differences marked, test results per kernel, and the benchmark comparison of bench_report.py
(every number from a guest under TCG is marked "emulated, not comparable"). A DIR may also hold boot.txt,
the extra kernel parameters of that boot, shown in its column label, package.txt (the Debian package and
version booted), limit.txt (the boot's time limit) and wall.txt (the seconds it took). Each --note is a line
under the header (a kernel that could not be fetched, say).

A test that skips for the want of a newer kernel's feature says "needs KEY" in its reason, KEY being the
probe key that measures it (FEATURES); on a boot whose probe says the feature is there, that skip is a
failure: a skip must never hide a test that could have run.

Exit status 1 when a test binary failed on any kernel (or skipped where it should have run), or a boot did
not finish its plan (no tests.txt), else 0.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import probe_keys  # noqa: E402  (tools/probe_keys.py)


def _read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def _json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


# Probe key -> whether its measured value says the feature is there (tools/cli/probe_command.cc's keys).
FEATURES = {
    "procmap_query": lambda v: v == "supported",
    "guard_regions": lambda v: isinstance(v, str) and v.startswith("madvise ok"),
    "pagemap_guard_bit": lambda v: v is True,
    "pidfd_info_exit": lambda v: v == "supported",
    # A test that needs the kernel to force /proc/PID/mem only for a tracer (proc_mem.force_override=ptrace).
    "procmem_force_override": lambda v: v == "ptrace",
}
NEEDS = re.compile(r"\bneeds (" + "|".join(FEATURES) + r")\b")


def _label(d):
    accel = _read(os.path.join(d, "accel.txt"), "?")
    boot = _read(os.path.join(d, "boot.txt"))  # extra kernel parameters of this boot, if any
    release = _read(os.path.join(d, "kernel_release.txt")) or _read(os.path.join(d, "package.txt"), "?").split(" ")[0]
    return f"{release} ({accel}{', ' + boot if boot else ''})"


def _boot_cell(d):
    """How long the boot took against its limit; the host has neither."""
    wall, limit = _read(os.path.join(d, "wall.txt")), _read(os.path.join(d, "limit.txt"))
    if not limit:
        return ""
    finished = os.path.exists(os.path.join(d, "tests.txt"))
    return f"{wall or '?'} s of {limit} s" + ("" if finished else ": DID NOT FINISH")


def _wrongly_skipped(skipped, reasons, probe):
    """[(test, key)] of the skips that say "needs KEY" while this boot's probe says KEY is there."""
    wrong = []
    for name in skipped:
        m = NEEDS.search(reasons.get(name, ""))
        if m and m.group(1) in probe and FEATURES[m.group(1)](probe[m.group(1)]):
            wrong.append((name, m.group(1)))
    return wrong


def _skip_reasons(log):
    """{"Suite.Name": "reason"} from a GoogleTest text log: the lines between "Skipped" and "[  SKIPPED ]"."""
    reasons, current, lines = {}, None, None
    for line in log.splitlines():
        if line.startswith("[ RUN      ] "):
            current, lines = line[13:].strip(), None
        elif current and line.endswith(": Skipped"):
            lines = []
        elif current and line.startswith("[  SKIPPED ] "):
            reasons[current] = " ".join(lines or []).strip()
            current, lines = None, None
        elif lines is not None:
            lines.append(line.strip())
    return reasons


def _test_cell(d, name, exit_status, seconds, probe):
    """One test binary's result on one kernel: pass/FAIL with the exit status, and every skip with its reason;
    a skip for a feature `probe` says the kernel has is a failure."""
    data = _json(os.path.join(d, name + ".json"))
    status = "" if exit_status in ("", "0") else f" (exit {exit_status})"
    if data is None:
        return f"FAIL{status}: no result (crashed or not run)"
    failed, skipped = [], []
    for suite in data.get("testsuites", []):
        for case in suite.get("testsuite", []):
            full = f"{suite.get('name')}.{case.get('name')}"
            if case.get("failures"):
                failed.append(full)
            elif case.get("result") == "SKIPPED":
                skipped.append(full)
    total = data.get("tests", 0)
    reasons = _skip_reasons(_read(os.path.join(d, name + ".log"))) if skipped else {}
    for test, key in _wrongly_skipped(skipped, reasons, probe):
        failed.append(f"{test} skipped though the probe says {key} = {json.dumps(probe[key])}")
        skipped.remove(test)
    if skipped:
        why = [reasons.get(n) or "no reason given" for n in skipped]
        if len(skipped) > 1 and len(set(why)) == 1:  # one reason for all: say it once
            skip_text = f", skip {len(skipped)}: all ({why[0]})"
        else:
            shown = ", ".join(f"{n} ({w})" for n, w in zip(skipped[:3], why))
            skip_text = f", skip {len(skipped)}: {shown}" + (" ..." if len(skipped) > 3 else "")
    else:
        skip_text = ""
    if failed:
        shown = ", ".join(failed[:3]) + (" ..." if len(failed) > 3 else "")
        return f"FAIL{status} {len(failed)}/{total}: {shown}{skip_text}"
    if status:
        return f"FAIL{status}, no failed case reported{skip_text}"
    passed = total - len(skipped)
    return (f"pass {passed} ({seconds} s)" if seconds else f"pass {passed}") + skip_text


def report(out, dirs, notes=()):
    lines = ["# procscope across kernels", ""]
    labels = [_label(d) for d in dirs]
    emulated = [_read(os.path.join(d, "accel.txt")) == "tcg" for d in dirs]
    lines += ["| | " + " | ".join(labels) + " |", "|---" * (len(dirs) + 1) + "|"]
    lines.append("| package | " + " | ".join(_read(os.path.join(d, "package.txt"), "this machine's kernel")
                                              for d in dirs) + " |")
    lines.append("| timing | " + " | ".join("emulated, not comparable" if e else "real" for e in emulated) + " |")
    lines.append("| boot | " + " | ".join(_boot_cell(d) for d in dirs) + " |")
    if notes:
        lines += [""] + [f"{n}" for n in notes]
    lines += ["", "## Kernel semantics (`procscope probe`)", ""]
    probes = [_json(os.path.join(d, "probe.json")) or {} for d in dirs]
    lines += ["| key | " + " | ".join(labels) + " | |", "|---" * (len(dirs) + 2) + "|"]
    for k, values, differs in probe_keys.rows(probes):
        lines.append(f"| {k} | " + " | ".join(values) + f" | {'DIFFERS' if differs else ''} |")
    lines += ["", "## Regression tests", ""]
    runs = []
    for d in dirs:
        run = {}
        for line in _read(os.path.join(d, "tests.txt")).splitlines():
            parts = dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)
            run[line.split()[0]] = (parts.get("exit", ""), parts.get("seconds", ""))
        runs.append(run)
    names = []
    for run in runs:
        names += [n for n in run if n not in names]
    lines += ["| test | " + " | ".join(labels) + " |", "|---" * (len(dirs) + 1) + "|"]
    for n in names:
        cells = [_test_cell(d, n, *run[n], probe) if n in run else
                 "not run" if os.path.exists(os.path.join(d, "tests.txt")) else "DID NOT FINISH"
                 for d, run, probe in zip(dirs, runs, probes)]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    benches = [os.path.join(d, "bench.json") for d in dirs if os.path.exists(os.path.join(d, "bench.json"))]
    lines += ["", "## Benchmarks", ""]
    if len(benches) >= 2:
        if any(emulated):
            lines += ["Guests under TCG (no KVM): their timings are emulated, not comparable with the host's.", ""]
        here = os.path.dirname(os.path.abspath(__file__))
        compare = subprocess.run([sys.executable, os.path.join(here, "..", "bench_report.py"), "compare"] + benches,
                                 capture_output=True, text=True)
        lines += ["```", (compare.stdout + compare.stderr).rstrip(), "```"]
    else:
        lines.append("(fewer than two benchmark results)")
    # What makes the run a failure: a failed test binary, or a boot that ran no plan to its end.
    failures = sum(line.count("| FAIL") for line in lines if line.startswith("| ") and not line.startswith("| key"))
    unfinished = [f"{_label(d)} (given {_read(os.path.join(d, 'limit.txt'), '?')} s)" for d in dirs
                  if not os.path.exists(os.path.join(d, "tests.txt"))]
    if unfinished:
        lines += ["", "Did not finish (no tests.txt: it hung past its time limit, crashed or did not boot): " +
                  ", ".join(unfinished)]
    text = "\n".join(lines) + "\n"
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return failures + len(unfinished)


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    notes = [a[len("--note="):] for a in argv[2:] if a.startswith("--note=")]
    dirs = [a for a in argv[2:] if not a.startswith("--note=")]
    failures = report(argv[1], dirs, notes)
    if failures:
        print(f"report: {failures} failure(s): a test binary failed, or a boot did not finish", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
