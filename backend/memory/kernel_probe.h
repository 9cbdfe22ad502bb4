// Measures how this kernel's process_vm_readv/writev and /proc/<pid>/mem behave, on this process and a
// short-lived child, so procscope's assumptions (backend/KERNEL_FACTS.md) can be checked on any kernel.
//
//   StatusOr<KernelProbe> probe = ProbeKernel({.measure_max_rw_count = true});
//
// Every answer comes from a real call; none is assumed. Not thread-safe (it maps and unmaps its own pages).
#ifndef PROCSCOPE_BACKEND_MEMORY_KERNEL_PROBE_H_
#define PROCSCOPE_BACKEND_MEMORY_KERNEL_PROBE_H_

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>

#include "backend/status.h"

namespace procscope {

// A key that could not be measured holds an error saying why (the call that failed and its errno), never
// a default that reads like an answer. The process_vm_* keys are always measured: ProbeKernel refuses to run
// when process_vm_readv fails on this process's own memory, and after that check every result, a failure
// included, is the kernel's answer.
struct KernelProbe {
  std::string kernel_release;           // uname -r
  bool splits_elements = false;         // one element over [page][hole][page] returns the first page only
  bool stops_at_first_failure = false;  // [ok][hole][ok] returns only the first element's bytes
  bool zero_length_skipped = false;     // a zero-length element at NULL between two valid ones is skipped
  bool prot_none_readable_vm = false;
  StatusOr<bool> prot_none_readable_procmem = NotMeasured();
  bool readonly_writable_vm = false;
  StatusOr<bool> readonly_writable_procmem = NotMeasured();
  uint64_t iov_max = 0;                  // the largest element count process_vm_readv accepts
  std::optional<uint64_t> max_rw_count;  // bytes one call moves at most; nullopt when not measured
  std::string max_rw_count_skipped;      // why it was not measured (empty when it was)
  // An open /proc/<pid>/mem reads 0 bytes once the process is reaped (needs a pipe, a fork and an open).
  StatusOr<bool> procmem_eof_after_exit = NotMeasured();
  // proc_mem.force_override as this kernel applies it: "always", "ptrace" or "never" (force_override.h);
  // the *_procmem keys above follow from it.
  StatusOr<std::string> procmem_force_override = NotMeasured();
  // Whether the kernel has that switch: "present" or "no such switch" (5.10.223: it always forces and
  // ignores the boot parameter).
  StatusOr<std::string> procmem_force_override_switch = NotMeasured();
  // A remote address with its top byte set (0x5a << 56, a "tag") read through each transport: "untagged"
  // when it reads the bytes of the address without its tag, else the errno name of the failure or "wrong
  // bytes". Measured: process_vm_readv "untagged" on arm64 (Top Byte Ignore), "EFAULT" on x86-64;
  // /proc/PID/mem "EIO" on both.
  std::string tagged_address_vm;
  StatusOr<std::string> tagged_address_procmem = NotMeasured();
  // The newer kernels' interfaces (feature_probe.h), each as the kernel answered it: PROCMAP_QUERY
  // ("supported" or e.g. "ENOTTY"), guard regions (GuardRegionAnswer::Summary), pagemap bit 58 on a guard
  // page, PIDFD_INFO_EXIT of a reaped child ("supported" or e.g. "ENOTTY", "EINVAL", "ESRCH").
  StatusOr<std::string> procmap_query = NotMeasured();
  std::string guard_regions;
  StatusOr<bool> pagemap_guard_bit = NotMeasured();
  StatusOr<std::string> pidfd_info_exit = NotMeasured();

  static Status NotMeasured() { return Status(ENODATA, "not measured"); }
};

struct ProbeOptions {
  // Measuring max_rw_count makes one process_vm_readv of 2 GiB from this process into itself, with both
  // sides folded onto 2 MiB (4 MiB of memory; about 0.25 s of copying on a 2-vCPU VM).
  bool measure_max_rw_count = true;
};

// The errno of process_vm_readv when it fails on this process's own memory (EPERM under a seccomp filter,
// ENOSYS without CROSS_MEMORY_ATTACH): then nothing can be measured.
[[nodiscard]] StatusOr<KernelProbe> ProbeKernel(const ProbeOptions& options);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_KERNEL_PROBE_H_
