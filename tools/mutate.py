#!/usr/bin/env python3
"""mutate.py: `tools/harness mutate` (its usage is in tools/harness --help and USAGE below).

Generates mutants of the project's C++ with the operators of tools/mutate_ops.py, and for each: applies it,
builds and runs the tests that depend on the file (`bazel query rdeps`), undoes it, and records killed, timed
out, survived or did not build. Survivors that are equivalent to the original are listed, with the reason, in
tests/mutants/triage.md, so a later run does not ask again. Writes results/mutate/<stamp>/report.md and keeps
every verdict in results/mutate/state/<tree>.json (keyed by the checkout's tree), so an interrupted run resumes.
"""
import datetime
import fcntl
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

import mutants
import mutate_ops

ROOT = mutants.ROOT
TRIAGE = os.path.join("tests", "mutants", "triage.md")
USAGE = """usage: tools/harness mutate [--sample N] [--seed S] [--operators OP,...] [--changed REV] [--only KEY,...]
                             [--in-place] [--list] [--timeout SECONDS] [FILE...]"""
# The files a run covers when none is named: the memory engine, access facts, module map, C ABI, conform, the
# CLI's batch output and memory commands, and the kernel-module code.
DEFAULT_FILES = (
    "backend/access/denial_reasons.cc", "backend/access/reader_facts.cc", "backend/access/target_facts.cc",
    "backend/memory/strategies.cc", "backend/memory/vm_batch.cc", "backend/memory/accessible_ranges.h",
    "backend/memory/accessible_ranges.cc", "backend/process/module_map.cc", "backend/c_api/procscope_backend.cc",
    "tools/conform/judge.cc", "tools/conform/cases.cc", "tools/conform/conform.cc", "tools/conform/worker.cc",
    "tools/conform/plugin.cc", "tools/cli/batch_output.cc", "tools/cli/memory_commands.cc",
    "backend/kernel/kernel_modules.cc", "backend/procfs/modules.cc")
# A file can be mutated when it is project C++ that ships (tests, fixtures, fuzzers and benchmarks are the
# judges, not the judged; so are the test doubles and helpers that live beside the code they stand in for).
MUTABLE = re.compile(r"^(?:backend|tools)/(?!.*_test\.cc$)(?!(?:.*/)?(?:fake_memory\.(?:cc|h)|dying_memory\.(?:cc|h)|"
                     r"status_matchers\.h|testdata_util\.h)$).*\.(?:cc|h)$")
# Per-test limits by size (small, medium, large, enormous): a mutant that loops forever is "timed out".
TEST_TIMEOUTS = "60,120,300,900"
VERDICTS = ("killed", "timed out", "survived", "equivalent", "didn't build", "error")
# How many of the tests most likely to kill a mutant run first, alone, before all the others.
FIRST_TESTS = 3


class Refused(Exception):
    pass


def parse_args(argv):
    opts = {"sample": None, "seed": 1, "operators": list(mutate_ops.OPERATORS), "changed": None,
            "in_place": False, "list": False, "timeout": 1200, "files": [], "only": None}
    it = iter(argv)
    for arg in it:
        if arg in ("--sample", "--seed", "--timeout", "--operators", "--changed", "--only"):
            value = next(it, None)
            if value is None:
                raise Refused(f"mutate: {arg} needs a value ({USAGE})")
            if arg == "--operators":
                ops = value.split(",")
                unknown = [o for o in ops if o not in mutate_ops.OPERATORS]
                if unknown:
                    raise Refused(f"mutate: unknown operator '{unknown[0]}' (known: {', '.join(mutate_ops.OPERATORS)})")
                opts["operators"] = ops
            elif arg == "--changed":
                opts["changed"] = value
            elif arg == "--only":
                opts["only"] = set(value.split(","))
            else:
                if not re.fullmatch(r"\d+", value) or (arg != "--seed" and int(value) == 0):
                    raise Refused(f"mutate: {arg} takes a positive whole number, not '{value}'")
                opts[arg[2:]] = int(value)
        elif arg == "--in-place":
            opts["in_place"] = True
        elif arg == "--list":
            opts["list"] = True
        elif arg.startswith("-"):
            raise Refused(f"mutate: unknown option '{arg}' ({USAGE})")
        else:
            opts["files"].append(arg)
    if opts["changed"] and opts["files"]:
        raise Refused("mutate: name FILEs or --changed REV, not both")
    return opts


