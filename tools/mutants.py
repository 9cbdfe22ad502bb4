#!/usr/bin/env python3
"""mutants.py: `tools/harness mutants [--in-place] [NAME...]` (its usage is in tools/harness --help).

Plants each bug of tests/mutants/ (NAME.patch: a plausible bug; its line "Bug:" says which, "Tests:" the
bazel test arguments that must catch it), runs those tests, undoes it, and prints a table: mutant, killed
by which test, or SURVIVED. Works on a scratch checkout of HEAD under ~/.cache/procscope-mutants, or with
--in-place on this checkout (its tracked files must be unmodified); every patch is undone, also on
interrupt. Exit status: 0 when every mutant was killed; 1 when one survived, did not apply or did not build;
2 on bad arguments (one line "harness: ..."); 130 on interrupt.
"""
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USAGE = "usage: tools/harness mutants [--in-place] [NAME...]"


class Refused(Exception):
    pass


class Mutant:
    def __init__(self, path, name, bug, tests):
        self.path, self.name, self.bug, self.tests = path, name, bug, tests


def read_mutant(path):
    """A patch's name, its "Bug:" and its "Tests:" (the first of each); Refused when one is missing."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    bug = re.search(r"^Bug: (.*)$", text, re.M)
    tests = re.search(r"^Tests: (.*)$", text, re.M)
    if not bug or not tests or not bug.group(1) or not tests.group(1):
        raise Refused(f"mutants: {path} needs a 'Bug:' and a 'Tests:' line")
    name = os.path.basename(path)[:-len(".patch")]
    return Mutant(path, name, bug.group(1), tests.group(1))


def parse_args(argv, mutants_dir):
    """(in_place, [patch paths]) from the command line."""
    in_place, names = False, []
    for arg in argv:
        if arg == "--in-place":
            in_place = True
        elif arg.startswith("-"):
            raise Refused(f"mutants: unknown option '{arg}' ({USAGE})")
        else:
            names.append(arg)
    if not names:
        return in_place, sorted(os.path.join(mutants_dir, n) for n in os.listdir(mutants_dir) if n.endswith(".patch"))
    paths = []
    for n in names:
        path = os.path.join(mutants_dir, n + ".patch")
        if not os.path.isfile(path):
            raise Refused(f"mutants: no tests/mutants/{n}.patch")
        paths.append(path)
    return in_place, paths


def verdict(rc, output, log_path):
    """What bazel's exit status and output say of a mutant: (verdict, caught). Exit 3 with failed tests is a
    kill; 0 a survivor; 1 a build failure; anything else an error."""
    failed = sorted(set(re.findall(r"^(//\S+) +.*(?:FAILED|TIMEOUT)", output, re.M)))
    if rc == 3 and failed:
        return "killed by " + " ".join(failed), True
    if rc == 0:
        return "SURVIVED", False
    if rc == 1:
        return f"BROKEN: does not build (see {log_path})", False
    return f"ERROR: bazel exited {rc} (see {log_path})", False


def table(rows):
    """The closing table: MUTANT, VERDICT and TIME padded to their widths, BUG as it is."""
    rows = [("MUTANT", "VERDICT", "TIME", "BUG")] + rows
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3] for r in rows]


def git(tree, *args, **kwargs):
    return subprocess.run(["git", "-C", tree] + list(args), **kwargs)


def scratch_tree(command="mutants", rev="HEAD"):
    """A worktree of `rev` (a commit) outside the workspace (so `bazel test //...` here never sees a second copy
    of every package), reused between runs; one per checkout and command (`mutants`, `mutate`,
    `bench-against`)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    tree = os.path.join(cache, "procscope-" + command, hashlib.md5(ROOT.encode()).hexdigest()[:12], "tree")
    head = git(ROOT, "rev-parse", rev, stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    if os.path.exists(os.path.join(tree, ".git")) and git(
            tree, "rev-parse", "--git-dir", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        # a worktree whose repository is gone (the checkout was cloned again): start it afresh
        shutil.rmtree(tree)
        git(ROOT, "worktree", "prune")
    if os.path.exists(os.path.join(tree, ".git")):
        git(tree, "checkout", "-q", "--detach", "-f", head, check=True)
    else:
        os.makedirs(os.path.dirname(tree), exist_ok=True)
        git(ROOT, "worktree", "add", "-q", "--detach", tree, head, check=True)
    short = git(ROOT, "rev-parse", "--short", head, stdout=subprocess.PIPE, text=True).stdout.strip()
    print(f"harness: {command} on a scratch checkout of {rev} ({short}) in {tree}", flush=True)
    return tree


def run_bazel(tree, tests, log_path):
    """`bazel test TESTS` in tree, its output to log_path; returns (exit status, output)."""
    with open(log_path, "w") as log:
        rc = subprocess.run(["bazel", "test"] + tests.split() + ["--test_output=errors", "--test_summary=short"],
                            cwd=tree, stdout=log, stderr=subprocess.STDOUT).returncode
    with open(log_path, encoding="utf-8", errors="replace") as f:
        return rc, f.read()


def run_mutants(tree, mutants, logs, test=run_bazel):
    """Plants, tests and undoes each mutant in `tree`; returns the table rows and whether all were killed.
    `test(tree, tests, log_path) -> (rc, output)` runs the tests (a stand-in in unit tests)."""
    rows, all_killed = [], True
    for m in mutants:
        if git(tree, "apply", m.path).returncode != 0:
            rows.append((m.name, "BROKEN: the patch does not apply", "-", m.bug))
            all_killed = False
            continue
        print(f"harness: mutant {m.name}: bazel test {m.tests}", flush=True)
        log_path = os.path.join(logs, m.name + ".log")
        start = time.monotonic()
        try:
            rc, output = test(tree, m.tests, log_path)
        finally:  # the patch is undone whatever happens, even on Ctrl-C
            git(tree, "apply", "-R", m.path)
        seconds = int(time.monotonic() - start)
        text, killed = verdict(rc, output, log_path)
        all_killed = all_killed and killed
        rows.append((m.name, text, f"{seconds}s", m.bug))
        print(f"harness: mutant {m.name}: {text} ({seconds}s)", flush=True)
    return rows, all_killed


def ensure_packages(command="mutants"):
    if subprocess.run([os.path.join(ROOT, "tools", "harness"), "ensure-packages"]).returncode != 0:
        raise Refused(f"{command}: the packages could not be installed (see above)")


def tracked_files_clean():
    """Whether this checkout's tracked files are unmodified (what --in-place needs)."""
    return (git(ROOT, "diff", "--quiet").returncode == 0 and
            git(ROOT, "diff", "--cached", "--quiet").returncode == 0)


def main(argv):
    os.chdir(ROOT)
    try:
        in_place, paths = parse_args(argv[1:], os.path.join(ROOT, "tests", "mutants"))
        mutants = [read_mutant(p) for p in paths]
        ensure_packages()
        if in_place:
            if not tracked_files_clean():
                raise Refused("mutants --in-place: tracked files are modified here; commit or stash them first")
            tree = ROOT
        else:
            tree = scratch_tree()
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        logs = os.path.join(ROOT, "results", "mutants", stamp)
        os.makedirs(logs, exist_ok=True)
        rows, all_killed = run_mutants(tree, mutants, logs)
    except Refused as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    print()
    for line in table(rows):
        print(line)
    survived = sum(1 for r in rows if not r[1].startswith("killed by "))
    print(f"harness: mutants: {len(rows) - survived} killed, {survived} not (logs in {os.path.relpath(logs, ROOT)})")
    return 0 if all_killed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
