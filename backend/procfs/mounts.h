// Parser for /proc/<pid>/mounts (the fstab-like mount table), used to see how /proc itself is mounted.
//
//   StatusOr<std::vector<MountEntry>> mounts = ParseMounts(text);
//   std::optional<std::string> hidepid = MountOption(proc.options, "hidepid");
//
// Line format (fs/proc_namespace.c show_vfsmnt): "source target fstype options 0 0". Space, tab, newline and
// backslash inside source, target and fstype are printed as \040, \011, \012 and \134; they are decoded here.
// Pure functions; every input gives entries or an EINVAL naming the line and field.
#ifndef PROCSCOPE_BACKEND_PROCFS_MOUNTS_H_
#define PROCSCOPE_BACKEND_PROCFS_MOUNTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/status.h"

namespace procscope {

struct MountEntry {
  std::string source;
  std::string target;
  std::string fstype;
  std::string options;  // comma-separated, as printed ("rw,relatime,hidepid=invisible")
  friend bool operator==(const MountEntry&, const MountEntry&) = default;
};

// Lines separated by '\n', final newline optional; an empty text is an empty list.
[[nodiscard]] StatusOr<std::vector<MountEntry>> ParseMounts(std::string_view text);

// The value of `key=value` in a comma-separated option list; "" for a bare `key`; nullopt when absent.
std::optional<std::string> MountOption(std::string_view options, std::string_view key);

// The line ParseMounts reads back as `entry` (escaping what needs it), without '\n'.
std::string FormatMountEntry(const MountEntry& entry);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_MOUNTS_H_
