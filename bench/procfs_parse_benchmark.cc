// Parse throughput of procfs text against the cost of reading it from the kernel, in one run.
//
// The process first gives itself ~2000 mappings (every other page of two regions re-protected, so each page
// is its own VMA; half file-backed, half anonymous). BM_ReadSelfMaps then reads /proc/self/maps from the
// kernel and BM_ParseMaps parses a copy of exactly that text: items/s of the two are comparable line for
// line. The same pair exists for stat. BM_PairedMapsSpans times the engine's parse (ParseMapsSpans) and the
// read in the same iterations: P0, parse ÷ read, target <= 0.10 (parsing must not be what makes procscope
// slow); tools/bench_report.py shows the full parsers' and stat's quotients as information.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

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

// P0, paired: every iteration reads this process's maps text the cheapest way (open, one read into a buffer
// larger than it, close: what the engine's ReadMapsText does) and then parses exactly that text with
// ParseMapsSpans, each half timed, so the VM's slow phases fall on both. Counters read_ns and parse_ns per
// iteration, and "ratio", parse / read.
void BM_PairedMapsSpans(benchmark::State& state) {
  EnsureManyMappings();
  std::vector<char> buffer(4 << 20);
  using Clock = std::chrono::steady_clock;
  Clock::duration read{}, parse{};
  for (auto _ : state) {
    const auto start = Clock::now();
    const int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    size_t size = 0;
    for (ssize_t n; fd >= 0 && (n = ::read(fd, buffer.data() + size, buffer.size() - size)) > 0;) {
      size += static_cast<size_t>(n);
    }
    if (fd >= 0) close(fd);
    const auto middle = Clock::now();
    auto spans = ParseMapsSpans(std::string_view(buffer.data(), size), MapsPermission::kRead);
    benchmark::DoNotOptimize(spans);
    parse += Clock::now() - middle;
    read += middle - start;
    if (fd < 0 || size == buffer.size() || !spans.ok()) {
      state.SkipWithError("could not read or parse /proc/self/maps");
      return;
    }
  }
  const double iterations = static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
  const double read_ns = static_cast<double>(std::chrono::nanoseconds(read).count());
  const double parse_ns = static_cast<double>(std::chrono::nanoseconds(parse).count());
  state.counters["read_ns"] = read_ns / iterations;
  state.counters["parse_ns"] = parse_ns / iterations;
  state.counters["ratio"] = read_ns > 0 ? parse_ns / read_ns : 0;
}
BENCHMARK(BM_PairedMapsSpans);

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
