// Throughput of batched reads across valid and unmapped regions, per strategy, against a hole-punched child.
//
//   memory_benchmark [--grid=quick|full] [--backend=PATH.so] [Google Benchmark flags]
//
// Grid: N elements (1, 16, 256, 1024, 4096) of S bytes (8, 64, 4096), a fraction H of them in unmapped pages
// (0, 0.01, 0.1, 0.5), laid out one per page ("spread") or 128 per page ("dense", stride 32 bytes), for every
// strategy plus three floors measured in the same run: "floor_syscall" (hand-built process_vm_readv calls
// over the valid elements only, iovecs pre-built), "floor_maps" (the same plus one read of the target's
// /proc/PID/maps text, the cheapest way to learn where the holes are: what any engine that must find them
// pays at least) and "floor_memcpy" (memcpy of the same bytes inside this process). The quick grid is what
// tools/harness bench's ratios need (N=4096 or 1024, S=8, every H, spread) plus the dense-page case;
// --grid=full runs everything. Counters: ns_per_element, ns_per_valid_element, syscalls_per_batch,
// bytes_per_second (of valid bytes). Each target layout lives in a forked child (fixtures/layout_child.h)
// created once and reused.
// BM_Paired cells time the default strategy and a floor in pairs, batch after batch (see RunPaired): the
// ratios P4, P5 and P7 come from their "ratio" counter, which the VM's noise affects far less than the
// quotient of two cells timed apart. P4's floor, "floor_coalesce" (1,024 elements of 8 bytes at a 16-byte
// stride: layout "dense16"), is what an engine that reads close elements as one span does at least: one pass
// finding the span, one read of it, one pass scattering it and filling the results.
// Sparse cells (both grids; P10): N valid elements and 1 or 3 in holes in a target of 2,000 or 30,000
// mappings, the default strategy paired with "floor_sparse" (BM_Paired/floor:sparse/...) and each forced
// means of classification paired with the same floor (BM_Sparse/...): see RunSparse.
// --backend=PATH.so adds a plugin (backend/c_api/procscope_backend.h, loaded in this process: it is trusted
// here, `procscope conform` is where it is judged) as one more strategy, "plugin", on every N=4096 cell of
// the grid, interleaved with the engine's, and as BM_PairedPlugin cells (N=4096 S=8 H=0, 0.1, 0.5: the
// plugin and the default strategy timed batch after batch, "ratio" = plugin / engine); its syscalls are not
// counted (syscalls_per_batch is 0), and a result that disagrees with the ground truth stops its cell with an
// error.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "fixtures/ground_truth.h"
#include "fixtures/layout_child.h"
#include "tools/conform/plugin.h"