def check_files(files):
    """Paths relative to the checkout, each an existing mutable file; Refused naming the first that is not."""
    out = []
    for f in files:
        rel = os.path.relpath(os.path.abspath(os.path.join(os.environ.get("PROCSCOPE_CALLER_DIR", ROOT), f)), ROOT)
        if not os.path.isfile(os.path.join(ROOT, rel)):
            raise Refused(f"mutate: no such file: {f}")
        if not MUTABLE.match(rel):
            raise Refused(f"mutate: {rel} is not project C++ under backend/ or tools/ (tests are not mutated)")
        out.append(rel)
    return out


def changed_files(rev):
    """The mutable files that differ between REV and HEAD and still exist."""
    r = mutants.git(ROOT, "diff", "--name-only", f"{rev}...HEAD", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)
    if r.returncode != 0:
        raise Refused(f"mutate: --changed {rev}: {r.stderr.strip() or 'git diff failed'}")
    return [f for f in r.stdout.split() if MUTABLE.match(f) and os.path.isfile(os.path.join(ROOT, f))]


def read_triage(path):
    """{mutant key: reason} from the triage file: a "## FILE KEY" heading, then a line "equivalent: REASON"."""
    found, key = {}, None
    if not os.path.exists(path):
        return found
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^## (\S+) ([0-9a-f]{10})\s*$", line)
            if m:
                key = m.group(2)
                continue
            m = re.match(r"^equivalent: (.+)$", line)
            if m and key:
                found[key] = m.group(1).strip()
                key = None
    return found


def select(mutants_by_file, sample, seed):
    """All mutants in file order, or `sample` of them: each file's shuffled by the seed (and the file's name),
    then taken round-robin across files, so every file gets its share. Deterministic; a larger sample holds
    every mutant of a smaller one."""
    if sample is None:
        return [m for ms in mutants_by_file.values() for m in ms]
    queues = []
    for path, ms in mutants_by_file.items():
        order = sorted(ms, key=lambda m: m.key)
        random.Random(f"{seed}:{path}").shuffle(order)
        queues.append(order)
    picked = []
    while len(picked) < sample and any(queues):
        for q in queues:
            if q and len(picked) < sample:
                picked.append(q.pop(0))
    return picked  # in the order taken, so a run stopped early has covered every file alike


def failed_tests(output):
    """Tests that failed or timed out: {label: "FAILED"|"TIMEOUT"}, from bazel's summary lines and, since a run
    stopped at its first failure marks that test NO STATUS there, from the test output it printed."""
    found = {m.group(1): m.group(2)
             for m in re.finditer(r"^(//\S+) +(?:\(cached\) )?(FAILED|TIMEOUT)\b", output, re.M)}
    blocks = re.split(r"^=+ Test output for (//[^\s:]+:[^\s:]+)(?: \(shard \d+ of \d+\))?:$", output, flags=re.M)
    for label, text in zip(blocks[1::2], blocks[2::2]):
        how = "TIMEOUT" if re.search(r"^-- Test timed out at ", text, re.M) else "FAILED"
        if found.get(label) != "FAILED":
            found[label] = how
    return found


def verdict(rc, output):
    """(verdict, tests): what one bazel test run says of a mutant."""
    failed = failed_tests(output)
    if failed:
        timeouts = sorted(t for t, how in failed.items() if how == "TIMEOUT")
        if len(timeouts) == len(failed):
            return "timed out", timeouts
        return "killed", sorted(t for t, how in failed.items() if how == "FAILED")
    if rc == 0:
        return "survived", []
    if rc == 1:
        return "didn't build", []
    return "error", []


def order_tests(path, tests, kills):
    """The tests of a file, the likeliest killers first: those that killed this file's mutants most often, then
    those in the file's own package, then the rest by name."""
    package = "//" + os.path.dirname(path) + ":"
    return sorted(tests, key=lambda t: (-kills.get(t, 0), not t.startswith(package), t))


def bazel_test(tree, targets, log_path, timeout):
    """`bazel test` of targets in tree, stopping at the first failure; (rc, output). A run over `timeout`
    seconds is interrupted and reported as rc None."""
    cmd = ["bazel", "test", "--notest_keep_going", f"--test_timeout={TEST_TIMEOUTS}", "--test_output=errors",
           "--test_summary=short"] + targets
    with open(log_path, "a") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        proc = subprocess.Popen(cmd, cwd=tree, stdout=log, stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout=timeout)
        except KeyboardInterrupt:  # stop the build before the caller restores the file under it
            proc.send_signal(signal.SIGINT)
            proc.wait()
            raise
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)  # bazel's client cancels the build on SIGINT
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            rc = None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        return rc, f.read()


