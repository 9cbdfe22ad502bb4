// Parser for /proc/<pid>/maps.
//
//   StatusOr<std::vector<MapsEntry>> maps = ParseMaps(text);
//   for (const MapsEntry& e : *maps) if (e.kind == MapsKind::kFile) Use(e.path);
//
// Pure functions over bytes; every input gives entries or an EINVAL Status naming the line and field.
// What the kernel prints, and so what this parser assumes (measured, see backend/KERNEL_FACTS.md):
// - The path starts after the padding that follows the inode column and runs to the end of the line:
//   inner and trailing spaces belong to it.
// - Only '\n' is escaped in a path, as the four characters "\012". A real backslash is printed as is, so a
//   file literally named "a\012" prints exactly like "a<newline>": `path` decodes "\012" to '\n' and
//   `path_raw` keeps the printed text so a caller can tell the two apart by other means.
// - " (deleted)" is appended to unlinked files; a live file may really be named "x (deleted)". The parser
//   cannot tell these apart: it sets `deleted` and removes the suffix from `path` in both cases.
#ifndef PROCSCOPE_BACKEND_PROCFS_MAPS_H_
#define PROCSCOPE_BACKEND_PROCFS_MAPS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "backend/status.h"

namespace procscope {

enum class MapsKind {
  kFile,       // any path that is not bracketed (also "anon_inode:..." and memfd "/memfd:NAME")
  kAnonymous,  // no path
  kHeap,       // [heap]
  kStack,      // [stack]
  kVdso,       // [vdso]
  kVvar,       // [vvar], and [vvar_vclock] (Linux 6.13 split the vvar area in two)
  kVsyscall,   // [vsyscall]
  kAnonNamed,  // [anon:NAME] (prctl PR_SET_VMA_ANON_NAME, CONFIG_ANON_VMA_NAME)
  kSpecial,    // any other bracketed name, e.g. [stack:1234] (old kernels), [uprobes]
};
// "file", "anonymous", "heap", "stack", "vdso", "vvar", "vsyscall", "anon_named", "special".
std::string_view MapsKindName(MapsKind kind);

struct MapsEntry {
  uint64_t start = 0;  // start <= end (an accepted line never has start > end)
  uint64_t end = 0;
  bool read = false, write = false, exec = false;
  bool shared = false;  // 's' (shared) vs 'p' (private)
  uint64_t offset = 0;
  uint32_t dev_major = 0, dev_minor = 0;  // printed in hex
  uint64_t inode = 0;
  std::string path_raw;  // exactly as printed after the padding, suffix and escapes included
  bool deleted = false;  // path_raw ends with " (deleted)"
  MapsKind kind = MapsKind::kAnonymous;

  // The path: path_raw without " (deleted)" and with "\012" decoded to '\n'. Derived on each call rather
  // than stored, because a second string per line was a third of the parse cost (bench/).
  std::string path() const;
  std::string Perms() const;  // e.g. "r-xp"
  // The entry as the kernel prints it (64-bit layout), without a trailing newline.
  std::string ToString() const;
  friend bool operator==(const MapsEntry&, const MapsEntry&) = default;
};
// gtest prints entries in their /proc form.
inline void PrintTo(const MapsEntry& v, std::ostream* os) { *os << v.ToString(); }

// One line, without its '\n'.
[[nodiscard]] StatusOr<MapsEntry> ParseMapsLine(std::string_view line);
// A whole file. Lines are separated by '\n'; the final newline is optional; an empty line is an error.
[[nodiscard]] StatusOr<std::vector<MapsEntry>> ParseMaps(std::string_view text);

// Only what decides access, for the memory engine's maps snapshots: [start, end) and read/write. Each line's
// start, end and permissions are checked as ParseMaps checks them; the rest of the line is not looked at,
// which makes this several times cheaper (a text ParseMaps accepts gives the same ranges; maps_fuzzer holds
// the two to that).
struct MapsRange {
  uint64_t start = 0, end = 0;
  bool read = false, write = false;
  friend bool operator==(const MapsRange&, const MapsRange&) = default;
};
[[nodiscard]] StatusOr<std::vector<MapsRange>> ParseMapsRanges(std::string_view text);

// ParseMapsRanges narrowed to one permission, for the engine's classification: [start, end) of every
// non-empty line that allows `permission`, in the text's order, a span that begins where the previous one
// ends joined to it. The same checks and errors as ParseMapsRanges, in one pass without a vector per line.
enum class MapsPermission { kRead, kWrite };
struct MapsSpan {
  uint64_t start = 0, end = 0;
  friend bool operator==(const MapsSpan&, const MapsSpan&) = default;
};
[[nodiscard]] StatusOr<std::vector<MapsSpan>> ParseMapsSpans(std::string_view text,
                                                             MapsPermission permission);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_MAPS_H_
