#!/bin/sh
# run_plan.sh PLAN RESULTS [--emit]: runs what PLAN lists, from the current directory (a runfiles tree of
# procscope), writing results into RESULTS. The same script runs on the host and inside each guest
# (busybox sh there), so both sides run exactly the same binaries the same way. PLAN lines:
#   probe                 tools/procscope probe --json        -> probe.json
#   test NAME [VAR=VALUE...]  tests/NAME --gtest_output=json, with those variables set
#                         -> NAME.json, NAME.log (last 20 KB)
#   bench NAME ARGS...    bench/NAME ARGS, JSON out           -> NAME.json
# tests.txt gets "NAME exit=N seconds=S" per test. With --emit every result file is also printed on stdout
# base64-encoded between "=== procscope-file NAME begin/end ===" lines, and progress as
# "=== procscope-progress ... ===" (the guest's only way out is its serial console).
plan=$1 results=$2 emit=${3:-}
mkdir -p "$results"
TEST_SRCDIR=$(cd .. && pwd)
export TEST_SRCDIR TEST_WORKSPACE=procscope TEST_TMPDIR="${TMPDIR:-/tmp}"
out() {  # out NAME: the file is written; print it too when emitting
  [ "$emit" = "--emit" ] || return 0
  echo "=== procscope-file $1 begin ==="
  base64 "$results/$1"
  echo "=== procscope-file $1 end ==="
}
progress() { echo "=== procscope-progress $* ==="; }
uname -r > "$results/kernel_release.txt"
out kernel_release.txt
: > "$results/tests.txt"
while read -r kind name rest; do
  case "$kind" in
    probe)
      progress probe
      tools/procscope probe --json > "$results/probe.json" 2>&1
      out probe.json ;;
    test)
      progress "test $name"
      start=$(date +%s)
      # shellcheck disable=SC2086  # VAR=VALUE words
      env $rest "tests/$name" --gtest_output="json:$results/$name.json" > "$results/$name.full.log" 2>&1
      echo "$name exit=$? seconds=$(( $(date +%s) - start ))" >> "$results/tests.txt"
      tail -c 20000 "$results/$name.full.log" > "$results/$name.log"
      rm -f "$results/$name.full.log"
      [ -f "$results/$name.json" ] && out "$name.json"
      out "$name.log" ;;
    bench)
      progress "bench $name"
      # shellcheck disable=SC2086  # ARGS are words
      "bench/$name" $rest --benchmark_out="$results/$name.json" --benchmark_out_format=json > /dev/null 2>&1
      out "$name.json" ;;
  esac
done < "$plan"
out tests.txt
progress "done"