namespace procscope {
namespace {

constexpr uint64_t kPage = 4096;

// The plugin of --backend, if any (it stays loaded for the whole run).
const conform::Plugin* g_plugin = nullptr;

struct Cell {
  std::string strategy;  // a strategy name, "floor_syscall", "floor_maps", "floor_memcpy" or "plugin"
  uint64_t n, size;
  double holes;
  bool dense;
  uint64_t stride = 32;  // dense only: bytes from one element to the next
  bool guard = false;    // spread only: the unreadable pages are guard pages inside one rw mapping
};

// A target layout and the batch that goes with it.
struct Target {
  std::unique_ptr<fixtures::LayoutChild> child;
  std::vector<Element> elements;  // buffers filled in per benchmark
  std::vector<bool> valid;        // element fully readable per the ground truth
  uint64_t valid_count = 0, valid_bytes = 0;
};

// Element pages: element i sits on page i (spread) or at byte stride * i (dense) after a leading guard
// page; a fraction `holes` of the element pages is unmapped (seeded, so every strategy sees the same layout).
// `guard`: the unreadable pages are guard pages (MADV_GUARD_INSTALL) inside one rw mapping instead of holes.
// Null when the child could not be started, with the reason in `why`.
Target* GetTarget(uint64_t n, uint64_t size, double holes, bool dense, uint64_t stride, bool guard,
                  std::string& why) {
  static std::map<std::string, std::unique_ptr<Target>> cache;
  const std::string key = std::to_string(n) + "/" + std::to_string(size) + "/" + std::to_string(holes) +
                          (dense ? "d" + std::to_string(stride) : "s") + (guard ? "g" : "");
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();
  const uint64_t element_pages =
      dense ? (n * stride + size + kPage - 1) / kPage : n + (size > kPage - 128 ? 1 : 0);
  std::vector<bool> hole(element_pages, false);
  std::mt19937_64 random(n * 7919 + size);
  const uint64_t hole_count = static_cast<uint64_t>(holes * static_cast<double>(element_pages) + 0.5);
  std::vector<uint64_t> pages(element_pages);
  for (uint64_t p = 0; p < element_pages; ++p) pages[p] = p;
  std::shuffle(pages.begin(), pages.end(), random);
  for (uint64_t h = 0; h < hole_count && h < element_pages; ++h) hole[pages[h]] = true;
  std::string spec = "rw:1";
  for (uint64_t p = 0; p < element_pages;) {
    uint64_t run = 1;
    while (p + run < element_pages && hole[p + run] == hole[p]) ++run;
    spec += std::string(hole[p] ? (guard ? ",guard:" : ",hole:") : ",rw:") + std::to_string(run);
    p += run;
  }
  spec += ",rw:1";
  StatusOr<std::unique_ptr<fixtures::LayoutChild>> child = fixtures::LayoutChild::Start(spec);
  if (!child.ok()) {
    why = "could not start the layout child: " + child.status().message();
    return nullptr;
  }
  auto target = std::make_unique<Target>();
  target->child = *std::move(child);
  const uint64_t base = target->child->regions().front().start + kPage;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t address = dense ? base + stride * i : base + i * kPage + (size <= kPage - 128 ? 128 : 0);
    target->elements.push_back({address, nullptr, size});
    const bool ok =
        fixtures::ExpectedResult(target->child->regions(), address, size, Direction::kRead, false).ok();
    target->valid.push_back(ok);
    target->valid_count += ok;
    target->valid_bytes += ok ? size : 0;
  }
  Target* raw = target.get();
  cache[key] = std::move(target);
  return raw;
}

void SetCounters(benchmark::State& state, const Target& t, uint64_t syscalls) {
  const double per_batch = static_cast<double>(t.elements.size());
  state.counters["ns_per_element"] = benchmark::Counter(
      per_batch * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["ns_per_valid_element"] =
      benchmark::Counter(static_cast<double>(std::max<uint64_t>(t.valid_count, 1)) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["syscalls_per_batch"] =
      benchmark::Counter(static_cast<double>(syscalls), benchmark::Counter::kAvgIterations);
  state.counters["valid_elements"] = static_cast<double>(t.valid_count);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.valid_bytes));
}

// One floor batch over the valid elements: "floor_syscall", the hand-built process_vm_readv calls, iovecs
// pre-built; "floor_maps", the same after one read of the maps text; "floor_coalesce", what any engine that
// reads elements close together as one span must do at least (one pass finding the covering span, one read
// of it into scratch, one pass scattering it into the element buffers and filling the results). Returns the
// calls made.
class Floor {
 public:
  Floor(const Target& t, std::span<const Element> elements, uint64_t size, const std::string& kind)
      : pid_(t.child->pid()),
        with_maps_(kind == "floor_maps"),
        coalesce_(kind == "floor_coalesce"),
        with_pagemap_(kind == "floor_pagemap"),
        maps_path_("/proc/" + std::to_string(pid_) + "/maps"),
        maps_buffer_(1 << 20) {
    if (with_pagemap_) {
      // Every element, and the pages they lie on: Batch learns which are guard pages from the pagemap.
      for (const Element& e : elements) {
        all_local_.push_back({e.buffer, size});
        all_remote_.push_back({reinterpret_cast<void*>(static_cast<uintptr_t>(e.address)), size});
      }
      first_page_ = elements.empty() ? 0 : elements.front().address / kPage;
      const uint64_t last_page = elements.empty() ? 0 : (elements.back().address + size - 1) / kPage;
      entries_.resize(last_page - first_page_ + 1);
      local_.reserve(elements.size());
      remote_.reserve(elements.size());
      return;
    }
    for (size_t i = 0; i < elements.size(); ++i) {
      if (!t.valid[i]) continue;
      local_.push_back({elements[i].buffer, size});
      remote_.push_back({reinterpret_cast<void*>(static_cast<uintptr_t>(elements[i].address)), size});
    }
    results_.resize(local_.size());
    if (coalesce_ && !remote_.empty()) {
      scratch_.resize(reinterpret_cast<uintptr_t>(remote_.back().iov_base) + size -
                      reinterpret_cast<uintptr_t>(remote_.front().iov_base));
    }
  }
  uint64_t Batch() {
    if (coalesce_) return Coalesce();
    uint64_t calls = 0;
    if (with_pagemap_) {
      // floor_pagemap: what an engine that learns where guard pages are from /proc/PID/pagemap (bit 58,
      // 6.15+) pays at least: open it, one read of the entries of every page the batch touches (8 bytes a
      // page), one pass keeping the elements whose page is no guard, then the calls.
      const int fd = open(("/proc/" + std::to_string(pid_) + "/pagemap").c_str(), O_RDONLY | O_CLOEXEC);
      benchmark::DoNotOptimize(pread(fd, entries_.data(), entries_.size() * 8, first_page_ * 8));
      close(fd);
      ++calls;
      local_.clear();
      remote_.clear();
      for (size_t i = 0; i < all_remote_.size(); ++i) {
        const uint64_t page = reinterpret_cast<uintptr_t>(all_remote_[i].iov_base) / kPage - first_page_;
        if ((entries_[page] >> 58) & 1) continue;
        local_.push_back(all_local_[i]);
        remote_.push_back(all_remote_[i]);
      }
    }
    if (with_maps_) {
      // The cheapest way to learn where the holes are: one read of the maps text (open, read to EOF into a
      // buffer larger than it, close; no parse), counted as one call.
      const int fd = open(maps_path_.c_str(), O_RDONLY | O_CLOEXEC);
      ssize_t n = 0;
      while ((n = read(fd, maps_buffer_.data(), maps_buffer_.size())) > 0) benchmark::DoNotOptimize(n);
      close(fd);
      ++calls;
    }
    for (size_t at = 0; at < local_.size(); at += kIovMax) {
      const size_t count = std::min(kIovMax, local_.size() - at);
      benchmark::DoNotOptimize(
          process_vm_readv(pid_, local_.data() + at, count, remote_.data() + at, count, 0));
      ++calls;
    }
    return calls;
  }
  uint64_t Coalesce() {
    uint64_t low = UINT64_MAX, high = 0;
    for (const iovec& r : remote_) {
      const uint64_t address = reinterpret_cast<uintptr_t>(r.iov_base);
      low = std::min(low, address);
      high = std::max(high, address + r.iov_len);
    }
    const iovec local = {scratch_.data(), high - low};
    const iovec remote = {reinterpret_cast<void*>(static_cast<uintptr_t>(low)), high - low};
    benchmark::DoNotOptimize(process_vm_readv(pid_, &local, 1, &remote, 1, 0));
    for (size_t i = 0; i < local_.size(); ++i) {
      std::memcpy(local_[i].iov_base,
                  scratch_.data() + (reinterpret_cast<uintptr_t>(remote_[i].iov_base) - low),
                  local_[i].iov_len);
      results_[i] = {local_[i].iov_len, 0};
    }
    benchmark::ClobberMemory();
    return 1;
  }
  // memcpy of the same bytes inside this process (floor_memcpy), from the same offsets of a local buffer.
  void Memcpy(std::vector<uint8_t>& source, uint64_t base, uint64_t size) const {
    for (size_t i = 0; i < local_.size(); ++i) {
      std::memcpy(local_[i].iov_base,
                  source.data() + (reinterpret_cast<uintptr_t>(remote_[i].iov_base) - base), size);
    }
    benchmark::ClobberMemory();
  }