def judge(tree, mutant, tests, log_path, timeout, run=bazel_test):
    """Runs a mutant's tests, the likeliest killers alone first: (verdict, tests)."""
    deadline = time.monotonic() + timeout
    first, rest = tests[:FIRST_TESTS], tests[FIRST_TESTS:]
    for batch in ([first, rest] if rest else [first]):
        left = deadline - time.monotonic()
        if left <= 0:
            return "timed out", []
        rc, output = run(tree, batch, log_path, left)
        if rc is None:
            return "timed out", []
        v, who = verdict(rc, output)
        if v != "survived":
            return v, who
    return "survived", []


class State:
    """Verdicts of one tree (results/mutate/state/<tree hash>.json), written after each mutant."""

    def __init__(self, path):
        self.path = path
        self.data = {}
        if os.path.exists(path):
            with open(path) as f:
                self.data = json.load(f)

    def get(self, key):
        return self.data.get(key)

    def put(self, key, record):
        self.data[key] = record
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


def unified_diff(path, before, after, line):
    """The mutant as a diff of the lines it touches, numbered as in the file."""
    out = [f"--- a/{path}\n", f"+++ b/{path}\n",
           f"@@ -{line},{before.count(chr(10)) + 1} +{line},{after.count(chr(10)) + 1} @@\n"]
    out += ["-" + l + "\n" for l in before.split("\n")] + ["+" + l + "\n" for l in after.split("\n")]
    return "".join(out)


def report(rows, files, triage_path):
    """The report's Markdown: a table per file, then every survivor's diff."""
    lines = ["# Mutation run", "",
             "score = (killed + timed out) / (killed + timed out + survived); equivalent mutants (listed in "
             f"{triage_path}) and those that did not build are left out.", "",
             "| file | mutants | killed | timed out | survived | equivalent | didn't build | error | score |",
             "|---|---|---|---|---|---|---|---|---|"]
    totals = {v: 0 for v in VERDICTS}
    for path in files:
        mine = [r for r in rows if r["file"] == path]
        if not mine:
            continue
        counts = {v: sum(1 for r in mine if r["verdict"] == v) for v in VERDICTS}
        for v in VERDICTS:
            totals[v] += counts[v]
        lines.append(f"| {path} | {len(mine)} | " + " | ".join(str(counts[v]) for v in VERDICTS) + f" | {score(counts)} |")
    lines.append(f"| **all** | {len(rows)} | " + " | ".join(str(totals[v]) for v in VERDICTS) + f" | {score(totals)} |")
    survivors = [r for r in rows if r["verdict"] == "survived"]
    if survivors:
        lines += ["", "## Survivors", "",
                  f"Each needs a test that kills it, or an entry in {triage_path} (\"## FILE KEY\", then "
                  "\"equivalent: why\").", ""]
        for r in survivors:
            lines += [f"### {r['file']} {r['key']} ({r['operator']}, line {r['line']})", "", "```diff",
                      r["diff"].rstrip("\n"), "```", ""]
    return "\n".join(lines) + "\n", totals


def score(counts):
    detected = counts["killed"] + counts["timed out"]
    judged = detected + counts["survived"]
    return f"{100.0 * detected / judged:.1f}%" if judged else "-"


