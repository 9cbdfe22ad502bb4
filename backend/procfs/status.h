// Parser for /proc/<pid>/status: the fields procscope uses to tell why a reader may not inspect a process.
//
//   StatusOr<ProcStatus> status = ParseStatus(text);
//   if (status.ok() && status->uids) uid_t euid = (*status->uids)[1];
//
// Format (fs/proc/array.c): one "Key:<TAB>value" per line. The file is readable by everyone (no ptrace
// check) unless /proc hides the process (hidepid). Name is escaped by the kernel ("\n" for a newline, "\\"
// for a backslash) and kept as printed. Fields the kernel omits (Seccomp without CONFIG_SECCOMP, ...) stay
// nullopt; unknown keys are ignored; a known key whose value does not parse, a key seen twice or a line
// without ':' is an EINVAL naming the line. Pure function; no I/O.
#ifndef PROCSCOPE_BACKEND_PROCFS_STATUS_H_
#define PROCSCOPE_BACKEND_PROCFS_STATUS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backend/status.h"

namespace procscope {

struct ProcStatus {
  std::optional<std::string> name;
  std::optional<std::array<uint32_t, 4>> uids;  // real, effective, saved set, filesystem
  std::optional<std::array<uint32_t, 4>> gids;  // the same order
  std::optional<uint64_t> cap_prm;              // permitted capabilities (bit N = capability N)
  std::optional<uint64_t> cap_eff;              // effective capabilities
  std::optional<int64_t> tracer_pid;            // 0 when not traced
  std::optional<bool> no_new_privs;
  std::optional<int> seccomp;  // 0 disabled, 1 strict, 2 filter
  friend bool operator==(const ProcStatus&, const ProcStatus&) = default;
};

[[nodiscard]] StatusOr<ProcStatus> ParseStatus(std::string_view text);

// The status text ParseStatus reads back as `status` (only the fields that are set; for tests and fuzzing).
std::string FormatStatus(const ProcStatus& status);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_STATUS_H_