 private:
  pid_t pid_;
  bool with_maps_, coalesce_;
  bool with_pagemap_ = false;
  std::vector<iovec> all_local_, all_remote_;  // floor_pagemap: every element
  uint64_t first_page_ = 0;
  std::vector<uint64_t> entries_;  // floor_pagemap: the pagemap entries of the batch's pages
  std::string maps_path_;
  std::vector<char> maps_buffer_;
  std::vector<iovec> local_, remote_;
  std::vector<uint8_t> scratch_;        // floor_coalesce: the span (sized once)
  std::vector<ElementResult> results_;  // floor_coalesce fills one per element
};

// The cell's target, or null after skipping the cell with the reason.
Target* CellTarget(benchmark::State& state, const Cell& cell) {
  std::string why;
  Target* t = GetTarget(cell.n, cell.size, cell.holes, cell.dense, cell.stride, cell.guard, why);
  if (t == nullptr) state.SkipWithError(why.c_str());
  return t;
}

// Each element's buffer: its slot in `buffer`.
std::vector<Element> WithBuffers(const Target& t, std::vector<uint8_t>& buffer, uint64_t size) {
  std::vector<Element> elements = t.elements;
  for (size_t i = 0; i < elements.size(); ++i) elements[i].buffer = buffer.data() + i * size;
  return elements;
}

// Empty when every element's outcome matches the ground truth, else what to report.
std::string CheckResults(const Target& t, const std::vector<ElementResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].ok() != t.valid[i]) return "a result disagrees with the ground truth";
  }
  return "";
}

