// Small helpers shared by the procfs parsers: strict number parsing and error text.
// Internal to //backend/procfs; pure functions, no I/O.
#ifndef PROCSCOPE_BACKEND_PROCFS_PARSE_UTIL_H_
#define PROCSCOPE_BACKEND_PROCFS_PARSE_UTIL_H_

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/status.h"

namespace procscope::procfs_internal {

// The whole of `text` as an unsigned number in `base` (10 or 16): digits only, no sign, no prefix, no
// whitespace, not empty; nullopt on anything else or on overflow of 64 bits.
std::optional<uint64_t> ParseUnsigned(std::string_view text, int base);
// The whole of `text` as a signed decimal (an optional leading '-'); nullopt on anything else or overflow.
std::optional<int64_t> ParseSigned(std::string_view text);

// `text` quoted for an error message: non-printable bytes as \xNN, cut after `max_bytes` with "...".
std::string Quote(std::string_view text, size_t max_bytes = 40);

// EINVAL with "field 'F': expected E, found 'X'".
Status FieldError(std::string_view field, std::string_view expected, std::string_view found);

// Splits off the text before the first `separator` and advances `rest` past it. Without a separator the
// whole of `rest` is returned and `rest` becomes empty.
std::string_view NextToken(std::string_view& rest, char separator);

// All pieces of `text` between `separator`s: n separators give n + 1 pieces (some may be empty).
std::vector<std::string_view> Split(std::string_view text, char separator);

// Prefixes an error's message with "line N: " (for parsers that parse a file line by line).
Status WithLine(const Status& status, size_t line);

// Parses a file of '\n'-separated lines with `parse_line` (std::string_view -> StatusOr<T>). The final
// newline is optional, an empty text gives no entries, an empty line is an error; errors name the line.
template <typename T, typename LineParser>
StatusOr<std::vector<T>> ParseLines(std::string_view text, LineParser parse_line) {
  std::vector<T> entries;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty()) return WithLine(Status(EINVAL, "empty line"), line_number);
    StatusOr<T> entry = parse_line(line);
    if (!entry.ok()) return WithLine(entry.status(), line_number);
    entries.push_back(*std::move(entry));
  }
  return entries;
}

}  // namespace procscope::procfs_internal

#endif  // PROCSCOPE_BACKEND_PROCFS_PARSE_UTIL_H_
