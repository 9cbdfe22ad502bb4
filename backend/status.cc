#include "backend/status.h"

#include <cerrno>
#include <cstring>

namespace procscope {

Status::Status(int error_number, std::string message)
    : error_number_(error_number == 0 ? EINVAL : error_number), message_(std::move(message)) {}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return ErrnoName(error_number_) + ": " + message_;
}

Status ErrnoStatus(std::string_view what) {
  const int saved = errno;
  return Status(saved, std::string(what) + ": " + std::strerror(saved));
}

std::string ErrnoName(int error_number) {
  // glibc >= 2.32; returns null for values it does not know.
  if (const char* name = strerrorname_np(error_number); name != nullptr) return name;
  return "E" + std::to_string(error_number);
}

}  // namespace procscope
