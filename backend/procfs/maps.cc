#include "backend/procfs/maps.h"

#include <cinttypes>
#include <cstdio>
#include <limits>

#include "backend/procfs/parse_util.h"

namespace procscope {
namespace {

using procfs_internal::FieldError;
using procfs_internal::NextToken;
using procfs_internal::ParseUnsigned;

constexpr std::string_view kDeletedSuffix = " (deleted)";
constexpr std::string_view kEscapedNewline = "\\012";
// The kernel pads the text before the path to this width (seq_setwidth(25 + sizeof(void*) * 6 - 1)), then
// adds one space: on 64-bit kernels the path starts at column 73 (measured on 6.18).
constexpr size_t kPadWidth = 72;

std::string DecodePath(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    if (raw.compare(i, kEscapedNewline.size(), kEscapedNewline) == 0) {
      out.push_back('\n');
      i += kEscapedNewline.size();
    } else {
      out.push_back(raw[i++]);
    }
  }
  return out;
}

MapsKind KindOf(std::string_view path) {
  if (path.empty()) return MapsKind::kAnonymous;
  if (path.front() != '[' || path.back() != ']') return MapsKind::kFile;
  if (path == "[heap]") return MapsKind::kHeap;
  if (path == "[stack]") return MapsKind::kStack;
  if (path == "[vdso]") return MapsKind::kVdso;
  if (path == "[vvar]" || path == "[vvar_vclock]") return MapsKind::kVvar;
  if (path == "[vsyscall]") return MapsKind::kVsyscall;
  if (path.starts_with("[anon:")) return MapsKind::kAnonNamed;
  return MapsKind::kSpecial;
}

}  // namespace

std::string_view MapsKindName(MapsKind kind) {
  switch (kind) {
    case MapsKind::kFile:
      return "file";
    case MapsKind::kAnonymous:
      return "anonymous";
    case MapsKind::kHeap:
      return "heap";
    case MapsKind::kStack:
      return "stack";
    case MapsKind::kVdso:
      return "vdso";
    case MapsKind::kVvar:
      return "vvar";
    case MapsKind::kVsyscall:
      return "vsyscall";
    case MapsKind::kAnonNamed:
      return "anon_named";
    case MapsKind::kSpecial:
      return "special";
  }
  return "unknown";
}

StatusOr<MapsEntry> ParseMapsLine(std::string_view line) {
  MapsEntry e;
  std::string_view rest = line;

  const std::string_view start = NextToken(rest, '-');
  const std::optional<uint64_t> start_value = ParseUnsigned(start, 16);
  if (!start_value) return FieldError("start", "a hex address followed by '-'", start);
  const std::string_view end = NextToken(rest, ' ');
  const std::optional<uint64_t> end_value = ParseUnsigned(end, 16);
  if (!end_value) return FieldError("end", "a hex address followed by ' '", end);
  if (*end_value < *start_value) return FieldError("end", "an address >= start", end);
  e.start = *start_value;
  e.end = *end_value;

  const std::string_view perms = NextToken(rest, ' ');
  if (perms.size() != 4 || (perms[0] != 'r' && perms[0] != '-') || (perms[1] != 'w' && perms[1] != '-') ||
      (perms[2] != 'x' && perms[2] != '-') || (perms[3] != 's' && perms[3] != 'p')) {
    return FieldError("perms", "four characters [r-][w-][x-][sp]", perms);
  }
  e.read = perms[0] == 'r';
  e.write = perms[1] == 'w';
  e.exec = perms[2] == 'x';
  e.shared = perms[3] == 's';

  const std::string_view offset = NextToken(rest, ' ');
  const std::optional<uint64_t> offset_value = ParseUnsigned(offset, 16);
  if (!offset_value) return FieldError("offset", "a hex number", offset);
  e.offset = *offset_value;

  const std::string_view dev = NextToken(rest, ' ');
  std::string_view minor = dev;
  const std::string_view major = NextToken(minor, ':');
  const std::optional<uint64_t> major_value = ParseUnsigned(major, 16);
  const std::optional<uint64_t> minor_value = ParseUnsigned(minor, 16);
  constexpr uint64_t kU32Max = std::numeric_limits<uint32_t>::max();
  if (!major_value || !minor_value || *major_value > kU32Max || *minor_value > kU32Max ||
      dev.find(':') == std::string_view::npos) {
    return FieldError("dev", "hex major ':' hex minor", dev);
  }
  e.dev_major = static_cast<uint32_t>(*major_value);
  e.dev_minor = static_cast<uint32_t>(*minor_value);

  const std::string_view inode = NextToken(rest, ' ');
  const std::optional<uint64_t> inode_value = ParseUnsigned(inode, 10);
  if (!inode_value) return FieldError("inode", "a decimal number", inode);
  e.inode = *inode_value;

  // The path follows the padding; real paths never start with a space ('/', '[', "anon_inode:").
  const size_t path_start = rest.find_first_not_of(' ');
  e.path_raw = path_start == std::string_view::npos ? std::string() : std::string(rest.substr(path_start));
  std::string_view undeleted = e.path_raw;
  if (undeleted.ends_with(kDeletedSuffix)) {
    e.deleted = true;
    undeleted.remove_suffix(kDeletedSuffix.size());
  }
  e.path = DecodePath(undeleted);
  e.kind = e.deleted ? MapsKind::kFile : KindOf(e.path);
  return e;
}

StatusOr<std::vector<MapsEntry>> ParseMaps(std::string_view text) {
  return procfs_internal::ParseLines<MapsEntry>(text, ParseMapsLine);
}

std::string MapsEntry::Perms() const {
  return {read ? 'r' : '-', write ? 'w' : '-', exec ? 'x' : '-', shared ? 's' : 'p'};
}

std::string MapsEntry::ToString() const {
  char prefix[160];
  const int n = std::snprintf(prefix, sizeof prefix, "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " %02x:%02x %" PRIu64 " ",
                              start, end, Perms().c_str(), offset, dev_major, dev_minor, inode);
  std::string out(prefix, n > 0 ? static_cast<size_t>(n) : 0);
  if (!path_raw.empty()) {
    if (out.size() < kPadWidth) out.append(kPadWidth - out.size(), ' ');
    out += ' ';
    out += path_raw;
  }
  return out;
}

}  // namespace procscope
