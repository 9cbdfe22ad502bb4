#include "backend/memory/accessible_ranges.h"

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

}  // namespace procscope::memory_internal
