// Parse throughput of procfs text against the cost of reading it from the kernel, in one run.
//
// The process first gives itself ~2000 mappings (every other page of two regions re-protected, so each page
// is its own VMA; half file-backed, half anonymous). BM_ReadSelfMaps then reads /proc/self/maps from the
// kernel and BM_ParseMaps parses a copy of exactly that text: items/s of the two are comparable line for
// line. The same pair exists for stat. tools/bench_report.py prints parse ÷ read (target <= 0.10: parsing
// must not be what makes procscope slow).
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "backend/procfs/maps.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/stat.h"

namespace procscope {
namespace {

constexpr size_t kTargetMapsLines = 2000;

// Maps the extra pages once per process; they live until exit. Half of the new lines are file-backed (a
// path of 40-odd bytes, like a shared library's), half anonymous, as in a large real process: parsing a
// path costs allocations that an all-anonymous text would hide.
void EnsureManyMappings() {
  static const bool done = [] {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t pages = kTargetMapsLines / 2;  // every other page flipped -> one VMA per page
    char path[] = "/tmp/procscope-parse-benchmark-mapped-file-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, static_cast<off_t>(pages * page)) != 0) std::abort();
    void* file = mmap(nullptr, pages * page, PROT_READ, MAP_PRIVATE, fd, 0);
    void* anon = mmap(nullptr, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (file == MAP_FAILED || anon == MAP_FAILED) std::abort();
    close(fd);
    unlink(path);  // the mappings keep it alive; its lines now end in " (deleted)" like a replaced library
    for (size_t i = 0; i < pages; i += 2) {
      if (mprotect(static_cast<char*>(file) + i * page, page, PROT_NONE) != 0) std::abort();
      if (mprotect(static_cast<char*>(anon) + i * page, page, PROT_READ) != 0) std::abort();
    }
    return true;
  }();
  (void)done;
}

std::string ReadOrDie(const std::string& path) {
  StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) std::abort();
  return *text;
}

size_t CountLines(const std::string& text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

void BM_ReadSelfMaps(benchmark::State& state) {
  EnsureManyMappings();
  const size_t lines = CountLines(ReadOrDie("/proc/self/maps"));
  for (auto _ : state) {
    StatusOr<std::string> text = ReadFileToString("/proc/self/maps");
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines));
  state.counters["lines"] = static_cast<double>(lines);
}
BENCHMARK(BM_ReadSelfMaps);

// One parse per iteration of this process's maps text, made ~2,000 lines long by EnsureManyMappings.
template <typename Parse>
void ParseSelfMaps(benchmark::State& state, Parse parse) {
  EnsureManyMappings();
  const std::string text = ReadOrDie("/proc/self/maps");
  const size_t lines = CountLines(text);
  for (auto _ : state) {
    auto parsed = parse(text);
    if (!parsed.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines));
  state.counters["lines"] = static_cast<double>(lines);
}

void BM_ParseMaps(benchmark::State& state) { ParseSelfMaps(state, ParseMaps); }
BENCHMARK(BM_ParseMaps);

// Start, end and permissions only: every line's range, and what the memory engine parses when it classifies
// a read batch (the readable spans, joined).
void BM_ParseMapsRanges(benchmark::State& state) { ParseSelfMaps(state, ParseMapsRanges); }
BENCHMARK(BM_ParseMapsRanges);

void BM_ParseMapsSpans(benchmark::State& state) {
  ParseSelfMaps(state, [](std::string_view text) { return ParseMapsSpans(text, MapsPermission::kRead); });
}
BENCHMARK(BM_ParseMapsSpans);

void BM_ReadSelfStat(benchmark::State& state) {
  for (auto _ : state) {
    StatusOr<std::string> text = ReadFileToString("/proc/self/stat");
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadSelfStat);

void BM_ParseStat(benchmark::State& state) {
  const std::string text = ReadOrDie("/proc/self/stat");
  for (auto _ : state) {
    StatusOr<ProcStat> stat = ParseStat(text);
    if (!stat.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(stat);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseStat);

}  // namespace
}  // namespace procscope

BENCHMARK_MAIN();
