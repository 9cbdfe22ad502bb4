// One snapshot of which address ranges of a process allow an access, from its maps. Internal to
// //backend/memory: used by procmem (to answer like process_vm_readv would) and by the classify-on-fault
// planner (to fail unmapped elements without a syscall).
#ifndef PROCSCOPE_BACKEND_MEMORY_ACCESSIBLE_RANGES_H_
#define PROCSCOPE_BACKEND_MEMORY_ACCESSIBLE_RANGES_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/memory/memory_backend.h"
#include "backend/procfs/maps.h"
#include "backend/status.h"

namespace procscope::memory_internal {

// [start, end): readable (kRead) or writable (kWrite) per the maps, sorted, touching neighbours merged.
using AccessibleRange = MapsSpan;

// Reads and parses the maps once (one syscall). ESRCH when the process is gone or has no memory (an empty
// maps: a zombie or a kernel thread), EPERM when the maps may not be read, EIO when they do not parse.
StatusOr<std::vector<AccessibleRange>> ReadAccessibleRanges(MemoryBackend& memory, Direction direction);

// The address the kernel looks up for a remote user address. arm64 ignores an address's top byte (Top Byte
// Ignore: the kernel untags remote addresses, so process_vm_readv and /proc/PID/mem read a tagged address's
// bytes; backend/KERNEL_FACTS.md, tests/tagged_address_test.cc); the maps print untagged addresses, so a
// lookup untags first (bits 56-63 become copies of bit 55, as the kernel's untagged_addr does). Elsewhere
// the address itself: x86-64 refuses a non-canonical address (EFAULT, EIO).
constexpr uint64_t UntaggedAddress(uint64_t address) {
#if defined(__aarch64__)
  return static_cast<uint64_t>(static_cast<int64_t>(address << 8) >> 8);
#else
  return address;
#endif
}

struct AccessiblePrefix {
  uint64_t length;  // bytes from the address that lie in one accessible range (at most the asked length)
  int64_t range;    // index of that range, -1 when length is 0
};

// Looks up accessible prefixes in one snapshot (which it borrows: the vector outlives the cursor and does not
// change). In ascending address order (the planner's) each lookup walks on from the previous answer, a
// step or two; an address below it is found by binary search, so any order works. Inline: the planner asks
// once per element of a batch with holes, and a call cost more than the walk.
class AccessibleCursor {
 public:
  explicit AccessibleCursor(const std::vector<AccessibleRange>& ranges)
      : first_(ranges.data()), last_(first_ + ranges.size()), at_(first_) {}

  AccessiblePrefix Prefix(uint64_t tagged_address, uint64_t length) {
    const uint64_t address = UntaggedAddress(tagged_address);
    if (at_ == last_ || address < at_->start) {
      at_ = std::upper_bound(first_, last_, address,
                             [](uint64_t a, const AccessibleRange& r) { return a < r.start; });
      if (at_ == first_) return {0, -1};  // below every range
      --at_;
    } else {
      while (at_ + 1 != last_ && at_[1].start <= address) ++at_;
    }
    // at_: the last range starting at or before `address`.
    if (address >= at_->end) return {0, -1};
    return {std::min(length, at_->end - address), at_ - first_};
  }
  // The range an element gets after this lookup, given the one it had: this snapshot's (see GuardCursor,
  // which refines the previous one instead).
  static int64_t Combine(int64_t /*previous*/, int64_t found) { return found; }

 private:
  const AccessibleRange* first_;
  const AccessibleRange* last_;
  const AccessibleRange* at_;
};

// /proc open/read errors mean what process_vm_readv's do: ENOENT -> ESRCH, EACCES -> EPERM.
int NormalizeProcError(int error);

}  // namespace procscope::memory_internal

#endif  // PROCSCOPE_BACKEND_MEMORY_ACCESSIBLE_RANGES_H_