void RunCell(benchmark::State& state, const Cell& cell) {
  Target* t = CellTarget(state, cell);
  if (t == nullptr) return;
  std::vector<uint8_t> buffer(cell.n * cell.size);
  const std::vector<Element> elements = WithBuffers(*t, buffer, cell.size);
  LinuxMemoryBackend memory(t->child->pid());

  if (cell.strategy == "floor_syscall" || cell.strategy == "floor_memcpy" || cell.strategy == "floor_maps" ||
      cell.strategy == "floor_pagemap") {
    Floor floor(*t, elements, cell.size, cell.strategy);
    std::vector<uint8_t> source(cell.dense ? cell.n * cell.stride + cell.size : cell.n * kPage + kPage);
    const uint64_t base = t->elements.empty() ? 0 : t->elements.front().address;
    uint64_t calls = 0;
    for (auto _ : state) {
      if (cell.strategy == "floor_memcpy") {
        floor.Memcpy(source, base, cell.size);
      } else {
        calls += floor.Batch();
      }
    }
    SetCounters(state, *t, calls);
    return;
  }

  std::vector<ElementResult> results(elements.size());
  const uint64_t before = memory.syscalls();
  if (cell.strategy == "plugin") {
    for (auto _ : state) {
      const int rc = g_plugin->Transfer(Direction::kRead, t->child->pid(), elements, results);
      if (rc != 0) {
        state.SkipWithError(("the plugin returned " + ErrnoName(rc)).c_str());
        return;
      }
      benchmark::DoNotOptimize(results.data());
    }
  } else {
    std::unique_ptr<Strategy> strategy = MakeStrategy(cell.strategy);
    for (auto _ : state) {
      Status status = TransferBatch(*strategy, memory, Direction::kRead, elements, results);
      if (!status.ok()) {
        state.SkipWithError(status.ToString().c_str());
        return;
      }
      benchmark::DoNotOptimize(results.data());
    }
  }
  if (const std::string wrong = CheckResults(*t, results); !wrong.empty()) {
    state.SkipWithError(cell.strategy == "plugin"
                            ? "a result of the plugin disagrees with the ground truth (see procscope conform)"
                            : wrong.c_str());
    return;
  }
  SetCounters(state, *t, memory.syscalls() - before);
}

