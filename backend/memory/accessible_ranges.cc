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
  StatusOr<std::vector<MapsEntry>> maps = ParseMaps(*text);
  if (!maps.ok()) return Status(EIO, "maps: " + maps.status().message());
  std::vector<AccessibleRange> ranges;
  for (const MapsEntry& m : *maps) {
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
                                      uint64_t length) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), address,
                             [](uint64_t a, const AccessibleRange& r) { return a < r.start; });
  if (it == ranges.begin()) return {0, -1};
  --it;
  if (address >= it->end) return {0, -1};
  return {std::min(length, it->end - address), it - ranges.begin()};
}

}  // namespace procscope::memory_internal
