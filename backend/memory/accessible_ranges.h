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
#include "backend/status.h"

namespace procscope::memory_internal {

// [start, end): readable (kRead) or writable (kWrite) per the maps, sorted, touching neighbours merged.
struct AccessibleRange {
  uint64_t start, end;
};

// Reads and parses the maps once (one syscall). ESRCH when the process is gone or has no memory (an empty
// maps: a zombie or a kernel thread), EPERM when the maps may not be read, EIO when they do not parse.
StatusOr<std::vector<AccessibleRange>> ReadAccessibleRanges(MemoryBackend& memory, Direction direction);

struct AccessiblePrefix {
  uint64_t length;  // bytes from the address that lie in one accessible range (at most the asked length)
  int64_t range;    // index of that range, -1 when length is 0
};
// `hint` (optional) carries the range found by the previous call: for ascending addresses each lookup then
// walks on from there instead of searching the whole snapshot. Any address works with any hint.
// Inline: the planner calls it once per element of a batch with holes, and the call cost more than the walk.
inline AccessiblePrefix FindAccessiblePrefix(const std::vector<AccessibleRange>& ranges, uint64_t address,
                                             uint64_t length, size_t* hint = nullptr) {
  const AccessibleRange* const first = ranges.data();
  const AccessibleRange* const last = first + ranges.size();
  const AccessibleRange* at;  // the last range starting at or before `address`
  if (hint != nullptr && *hint < ranges.size() && first[*hint].start <= address) {
    // Ascending addresses (the planner's order): walk on from the previous answer, a few steps at most.
    at = first + *hint;
    while (at + 1 != last && at[1].start <= address) ++at;
  } else {
    at = std::upper_bound(first, last, address,
                          [](uint64_t a, const AccessibleRange& r) { return a < r.start; });
    if (at == first) return {0, -1};
    --at;
  }
  const size_t index = static_cast<size_t>(at - first);
  if (hint != nullptr) *hint = index;
  if (address >= at->end) return {0, -1};
  return {std::min(length, at->end - address), static_cast<int64_t>(index)};
}

// /proc open/read errors mean what process_vm_readv's do: ENOENT -> ESRCH, EACCES -> EPERM.
int NormalizeProcError(int error);

}  // namespace procscope::memory_internal

#endif  // PROCSCOPE_BACKEND_MEMORY_ACCESSIBLE_RANGES_H_