// The default strategy and another side measured in pairs: every iteration times one batch of each, in
// alternating order, so that the VM's slow phases (independently timed cells of the same work differ by
// 10-25% between repetitions here) fall on both. The other side is a floor (BM_Paired: counters engine_ns
// and floor_ns per batch, and "ratio", engine / floor, the quotient of their sums: what P5 and P7 report)
// (P4, P5, P7) or the --backend plugin (BM_PairedPlugin: engine_ns, plugin_ns, and "ratio", plugin /
// engine). The
// iteration's time is the pair's.
void RunPaired(benchmark::State& state, const Cell& cell) {
  Target* t = CellTarget(state, cell);
  if (t == nullptr) return;
  std::vector<uint8_t> buffer(cell.n * cell.size), other_buffer(cell.n * cell.size);
  const std::vector<Element> elements = WithBuffers(*t, buffer, cell.size);
  const std::vector<Element> other_elements = WithBuffers(*t, other_buffer, cell.size);
  LinuxMemoryBackend memory(t->child->pid());
  const bool plugin = cell.strategy == "plugin";
  Floor floor(*t, other_elements, cell.size, cell.strategy);
  std::unique_ptr<Strategy> strategy = MakeStrategy("default");
  std::vector<ElementResult> results(elements.size()), other_results(elements.size());
  using Clock = std::chrono::steady_clock;
  Clock::duration engine{}, other{};
  // User and system CPU time of each side (the kernel samples them per tick: meaningful over many
  // iterations only), to tell the engine's own instructions from extra kernel work.
  double user_ns[2] = {0, 0}, system_ns[2] = {0, 0};  // [0] engine, [1] the other side
  auto cpu_ns = [](const timeval& tv) {
    return 1e9 * static_cast<double>(tv.tv_sec) + 1e3 * static_cast<double>(tv.tv_usec);
  };
  bool engine_first = true;
  for (auto _ : state) {
    for (int half = 0; half < 2; ++half) {
      const bool is_engine = (half == 0) == engine_first;
      rusage before{}, after{};
      getrusage(RUSAGE_THREAD, &before);
      const auto start = Clock::now();
      if (is_engine) {
        Status status = TransferBatch(*strategy, memory, Direction::kRead, elements, results);
        engine += Clock::now() - start;
        if (!status.ok()) {
          state.SkipWithError(status.ToString().c_str());
          return;
        }
      } else if (plugin) {
        const int rc = g_plugin->Transfer(Direction::kRead, t->child->pid(), other_elements, other_results);
        other += Clock::now() - start;
        if (rc != 0) {
          state.SkipWithError(("the plugin returned " + ErrnoName(rc)).c_str());
          return;
        }
      } else {
        floor.Batch();
        other += Clock::now() - start;
      }
      getrusage(RUSAGE_THREAD, &after);
      user_ns[is_engine ? 0 : 1] += cpu_ns(after.ru_utime) - cpu_ns(before.ru_utime);
      system_ns[is_engine ? 0 : 1] += cpu_ns(after.ru_stime) - cpu_ns(before.ru_stime);
    }
    engine_first = !engine_first;
  }
  if (const std::string wrong = CheckResults(*t, results); !wrong.empty()) {
    state.SkipWithError(wrong.c_str());
    return;
  }
  if (plugin && !CheckResults(*t, other_results).empty()) {
    state.SkipWithError("a result of the plugin disagrees with the ground truth (see procscope conform)");
    return;
  }
  const double iterations = static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
  const double engine_ns = static_cast<double>(std::chrono::nanoseconds(engine).count());
  const double other_ns = static_cast<double>(std::chrono::nanoseconds(other).count());
  const std::string side = plugin ? "plugin" : "floor";
  state.counters["engine_ns"] = engine_ns / iterations;
  state.counters[side + "_ns"] = other_ns / iterations;
  if (plugin) {
    state.counters["ratio"] = engine_ns > 0 ? other_ns / engine_ns : 0;
  } else {
    state.counters["ratio"] = other_ns > 0 ? engine_ns / other_ns : 0;
  }
  state.counters["engine_user_ns"] = user_ns[0] / iterations;
  state.counters["engine_system_ns"] = system_ns[0] / iterations;
  state.counters[side + "_user_ns"] = user_ns[1] / iterations;
  state.counters[side + "_system_ns"] = system_ns[1] / iterations;
}

// P4: 1024 elements of 8 bytes inside 4 pages, and the one 16 KiB read of those pages, by the default.
void RunDenseVersusOneRead(benchmark::State& state, bool one_read) {
  static std::unique_ptr<fixtures::LayoutChild> child;
  if (!child) {
    StatusOr<std::unique_ptr<fixtures::LayoutChild>> started = fixtures::LayoutChild::Start("rw:4");
    if (!started.ok()) {
      state.SkipWithError("could not start the layout child");
      return;
    }
    child = *std::move(started);
  }
  const uint64_t base = child->regions().front().start;
  std::vector<uint8_t> buffer(4 * kPage);
  std::vector<Element> elements;
  if (one_read) {
    elements.push_back({base, buffer.data(), 4 * kPage});
  } else {
    for (uint64_t i = 0; i < 1024; ++i) elements.push_back({base + 16 * i, buffer.data() + 8 * i, 8});
  }
  std::unique_ptr<Strategy> strategy = MakeStrategy("default");
  LinuxMemoryBackend memory(child->pid());
  std::vector<ElementResult> results(elements.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(TransferBatch(*strategy, memory, Direction::kRead, elements, results).ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (one_read ? 4 * kPage : 8 * 1024)));
}

// ---- Sparse batches in big targets (P10) ------------------------------------------------------------------
// A target of about `mappings` mappings (single pages alternating rw and ro, so no two merge) and a batch of
// N valid 8-byte elements plus `holes` elements in unmapped pages, at seeded random positions, in ascending
// address order spread over the whole target: a debugger reading a few fields of a process with thousands
// of mappings. Its floor, "floor_sparse", is the least a reader that does not know where the holes are
// pays: hand-built calls, the first over the whole batch, each next one over the elements after the one it
// stopped at, no classification.
struct SparseTarget {
  std::unique_ptr<fixtures::LayoutChild> child;
  std::vector<Element> elements;
  std::vector<bool> valid;
};

