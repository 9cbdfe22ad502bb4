#include "backend/memory/accessible_ranges.h"

#include <algorithm>
#include <cerrno>
#include <string>

#include "backend/procfs/maps.h"

namespace procscope::memory_internal {

int NormalizeProcError(int error) {
  if (error == ENOENT) return ESRCH;
  if (error == EACCES) return EPERM;
  return error;
}

StatusOr<std::vector<AccessibleRange>> ReadAccessibleRanges(MemoryBackend& memory, Direction direction) {
  StatusOr<std::string> text = memory.ReadMapsText();
  if (!text.ok()) return Status(NormalizeProcError(text.status().error_number()), text.status().message());
  // A process always maps something (its stack, the vDSO); an empty maps is a process without memory: a
  // zombie (killed while we work) or a kernel thread. process_vm_readv says ESRCH for both.
  if (text->empty())
    return Status(ESRCH, "maps is empty: the process has no memory (exited, or a kernel thread)");
  StatusOr<std::vector<MapsRange>> maps = ParseMapsRanges(*text);
  if (!maps.ok()) return Status(EIO, "maps: " + maps.status().message());
  std::vector<AccessibleRange> ranges;
  ranges.reserve(maps->size());
  for (const MapsRange& m : *maps) {
    if (!(direction == Direction::kRead ? m.read : m.write) || m.start == m.end) continue;
    if (!ranges.empty() && ranges.back().end == m.start) {
      ranges.back().end = m.end;
    } else {
      ranges.push_back({m.start, m.end});
    }
  }
  return ranges;
}

AccessiblePrefix FindAccessiblePrefix(const std::vector<AccessibleRange>& ranges, uint64_t address,
                                      uint64_t length, size_t* hint) {
  size_t at;  // the last range starting at or before `address`, or ranges.size() for none
  if (hint != nullptr && *hint < ranges.size() && ranges[*hint].start <= address) {
    // Ascending addresses (the planner's order): walk on from the previous answer, a few steps at most.
    at = *hint;
    while (at + 1 < ranges.size() && ranges[at + 1].start <= address) ++at;
  } else {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), address,
                               [](uint64_t a, const AccessibleRange& r) { return a < r.start; });
    at = it == ranges.begin() ? ranges.size() : static_cast<size_t>(it - ranges.begin()) - 1;
  }
  if (at == ranges.size()) return {0, -1};
  if (hint != nullptr) *hint = at;
  if (address >= ranges[at].end) return {0, -1};
  return {std::min(length, ranges[at].end - address), static_cast<int64_t>(at)};
}

}  // namespace procscope::memory_internal
