#include "backend/process/deleted_path.h"

#include <fcntl.h>
#include <unistd.h>

#include <string_view>

namespace procscope {
namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";

}  // namespace

StatusOr<std::string> ReadLinkAt(int dir_fd, const std::string& name, const std::string& label) {
  std::string buffer(256, '\0');
  while (true) {
    const ssize_t n = readlinkat(dir_fd, name.c_str(), buffer.data(), buffer.size());
    if (n < 0) return ErrnoStatus("readlink " + label);
    if (static_cast<size_t>(n) < buffer.size()) {
      buffer.resize(static_cast<size_t>(n));
      return buffer;
    }
    buffer.resize(buffer.size() * 2);
  }
}

std::string ResolveDeleted(std::string target, const std::optional<FileIdentity>& want, bool* deleted) {
  *deleted = false;
  if (!target.ends_with(kDeletedSuffix)) return target;
  struct stat st;
  if (want && stat(target.c_str(), &st) == 0 && st.st_ino == want->inode &&
      (!want->device || st.st_dev == *want->device)) {
    return target;
  }
  *deleted = true;
  target.resize(target.size() - kDeletedSuffix.size());
  return target;
}

}  // namespace procscope
