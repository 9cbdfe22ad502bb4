#include "backend/procfs/parse_util.h"

#include <cerrno>
#include <charconv>
#include <cstdio>

namespace procscope::procfs_internal {

std::optional<uint64_t> ParseUnsigned(std::string_view text, int base) {
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseSigned(std::string_view text) {
  if (text.empty() || text.front() == '+') return std::nullopt;
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, 10);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string Quote(std::string_view text, size_t max_bytes) {
  std::string out;
  const bool cut = text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (cut) out += "...";
  return out;
}

Status FieldError(std::string_view field, std::string_view expected, std::string_view found) {
  std::string message = "field '" + std::string(field) + "': expected " + std::string(expected) +
                        ", found '" + Quote(found) + "'";
  return Status(EINVAL, std::move(message));
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  while (true) {
    const size_t pos = text.find(separator);
    pieces.push_back(text.substr(0, pos));
    if (pos == std::string_view::npos) return pieces;
    text.remove_prefix(pos + 1);
  }
}

Status WithLine(const Status& status, size_t line) {
  return Status(status.error_number(), "line " + std::to_string(line) + ": " + status.message());
}

}  // namespace procscope::procfs_internal
