#include "backend/procfs/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace procscope {

StatusOr<std::string> ReadFdToString(int fd, const std::string& name) {
  std::string content;
  char chunk[64 * 1024];
  while (true) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read " + name);
    }
    if (n == 0) return content;
    content.append(chunk, static_cast<size_t>(n));
  }
}

StatusOr<std::string> ReadFileAtToString(int dir_fd, const std::string& name, const std::string& label) {
  int fd;
  do {
    fd = openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("open " + label);
  StatusOr<std::string> content = ReadFdToString(fd, label);
  close(fd);
  return content;
}

StatusOr<std::string> ReadFileToString(const std::string& path) {
  return ReadFileAtToString(AT_FDCWD, path, path);
}

}  // namespace procscope
