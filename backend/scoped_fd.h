// ScopedFd: sole owner of one file descriptor, closed when the owner goes away.
//
//   ScopedFd fd(RetryOnEintr([&] { return open(path, O_RDONLY | O_CLOEXEC); }));
//   if (!fd.is_valid()) return ErrnoStatus("open " + path);
//   read(fd.get(), ...);                      // borrowed: valid while `fd` lives
//
// Move-only. close() is called once and never retried: on Linux the descriptor is released even when
// close fails with EINTR, so a retry could close a descriptor another thread has just been given.
#ifndef PROCSCOPE_BACKEND_SCOPED_FD_H_
#define PROCSCOPE_BACKEND_SCOPED_FD_H_

namespace procscope {

class ScopedFd {
 public:
  ScopedFd() = default;
  // Takes ownership of `fd`; a negative value means "none" (so a failed open can be stored as it is).
  explicit ScopedFd(int fd) : fd_(fd < 0 ? -1 : fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.release()) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { reset(); }

  bool is_valid() const { return fd_ >= 0; }
  // The descriptor (or -1), still owned by this object.
  int get() const { return fd_; }
  // Gives up ownership without closing; returns the descriptor (or -1).
  [[nodiscard]] int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the owned descriptor, if any, and takes `fd` (negative: none).
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// For a child forked without exec, which inherits every descriptor of its parent, O_CLOEXEC or not: closes
// all of them from 3 up except `keep_a` and `keep_b`, so that no copy of another child's pipe (say) lives on
// in this one.
void CloseInheritedExcept(int keep_a, int keep_b);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_SCOPED_FD_H_
