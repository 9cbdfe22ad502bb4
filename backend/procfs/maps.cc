#include "backend/procfs/maps.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <type_traits>

#include "backend/procfs/parse_util.h"

namespace procscope {
namespace {

using procfs_internal::ConsumeChar;
using procfs_internal::ConsumeUnsigned;
using procfs_internal::FieldError;

constexpr std::string_view kDeletedSuffix = " (deleted)";
constexpr std::string_view kEscapedNewline = "\\012";
// The kernel pads the text before the path to this width (seq_setwidth(25 + sizeof(void*) * 6 - 1)), then
// adds one space: on 64-bit kernels the path starts at column 73 (measured on 6.18).
constexpr size_t kPadWidth = 72;

std::string DecodePath(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);  // the common case
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

// Which field of "start-end perms " failed to parse (kNone: all of them parsed).
enum class HeadError { kNone, kStart, kEnd, kOrder, kPerms };

// "start-end perms " at the front of `rest`, consumed into `e`: what both parsers read. No Status on the
// way (ParseMapsRanges runs it once per line of a maps file, and building a Status per line was a tenth of
// its cost); `rest` is left at the field that failed.
template <typename Entry>
[[gnu::always_inline]] inline HeadError ScanHead(std::string_view& rest, Entry& e) {
  if (!ConsumeUnsigned<16>(rest, e.start) || !ConsumeChar(rest, '-')) return HeadError::kStart;
  if (!ConsumeUnsigned<16>(rest, e.end) || !ConsumeChar(rest, ' ')) return HeadError::kEnd;
  if (e.end < e.start) return HeadError::kOrder;
  if (rest.size() < 5 || rest[4] != ' ' || (rest[0] != 'r' && rest[0] != '-') ||
      (rest[1] != 'w' && rest[1] != '-') || (rest[2] != 'x' && rest[2] != '-') ||
      (rest[3] != 's' && rest[3] != 'p')) {
    return HeadError::kPerms;
  }
  e.read = rest[0] == 'r';
  e.write = rest[1] == 'w';
  if constexpr (std::is_same_v<Entry, MapsEntry>) {
    e.exec = rest[2] == 'x';
    e.shared = rest[3] == 's';
  }
  rest.remove_prefix(5);
  return HeadError::kNone;
}

// ScanHead with the error said: the message names the field and quotes what was found there.
template <typename Entry>
Status ParseHead(std::string_view line, std::string_view& rest, Entry& e) {
  const HeadError error = ScanHead(rest, e);
  // The token at the front of `rest` (up to the next space).
  const std::string_view here = rest.substr(0, rest.find(' '));
  switch (error) {
    case HeadError::kNone:
      return OkStatus();
    case HeadError::kStart:
      return FieldError("start", "a hex address followed by '-'", here);
    case HeadError::kEnd:
      return FieldError("end", "a hex address followed by ' '", here);
    case HeadError::kOrder:
      return FieldError("end", "an address >= start", line.substr(0, line.find(' ')));
    case HeadError::kPerms:
      return FieldError("perms", "four characters [r-][w-][x-][sp] and a space", here);
  }
  return OkStatus();
}

// Fills `e` (default-constructed) from one line; the parsers' shared core.
Status ParseMapsLineInto(std::string_view line, MapsEntry& e) {
  std::string_view rest = line;
  // The token at the front of `rest` (up to the next space), for error messages only.
  auto here = [&rest] { return rest.substr(0, rest.find(' ')); };
  if (Status head = ParseHead(line, rest, e); !head.ok()) return head;

  if (!ConsumeUnsigned<16>(rest, e.offset) || !ConsumeChar(rest, ' ')) {
    return FieldError("offset", "a hex number followed by ' '", here());
  }

  const std::string_view dev = here();
  uint64_t major = 0, minor = 0;
  constexpr uint64_t kU32Max = std::numeric_limits<uint32_t>::max();
  if (!ConsumeUnsigned<16>(rest, major) || !ConsumeChar(rest, ':') || !ConsumeUnsigned<16>(rest, minor) ||
      (!rest.empty() && rest.front() != ' ') || major > kU32Max || minor > kU32Max) {
    return FieldError("dev", "hex major ':' hex minor", dev);
  }
  e.dev_major = static_cast<uint32_t>(major);
  e.dev_minor = static_cast<uint32_t>(minor);

  // The inode ends the line or is followed by the padding before the path.
  if (!ConsumeChar(rest, ' ') || !ConsumeUnsigned<10>(rest, e.inode) ||
      (!rest.empty() && rest.front() != ' ')) {
    return FieldError("inode", "a decimal number", here());
  }

  // The path follows the padding; real paths never start with a space ('/', '[', "anon_inode:").
  const size_t path_start = rest.find_first_not_of(' ');
  if (path_start == std::string_view::npos) return OkStatus();  // anonymous: kind and paths stay empty
  const std::string_view raw = rest.substr(path_start);
  e.path_raw.assign(raw);
  e.deleted = raw.ends_with(kDeletedSuffix);
  e.kind = e.deleted ? MapsKind::kFile : KindOf(raw);  // escapes never touch the brackets
  return OkStatus();
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
  Status status = ParseMapsLineInto(line, e);
  if (!status.ok()) return status;
  return e;
}

StatusOr<std::vector<MapsEntry>> ParseMaps(std::string_view text) {
  return procfs_internal::ParseLines<MapsEntry>(text, ParseMapsLineInto);
}

namespace {

// ParseMapsRanges checking line by line: the error of the first line that does not scan.
StatusOr<std::vector<MapsRange>> ParseRangesSlowly(std::string_view text) {
  return procfs_internal::ParseLines<MapsRange>(text, [](std::string_view line, MapsRange& r) {
    std::string_view line_rest = line;
    return ParseHead(line, line_rest, r);
  });
}

// Scans every line's head into `range` and calls on_range(range) after each; false at the first line that
// does not scan (an empty one included), which ParseRangesSlowly then explains. No Status per line.
template <typename OnRange>
[[gnu::always_inline]] inline bool ScanRanges(std::string_view text, MapsRange& range, OnRange on_range) {
  for (std::string_view rest = text; !rest.empty();) {
    const size_t newline = rest.find('\n');
    std::string_view head = rest;
    if (newline == 0 || ScanHead(head, range) != HeadError::kNone) return false;
    on_range();
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
  }
  return true;
}

}  // namespace

StatusOr<std::vector<MapsRange>> ParseMapsRanges(std::string_view text) {
  std::vector<MapsRange> ranges;
  ranges.reserve(procfs_internal::CountByte(text, '\n') + 1);
  MapsRange range;
  if (!ScanRanges(text, range, [&] { ranges.push_back(range); })) return ParseRangesSlowly(text);
  return ranges;
}

StatusOr<std::vector<MapsSpan>> ParseMapsSpans(std::string_view text, MapsPermission permission) {
  std::vector<MapsSpan> spans;
  MapsRange range;
  const bool write = permission == MapsPermission::kWrite;
  const bool scanned = ScanRanges(text, range, [&] {
    if (!(write ? range.write : range.read) || range.start == range.end) return;
    if (!spans.empty() && spans.back().end == range.start) {
      spans.back().end = range.end;
    } else {
      spans.push_back({range.start, range.end});
    }
  });
  if (scanned) return spans;
  StatusOr<std::vector<MapsRange>> explained = ParseRangesSlowly(text);
  if (!explained.ok()) return explained.status();
  return Status(EINVAL, "maps: a line failed to scan but parses");  // cannot happen: both read the same heads
}

std::string MapsEntry::path() const {
  std::string_view undeleted = path_raw;
  if (deleted) undeleted.remove_suffix(kDeletedSuffix.size());
  return DecodePath(undeleted);
}

std::string MapsEntry::Perms() const {
  return {read ? 'r' : '-', write ? 'w' : '-', exec ? 'x' : '-', shared ? 's' : 'p'};
}

std::string MapsEntry::ToString() const {
  char prefix[160];
  const int n = std::snprintf(prefix, sizeof prefix,
                              "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " %02x:%02x %" PRIu64 " ", start,
                              end, Perms().c_str(), offset, dev_major, dev_minor, inode);
  std::string out(prefix, n > 0 ? static_cast<size_t>(n) : 0);
  if (!path_raw.empty()) {
    if (out.size() < kPadWidth) out.append(kPadWidth - out.size(), ' ');
    out += ' ';
    out += path_raw;
  }
  return out;
}

}  // namespace procscope
