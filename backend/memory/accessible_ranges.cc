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
  StatusOr<std::string_view> text = memory.ReadMapsText();
  if (!text.ok()) return Status(NormalizeProcError(text.status().error_number()), text.status().message());
  // A process always maps something (its stack, the vDSO); an empty maps is a process without memory: a
  // zombie (killed while we work) or a kernel thread. process_vm_readv says ESRCH for both.
  if (text->empty())
    return Status(ESRCH, "maps is empty: the process has no memory (exited, or a kernel thread)");
  StatusOr<std::vector<MapsSpan>> spans =
      ParseMapsSpans(*text, direction == Direction::kRead ? MapsPermission::kRead : MapsPermission::kWrite);
  if (!spans.ok()) return Status(EIO, "maps: " + spans.status().message());
  return spans;
}

}  // namespace procscope::memory_internal
