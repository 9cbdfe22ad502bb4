// Status and StatusOr<T>: the error channel of every fallible procscope API.
//
// A Status is OK or carries an errno value plus a human-readable message. Method names follow abseil
// (ok(), status(), value(), operator*) so the code reads like abseil code, but the error is a POSIX errno:
// the backend's failures come from the kernel, and callers branch on EFAULT vs ESRCH vs EPERM.
// Parse errors use EINVAL with a message that names the line and field.
//
//   StatusOr<ProcStat> stat = ParseStat(text);
//   if (!stat.ok()) return stat.status();
//   Use(stat->pid);
//
// No exceptions: value() on an error Status aborts (a programming error, like abseil's CHECK).
#ifndef PROCSCOPE_BACKEND_STATUS_H_
#define PROCSCOPE_BACKEND_STATUS_H_

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace procscope {

class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;
  // An error: error_number must be a nonzero errno value (0 is turned into EINVAL so an error is never OK).
  Status(int error_number, std::string message);

  bool ok() const { return error_number_ == 0; }
  // The errno value; 0 when ok().
  int error_number() const { return error_number_; }
  const std::string& message() const { return message_; }
  // "OK", or "<ERRNO NAME>: <message>" e.g. "EINVAL: line 3: field 'inode': ...".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.error_number_ == b.error_number_ && a.message_ == b.message_;
  }

 private:
  int error_number_ = 0;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
// An error from the current errno, e.g. ErrnoStatus("open /proc/1/mem").
Status ErrnoStatus(std::string_view what);

// The symbolic name of an errno value ("EFAULT"), or "E<number>" for an unknown one. Never null.
std::string ErrnoName(int error_number);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Implicit on purpose, as in abseil: `return value;` and `return status;` both work.
  StatusOr(T value) : state_(std::in_place_index<1>, std::move(value)) {}        // NOLINT
  StatusOr(Status status) : state_(std::in_place_index<0>, std::move(status)) {  // NOLINT
    if (std::get<0>(state_).ok()) std::abort();  // An OK status without a value is a programming error.
  }

  bool ok() const { return state_.index() == 1; }
  // OK when a value is held.
  Status status() const { return ok() ? OkStatus() : std::get<0>(state_); }

  const T& value() const& { return *Get(); }
  T& value() & { return *Get(); }
  T&& value() && { return std::move(*Get()); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*Get()); }
  // The value, or `fallback` when this holds an error (as abseil's StatusOr::value_or).
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *Get() : static_cast<T>(std::forward<U>(fallback));
  }
  const T* operator->() const { return Get(); }
  T* operator->() { return Get(); }

 private:
  T* Get() {
    if (!ok()) std::abort();
    return &std::get<1>(state_);
  }
  const T* Get() const {
    if (!ok()) std::abort();
    return &std::get<1>(state_);
  }

  std::variant<Status, T> state_;
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_STATUS_H_