SparseTarget* GetSparseTarget(uint64_t mappings, uint64_t n, uint64_t holes) {
  static std::map<std::string, std::unique_ptr<SparseTarget>> cache;
  const std::string key = std::to_string(mappings) + "/" + std::to_string(n) + "/" + std::to_string(holes);
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();
  const uint64_t pairs = mappings / 2, slots = n + holes;
  if (pairs < slots + 2) return nullptr;
  // Slot s (in address order) lies in pair 1 + s * (pairs - 2) / slots: its rw page holds a valid element,
  // or its ro page is unmapped and holds a hole element.
  std::vector<bool> is_hole(slots, false);
  std::mt19937_64 random(mappings * 31 + n * 7 + holes);
  std::vector<uint64_t> order(slots);
  for (uint64_t i = 0; i < slots; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  for (uint64_t h = 0; h < holes; ++h) is_hole[order[h]] = true;
  std::map<uint64_t, uint64_t> slot_of_pair;
  for (uint64_t slot = 0; slot < slots; ++slot) slot_of_pair[1 + slot * (pairs - 2) / slots] = slot;
  std::string spec;
  for (uint64_t pair = 0; pair < pairs; ++pair) {
    const auto it = slot_of_pair.find(pair);
    spec += std::string(pair == 0 ? "" : ",") + "rw:1," +
            (it != slot_of_pair.end() && is_hole[it->second] ? "hole:1" : "ro:1");
  }
  spec += ",rw:1";
  StatusOr<std::unique_ptr<fixtures::LayoutChild>> child = fixtures::LayoutChild::Start(spec);
  if (!child.ok()) return nullptr;
  auto target = std::make_unique<SparseTarget>();
  target->child = *std::move(child);
  const uint64_t base = target->child->regions().front().start;
  for (const auto& [pair, slot] : slot_of_pair) {
    const uint64_t address = base + 2 * pair * kPage + (is_hole[slot] ? kPage : 0) + 128;
    target->elements.push_back({address, nullptr, 8});
    const bool ok =
        fixtures::ExpectedResult(target->child->regions(), address, 8, Direction::kRead, false).ok();
    if (ok == is_hole[slot]) return nullptr;  // the layout is not what the spec meant
    target->valid.push_back(ok);
  }
  SparseTarget* raw = target.get();
  cache[key] = std::move(target);
  return raw;
}

// floor_sparse's calls: over the batch, then over the elements after each one a call stopped at.
class SparseFloor {
 public:
  SparseFloor(pid_t pid, std::span<const Element> elements) : pid_(pid) {
    for (const Element& e : elements) {
      local_.push_back({e.buffer, e.length});
      remote_.push_back({reinterpret_cast<void*>(static_cast<uintptr_t>(e.address)), e.length});
    }
  }
  void Batch() {
    for (size_t at = 0; at < local_.size();) {
      const size_t count = std::min(kIovMax, local_.size() - at);
      ssize_t n = process_vm_readv(pid_, local_.data() + at, count, remote_.data() + at, count, 0);
      if (n < 0) n = 0;
      // Where it stopped: the first element its bytes did not cover (the next call starts after it).
      size_t k = at;
      for (uint64_t left = static_cast<uint64_t>(n); k < at + count && left >= remote_[k].iov_len; ++k)
        left -= remote_[k].iov_len;
      at = k == at + count ? k : k + 1;
    }
  }

 private:
  pid_t pid_;
  std::vector<iovec> local_, remote_;
};

// The engine side of a sparse cell: "default", or the default planner with its classification forced
// ("maps_text", "procmap_query"); a backend per batch, as Process::Transfer makes one per transfer.
void RunSparse(benchmark::State& state, uint64_t mappings, uint64_t n, uint64_t holes,
               const std::string& means) {
  SparseTarget* t = GetSparseTarget(mappings, n, holes);
  if (t == nullptr) {
    state.SkipWithError("could not start the sparse layout child");
    return;
  }
  std::vector<uint8_t> buffer(8 * t->elements.size()), floor_buffer(buffer.size());
  std::vector<Element> elements = t->elements, floor_elements = t->elements;
  for (size_t i = 0; i < elements.size(); ++i) {
    elements[i].buffer = buffer.data() + 8 * i;
    floor_elements[i].buffer = floor_buffer.data() + 8 * i;
  }
  SparseFloor floor(t->child->pid(), floor_elements);
  std::unique_ptr<Strategy> strategy = means == "default" ? MakeStrategy("default")
                                       : means == "maps_text"
                                           ? MakeStrategyClassifyingBy(Classification::kMapsText)
                                           : MakeStrategyClassifyingBy(Classification::kProcmapQuery);
  std::vector<ElementResult> results(elements.size());
  using Clock = std::chrono::steady_clock;
  Clock::duration engine{}, other{};
  uint64_t syscalls = 0;
  TransferReport report;
  bool engine_first = true;
  for (auto _ : state) {
    for (int half = 0; half < 2; ++half) {
      const auto start = Clock::now();
      if ((half == 0) == engine_first) {
        LinuxMemoryBackend memory(t->child->pid());
        const Status status = TransferBatch(*strategy, memory, Direction::kRead, elements, results, &report);
        engine += Clock::now() - start;
        syscalls += report.syscalls;
        if (!status.ok()) {
          state.SkipWithError(status.ToString().c_str());
          return;
        }
      } else {
        floor.Batch();
        other += Clock::now() - start;
      }
    }
    engine_first = !engine_first;
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].ok() != t->valid[i]) {
      state.SkipWithError("a result disagrees with the ground truth");
      return;
    }
  }
  const double iterations = static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
  const double engine_ns = static_cast<double>(std::chrono::nanoseconds(engine).count());
  const double other_ns = static_cast<double>(std::chrono::nanoseconds(other).count());
  state.counters["engine_ns"] = engine_ns / iterations;
  state.counters["floor_ns"] = other_ns / iterations;
  state.counters["ratio"] = other_ns > 0 ? engine_ns / other_ns : 0;
  state.counters["syscalls_per_batch"] = static_cast<double>(syscalls) / iterations;
  state.counters["mappings"] = static_cast<double>(mappings);
  // 0 none, 1 calls, 2 procmap_query, 3 maps_text (Classification's order): how the last batch classified.
  state.counters["classified_by"] = static_cast<double>(static_cast<int>(report.classified_by));
  state.SetLabel(std::string(ClassificationName(report.classified_by)));
}

