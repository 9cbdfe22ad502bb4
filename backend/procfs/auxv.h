// Parsers for the auxiliary vector: /proc/<pid>/auxv, and the copy on the process's initial stack.
//
//   StatusOr<std::vector<AuxvEntry>> aux = ParseAuxv(ReadFileToString("/proc/1/auxv").value());
//   std::optional<uint64_t> phdr = AuxvValue(*aux, AT_PHDR);
//
// Both are pure functions over little-endian bytes in the word size of the process: 8-byte words for an LP64
// process, 4-byte words for a 32-bit one (an i386 program on x86_64: its stack and the kernel's copy in
// /proc/<pid>/auxv are both made of 32-bit words). Measured on Linux 6.18 + glibc 2.36
// (tests/process_modules_test.cc pins it): /proc/<pid>/auxv is the kernel's copy made at exec time, so for
// a program started as `ld.so ./prog` it describes ld.so (AT_PHDR/AT_ENTRY of the loader). glibc's loader
// rewrites AT_PHDR, AT_PHNUM and AT_ENTRY in the vector on the stack to describe `prog`; only that copy names
// the main program. ParseInitialStack reads it from the bytes at the stack pointer the process started with
// (stat field 28, startstack): argc, argv[], NULL, envp[], NULL, then the auxv pairs.
#ifndef PROCSCOPE_BACKEND_PROCFS_AUXV_H_
#define PROCSCOPE_BACKEND_PROCFS_AUXV_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "backend/status.h"

namespace procscope {

// The word size of the process the bytes come from (ElfIdentity::is_64bit of its executable).
enum class WordSize { k32 = 4, k64 = 8 };

struct AuxvEntry {
  uint64_t type = 0;  // AT_* (AT_NULL, the terminator, is not included)
  uint64_t value = 0;
  friend bool operator==(const AuxvEntry&, const AuxvEntry&) = default;
};

// The entries up to (not including) AT_NULL. EINVAL when the text is not a whole number of pairs (16 bytes,
// or 8 for 32-bit words) or has no AT_NULL pair.
[[nodiscard]] StatusOr<std::vector<AuxvEntry>> ParseAuxv(std::string_view bytes,
                                                         WordSize word = WordSize::k64);

// The auxv of an initial stack image that starts at argc. EINVAL when argc is absurd (over 2^24), or when the
// bytes end before the AT_NULL pair (then the caller read too little: ENODATA, not EINVAL).
[[nodiscard]] StatusOr<std::vector<AuxvEntry>> ParseInitialStack(std::string_view bytes,
                                                                 WordSize word = WordSize::k64);

// The value of the first entry of `type`, nullopt if there is none.
std::optional<uint64_t> AuxvValue(std::span<const AuxvEntry> entries, uint64_t type);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_AUXV_H_
