// The strategies behind MakeStrategy (see strategy.h for what each does and why).
#include <algorithm>
#include <array>
#include <cerrno>
#include <string>
#include <vector>

#include "backend/memory/accessible_ranges.h"
#include "backend/memory/strategy.h"
#include "backend/memory/vm_batch.h"

namespace procscope {
namespace {

using memory_internal::AccessibleCursor;
using memory_internal::AccessibleRange;
using memory_internal::Classifier;
using memory_internal::NormalizeProcError;
using memory_internal::ReadAccessibleRanges;
using memory_internal::VmOptions;

class VmStrategy final : public Strategy {
 public:
  VmStrategy(std::string_view name, VmOptions options) : name_(name), options_(options) {}
  std::string_view name() const override { return name_; }
  Transport transport() const override { return Transport::kProcessVm; }
  Status Transfer(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  TransferReport& report) const override {
    return memory_internal::RunVmCalls(memory, direction, elements, pending, results, options_,
                                       report.classified_by);
  }

 private:
  std::string_view name_;
  VmOptions options_;
};

class ProcMemStrategy final : public Strategy {
 public:
  explicit ProcMemStrategy(bool force) : force_(force) {}
  std::string_view name() const override { return force_ ? kForcedName : kName; }
  Transport transport() const override { return Transport::kProcMem; }
  static constexpr std::string_view kName = "procmem", kForcedName = "procmem_force";

  Status Transfer(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  TransferReport& report) const override {
    std::vector<AccessibleRange> allowed;
    if (!force_) {
      report.classified_by = Classification::kMapsText;
      // The kernel forces access through /proc/<pid>/mem; without force we answer like process_vm_readv
      // would, from one snapshot of the protections. A mapping changed after the snapshot can still fault.
      StatusOr<std::vector<AccessibleRange>> ranges = ReadAccessibleRanges(memory, direction);
      if (!ranges.ok()) {
        for (size_t index : pending) results[index] = ElementResult{};
        return FailFrom(pending, 0, results, ranges.status().error_number());
      }
      allowed = *std::move(ranges);
    }
    AccessibleCursor cursor(allowed);
    for (size_t index : pending) results[index] = ElementResult{};  // counted up below; FailFrom sets errors
    for (size_t k = 0; k < pending.size(); ++k) {
      const Element& e = elements[pending[k]];
      ElementResult& r = results[pending[k]];
      const uint64_t limit = force_ ? e.length : cursor.Prefix(e.address, e.length).length;
      while (r.transferred < limit) {
        const uint64_t at = e.address + r.transferred;
        if (at > static_cast<uint64_t>(INT64_MAX))
          break;  // not a user address; pread's offset would be negative
        const size_t chunk = static_cast<size_t>(std::min(limit - r.transferred, kMaxRwCount));
        char* buffer = static_cast<char*>(e.buffer) + r.transferred;
        const ssize_t n = direction == Direction::kRead ? memory.MemPread(buffer, chunk, at)
                                                        : memory.MemPwrite(buffer, chunk, at);
        if (n > 0) {
          r.transferred += static_cast<uint64_t>(n);
        } else if (n == -EIO || n == -EFAULT) {
          break;  // an unmapped page: the rest of this element fails
        } else {
          // 0 is EOF: the process has exited. Anything else (EACCES, ...) also ends the batch.
          return FailFrom(pending, k, results, n == 0 ? ESRCH : NormalizeProcError(static_cast<int>(-n)));
        }
      }
      if (r.transferred < e.length) r.error = EFAULT;
    }
    return OkStatus();
  }

 private:
  static Status FailFrom(std::span<const size_t> pending, size_t from, std::span<ElementResult> results,
                         int error) {
    for (size_t k = from; k < pending.size(); ++k) results[pending[k]].error = error;
    return Status(error, "/proc/<pid>/mem transfer failed for the whole batch");
  }

  bool force_;
};

// A process_vm strategy that hands the batch to procmem when process_vm_readv/writev are refused outright
// (see strategy.h). The name is the primary's: the fallback is reported in TransferReport, not hidden in it.
class FallbackStrategy final : public Strategy {
 public:
  explicit FallbackStrategy(std::unique_ptr<Strategy> primary)
      : primary_(std::move(primary)), fallback_(/*force=*/false) {}
  std::string_view name() const override { return primary_->name(); }
  Transport transport() const override { return primary_->transport(); }

  Status Transfer(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  TransferReport& report) const override {
    Status status = primary_->Transfer(memory, direction, elements, pending, results, report);
    const int refused = status.error_number();
    if (refused != EPERM && refused != ENOSYS) return status;
    // The refused call failed every element it had not finished with its errno; those start over.
    std::vector<size_t> left;
    for (size_t i : pending) {
      if (results[i].error != refused) continue;
      results[i] = ElementResult{};
      left.push_back(i);
    }
    report.transport = Transport::kProcMem;
    report.fallback_reason = refused;
    Status fallback = fallback_.Transfer(memory, direction, elements, left, results, report);
    if (fallback.ok()) return fallback;
    return Status(fallback.error_number(),
                  fallback.message() + " (after " + RefusedText(direction, refused) + ")");
  }

