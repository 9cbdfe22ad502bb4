#!/usr/bin/env python3
"""bench_against.py REV [--reps N]: `tools/harness bench --against REV` (its usage is in tools/harness --help).

"Did my change slow anything down?" on a noisy machine: builds REV in a scratch checkout (like `mutants`) and
this checkout, both with -c opt, then runs the two revisions' benchmarks interleaved in one run (repetition
by repetition, alternating which goes first, so the machine's slow phases fall on both) and compares them
with `bench_report.py compare`: REV is the baseline, a cell of this checkout slower beyond both runs' noise
and the threshold is REGRESSED. The cells: the paired targets, the default strategy's N=4096 grid cells, the
dense-page pair and the parser benchmark. Writes results/against-<stamp>/ (one result file per side and
the comparison's chart). Exit status: compare's (0 none regressed, 1 a cell regressed); 2 on an unknown
revision or a build that failed; 130 on interrupt.
"""
import datetime
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutants  # noqa: E402  (tools/mutants.py: the scratch checkout)

ROOT = mutants.ROOT
USAGE = "usage: tools/harness bench --against REV [--reps N]"
# What each side runs: (benchmark binary, filter).
RUNS = (("memory_benchmark", "^BM_Paired/|^BM_Read/strategy:adaptive_coalesce/N:4096/|^BM_Dense1024In4Pages$|"
                             "^BM_One16KiBRead$"),
        ("procfs_parse_benchmark", "."))
NUMERIC = (int, float)


class Refused(Exception):
    pass


def parse_args(argv):
    rev, reps = None, 5
    it = iter(argv)
    for arg in it:
        if arg == "--reps":
            value = next(it, "")
            if not value.isdigit() or int(value) < 2:
                raise Refused(f"bench: --reps needs a whole number of at least 2 ({USAGE})")
            reps = int(value)
        elif arg.startswith("-"):
            raise Refused(f"bench: unknown option '{arg}' ({USAGE})")
        elif rev is None:
            rev = arg
        else:
            raise Refused(f"bench: --against takes one revision ({USAGE})")
    if rev is None:
        raise Refused(f"bench: --against needs a revision ({USAGE})")
    return rev, reps


def resolve(rev):
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", "--quiet", rev + "^{commit}"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if r.returncode != 0:
        raise Refused(f"bench: --against: '{rev}' is not a revision of this repository")
    return r.stdout.strip()


def build(tree):
    """Builds the benchmarks in `tree` with -c opt; their bazel-bin."""
    targets = [f"//bench:{binary}" for binary, _ in RUNS]
    if subprocess.run(["bazel", "build", "-c", "opt"] + targets, cwd=tree).returncode != 0:
        raise Refused(f"bench: the build in {tree} failed (see above)")
    return subprocess.run(["bazel", "info", "-c", "opt", "bazel-bin"], cwd=tree, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, check=True).stdout.strip()


def with_medians(rows):
    """Google Benchmark rows (one per repetition) plus, per benchmark, a "median" aggregate of every number."""
    by_name = {}
    for r in rows:
        by_name.setdefault(r.get("run_name", r["name"]), []).append(r)
    out = list(rows)
    for name, reps in by_name.items():
        median = {"name": name + "_median", "run_name": name, "run_type": "aggregate", "aggregate_name": "median",
                  "time_unit": reps[0].get("time_unit", "ns")}
        for key, value in reps[0].items():
            if isinstance(value, NUMERIC) and not isinstance(value, bool) and key not in median:
                median[key] = statistics.median(r[key] for r in reps if isinstance(r.get(key), NUMERIC))
        out.append(median)
    return out


def run_once(bin_dir, binary, pattern):
    r = subprocess.run([os.path.join(bin_dir, "bench", binary), f"--benchmark_filter={pattern}",
                        "--benchmark_min_time=0.1", "--benchmark_format=json"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    if r.returncode != 0:
        raise Refused(f"bench: {binary} in {bin_dir} failed (exit status {r.returncode})")
    rows = json.loads(r.stdout).get("benchmarks", [])
    for row in rows:
        row["run_type"] = "iteration"
    return [row for row in rows if not row.get("error_occurred")]


def main(argv):
    try:
        rev, reps = parse_args(argv)
        commit = resolve(rev)
        mutants.ensure_packages("bench")
        tree = mutants.scratch_tree("bench-against", commit)
        sides = {"base": build(tree), "here": build(ROOT)}
    except (Refused, mutants.Refused) as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    rows = {side: [] for side in sides}
    try:
        for rep in range(reps):
            order = ("base", "here") if rep % 2 == 0 else ("here", "base")
            print(f"harness: bench --against {rev}: repetition {rep + 1} of {reps}", flush=True)
            for side in order:
                for binary, pattern in RUNS:
                    rows[side] += run_once(sides[side], binary, pattern)
    except Refused as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    here = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    if subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD"]).returncode != 0:
        here += "-dirty"
    out_dir = os.path.join(ROOT, "results", "against-" + datetime.datetime.now().strftime("%Y%m%dT%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for side, label in (("base", commit[:7]), ("here", here)):
        path = os.path.join(out_dir, f"{side}-{label}.json")
        with open(path, "w") as f:
            json.dump({"context": {}, "benchmarks": with_medians(rows[side])}, f, indent=1)
        paths.append(path)
    return subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench_report.py"), "compare", *paths,
                           "--chart", os.path.join(out_dir, "compare.svg")]).returncode


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
