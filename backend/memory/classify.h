// How the process_vm planner learns, once a call has stopped short at a hole, which of a batch's unfinished
// elements it can reach. Internal to //backend/memory (vm_batch.cc).
//
// Cost model. Measured on Linux 6.18 (2 vCPU AMD EPYC VM; backend/KERNEL_FACTS.md), per means, for a target
// of V mappings and U unfinished elements:
//   a call that stops at a hole   ~0.27 us + ~2.5 ns per range handed to it (the kernel copies the iovecs in
//                                 before it looks at any); the ranges before the hole are moved, not wasted
//   PROCMAP_QUERY (6.11+)         ~0.3-0.4 us per lookup, the maps opened once per batch; a lookup answers
//                                 one mapping and the gap before it, so at most two per element (where it
//                                 starts, where it runs on into the next mapping), and fewer when elements
//                                 share mappings: 256 elements spread over 2,000 or 30,000 mappings took
//                                 160-234 lookups, 67-92 us
//   the maps text                 ~110-190 ns per mapping, every mapping, every time: ~15 us for a small
//                                 process, ~0.23 ms at 2,000 mappings, ~4 ms at 30,000
// Hence, for the strategies that classify (Classifier::kCheapest), after each call that stops short, with
// F faults so far, P elements settled and U left, E = F * U / P further faults expected at the rate seen:
//   1. After the first fault: no classification, one more call over the rest. A batch with one hole then
//      pays what any reader who does not know where the hole is pays at least (bench P10's floor: the call
//      that stops at the hole and one over the elements after it), whatever the size of the target.
//   2. Later, more calls while they are expected to cost less than the smallest text,
//      E * (270 ns + 2.5 ns * min(U, kIovMax)) <= kSmallestTextNs: a few scattered holes are met by the
//      calls that read the elements anyway; the estimate is made again at each fault, so a batch denser in
//      holes than it looked turns to a lookup after a few calls.
//   3. Otherwise learn where the holes are once: by PROCMAP_QUERY when the kernel has it and
//      U <= kQueryElements (~45 us at most: the text of a ~300-mapping process; nothing beside the text of
//      the thousands of mappings of a browser, a JVM or a game), else by the text, which is what dense
//      batches (P7: thousands of elements, holes everywhere) are cheapest with. The price of that rule: a
//      dense batch in a huge target pays the text where lookups would have been cheaper: V is not known
//      before the text is read.
//   4. After a lookup, a call that still stops short met a guard page: the pagemap (GuardCursor).
// The forced means (kMapsText, kProcmapQuery) classify at the first fault: benchmarks and tests measure
// each against the others with them.
#ifndef PROCSCOPE_BACKEND_MEMORY_CLASSIFY_H_
#define PROCSCOPE_BACKEND_MEMORY_CLASSIFY_H_

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "backend/memory/accessible_ranges.h"
#include "backend/memory/batch.h"
#include "backend/memory/memory_backend.h"

namespace procscope::memory_internal {

inline constexpr size_t kQueryElements = 128;
inline constexpr double kSmallestTextNs = 15000;  // the maps text of a ~80-mapping process
// The expected cost of going on with calls (step 2 above), in ns.
inline double ExpectedCallsNs(size_t faults, size_t settled, size_t unfinished) {
  const double expected_faults = static_cast<double>(faults) * static_cast<double>(unfinished) /
                                 static_cast<double>(settled == 0 ? 1 : settled);
  return expected_faults * (270.0 + 2.5 * static_cast<double>(unfinished < kIovMax ? unfinished : kIovMax));
}

// What a strategy asks for: never classify (retry, coalesce, per_element), the cost model above (adaptive,
// adaptive_coalesce), or one means forced at the first fault.
enum class Classifier { kNever, kCheapest, kMapsText, kProcmapQuery };

// Accessible prefixes answered by PROCMAP_QUERY lookups, made as they are needed and remembered one at a
// time: in ascending order each mapping and each gap costs one lookup. Same Prefix contract as
// AccessibleCursor, except that the range identifies the mapping the prefix starts in (its start address),
// and that after a failed lookup (the process is going) it answers the whole length with range -1 (not
// classified: the calls will say what happened).
class QueryCursor {
 public:
  QueryCursor(MemoryBackend& memory, Direction direction) : memory_(memory), direction_(direction) {}

  // Looks `address` up; false (error() says why: ENOTTY on a kernel without the ioctl) when the kernel did
  // not answer.
  bool Learn(uint64_t tagged_address);
  int error() const { return error_; }
  AccessiblePrefix Prefix(uint64_t tagged_address, uint64_t length);
  static int64_t Combine(int64_t /*previous*/, int64_t found) { return found; }

 private:
  bool Allowed() const { return direction_ == Direction::kRead ? vma_.readable : vma_.writable; }
  bool Knows(uint64_t address) const {
    return known_ && address >= from_ && (none_above_ || address < vma_.end);
  }

