// The process_vm_readv/writev loop shared by the per_element and retry strategies. Internal to
// //backend/memory.
#ifndef PROCSCOPE_BACKEND_MEMORY_VM_BATCH_H_
#define PROCSCOPE_BACKEND_MEMORY_VM_BATCH_H_

#include <span>

#include "backend/memory/batch.h"
#include "backend/memory/memory_backend.h"
#include "backend/status.h"

namespace procscope::memory_internal {

// Transfers the pending elements in calls of at most `max_elements_per_call` elements (<= kIovMax) and
// kMaxRwCount bytes; an element longer than that is split across calls. Attribution is per element: a call
// that returns n bytes completes exactly the elements its first n bytes cover, and when n is short of the
// call's total the element holding byte n fails from there with EFAULT (the kernel stops at the first byte it
// cannot move); the next call starts with the element after it. -EFAULT with nothing moved fails the call's
// first element at its current offset. Any other error ends the batch (see Strategy::Transfer).
Status RunVmCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  size_t max_elements_per_call);

}  // namespace procscope::memory_internal

#endif  // PROCSCOPE_BACKEND_MEMORY_VM_BATCH_H_
