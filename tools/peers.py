#!/usr/bin/env python3
"""peers.py: `tools/harness peers [--seed S] [--budget SECONDS] [--timeout MS] [--min-time SECONDS]`
(its usage is in tools/harness --help).

Real tools' memory access ("peers": libscanmem, LLDB's SB API; adapters in tools/peers/) side by side with
procscope's engine (backend/c_api/libprocscope.so): for each, `procscope conform --classes` (one minimal
batch per class of behaviour: pass or FAIL, what it answered, the command that replays it), a whole
`procscope conform` run (fixed seed and budget) and BM_PairedPlugin of bench/memory_benchmark (the peer and
the engine timed batch after batch at N=4096 S=8, H = 0, 0.1, 0.5). Writes results/peers/<stamp>/report.md
(plus each command's JSON and stderr) and prints the report. A peer whose package is missing gets a "not
installed" row with the reason; one that crashes or hangs gets a row that says so. Exit status: 0 when the
report was written (peers failing classes is what it reports, not an error), 1 when the build failed, 2 on
bad arguments.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOLES = (0, 0.1, 0.5)
ENGINE = "engine"  # the reference column: procscope's own engine through its C ABI
ENGINE_LIBRARY = "backend/c_api/libprocscope.so"


def parse_status(text):
    """tools/peers:status (generated from third_party/peers/peers.bzl): [(name, version, why missing)]."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, version, missing = (line.split("\t") + ["", ""])[:3]
        rows.append((name, version, missing))
    return rows


def paired_timings(bench_json, n=4096, size=8):
    """{holes: (engine ns/element, plugin ns/element, plugin / engine) or the cell's error text} from
    memory_benchmark's JSON (BM_PairedPlugin cells)."""
    out = {}
    for b in bench_json.get("benchmarks", []):
        name = b.get("name", "")
        if not name.startswith(f"BM_PairedPlugin/N:{n}/S:{size}/H:"):
            continue
        holes = float(name.split("/H:")[1].split("/")[0])
        if b.get("error_occurred"):
            out[holes] = b.get("error_message", "error")
        else:
            out[holes] = (b["engine_ns"] / n, b["plugin_ns"] / n, b["ratio"])
    return out


def results_text(results):
    """conform's per-element results as one cell: "8 bytes, ok; 0 bytes, EFAULT"."""
    return "; ".join(f"{r['transferred']} bytes, {r['error'] or 'ok'}" for r in results)


def class_cell(c):
    """One peer's verdict on one class, for the table."""
    if not c["run"]:
        return "not run (no write)"
    if c["passed"]:
        return "pass"
    if c["outcome"] != "returned":
        return f"FAIL: {c['outcome']}"
    return f"FAIL: {results_text(c['got'])}"


