#include "tests/util/gated_child.h"

#include <signal.h>
#include <unistd.h>

#include <utility>

#include "backend/eintr.h"
#include "backend/pipe.h"

namespace procscope::testing {

StatusOr<GatedChild> GatedChild::Start(int exit_code, int signal) {
  StatusOr<Pipe> pipe = MakePipe();
  if (!pipe.ok()) return pipe.status();
  const int read_end = pipe->read_end.get(), write_end = pipe->write_end.get();
  StatusOr<ScopedChild> child = ScopedChild::Fork([read_end, write_end, exit_code, signal] {
    close(write_end);
    char byte;
    (void)RetryOnEintr([&] { return read(read_end, &byte, 1); });
    if (signal != 0) {
      ::signal(signal, SIG_DFL);
      raise(signal);
    }
    return exit_code;
  });
  if (!child.ok()) return child.status();
  GatedChild gated;
  gated.child_ = *std::move(child);
  gated.go_ = std::move(pipe->write_end);
  return gated;
}

Status GatedChild::Release() const {
  if (RetryOnEintr([&] { return write(go_.get(), "g", 1); }) != 1) return ErrnoStatus("write");
  return OkStatus();
}

}  // namespace procscope::testing
