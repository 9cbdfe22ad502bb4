// Transfer strategies: different ways of moving a batch through a MemoryBackend, one interface.
//
//   std::unique_ptr<Strategy> retry = MakeStrategy("retry");
//   std::vector<ElementResult> results(elements.size());
//   Status status = TransferBatch(*retry, backend, Direction::kRead, elements, results);
//
// Every strategy gives the same per-element answer for the same memory (the tests and the differential fuzz
// target hold them to that); they differ in how many syscalls they spend:
//   per_element    one process_vm_readv/writev per element (the baseline).
//   retry          batched process_vm_readv/writev (up to kIovMax elements per call); after a short call the
//                  element where it stopped fails from that byte on and the next call resumes right after it.
//                  This is memflow-native's algorithm with its attribution bugs fixed.
//   procmem        pread/pwrite on /proc/<pid>/mem, one element at a time, limited to pages whose protection
//                  allows the access (one maps snapshot per batch), so it answers like the others.
//   procmem_force  the same without the protection check: reads PROT_NONE pages and writes read-only pages,
//                  as debuggers do (the kernel forces access through /proc/<pid>/mem).
//   adaptive       retry, and once calls stop short at holes it learns where the holes are by the cheapest
//                  means the kernel offers (PROCMAP_QUERY lookups, the maps text, or more calls; the cost
//                  model is backend/memory/classify.h's): unreachable elements then fail without a syscall
//                  and the rest go in as few calls as possible.
//   coalesce       reads of elements on the same or neighbouring pages go as one span into scratch memory
//                  and are scattered (a hole inside a span fails only the elements it covers); writes are
//                  never merged.
//   adaptive_coalesce  both; the default (see DefaultStrategyName).
//
// Threads: a Strategy holds no state, so one object may serve any number of threads at once; TransferBatch
// is safe to call concurrently as long as each call has its own MemoryBackend (LinuxMemoryBackend is one
// per thread) and its own elements and results (tests/concurrency_test.cc, under ThreadSanitizer).
//
// "default" is adaptive_coalesce with a fallback: when process_vm_readv/writev are refused for a whole call
// with EPERM (a seccomp filter, ...) or ENOSYS (a kernel without CROSS_MEMORY_ATTACH, or a filter that
// imitates one), the elements that call left go through procmem instead, which gives the same per-element
// answers. If procmem fails too, its error is the one returned. The named strategies never fall back: they
// are what the benchmarks and reproductions measure.
#ifndef PROCSCOPE_BACKEND_MEMORY_STRATEGY_H_
#define PROCSCOPE_BACKEND_MEMORY_STRATEGY_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/memory/memory_backend.h"
#include "backend/status.h"

namespace procscope {

// The two ways into another process's memory.
enum class Transport { kProcessVm, kProcMem };
// "process_vm" or "procmem".
std::string_view TransportName(Transport transport);

// How a batch was served (filled by TransferBatch and Process::Transfer).
struct TransferReport {
  // The transport that served the batch; after a fallback, the one that served the elements left.
  Transport transport = Transport::kProcessVm;
  // 0, or the errno (EPERM, ENOSYS) process_vm_readv/writev answered when the batch fell back to procmem.
  int fallback_reason = 0;
  // Kernel calls the strategy made through the MemoryBackend for this batch.
  uint64_t syscalls = 0;
  // How the batch learned which elements it could reach once a call stopped short (procmem without force:
  // its maps snapshot).
  Classification classified_by = Classification::kNone;
};

// "none", "calls", "procmap_query", "maps_text", "pagemap".
std::string_view ClassificationName(Classification classification);

// "process_vm_readv was refused with EPERM" (process_vm_writev for writes): why a batch fell back.
std::string RefusedText(Direction direction, int error);

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;
  // The transport the strategy uses (first: see "default" above).
  virtual Transport transport() const = 0;

  // Transfers the elements whose indices are in `pending` (each with length > 0 and a range that does not
  // wrap; results[i] not initialised: a dense batch of 1,024 counters spent a tenth of its time zeroing them
  // before they were written). Fills results[i] for every pending i, on every path. Returns OK, or the error
  // of a whole-call failure (ESRCH, EPERM, ...): then the elements finished before it keep their results and
  // every other pending element carries that errno. `report` comes in with transport() set; a strategy that
  // falls back changes transport and sets fallback_reason.
  virtual Status Transfer(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                          std::span<const size_t> pending, std::span<ElementResult> results,
                          TransferReport& report) const = 0;
};

// adaptive_coalesce with its classification forced to `by` at the first fault (kMapsText: the text;
// kProcmapQuery: lookups, the text on a kernel without them; kCalls or kNone: never, more calls), for the
// benchmarks and tests that measure the cost model against each means. Not one of StrategyNames().
std::unique_ptr<Strategy> MakeStrategyClassifyingBy(Classification by);

// One of StrategyNames(), or "default" (the strategy DefaultStrategyName names, with the procmem fallback
// described above); nullptr for another name.
std::unique_ptr<Strategy> MakeStrategy(std::string_view name);
// Every concrete strategy name, baseline first.
std::vector<std::string> StrategyNames();
// The strategy "default" stands for, chosen from benchmark evidence (bench/memory_benchmark.cc).
std::string DefaultStrategyName();

// The entry point: validates the batch, then runs `strategy` on what needs a syscall. Zero-length elements
// succeed without a syscall; an element whose address + length wraps past 2^64 fails with EOVERFLOW without
// one. `results` must have one entry per element; it is overwritten. Returns what the strategy returns.
// `report` (if not null) is overwritten with how the batch was served.
Status TransferBatch(const Strategy& strategy, MemoryBackend& memory, Direction direction,
                     std::span<const Element> elements, std::span<ElementResult> results,
                     TransferReport* report = nullptr);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_STRATEGY_H_