def cell_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def render(subjects, context):
    """The report, as Markdown. `subjects`: [{name, version, missing, classes: conform --classes JSON or
    None, classes_error, run: conform JSON or None, run_error, run_seconds, timings: paired_timings() or
    None, bench_error}], the engine first."""
    lines = [f"# Real peers beside procscope's engine ({context['date']})", ""]
    lines.append(f"Kernel {context['kernel']}, {context['cpu']} ({context['cores']} cores), procscope "
                 f"{context['revision']}. Peers: " +
                 ", ".join(" ".join(x for x in (s["name"], s["version"] or (f"({s['missing']})" if s["missing"] else ""))
                                    if x) for s in subjects if s["name"] != ENGINE) + ".")
    lines.append("")
    present = [s for s in subjects if not s["missing"]]
    missing = [s for s in subjects if s["missing"]]

    lines.append("## Classes (`procscope conform --classes`: one minimal batch each)")
    lines.append("")
    header = ["class", "correct answer"] + [s["name"] for s in subjects]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + " --- |" * len(header))
    names = []
    for s in present:
        for c in (s["classes"] or {}).get("classes", []):
            if (c["class"], c["correct"]) not in names:
                names.append((c["class"], c["correct"]))
    for name, correct in names:
        row = [name, correct]
        for s in subjects:
            if s["missing"]:
                row.append("not installed")
            elif s["classes"] is None:
                row.append(f"no answer: {s['classes_error']}")
            else:
                found = [c for c in s["classes"]["classes"] if c["class"] == name]
                row.append(class_cell(found[0]) if found else "-")
        lines.append("| " + " | ".join(cell_escape(x) for x in row) + " |")
    if not names:
        lines.append("| (no class ran) |" + " |" * (len(header) - 1))
    lines.append("")
    repros = [(s["name"], c) for s in present for c in (s["classes"] or {}).get("classes", [])
              if c["run"] and not c["passed"]]
    if repros:
        lines.append("Each failure, minimal, with the command that replays it:")
        lines.append("")
        for name, c in repros:
            lines.append(f"- **{name}, {c['class']}**: {c['problem']}  ")
            lines.append(f"  `{c['repro']}`")
        lines.append("")

    lines.append("## Whole conform runs (canonical cases, then random ones)")
    lines.append("")
    lines.append("| backend | cases | failed | hung | crashed | not run | time |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for s in subjects:
        if s["missing"]:
            lines.append(f"| {s['name']} | {cell_escape(s['missing'])} | | | | | |")
        elif s["run"] is None:
            lines.append(f"| {s['name']} | no report: {cell_escape(s['run_error'])} | | | | | "
                         f"{s['run_seconds']:.0f} s |")
        else:
            r = s["run"]
            lines.append(f"| {s['name']} | {r['cases']} ({r['random_cases']} random, seed {r['seed']}) | "
                         f"{r['failed']} | {r['hangs']} | {r['crashes']} | {r['not_run']} | "
                         f"{s['run_seconds']:.0f} s |")
    lines.append("")

    lines.append("## Time per element beside the engine (BM_PairedPlugin, N=4096 S=8, one run, paired)")
    lines.append("")
    lines.append("| peer | H | engine ns/element | peer ns/element | peer / engine |")
    lines.append("| --- | --- | --- | --- | --- |")
    for s in subjects:
        if s["name"] == ENGINE:
            continue
        if s["missing"]:
            lines.append(f"| {s['name']} | {cell_escape(s['missing'])} | | | |")
            continue
        if s["timings"] is None:
            lines.append(f"| {s['name']} | no result: {cell_escape(s['bench_error'])} | | | |")
            continue
        for h in HOLES:
            t = s["timings"].get(float(h))
            if t is None:
                lines.append(f"| {s['name']} | {h:g} | no result | | |")
            elif isinstance(t, str):
                lines.append(f"| {s['name']} | {h:g} | {cell_escape(t)} | | |")
            else:
                lines.append(f"| {s['name']} | {h:g} | {t[0]:.0f} | {t[1]:.0f} | {t[2]:.1f} |")
    lines.append("")
    if missing:
        lines.append("Not installed: " + "; ".join(f"{s['name']}: {s['missing']}" for s in missing) + ".")
        lines.append("")
    return "\n".join(lines)


def run(cmd, timeout, log):
    """(returncode or None when it timed out, stdout, seconds); stderr goes to `log`."""
    start = time.monotonic()
    with open(log, "w") as err:
        try:
            r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, timeout=timeout)
            return r.returncode, r.stdout, time.monotonic() - start
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            return None, out, time.monotonic() - start


def outcome_error(rc, seconds, log):
    """Why a command gave no report: it hung, crashed or failed (its last stderr line)."""
    if rc is None:
        return f"hung (stopped after {seconds:.0f} s)"
    if rc < 0:
        return f"crashed (signal {-rc})"
    last = ""
    with open(log, errors="replace") as f:
        for line in f:
            if line.strip():
                last = line.strip()
    return f"exit status {rc}" + (f": {last}" if last else "")


def parse_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def judge(subject, library, bin_dir, opts, out_dir):
    name = subject["name"]
    procscope = os.path.join(bin_dir, "tools", "procscope")
    timeout_s = opts.timeout / 1000
    log = os.path.join(out_dir, f"{name}.classes.stderr")
    print(f"peers: {name}: conform --classes", file=sys.stderr)
    rc, out, seconds = run([procscope, "conform", "--backend", library, "--classes", "--json",
                            "--timeout", str(opts.timeout)], 14 * timeout_s + 120, log)
    subject["classes"] = parse_json(out) if rc in (0, 1) else None
    subject["classes_error"] = "" if subject["classes"] else outcome_error(rc, seconds, log)
    write(out_dir, f"{name}.classes.json", out)

    log = os.path.join(out_dir, f"{name}.conform.stderr")
    print(f"peers: {name}: conform (seed {opts.seed}, budget {opts.budget:g} s)", file=sys.stderr)
    rc, out, seconds = run([procscope, "conform", "--backend", library, "--json", "--seed", str(opts.seed),
                            "--budget", str(opts.budget), "--timeout", str(opts.timeout)],
                           opts.run_limit, log)
    subject["run"] = parse_json(out) if rc in (0, 1) else None
    subject["run_error"] = "" if subject["run"] else outcome_error(rc, seconds, log)
    subject["run_seconds"] = seconds
    write(out_dir, f"{name}.conform.json", out)

    subject["timings"], subject["bench_error"] = None, ""
    if name == ENGINE:
        return
    log = os.path.join(out_dir, f"{name}.bench.stderr")
    print(f"peers: {name}: bench (BM_PairedPlugin)", file=sys.stderr)
    rc, out, seconds = run([os.path.join(bin_dir, "bench", "memory_benchmark"), f"--backend={library}",
                            "--benchmark_filter=^BM_PairedPlugin/", f"--benchmark_min_time={opts.min_time}",
                            "--benchmark_format=json"], opts.bench_limit, log)
    bench = parse_json(out) if rc == 0 else None
    if bench is None:
        subject["bench_error"] = outcome_error(rc, seconds, log)
    else:
        subject["timings"] = paired_timings(bench)
    write(out_dir, f"{name}.bench.json", out)


