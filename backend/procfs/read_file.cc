#include "backend/procfs/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "backend/eintr.h"
#include "backend/scoped_fd.h"

namespace procscope {

StatusOr<std::string> ReadFdToString(int fd, const std::string& name) {
  std::string content;
  char chunk[64 * 1024];
  while (true) {
    const ssize_t n = RetryOnEintr([&] { return read(fd, chunk, sizeof chunk); });
    if (n < 0) return ErrnoStatus("read " + name);
    if (n == 0) return content;
    content.append(chunk, static_cast<size_t>(n));
  }
}

StatusOr<std::string> ReadFileAtToString(int dir_fd, const std::string& name, const std::string& label) {
  const ScopedFd fd(RetryOnEintr([&] { return openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC); }));
  if (!fd.is_valid()) return ErrnoStatus("open " + label);
  return ReadFdToString(fd.get(), label);
}

StatusOr<std::string_view> ReadFileAtIntoBuffer(int dir_fd, const std::string& name, const std::string& label,
                                                std::string& buffer) {
  const ScopedFd fd(RetryOnEintr([&] { return openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC); }));
  if (!fd.is_valid()) return ErrnoStatus("open " + label);
  if (buffer.size() < 64 * 1024) buffer.resize(64 * 1024);
  size_t size = 0;
  while (true) {
    if (size == buffer.size()) buffer.resize(2 * buffer.size());
    const ssize_t n =
        RetryOnEintr([&] { return read(fd.get(), buffer.data() + size, buffer.size() - size); });
    if (n < 0) return ErrnoStatus("read " + label);
    if (n == 0) return std::string_view(buffer.data(), size);
    size += static_cast<size_t>(n);
  }
}

StatusOr<std::string> ReadFileToString(const std::string& path) {
  return ReadFileAtToString(AT_FDCWD, path, path);
}

}  // namespace procscope
