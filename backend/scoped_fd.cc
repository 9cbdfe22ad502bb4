#include "backend/scoped_fd.h"

#include <unistd.h>

namespace procscope {

void ScopedFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd < 0 ? -1 : fd;
}

}  // namespace procscope
