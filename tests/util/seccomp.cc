#include "tests/util/seccomp.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>

namespace procscope::testing {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#elif defined(__i386__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_I386;
#else
#error "seccomp.cc: add this architecture's AUDIT_ARCH_ value"
#endif

Status Install(sock_filter* filter, size_t length) {
  sock_fprog program{static_cast<unsigned short>(length), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return ErrnoStatus("prctl(PR_SET_NO_NEW_PRIVS)");
  if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0)
    return ErrnoStatus("seccomp(SECCOMP_SET_MODE_FILTER)");
  return OkStatus();
}

Status CheckErrno(int error, const char* who) {
  if (error <= 0 || error > static_cast<int>(SECCOMP_RET_DATA))
    return Status(EINVAL, std::string(who) + ": errno out of range");
  return OkStatus();
}

}  // namespace

Status DenyProcessVm(int error) {
  if (Status valid = CheckErrno(error, "DenyProcessVm"); !valid.ok()) return valid;
  sock_filter filter[] = {
      // Another ABI (x32, a compat call) has other syscall numbers: let it through rather than misread it.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_writev, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (static_cast<uint32_t>(error) & SECCOMP_RET_DATA)),
  };
  return Install(filter, sizeof filter / sizeof filter[0]);
}

Status DenyFork(int error) {
  if (Status valid = CheckErrno(error, "DenyFork"); !valid.ok()) return valid;
#if defined(__NR_fork)
  constexpr uint32_t kFork = __NR_fork, kVfork = __NR_vfork;
#else  // arm64 has clone and clone3 only
  constexpr uint32_t kFork = __NR_clone, kVfork = __NR_clone;
#endif
  const uint32_t denied = SECCOMP_RET_ERRNO | (static_cast<uint32_t>(error) & SECCOMP_RET_DATA);
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 4, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kFork, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kVfork, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kill, 1, 4),
      BPF_STMT(BPF_RET | BPF_K, denied),
      // kill: its pid argument (the low 32 bits of args[0], little-endian) is -1 -> SIGSYS.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffU, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  return Install(filter, sizeof filter / sizeof filter[0]);
}

std::optional<int> DenyErrnoFromName(std::string_view name) {
  if (name == "EPERM") return EPERM;
  if (name == "ENOSYS") return ENOSYS;
  return std::nullopt;
}

}  // namespace procscope::testing