void RegisterSparse() {
  for (uint64_t mappings : {2000, 30000})
    for (uint64_t n : {1, 16, 256})
      for (uint64_t holes : {1, 3})
        for (const std::string means : {"default", "maps_text", "procmap_query"}) {
          // The default's cells are the paired targets (BM_Paired/, which bench --check runs); the forced
          // means are the cost model's evidence.
          const std::string name = std::string(means == "default" ? "BM_Paired/floor:sparse" : "BM_Sparse") +
                                   "/mappings:" + std::to_string(mappings) + "/N:" + std::to_string(n) +
                                   "/holes:" + std::to_string(holes) + "/engine:" + means;
          benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
            RunSparse(state, mappings, n, holes, means);
          })->Unit(benchmark::kMicrosecond);
        }
}

// "/N:4096/S:8/H:0.5/layout:spread": the part of a benchmark name that says which batch it reads.
std::string BatchName(const Cell& c) {
  char holes[16];
  std::snprintf(holes, sizeof holes, "%g", c.holes);
  return "/N:" + std::to_string(c.n) + "/S:" + std::to_string(c.size) + "/H:" + holes + "/layout:" +
         (c.dense   ? (c.stride == 32 ? "dense" : "dense" + std::to_string(c.stride))
          : c.guard ? "guard"
                    : "spread");
}

std::string CellName(const Cell& c) { return "BM_Read/strategy:" + c.strategy + BatchName(c); }

