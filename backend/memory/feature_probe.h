// Measures which of the newer kernels' interfaces this kernel has, each by one real call on this process's
// own memory or a child of its own (never inferred from the version number). `procscope probe` reports them;
// tests that need a feature skip with its answer when the kernel lacks it.
//
//   ProcmapQueryAnswer q = ProbeProcmapQuery();   // "supported", or the errno name (ENOTTY before 6.11)
//
// Not thread-safe (each maps and unmaps its own pages or forks its own child).
#ifndef PROCSCOPE_BACKEND_MEMORY_FEATURE_PROBE_H_
#define PROCSCOPE_BACKEND_MEMORY_FEATURE_PROBE_H_

#include <string>

#include "backend/status.h"

namespace procscope {

// PROCMAP_QUERY on /proc/self/maps for an address of a mapping made for the purpose: "supported" when the
// ioctl names that mapping, "wrong answer" when it names another, else the ioctl's errno name (ENOTTY:
// no such ioctl). An error when /proc/self/maps cannot be opened (that says nothing about the kernel).
StatusOr<std::string> ProbeProcmapQuery();

struct GuardRegionAnswer {
  // What madvise(MADV_GUARD_INSTALL) answered on the middle page of three rw anonymous pages: "ok", or its
  // errno name (EINVAL: no guard regions).
  std::string madvise;
  // When it was "ok": what each transport answered for the guard page alone ("EFAULT", "EIO", or
  // "read N bytes"), and how many bytes one process_vm_readv over all three pages moved.
  std::string vm;
  std::string procmem;
  long vm_over_three_pages = -1;
  // Bit 58 of the guard page's /proc/self/pagemap entry; an error when not measured (no guard regions,
  // pagemap unreadable).
  StatusOr<bool> pagemap_bit = Status(ENODATA, "not measured");

  // The probe's value: "EINVAL" when madvise failed, else "madvise ok, process_vm_readv EFAULT (3 pages:
  // 4096 bytes), /proc/PID/mem EIO".
  std::string Summary() const;
};
GuardRegionAnswer ProbeGuardRegions();

// A child that exits with status 3, its pidfd opened before it ended, reaped; then PIDFD_GET_INFO with
// PIDFD_INFO_EXIT: "supported" when the answer carries its wait status (0x300), "no exit info" when the
// ioctl succeeds without it, else the ioctl's errno name (ENOTTY before 6.13, ESRCH for a reaped task on
// 6.13-6.14). An error when no child or pidfd could be made.
StatusOr<std::string> ProbePidfdInfoExit();

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_FEATURE_PROBE_H_