def tests_for(tree, path):
    """The test targets that depend on a file (bazel query rdeps), Python tests left out."""
    package, name = os.path.dirname(path), os.path.basename(path)
    query = f'kind(".*_test rule", rdeps(//..., //{package}:{name})) except kind("py_test", //...)'
    r = subprocess.run(["bazel", "query", query], cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        raise Refused(f"mutate: bazel query of the tests of {path} failed:\n{r.stderr.strip()}")
    return r.stdout.split()


def lock(tree):
    """Holds an exclusive lock on the tree for this process's life: two runs never mutate one tree at once."""
    git_dir = mutants.git(tree, "rev-parse", "--git-dir", stdout=subprocess.PIPE, text=True).stdout.strip()
    lock_path = os.path.join(tree, git_dir, "procscope-mutate.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise Refused(f"mutate: another mutate run is using {tree}; wait for it or stop it")
    return fd


def run(opts):
    if opts["changed"]:
        files = changed_files(opts["changed"])
    else:
        files = check_files(opts["files"]) if opts["files"] else list(DEFAULT_FILES)
    by_file = {}
    for path in files:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            by_file[path] = mutate_ops.find_mutants(path, f.read(), opts["operators"])
    chosen = select(by_file, None if opts["only"] else opts["sample"], opts["seed"])
    if opts["only"]:
        known = {m.key for ms in by_file.values() for m in ms}
        unknown = sorted(opts["only"] - known)
        if unknown:
            raise Refused(f"mutate: --only: no mutant {unknown[0]} in these files (see --list)")
        chosen = [m for m in chosen if m.key in opts["only"]]
    triage = read_triage(os.path.join(ROOT, TRIAGE))
    if opts["list"]:
        for m in chosen:
            with open(os.path.join(ROOT, m.path), encoding="utf-8") as f:
                before, after = mutate_ops.describe(f.read(), m)
            mark = " (equivalent)" if m.key in triage else ""
            print(f"{m.path}:{m.line} {m.key} {m.operator}{mark}: {after.strip()}")
        print(f"harness: mutate: {len(chosen)} mutants of {len(files)} files")
        return 0
    if not chosen:
        print("harness: mutate: no mutants (no mutable file changed)" if opts["changed"] else
              "harness: mutate: no mutants")
        return 0
    mutants.ensure_packages("mutate")
    if opts["in_place"]:
        if not mutants.tracked_files_clean():
            raise Refused("mutate --in-place: tracked files are modified here; commit or stash them first")
        tree = ROOT
    else:
        tree = mutants.scratch_tree("mutate")
    held = lock(tree)  # noqa: F841 (kept open until exit)
    tree_hash = mutants.git(tree, "rev-parse", "HEAD^{tree}", stdout=subprocess.PIPE, text=True).stdout.strip()
    state = State(os.path.join(ROOT, "results", "mutate", "state", tree_hash + ".json"))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = os.path.join(ROOT, "results", "mutate", stamp)
    os.makedirs(os.path.join(out_dir, "logs"), exist_ok=True)
    tests_of, kills, rows = {}, {}, []
    for i, m in enumerate(chosen, 1):
        path = os.path.join(tree, m.path)
        with open(path, encoding="utf-8") as f:
            original = f.read()
        before, after = mutate_ops.describe(original, m)
        row = {"file": m.path, "key": m.key, "operator": m.operator, "line": m.line,
               "diff": unified_diff(m.path, before, after, m.line)}
        if m.key in triage:
            row.update(verdict="equivalent", tests=[], reason=triage[m.key], seconds=0)
        elif state.get(m.key) and state.get(m.key)["verdict"] != "error":  # an error is tried again
            row.update(state.get(m.key))
        else:
            if m.path not in tests_of:
                tests_of[m.path] = tests_for(tree, m.path)
            tests = order_tests(m.path, tests_of[m.path], kills.get(m.path, {}))
            start = time.monotonic()
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutate_ops.apply(original, m))
            try:
                v, who = judge(tree, m, tests, os.path.join(out_dir, "logs", m.key + ".log"), opts["timeout"])
            finally:  # the file is restored whatever happens, even on Ctrl-C
                with open(path, "w", encoding="utf-8") as f:
                    f.write(original)
            row.update(verdict=v, tests=who, seconds=int(time.monotonic() - start))
            state.put(m.key, {"verdict": v, "tests": who, "seconds": row["seconds"]})
        for t in row.get("tests", []):
            kills.setdefault(m.path, {})[t] = kills.get(m.path, {}).get(t, 0) + 1
        rows.append(row)
        by = f" by {' '.join(row['tests'])}" if row["tests"] else ""
        print(f"harness: mutate [{i}/{len(chosen)}] {m.path}:{m.line} {m.key} {m.operator}: {row['verdict']}{by}"
              f" ({row['seconds']}s)", flush=True)
        text, totals = report(rows, files, TRIAGE)
        with open(os.path.join(out_dir, "report.md"), "w") as f:  # after each mutant: a stopped run has one too
            f.write(text)
    print()
    print(text.split("\n## Survivors")[0].rstrip())
    print(f"harness: mutate: {totals['killed'] + totals['timed out']} killed, {totals['survived']} survived, "
          f"{totals['equivalent']} equivalent, {totals[VERDICTS[4]]} did not build, score {score(totals)} (report: {os.path.relpath(os.path.join(out_dir, 'report.md'), ROOT)})")
    return 1 if totals["survived"] or totals["error"] else 0


def interrupted(signum, frame):
    raise KeyboardInterrupt  # so the mutated file is restored (run's finally) on SIGTERM and SIGHUP too


def main(argv):
    os.chdir(ROOT)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    try:
        return run(parse_args(argv[1:]))
    except Refused as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv))
