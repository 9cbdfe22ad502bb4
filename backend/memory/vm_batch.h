// The process_vm_readv/writev planner shared by every process_vm strategy (per_element, retry, adaptive,
// coalesce, adaptive_coalesce). Internal to //backend/memory.
#ifndef PROCSCOPE_BACKEND_MEMORY_VM_BATCH_H_
#define PROCSCOPE_BACKEND_MEMORY_VM_BATCH_H_

#include <cstddef>
#include <span>

#include "backend/memory/batch.h"
#include "backend/memory/classify.h"
#include "backend/memory/memory_backend.h"
#include "backend/status.h"

namespace procscope::memory_internal {

struct VmOptions {
  // Remote ranges per call, 1..kIovMax (1 = per_element).
  size_t max_ranges_per_call = kIovMax;
  // Reads only: elements whose ranges lie within kMergeGap bytes of each other (sorted by address) are read
  // as one span into a scratch buffer and scattered, so a page pinned once serves many elements. Writes are
  // never merged: writing a span would also write the gaps between the elements.
  bool coalesce = false;
  // Whether and how, once calls stop short, the planner learns which elements it can reach (classify.h):
  // elements with no accessible byte then fail with EFAULT without a syscall, partly accessible ones are
  // limited to their accessible prefix, and spans no longer cross unmapped gaps. An element that still
  // faults (the mapping changed) is handled as usual.
  Classifier classify = Classifier::kNever;
};

inline constexpr uint64_t kMergeGap = 2048;       // reading a gap this long costs less than one more range
inline constexpr uint64_t kMaxSpan = 64 * 1024;   // a merged span is at most this long
inline constexpr uint64_t kMaxScratch = 1 << 20;  // scratch per call, for merged spans

// Transfers the pending elements. Attribution is per element: a call that returns n bytes completes the
// ranges its first n bytes cover; the element whose next byte is the first one not moved fails from there
// with EFAULT (the kernel stops at the first byte it cannot move) and the next call resumes after it. -EFAULT
// with nothing moved is the same with n = 0. Any other error ends the batch (see Strategy::Transfer).
// `classified_by` is set to how the batch learned where its holes were.
Status RunVmCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results, const VmOptions& options,
                  Classification& classified_by);

}  // namespace procscope::memory_internal

#endif  // PROCSCOPE_BACKEND_MEMORY_VM_BATCH_H_