  MemoryBackend& memory_;
  Direction direction_;
  // The last answer: [from_, vma_.start) is a gap and vma_ the mapping after it; none_above_: no mapping
  // at or above from_.
  bool known_ = false, none_above_ = false;
  uint64_t from_ = 0;
  VmaInfo vma_;
  int error_ = 0;
};

// Guard pages (MADV_GUARD_INSTALL, 6.13) lie inside mappings, so neither the text nor PROCMAP_QUERY shows
// them, and each costs a call that stops at it (bench BM_PairedGuard: 4,096 elements with 10% of their pages
// guards took 1.76 ms, the calls over the valid ones 0.56 ms). From 6.15 /proc/<pid>/pagemap marks them (bit
// 58): one read of 512 entries (kGuardWindow pages) answers the elements of 2 MiB. This cursor cuts each
// prefix at the first guard page; the range it gives is the previous one refined by the guard-free run
// the element starts in (a window's guard pages split it), so merged spans never cross a guard page. A
// read that fails or comes back short leaves the element as it was (kUnknown).
class GuardCursor {
 public:
  static constexpr uint64_t kGuardWindow = 512;
  static constexpr int64_t kUnknown = -2;
  explicit GuardCursor(MemoryBackend& memory) : memory_(memory) {}

  AccessiblePrefix Prefix(uint64_t tagged_address, uint64_t length);
  static int64_t Combine(int64_t previous, int64_t found) {
    if (found == kUnknown) return previous;
    return static_cast<int64_t>((static_cast<uint64_t>(previous) * 0x9e3779b97f4a7c15ULL) ^
                                static_cast<uint64_t>(found));
  }
  // Whether any page the cursor looked at was a guard page.
  bool found_guard() const { return found_guard_; }

 private:
  // Reads the window holding `page`; false when the kernel did not answer all of it.
  bool Load(uint64_t page);

  MemoryBackend& memory_;
  uint64_t first_ = 0;  // the window's first page
  bool loaded_ = false, found_guard_ = false;
  uint64_t entries_[kGuardWindow];
  // next_guard_[i]: the window index of the first guard page at or after i (kGuardWindow: none).
  uint16_t next_guard_[kGuardWindow];
};

// One batch's classification: the engine calls AfterFault after every call that stopped short, with the
// number of unfinished elements and the address of the first; when the means chosen is a lookup, AfterFault
// calls limit(cursor) once (the cursor answers Prefix(address, length) like AccessibleCursor), and never
// again for the batch. When the kernel cannot answer (the process is going) the batch goes on unclassified:
// its calls report what happened.
class BatchClassifier {
 public:
  // `elements`: how many the batch has pending (unfinished ones are counted against it).
  BatchClassifier(MemoryBackend& memory, Direction direction, Classifier mode, size_t elements)
      : memory_(memory), direction_(direction), mode_(mode), elements_(elements) {}

  template <typename Limit>
  void AfterFault(size_t unfinished, uint64_t first_address, Limit&& limit) {
    if (mode_ == Classifier::kNever) return;
    if (settled_) {
      // A lookup said the elements were reachable and a call still stopped short: a guard page (or a
      // mapping changed under the batch). Once, the pagemap.
      if (guards_checked_ || (used_ != Classification::kMapsText && used_ != Classification::kProcmapQuery))
        return;
      guards_checked_ = true;
      GuardCursor cursor(memory_);
      limit(cursor);
      used_ = Classification::kPagemap;
      return;
    }
    used_ = Classification::kCalls;  // until a lookup settles the rest
    if (mode_ == Classifier::kCheapest) {
      // Steps 1 and 2: calls after the first fault, and while they are expected to cost less than a text.
      ++faults_;
      const size_t settled = elements_ > unfinished ? elements_ - unfinished : 0;
      if (faults_ == 1 || ExpectedCallsNs(faults_, settled, unfinished) <= kSmallestTextNs) return;
    }
    settled_ = true;
    if (unfinished == 0) return;
    if (mode_ == Classifier::kProcmapQuery ||
        (mode_ == Classifier::kCheapest && unfinished <= kQueryElements)) {
      QueryCursor cursor(memory_, direction_);
      if (cursor.Learn(first_address)) {
        used_ = Classification::kProcmapQuery;
        limit(cursor);
        return;
      }
      if (cursor.error() != ENOTTY) return;
    }
    StatusOr<std::vector<AccessibleRange>> accessible = ReadAccessibleRanges(memory_, direction_);
    if (!accessible.ok()) return;
    used_ = Classification::kMapsText;
    AccessibleCursor cursor(*accessible);
    limit(cursor);
  }

  // The means that settled the batch's elements (kNone when no call stopped short).
  Classification used() const { return used_; }

 private:
  MemoryBackend& memory_;
  Direction direction_;
  Classifier mode_;
  size_t elements_;
  size_t faults_ = 0;
  bool settled_ = false, guards_checked_ = false;
  Classification used_ = Classification::kNone;
};

}  // namespace procscope::memory_internal

#endif  // PROCSCOPE_BACKEND_MEMORY_CLASSIFY_H_
