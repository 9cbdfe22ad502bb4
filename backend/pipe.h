// MakePipe: a pipe whose two ends are owned (ScopedFd) and close on exec.
//
//   StatusOr<Pipe> pipe = MakePipe();
//   if (!pipe.ok()) return pipe.status();             // "pipe2: EMFILE ..."
//   write(pipe->write_end.get(), ...);
//
// Both ends are O_CLOEXEC, so a program another thread execs never inherits them. A child forked without
// exec inherits them all the same: it drops what it does not use (CloseInheritedExcept, scoped_fd.h).
#ifndef PROCSCOPE_BACKEND_PIPE_H_
#define PROCSCOPE_BACKEND_PIPE_H_

#include "backend/scoped_fd.h"
#include "backend/status.h"

namespace procscope {

struct Pipe {
  ScopedFd read_end;
  ScopedFd write_end;
};

// A new pipe; on failure an error naming pipe2 and its errno, and no descriptor is left open.
[[nodiscard]] StatusOr<Pipe> MakePipe();

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PIPE_H_
