// Reading procfs files: the only I/O of //backend/procfs, kept apart from the pure parsers.
#ifndef PROCSCOPE_BACKEND_PROCFS_READ_FILE_H_
#define PROCSCOPE_BACKEND_PROCFS_READ_FILE_H_

#include <string>

#include "backend/status.h"

namespace procscope {

// The whole content of `path`, read until EOF. procfs files report size 0 and are produced as they are
// read, so this reads in chunks rather than trusting stat(). EINTR is retried. Errors carry the errno of
// open or read (ENOENT: no such process or file; EACCES/EPERM: no permission; ESRCH: the process went
// away while reading) and name the path. What was read before a failing read() is discarded.
[[nodiscard]] StatusOr<std::string> ReadFileToString(const std::string& path);

// The same for `name` relative to the directory `dir_fd` (openat), e.g. a /proc/<pid> directory held open so
// that the file read belongs to that process even if its PID is reused. `label` names it in error messages.
[[nodiscard]] StatusOr<std::string> ReadFileAtToString(int dir_fd, const std::string& name,
                                                       const std::string& label);

// Everything readable from `fd` until EOF (the fd stays open and owned by the caller). `name` only labels
// error messages, e.g. "stdin".
[[nodiscard]] StatusOr<std::string> ReadFdToString(int fd, const std::string& name);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_READ_FILE_H_
