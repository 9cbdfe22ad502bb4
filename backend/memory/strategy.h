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
//   adaptive       retry until the first call stops short; then one maps snapshot fails the unreachable
//                  elements without a syscall and the rest go in as few calls as possible.
//   coalesce       reads of elements on the same or neighbouring pages go as one span into scratch memory
//                  and are scattered (a hole inside a span fails only the elements it covers); writes are
//                  never merged.
//   adaptive_coalesce  both; the default (see DefaultStrategyName).
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

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;

  // Transfers the elements whose indices are in `pending` (each with length > 0 and a range that does not
  // wrap; results[i] zero-initialised). Fills results[i] for every pending i. Returns OK, or the error of a
  // whole-call failure (ESRCH, EPERM, ...): then the elements finished before it keep their results and every
  // other pending element carries that errno.
  virtual Status Transfer(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                          std::span<const size_t> pending, std::span<ElementResult> results) const = 0;
};

// One of StrategyNames(), or "default" (the strategy DefaultStrategyName names); nullptr for another name.
std::unique_ptr<Strategy> MakeStrategy(std::string_view name);
// Every concrete strategy name, baseline first.
std::vector<std::string> StrategyNames();
// The strategy "default" stands for, chosen from benchmark evidence (bench/memory_benchmark.cc).
std::string DefaultStrategyName();

// The entry point: validates the batch, then runs `strategy` on what needs a syscall. Zero-length elements
// succeed without a syscall; an element whose address + length wraps past 2^64 fails with EOVERFLOW without
// one. `results` must have one entry per element; it is overwritten. Returns what the strategy returns.
Status TransferBatch(const Strategy& strategy, MemoryBackend& memory, Direction direction,
                     std::span<const Element> elements, std::span<ElementResult> results);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_STRATEGY_H_