def write(out_dir, name, text):
    with open(os.path.join(out_dir, name), "w") as f:
        f.write(text)


def bazel(args):
    r = subprocess.run(["bazel"] + args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return r.returncode, r.stdout.strip()


def context():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                         text=True).stdout.strip() or "?"
    return {"date": datetime.date.today().isoformat(), "kernel": platform.release(), "cpu": cpu,
            "cores": os.cpu_count(), "revision": rev}


def parse_args(argv):
    p = argparse.ArgumentParser(prog="tools/harness peers", description=__doc__.split("\n\n")[1])
    p.add_argument("--seed", type=int, default=1, help="seed of the whole conform runs' random cases (1)")
    p.add_argument("--budget", type=float, default=20, help="seconds of random cases per conform run (20)")
    p.add_argument("--timeout", type=int, default=120000,
                   help="milliseconds one batch may take before the peer counts as hung (120000: LLDB reads "
                        "2 GiB in about 40 s on a 2-vCPU VM)")
    p.add_argument("--min-time", type=float, default=2, help="seconds per benchmark cell (2)")
    opts = p.parse_args(argv)
    if opts.timeout <= 0 or opts.budget < 0 or opts.min_time <= 0:
        p.error("--timeout, --min-time must be positive and --budget not negative")
    # The whole run's and the benchmark's safety nets: a peer that hangs in them is reported, not waited for.
    opts.run_limit = 3600
    opts.bench_limit = 1800
    return opts


def main(argv):
    opts = parse_args(argv)
    if subprocess.run([os.path.join(ROOT, "tools", "harness"), "ensure-packages"]).returncode != 0:
        return 1
    targets = ["//tools:procscope", "//bench:memory_benchmark", "//backend/c_api:libprocscope.so",
               "//tools/peers:status"]
    if bazel(["build", "-c", "opt"] + targets)[0] != 0:
        print("harness: peers: the build failed (see above)", file=sys.stderr)
        return 1
    bin_dir = bazel(["info", "-c", "opt", "bazel-bin"])[1]
    # Through the checkout's bazel-out link when it has one, so the replay commands in the report are short
    # and run from the checkout's root (every command here runs there).
    if "/bazel-out/" in bin_dir and os.path.isdir(os.path.join(ROOT, "bazel-out")):
        bin_dir = "bazel-out/" + bin_dir.split("/bazel-out/", 1)[1]
    with open(os.path.join(ROOT, bin_dir, "tools", "peers", "status.tsv")) as f:
        status = parse_status(f.read())
    present = [f"//tools/peers:lib{name}_adapter.so" for name, _, missing in status if not missing]
    if present and bazel(["build", "-c", "opt"] + present)[0] != 0:
        print("harness: peers: an adapter did not build (see above)", file=sys.stderr)
        return 1
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = os.path.join(ROOT, "results", "peers", stamp)
    os.makedirs(out_dir, exist_ok=True)
    subjects = [{"name": ENGINE, "version": "", "missing": "", "library": os.path.join(bin_dir, ENGINE_LIBRARY)}]
    for name, version, missing in status:
        subjects.append({"name": name, "version": version, "missing": missing,
                         "library": os.path.join(bin_dir, "tools", "peers", f"lib{name}_adapter.so")})
    for s in subjects:
        if not s["missing"]:
            judge(s, s["library"], bin_dir, opts, out_dir)
    report = render(subjects, context())
    write(out_dir, "report.md", report)
    print(report)
    print(f"harness: peers: wrote {os.path.relpath(os.path.join(out_dir, 'report.md'), ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
