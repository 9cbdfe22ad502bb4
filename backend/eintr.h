// RetryOnEintr: the one place where procscope retries a system call interrupted by a signal.
//
//   const ssize_t n = RetryOnEintr([&] { return pread(fd, buffer, length, offset); });
//   if (n < 0) return ErrnoStatus("pread");   // errno is the call's, never EINTR
//
// Calls `call` until it returns anything but -1 with errno EINTR, and returns that result with errno as the
// last call left it. For calls that report failure as -1 + errno (open, read, pread, process_vm_readv,
// waitpid, ...). Not for close(): see scoped_fd.h.
#ifndef PROCSCOPE_BACKEND_EINTR_H_
#define PROCSCOPE_BACKEND_EINTR_H_

#include <cerrno>

namespace procscope {

template <typename Call>
auto RetryOnEintr(Call&& call) -> decltype(call()) {
  while (true) {
    const auto result = call();
    if (!(result == -1 && errno == EINTR)) return result;
  }
}

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_EINTR_H_