 private:
  std::unique_ptr<Strategy> primary_;
  ProcMemStrategy fallback_;
};

// Every strategy, once: its name and how to build it, baseline first (the order StrategyNames() lists).
struct StrategyEntry {
  std::string_view name;
  std::unique_ptr<Strategy> (*make)(std::string_view name);
};

template <VmOptions kOptions>
std::unique_ptr<Strategy> MakeVm(std::string_view name) {
  return std::make_unique<VmStrategy>(name, kOptions);
}
template <bool kForce>
std::unique_ptr<Strategy> MakeProcMem(std::string_view) {
  return std::make_unique<ProcMemStrategy>(kForce);
}

constexpr StrategyEntry kStrategies[] = {
    {"per_element", MakeVm<VmOptions{.max_ranges_per_call = 1}>},
    {"retry", MakeVm<VmOptions{}>},
    {ProcMemStrategy::kName, MakeProcMem<false>},
    {ProcMemStrategy::kForcedName, MakeProcMem<true>},
    {"adaptive", MakeVm<VmOptions{.classify = Classifier::kCheapest}>},
    {"coalesce", MakeVm<VmOptions{.coalesce = true}>},
    {"adaptive_coalesce", MakeVm<VmOptions{.coalesce = true, .classify = Classifier::kCheapest}>},
};

// 0, 1, ..., 4095: the pending list of a batch whose every element is pending.
constexpr std::array<size_t, 4096> kIdentity = [] {
  std::array<size_t, 4096> identity{};
  for (size_t i = 0; i < identity.size(); ++i) identity[i] = i;
  return identity;
}();

}  // namespace

std::unique_ptr<Strategy> MakeStrategy(std::string_view name) {
  if (name == "default") {
    const std::string chosen = DefaultStrategyName();  // keep it alive: `name` is only a view
    return std::make_unique<FallbackStrategy>(MakeStrategy(chosen));
  }
  for (const StrategyEntry& entry : kStrategies)
    if (entry.name == name) return entry.make(entry.name);  // the table's name outlives the strategy
  return nullptr;
}

std::unique_ptr<Strategy> MakeStrategyClassifyingBy(Classification by) {
  if (by == Classification::kMapsText) {
    return std::make_unique<VmStrategy>("adaptive_coalesce/maps_text",
                                        VmOptions{.coalesce = true, .classify = Classifier::kMapsText});
  }
  if (by == Classification::kProcmapQuery) {
    return std::make_unique<VmStrategy>("adaptive_coalesce/procmap_query",
                                        VmOptions{.coalesce = true, .classify = Classifier::kProcmapQuery});
  }
  return std::make_unique<VmStrategy>("adaptive_coalesce/calls", VmOptions{.coalesce = true});
}

std::string_view ClassificationName(Classification classification) {
  switch (classification) {
    case Classification::kCalls:
      return "calls";
    case Classification::kProcmapQuery:
      return "procmap_query";
    case Classification::kMapsText:
      return "maps_text";
    case Classification::kPagemap:
      return "pagemap";
    case Classification::kNone:
      break;
  }
  return "none";
}

std::vector<std::string> StrategyNames() {
  std::vector<std::string> names;
  for (const StrategyEntry& entry : kStrategies) names.emplace_back(entry.name);
  return names;
}

std::string DefaultStrategyName() { return "adaptive_coalesce"; }

std::string RefusedText(Direction direction, int error) {
  return std::string(direction == Direction::kRead ? "process_vm_readv" : "process_vm_writev") +
         " was refused with " + ErrnoName(error);
}

std::string_view TransportName(Transport transport) {
  return transport == Transport::kProcMem ? "procmem" : "process_vm";
}

Status TransferBatch(const Strategy& strategy, MemoryBackend& memory, Direction direction,
                     std::span<const Element> elements, std::span<ElementResult> results,
                     TransferReport* report) {
  TransferReport local;
  TransferReport& out = report != nullptr ? *report : local;
  out = TransferReport{.transport = strategy.transport()};
  if (results.size() != elements.size()) {
    return Status(EINVAL, "TransferBatch: " + std::to_string(results.size()) + " results for " +
                              std::to_string(elements.size()) + " elements");
  }
  // The common batch: every element has bytes, a buffer and a range that does not wrap, so every one is
  // pending and the list is 0..n-1, taken from a constant table (building it, a push per element into a
  // fresh allocation, was a tenth of a 1,024-element dense read).
  if (elements.size() <= kIdentity.size() &&
      std::all_of(elements.begin(), elements.end(), [](const Element& e) {
        uint64_t last;
        return e.length != 0 && e.buffer != nullptr &&
               !__builtin_add_overflow(e.address, e.length - 1, &last);
      })) {
    if (elements.empty()) return OkStatus();
    const uint64_t syscalls_before = memory.syscalls();
    Status status =
        strategy.Transfer(memory, direction, elements,
                          std::span<const size_t>(kIdentity.data(), elements.size()), results, out);
    out.syscalls = memory.syscalls() - syscalls_before;
    return status;
  }
  std::vector<size_t> pending;
  pending.reserve(elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    const Element& e = elements[i];
    if (e.length == 0) {
      results[i] = ElementResult{};  // nothing to move; the kernel would not even look at the address
      continue;
    }
    if (e.buffer == nullptr) {
      for (ElementResult& r : results) r = ElementResult{};
      return Status(EINVAL, "TransferBatch: element " + std::to_string(i) + " has no buffer");
    }
    uint64_t last;
    if (__builtin_add_overflow(e.address, e.length - 1, &last)) {
      results[i] = {0, EOVERFLOW};  // the range wraps past the end of the address space
      continue;
    }
    pending.push_back(i);  // its result is the strategy's to write
  }
  if (pending.empty()) return OkStatus();
  const uint64_t syscalls_before = memory.syscalls();
  Status status = strategy.Transfer(memory, direction, elements, pending, results, out);
  out.syscalls = memory.syscalls() - syscalls_before;
  return status;
}

}  // namespace procscope
