#include "backend/pipe.h"

#include <fcntl.h>
#include <unistd.h>

namespace procscope {

StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2");
  return Pipe{ScopedFd(fds[0]), ScopedFd(fds[1])};
}

}  // namespace procscope