void RegisterGrid(bool full) {
  std::vector<std::string> strategies = StrategyNames();
  strategies.push_back("floor_syscall");
  strategies.push_back("floor_maps");
  strategies.push_back("floor_memcpy");
  if (g_plugin != nullptr) strategies.push_back("plugin");
  const std::vector<uint64_t> ns =
      full ? std::vector<uint64_t>{1, 16, 256, 1024, 4096} : std::vector<uint64_t>{1024, 4096};
  const std::vector<uint64_t> sizes = full ? std::vector<uint64_t>{8, 64, 4096} : std::vector<uint64_t>{8};
  const std::vector<double> holes = {0, 0.01, 0.1, 0.5};
  const std::vector<bool> layouts = full ? std::vector<bool>{false, true} : std::vector<bool>{false};
  for (bool dense : layouts)
    for (uint64_t n : ns)
      for (uint64_t size : sizes)
        for (double h : holes)
          for (const std::string& s : strategies) {
            // The quick grid: every strategy at N=4096, H any; only default/retry/floors at N=1024 (P5).
            if (!full && n == 1024 && !(h == 0 && (s == DefaultStrategyName() || s == "floor_syscall")))
              continue;
            const Cell cell{s, n, size, h, dense};
            benchmark::RegisterBenchmark(CellName(cell).c_str(), [cell](benchmark::State& state) {
              RunCell(state, cell);
            })->Unit(benchmark::kMicrosecond);
          }
  // P7 (floor_maps, N=4096, every H > 0) and P5 (floor_syscall, N=1024, H=0), paired.
  std::vector<Cell> paired;
  for (double h : {0.01, 0.1, 0.5}) paired.push_back({"floor_maps", 4096, 8, h, false});
  paired.push_back({"floor_syscall", 1024, 8, 0, false});
  // P4: 1,024 elements of 8 bytes at a 16-byte stride (4 pages), against the coalescing floor.
  paired.push_back({"floor_coalesce", 1024, 8, 0, true, 16});
  // The plugin beside the engine, paired, at N=4096 S=8 H = 0, 0.1, 0.5 (tools/harness peers' timings).
  if (g_plugin != nullptr) {
    for (double h : {0.0, 0.1, 0.5}) paired.push_back({"plugin", 4096, 8, h, false});
  }
  // Guard pages instead of holes (N=4096 S=8, H of the pages guards inside one rw mapping): the default
  // against the valid-only calls (floor_syscall: knowing where the guards are costs nothing) and against
  // floor_pagemap (learning it from /proc/PID/pagemap first): whether classifying by the pagemap would pay.
  // Information, not targets (BM_PairedGuard, outside bench --check); a kernel without guard regions skips
  // them with the reason.
  for (double h : {0.01, 0.1, 0.5}) {
    for (const char* floor : {"floor_syscall", "floor_pagemap"}) {
      Cell cell{floor, 4096, 8, h, false};
      cell.guard = true;
      paired.push_back(cell);
    }
  }
  for (const Cell& cell : paired) {
    const std::string name = (cell.strategy == "plugin" ? "BM_PairedPlugin"
                              : cell.guard              ? "BM_PairedGuard/floor:" + cell.strategy
                                                        : "BM_Paired/floor:" + cell.strategy) +
                             BatchName(cell);
    benchmark::RegisterBenchmark(name.c_str(), [cell](benchmark::State& state) {
      RunPaired(state, cell);
    })->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("BM_Dense1024In4Pages", [](benchmark::State& s) {
    RunDenseVersusOneRead(s, false);
  })->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_One16KiBRead", [](benchmark::State& s) {
    RunDenseVersusOneRead(s, true);
  })->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace procscope

int main(int argc, char** argv) {
  bool full = false;
  std::vector<char*> args;
  std::string backend;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--grid=full") {
      full = true;
    } else if (arg.starts_with("--backend=")) {
      backend = arg.substr(10);
    } else if (arg != "--grid=quick") {
      args.push_back(argv[i]);
    }
  }
  static std::optional<procscope::conform::Plugin> plugin;
  if (!backend.empty()) {
    procscope::StatusOr<procscope::conform::Plugin> loaded = procscope::conform::Plugin::Load(backend);
    if (!loaded.ok()) {
      std::fprintf(stderr, "memory_benchmark: --backend: %s\n", loaded.status().message().c_str());
      return 2;
    }
    plugin = *std::move(loaded);
    procscope::g_plugin = &*plugin;
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  std::string names;
  for (const std::string& name : procscope::StrategyNames()) names += (names.empty() ? "" : ",") + name;
  benchmark::AddCustomContext("procscope_strategies", names);
  benchmark::AddCustomContext("procscope_default_strategy", procscope::DefaultStrategyName());
  benchmark::AddCustomContext("procscope_grid", full ? "full" : "quick");
  if (procscope::g_plugin != nullptr) {
    benchmark::AddCustomContext("procscope_plugin", procscope::g_plugin->name() + " (" + backend + ")");
  }
  procscope::RegisterGrid(full);
  procscope::RegisterSparse();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
