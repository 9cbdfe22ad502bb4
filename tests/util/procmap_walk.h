// Test-only: every VMA of a process walked with PROCMAP_QUERY (6.11+), for comparing with the maps text.
//
//   ASSERT_OK_AND_ASSIGN(std::vector<QueriedVma> vmas, WalkVmas(pid));
//
// One open of /proc/<pid>/maps, COVERING_OR_NEXT_VMA from address 0 until ENOENT; names up to PATH_MAX as the
// raw bytes the ioctl copies out. ENOTTY (the kernel's answer) before 6.11.
#ifndef PROCSCOPE_TESTS_UTIL_PROCMAP_WALK_H_
#define PROCSCOPE_TESTS_UTIL_PROCMAP_WALK_H_

#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include <cerrno>
#include <string>
#include <vector>

#include "backend/eintr.h"
#include "backend/kernel_uapi.h"
#include "backend/procfs/maps.h"
#include "backend/scoped_fd.h"
#include "backend/status.h"

namespace procscope::testing {

inline std::string MapsPath(pid_t pid) { return "/proc/" + std::to_string(pid) + "/maps"; }

// One VMA as the ioctl describes it, its name as the raw bytes the ioctl copies out ("" for none).
struct QueriedVma {
  MapsEntry entry;  // path_raw left empty
  std::string name;
};

// Every VMA of the process, walked with COVERING_OR_NEXT from 0 on one open maps; EFAULT-free: names up to
// PATH_MAX.
inline StatusOr<std::vector<QueriedVma>> WalkVmas(pid_t pid) {
  const ScopedFd maps(RetryOnEintr([&] { return open(MapsPath(pid).c_str(), O_RDONLY | O_CLOEXEC); }));
  if (!maps.is_valid()) return Status(errno, "open " + MapsPath(pid));
  std::vector<QueriedVma> walked;
  for (uint64_t address = 0;;) {
    char name[PATH_MAX + 32];
    uapi::ProcmapQuery q{};
    q.size = sizeof(q);
    q.query_flags = uapi::kProcmapCoveringOrNextVma;
    q.query_addr = address;
    q.vma_name_addr = reinterpret_cast<uintptr_t>(name);
    q.vma_name_size = sizeof(name);
    if (ioctl(maps.get(), uapi::kProcmapQuery, &q) != 0) {
      if (errno == ENOENT) return walked;  // past the last VMA
      return Status(errno, "PROCMAP_QUERY at " + std::to_string(address));
    }
    QueriedVma vma;
    MapsEntry& e = vma.entry;
    e.start = q.vma_start;
    e.end = q.vma_end;
    e.read = q.vma_flags & uapi::kProcmapVmaReadable;
    e.write = q.vma_flags & uapi::kProcmapVmaWritable;
    e.exec = q.vma_flags & uapi::kProcmapVmaExecutable;
    e.shared = q.vma_flags & uapi::kProcmapVmaShared;
    e.offset = q.vma_offset;
    e.dev_major = q.dev_major;
    e.dev_minor = q.dev_minor;
    e.inode = q.inode;
    if (q.vma_name_size > 0) vma.name.assign(name, q.vma_name_size - 1);  // the size counts the NUL
    walked.push_back(std::move(vma));
    address = q.vma_end;
    if (address == 0) return walked;  // the last VMA ends at 2^64
  }
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_PROCMAP_WALK_H_
