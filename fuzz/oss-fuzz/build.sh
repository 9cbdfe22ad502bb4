#!/bin/bash -eu
# Builds procscope's fuzz targets (the procfs parsers, the module map and the memory engine) the way OSS-Fuzz and ClusterFuzzLite expect, without Bazel:
#   $CXX $CXXFLAGS ... $LIB_FUZZING_ENGINE -o $OUT/<target>, plus <target>.dict and
#   <target>_seed_corpus.zip beside each binary.
# Outside OSS-Fuzz the defaults build libFuzzer + ASan binaries into results/oss-fuzz/:
#   bash fuzz/oss-fuzz/build.sh && results/oss-fuzz/maps_fuzzer -max_total_time=60
# Also when run as `bash build.sh` (which ignores the #! flags): any failed compile or link stops it.
set -euo pipefail
SRC_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CXX=${CXX:-clang++}
CXXFLAGS=${CXXFLAGS:--fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -g -O1}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
OUT=${OUT:-$SRC_ROOT/results/oss-fuzz}
mkdir -p "$OUT"

common=("$SRC_ROOT/backend/status.cc" "$SRC_ROOT/backend/procfs/parse_util.cc")

build() {
  local target=$1 format=${1%_fuzzer}
  shift
  # shellcheck disable=SC2086  # CXXFLAGS and LIB_FUZZING_ENGINE are word lists by convention
  $CXX $CXXFLAGS -std=c++20 -I"$SRC_ROOT" "$SRC_ROOT/fuzz/$target.cc" "$@" "${common[@]}" \
    $LIB_FUZZING_ENGINE -o "$OUT/$target"
  cp "$SRC_ROOT/fuzz/$format.dict" "$OUT/$target.dict"
  if command -v zip >/dev/null; then
    rm -f "$OUT/${target}_seed_corpus.zip"
    zip -q -j "$OUT/${target}_seed_corpus.zip" "$SRC_ROOT/fuzz/${target}_corpus/"*
  fi
  echo "built $OUT/$target"
}

build stat_fuzzer "$SRC_ROOT/backend/procfs/stat.cc"
build maps_fuzzer "$SRC_ROOT/backend/procfs/maps.cc"
build environ_fuzzer "$SRC_ROOT/backend/procfs/environ.cc"
build modules_fuzzer "$SRC_ROOT/backend/procfs/modules.cc"
build status_fuzzer "$SRC_ROOT/backend/procfs/status.cc"
build mounts_fuzzer "$SRC_ROOT/backend/procfs/mounts.cc"
build engine_fuzzer "$SRC_ROOT/backend/memory/fake_memory.cc" "$SRC_ROOT/backend/memory/strategies.cc" \
  "$SRC_ROOT/backend/memory/vm_batch.cc" "$SRC_ROOT/backend/memory/classify.cc" \
  "$SRC_ROOT/backend/memory/accessible_ranges.cc" \
  "$SRC_ROOT/backend/procfs/maps.cc"
build auxv_fuzzer "$SRC_ROOT/backend/procfs/auxv.cc"
build cmdline_fuzzer "$SRC_ROOT/backend/procfs/cmdline.cc"
build module_map_fuzzer "$SRC_ROOT/backend/process/module_map.cc" "$SRC_ROOT/backend/process/mapped_ranges.cc" \
  "$SRC_ROOT/backend/procfs/maps_order.cc" "$SRC_ROOT/backend/procfs/maps.cc" "$SRC_ROOT/backend/procfs/auxv.cc" \
  "$SRC_ROOT/backend/hex.cc"
