// The real path behind a /proc symlink (exe, map_files/...) whose target may carry the kernel's " (deleted)"
// suffix. Used by the process layer for the executable and for module paths.
//
//   bool deleted;
//   StatusOr<std::string> target = ReadLinkAt(dir_fd, "exe", "/proc/42/exe");
//   std::string path = ResolveDeleted(*target, FileIdentity{st.st_ino, st.st_dev}, &deleted);
#ifndef PROCSCOPE_BACKEND_PROCESS_DELETED_PATH_H_
#define PROCSCOPE_BACKEND_PROCESS_DELETED_PATH_H_

#include <sys/stat.h>

#include <optional>
#include <string>

#include "backend/status.h"

namespace procscope {

// The text of the symlink `name` relative to `dir_fd`, whatever its length (the kernel does not
// NUL-terminate it). `label` names it in errors.
[[nodiscard]] StatusOr<std::string> ReadLinkAt(int dir_fd, const std::string& name, const std::string& label);

// What a mapped or executed file is known to be: its inode, and its device when that came from stat() too.
// A device from /proc/<pid>/maps is not comparable with stat()'s: on overlayfs (measured on 6.18: maps
// shows the overlay superblock's 0:28, stat() the layer's 0:29 or 0:2a) and on btrfs subvolumes they
// differ for the very same file.
struct FileIdentity {
  uint64_t inode = 0;
  std::optional<dev_t> device;  // from stat(); nullopt for an identity read from maps
};

// `target` with " (deleted)" removed when the file is really gone, and *deleted set accordingly. A live file
// whose name ends in " (deleted)" keeps it: the kernel appends the suffix only to unlinked files, so when
// the full target still names a file with the inode (and, when known, the device) of `want`, that file is
// live. The inode alone suffices: the path names the directory the mapped file was in, on the same file
// system, and an inode number is not reused there while the unlinked file is still mapped. (Following the
// link itself, stat through map_files, needs CAP_SYS_ADMIN in the initial user namespace, which sandboxes
// lack, so the path is checked instead.) A path that does not resolve here, e.g. one from another mount
// namespace, counts as deleted; with `want` nullopt every suffixed target does.
std::string ResolveDeleted(std::string target, const std::optional<FileIdentity>& want, bool* deleted);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_DELETED_PATH_H_
