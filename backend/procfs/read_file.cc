#include "backend/procfs/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace procscope {

StatusOr<std::string> ReadFileToString(const std::string& path) {
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("open " + path);
  std::string content;
  constexpr size_t kChunk = 64 * 1024;
  while (true) {
    const size_t old_size = content.size();
    content.resize(old_size + kChunk);
    const ssize_t n = read(fd, content.data() + old_size, kChunk);
    if (n < 0) {
      if (errno == EINTR) {
        content.resize(old_size);
        continue;
      }
      Status error = ErrnoStatus("read " + path);
      close(fd);
      return error;
    }
    content.resize(old_size + static_cast<size_t>(n));
    if (n == 0) break;
  }
  close(fd);
  return content;
}

}  // namespace procscope
