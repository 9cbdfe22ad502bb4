#include "backend/memory/vm_batch.h"

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

namespace procscope::memory_internal {
namespace {

// Marks every pending element from position `from` on as failed by the whole-call error `error`.
Status FailRest(std::span<const size_t> pending, size_t from, std::span<ElementResult> results, int error,
                Direction direction) {
  for (size_t k = from; k < pending.size(); ++k) results[pending[k]].error = error;
  return Status(error, std::string(direction == Direction::kRead ? "process_vm_readv" : "process_vm_writev") +
                           " failed for the whole batch");
}

}  // namespace

Status RunVmCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  size_t max_elements_per_call) {
  max_elements_per_call = std::clamp<size_t>(max_elements_per_call, 1, kIovMax);
  std::vector<iovec> local, remote;
  local.reserve(std::min(max_elements_per_call, pending.size()));
  remote.reserve(local.capacity());

  size_t next = 0;  // position in `pending` of the first element not yet finished
  while (next < pending.size()) {
    // Build one call from pending[next] (resuming at its current offset) onwards.
    local.clear();
    remote.clear();
    uint64_t call_bytes = 0;
    for (size_t k = next;
         k < pending.size() && local.size() < max_elements_per_call && call_bytes < kMaxRwCount; ++k) {
      const Element& e = elements[pending[k]];
      const uint64_t offset = results[pending[k]].transferred;
      const uint64_t length = std::min(e.length - offset, kMaxRwCount - call_bytes);
      local.push_back({static_cast<char*>(e.buffer) + offset, length});
      remote.push_back({reinterpret_cast<void*>(static_cast<uintptr_t>(e.address + offset)), length});
      call_bytes += length;
    }

    const ssize_t n =
        direction == Direction::kRead ? memory.VmReadv(local, remote) : memory.VmWritev(local, remote);
    if (n < 0 && n != -EFAULT) return FailRest(pending, next, results, static_cast<int>(-n), direction);

    // Attribute the n bytes to the call's elements in order.
    uint64_t left = n < 0 ? 0 : static_cast<uint64_t>(n);
    size_t k = next;
    for (size_t i = 0; i < local.size(); ++i, ++k) {
      ElementResult& r = results[pending[k]];
      const uint64_t moved = std::min<uint64_t>(left, local[i].iov_len);
      r.transferred += moved;
      left -= moved;
      if (moved < local[i].iov_len) {
        // The kernel stopped inside (or at the start of) this element: the rest of it is unreachable.
        r.error = EFAULT;
        ++k;
        break;
      }
      if (r.transferred < elements[pending[k]].length) break;  // split by kMaxRwCount: resume it next call
    }
    // A fully moved element whose tail did not fit in this call stays at `k` and resumes there.
    next = k;
    while (next < pending.size() && (results[pending[next]].error != 0 ||
                                     results[pending[next]].transferred == elements[pending[next]].length)) {
      ++next;
    }
  }
  return OkStatus();
}

}  // namespace procscope::memory_internal
