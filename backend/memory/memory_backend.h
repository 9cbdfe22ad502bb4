// MemoryBackend: the one narrow seam between procscope's batched-transfer strategies and a process's memory.
//
// Each method is exactly one kernel call (or its imitation), with the kernel's semantics and no retry
// policy of its own beyond EINTR: strategies decide what to do with short counts and errors. Tests and fuzz
// targets substitute FakeMemory (fake_memory.h), which imitates the measured Linux rules, for the real
// LinuxMemoryBackend (linux_memory_backend.h).
//
// Return values follow the raw syscalls, as a non-negative byte count or a negated errno:
//   VmReadv / VmWritev: process_vm_readv / process_vm_writev. The remote elements are processed in order;
//     the call stops at the first byte it cannot transfer and returns the bytes done so far, which can end
//     inside an element. -EFAULT only when nothing was transferred. Zero-length remote elements are skipped
//     without checking their address. At most kIovMax elements per side (-EINVAL beyond), at most
//     kMaxRwCount bytes per call (a longer request is cut short with no error). -ESRCH for a dead or zombie
//     target, -EPERM without ptrace access.
//   MemPread / MemPwrite: pread / pwrite on /proc/<pid>/mem. Stop short at an unmapped page; -EIO when the
//     first byte is unmapped. They ignore protections (the kernel forces access: PROT_NONE pages read,
//     read-only pages are written). 0 (EOF) once the target has exited.
//   QueryVma: the PROCMAP_QUERY ioctl (6.11) on /proc/<pid>/maps with COVERING_OR_NEXT_VMA: the mapping that
//     covers the address, else the first one above it. 0 and `vma` filled, -ENOENT when no mapping lies at
//     or above the address, -ENOTTY on a kernel without the ioctl, -ESRCH/-EPERM as for the maps' open.
//     Addresses as the maps print them (untagged on arm64). It sees what the maps text shows minus the
//     gate area ([vsyscall]), which is no VMA of the process (backend/KERNEL_FACTS.md).
//   PagemapRead: pread on /proc/<pid>/pagemap: the 64-bit entries of `entries.size()` pages from page
//     `first_page` (address / 4096). Bit 58 marks a guard page (MADV_GUARD_INSTALL) from 6.15; an unmapped
//     page reads as 0. Returns the bytes read (0 once the process has exited) or a negated errno (-EPERM
//     without ptrace access).
#ifndef PROCSCOPE_BACKEND_MEMORY_MEMORY_BACKEND_H_
#define PROCSCOPE_BACKEND_MEMORY_MEMORY_BACKEND_H_

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "backend/status.h"

namespace procscope {

// One mapping as QueryVma answers it: [start, end) and whether its protection allows reads and writes.
struct VmaInfo {
  uint64_t start = 0;
  uint64_t end = 0;
  bool readable = false;
  bool writable = false;
};

// Measured on Linux 6.18 (backend/KERNEL_FACTS.md); `procscope probe` re-measures them.
inline constexpr size_t kIovMax = 1024;
inline constexpr uint64_t kMaxRwCount = 0x7ffff000;
// /proc/<pid>/pagemap: the page size its entries are per (4 KiB on the lines procscope supports) and the bit
// of an entry that marks a guard page (6.15+).
inline constexpr uint64_t kPagemapPageSize = 4096;
inline constexpr int kPagemapGuardBit = 58;

class MemoryBackend {
 public:
  virtual ~MemoryBackend() = default;

  virtual ssize_t VmReadv(std::span<const iovec> local, std::span<const iovec> remote) = 0;
  virtual ssize_t VmWritev(std::span<const iovec> local, std::span<const iovec> remote) = 0;
  virtual ssize_t MemPread(void* buffer, size_t length, uint64_t address) = 0;
  virtual ssize_t MemPwrite(const void* buffer, size_t length, uint64_t address) = 0;
  // The target's /proc/<pid>/maps text (one read of the file; counts as one syscall). The text is owned by
  // the backend and valid until the next ReadMapsText() or the backend's destruction.
  virtual StatusOr<std::string_view> ReadMapsText() = 0;
  // Returns 0 or a negated errno (see above); one call. A backend that got -ENOTTY may answer it again
  // without a call.
  virtual int QueryVma(uint64_t address, VmaInfo& vma) = 0;
  virtual ssize_t PagemapRead(uint64_t first_page, std::span<uint64_t> entries) = 0;

  // Kernel calls made through this backend so far (every method above counts one per call).
  uint64_t syscalls() const { return syscalls_; }

 protected:
  void CountSyscall() { ++syscalls_; }

 private:
  uint64_t syscalls_ = 0;
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_MEMORY_BACKEND_H_
