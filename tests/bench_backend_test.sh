#!/usr/bin/env bash
# memory_benchmark --backend=PATH.so: the plugin runs as strategy "plugin" beside the engine's strategies;
# a plugin whose answers disagree with the ground truth has its cells stopped with an error that says so;
# a plugin that cannot be loaded is refused with exit 2.
set -euo pipefail
bench=bench/memory_benchmark
out=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
cell='BM_Read/strategy:(plugin|adaptive_coalesce)/N:4096/S:8/H:0.1/'

"$bench" --backend="$PWD/backend/c_api/libprocscope.so" --benchmark_filter="$cell" --benchmark_min_time=0.01 \
  --benchmark_out="$out/engine.json" --benchmark_out_format=json >/dev/null
python3 - "$out/engine.json" <<'PY' || fail "libprocscope.so as a plugin"
import json, sys
data = json.load(open(sys.argv[1]))
names = {b["name"]: b for b in data["benchmarks"]}
plugin = [b for n, b in names.items() if "strategy:plugin" in n]
assert len(plugin) == 1 and not plugin[0].get("error_occurred"), names
assert data["context"]["procscope_plugin"].startswith("procscope engine ("), data["context"]
PY

"$bench" --backend="$PWD/tests/plugins/libnaive_positive.so" --benchmark_filter="$cell" \
  --benchmark_min_time=0.01 --benchmark_out="$out/naive.json" --benchmark_out_format=json >/dev/null
python3 - "$out/naive.json" <<'PY' || fail "a wrong plugin was timed as if right"
import json, sys
rows = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if "strategy:plugin" in b["name"]]
assert rows and rows[0].get("error_occurred"), rows
assert "disagrees with the ground truth" in rows[0]["error_message"], rows[0]
PY

set +e
refusal=$("$bench" --backend=/nonexistent/plugin.so 2>&1)
status=$?
set -e
[ "$status" -eq 2 ] || fail "an unloadable plugin exited $status, not 2"
grep -q "cannot load /nonexistent/plugin.so" <<<"$refusal" || fail "message: $refusal"
echo PASS
