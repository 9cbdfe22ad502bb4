// The real path behind a /proc symlink (exe, map_files/...) whose target may carry the kernel's " (deleted)"
// suffix. Used by the process layer for the executable and for module paths.
//
//   bool deleted;
//   StatusOr<std::string> target = ReadLinkAt(dir_fd, "exe", "/proc/42/exe");
//   std::string path = ResolveDeleted(*target, &st, &deleted);
#ifndef PROCSCOPE_BACKEND_PROCESS_DELETED_PATH_H_
#define PROCSCOPE_BACKEND_PROCESS_DELETED_PATH_H_

#include <sys/stat.h>

#include <string>

#include "backend/status.h"

namespace procscope {

// The text of the symlink `name` relative to `dir_fd`, whatever its length (the kernel does not
// NUL-terminate it). `label` names it in errors.
[[nodiscard]] StatusOr<std::string> ReadLinkAt(int dir_fd, const std::string& name, const std::string& label);

// `target` with " (deleted)" removed when the file is really gone, and *deleted set accordingly. A live file
// whose name ends in " (deleted)" keeps it: the kernel appends the suffix only to unlinked files, so when
// the full target still names a file with the device and inode of `want`, that file is live. (Following
// the link itself, stat through map_files, needs CAP_SYS_ADMIN in the initial user namespace, which
// sandboxes lack, so the path is checked instead.) A path that does not resolve here, e.g. one from another
// mount namespace, counts as deleted; with `want` null every suffixed target does.
std::string ResolveDeleted(std::string target, const struct stat* want, bool* deleted);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_DELETED_PATH_H_
