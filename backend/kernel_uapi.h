// Kernel interfaces newer than Debian 12's headers (linux-libc-dev 6.1), defined once here with the kernel
// version that added each. A kernel without one answers its call with an error (ENOTTY, EINVAL); the
// callers measure which (backend/memory/feature_probe.h), never infer it from the version.
#ifndef PROCSCOPE_BACKEND_KERNEL_UAPI_H_
#define PROCSCOPE_BACKEND_KERNEL_UAPI_H_

#include <linux/ioctl.h>

#include <cstdint>

namespace procscope::uapi {

// PROCMAP_QUERY (6.11): an ioctl on an open /proc/PID/maps answering which VMA covers (or follows) an
// address. The struct is extensible: `size` says how much of it the caller knows.
struct ProcmapQuery {
  uint64_t size;
  uint64_t query_flags;
  uint64_t query_addr;
  uint64_t vma_start;
  uint64_t vma_end;
  uint64_t vma_flags;
  uint64_t vma_page_size;
  uint64_t vma_offset;
  uint64_t inode;
  uint32_t dev_major;
  uint32_t dev_minor;
  uint32_t vma_name_size;
  uint32_t build_id_size;
  uint64_t vma_name_addr;
  uint64_t build_id_addr;
};
static_assert(sizeof(ProcmapQuery) == 104);
inline constexpr unsigned long kProcmapQuery = _IOWR('f', 17, ProcmapQuery);
inline constexpr uint64_t kProcmapVmaReadable = 0x01;
inline constexpr uint64_t kProcmapVmaWritable = 0x02;
inline constexpr uint64_t kProcmapVmaExecutable = 0x04;
inline constexpr uint64_t kProcmapVmaShared = 0x08;
inline constexpr uint64_t kProcmapCoveringOrNextVma = 0x10;

// Guard regions (6.13): madvise advice values; a guard page faults on any access inside its VMA.
inline constexpr int kMadvGuardInstall = 102;
inline constexpr int kMadvGuardRemove = 103;
// /proc/PID/pagemap: bit 58 marks a guard page (6.15); before it, a guard entry reads as a swap entry.
inline constexpr int kPagemapGuardBit = 58;

// PIDFD_GET_INFO (6.13) on a pidfd; PIDFD_INFO_EXIT (6.15) adds the exit status (a wait status) of a task
// that was reaped, for any holder of a pidfd opened before the end.
struct PidfdInfo {
  uint64_t mask;
  uint64_t cgroupid;
  uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  int32_t exit_code;
};
static_assert(sizeof(PidfdInfo) == 64);
inline constexpr unsigned long kPidfdGetInfo = _IOWR(0xFF, 11, PidfdInfo);
inline constexpr uint64_t kPidfdInfoExit = 1ULL << 3;

}  // namespace procscope::uapi

#endif  // PROCSCOPE_BACKEND_KERNEL_UAPI_H_
