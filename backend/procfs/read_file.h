// Reading procfs files: the only I/O of //backend/procfs, kept apart from the pure parsers.
#ifndef PROCSCOPE_BACKEND_PROCFS_READ_FILE_H_
#define PROCSCOPE_BACKEND_PROCFS_READ_FILE_H_

#include <string>
#include <string_view>

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

// Reads `name` relative to `dir_fd` until EOF into `buffer`, which the caller keeps between reads of the same
// file: its size is the room offered to read(), and it only grows (doubling, from 64 KiB, zero-filled once),
// so once it is larger than the file one read() takes all of it and one more sees EOF, with no copy. Returns
// buffer's first n bytes, the file; valid until `buffer` changes. Errors as ReadFileAtToString.
[[nodiscard]] StatusOr<std::string_view> ReadFileAtIntoBuffer(int dir_fd, const std::string& name,
                                                              const std::string& label, std::string& buffer);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_READ_FILE_H_
