#include "tools/repro/memflow_process_rw.h"

#include <cerrno>
#include <vector>

namespace procscope::legacy {

StatusOr<std::vector<LegacyReport>> LegacyProcessRw(MemoryBackend& memory, Direction direction,
                                                    std::span<const Element> elements, size_t iov_max) {
  std::vector<LegacyReport> reports;
  // temp_iov (split into local and remote halves) and temp_meta, as in ProcessVirtualMemory::new.
  std::vector<iovec> iov_local(iov_max), iov_remote(iov_max);
  std::vector<size_t> meta(iov_max);  // memflow kept the element's address; the index identifies it here

  size_t iov_next = 0;  // position of `iov_iter`
  size_t next_elem = 0;
  while (next_elem < elements.size()) {  // 'exit: while let Some(MemData3(a, m, b)) = elem
    const Element& e = elements[next_elem];
    const size_t cnt = iov_next;
    iov_local[cnt] = {e.buffer, e.length};
    iov_remote[cnt] = {reinterpret_cast<void*>(static_cast<uintptr_t>(e.address)), e.length};
    meta[cnt] = next_elem;
    ++iov_next;
    ++next_elem;

    if (next_elem == elements.size() || iov_next == iov_max) {
      size_t offset = 0;
      while (true) {
        const size_t count = cnt + 1 - offset;
        if (count == 0) break;
        const std::span<const iovec> local(iov_local.data() + offset, count);
        const std::span<const iovec> remote(iov_remote.data() + offset, count);
        const ssize_t ret =
            direction == Direction::kRead ? memory.VmReadv(local, remote) : memory.VmWritev(local, remote);
        // vm_error(): EFAULT and ENOMEM are not errors to memflow; everything else ends the call.
        if (ret < 0 && ret != -EFAULT && ret != -ENOMEM) {
          return Status(static_cast<int>(-ret), "memflow process_rw returned an error");
        }
        // libcret is -1 on failure: (-1 as usize) + 1 wraps to 0 in a release build.
        size_t remaining_written = ret < 0 ? 0 : static_cast<size_t>(ret) + 1;
        // The bug: this walks the arrays from index 0, not from `offset`, for `count` entries.
        for (size_t j = 0; j < count; ++j) {
          ++offset;
          const size_t to_write = remaining_written;
          remaining_written =
              remaining_written > iov_local[j].iov_len ? remaining_written - iov_local[j].iov_len : 0;
          if (to_write > 0) {
            reports.push_back({meta[j], true});
          } else {
            // "This will take only the first unread element and write it to the failed list".
            reports.push_back({meta[j], false});
            break;
          }
        }
      }
      iov_next = 0;
    }
  }
  return reports;
}

}  // namespace procscope::legacy
