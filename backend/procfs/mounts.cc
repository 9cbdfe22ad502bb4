#include "backend/procfs/mounts.h"

#include <cerrno>

#include "backend/procfs/parse_util.h"

namespace procscope {
namespace {

using procfs_internal::FieldError;
using procfs_internal::ParseLines;
using procfs_internal::Split;

// Decodes the kernel's \ooo escapes (exactly three octal digits); any other backslash is an error.
std::optional<std::string> Unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    if (i + 3 >= field.size()) return std::nullopt;
    int value = 0;
    for (size_t k = 1; k <= 3; ++k) {
      const char c = field[i + k];
      if (c < '0' || c > '7') return std::nullopt;
      value = value * 8 + (c - '0');
    }
    if (value > 0xff) return std::nullopt;
    out += static_cast<char>(value);
    i += 3;
  }
  return out;
}

bool NeedsEscape(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\\'; }

std::string Escape(std::string_view field) {
  std::string out;
  for (const char c : field) {
    if (!NeedsEscape(c)) {
      out += c;
      continue;
    }
    const auto v = static_cast<unsigned char>(c);
    out += '\\';
    out += static_cast<char>('0' + (v >> 6));
    out += static_cast<char>('0' + ((v >> 3) & 7));
    out += static_cast<char>('0' + (v & 7));
  }
  return out;
}

Status ParseLine(std::string_view line, MountEntry& out) {
  const std::vector<std::string_view> fields = Split(line, ' ');
  if (fields.size() != 6) {
    return Status(EINVAL, "expected 6 space-separated fields, found " + std::to_string(fields.size()));
  }
  static constexpr const char* kNames[] = {"source", "target", "fstype"};
  std::string* const targets[] = {&out.source, &out.target, &out.fstype};
  for (size_t i = 0; i < 3; ++i) {
    std::optional<std::string> value = Unescape(fields[i]);
    if (!value || value->empty()) return FieldError(kNames[i], "text with \\ooo escapes", fields[i]);
    *targets[i] = *std::move(value);
  }
  // Option values keep their escapes (overlayfs's lowerdir=/a\040b): MountOption looks up keys only.
  if (fields[3].empty() || fields[3].find('\t') != std::string_view::npos)
    return FieldError("options", "a comma-separated list", fields[3]);
  out.options = std::string(fields[3]);
  if (fields[4] != "0") return FieldError("dump", "0", fields[4]);
  if (fields[5] != "0") return FieldError("pass", "0", fields[5]);
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<MountEntry>> ParseMounts(std::string_view text) {
  return ParseLines<MountEntry>(text, ParseLine);
}

std::optional<std::string> MountOption(std::string_view options, std::string_view key) {
  for (std::string_view option : Split(options, ',')) {
    if (option == key) return std::string();
    if (option.size() > key.size() && option.starts_with(key) && option[key.size()] == '=')
      return std::string(option.substr(key.size() + 1));
  }
  return std::nullopt;
}

std::string FormatMountEntry(const MountEntry& e) {
  // Options are printed as they are: ParseMounts keeps them undecoded.
  return Escape(e.source) + " " + Escape(e.target) + " " + Escape(e.fstype) + " " + e.options + " 0 0";
}

}  // namespace procscope
