#include "backend/procfs/auxv.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace procscope {
namespace {

uint64_t Word(std::string_view bytes, size_t index) {
  uint64_t w;
  std::memcpy(&w, bytes.data() + index * 8, 8);
  return w;
}

// Reads auxv pairs from word `first` on; `*complete` says whether AT_NULL was reached.
std::vector<AuxvEntry> ReadPairs(std::string_view bytes, size_t first, bool* complete) {
  std::vector<AuxvEntry> entries;
  const size_t words = bytes.size() / 8;
  *complete = false;
  for (size_t i = first; i + 1 < words; i += 2) {
    const uint64_t type = Word(bytes, i);
    if (type == 0) {
      *complete = true;
      break;
    }
    entries.push_back({type, Word(bytes, i + 1)});
  }
  return entries;
}

}  // namespace

StatusOr<std::vector<AuxvEntry>> ParseAuxv(std::string_view bytes) {
  if (bytes.size() % 16 != 0) {
    return Status(EINVAL, "auxv: " + std::to_string(bytes.size()) + " bytes is not a whole number of pairs");
  }
  bool complete;
  std::vector<AuxvEntry> entries = ReadPairs(bytes, 0, &complete);
  if (!complete) return Status(EINVAL, "auxv: no AT_NULL entry");
  return entries;
}

StatusOr<std::vector<AuxvEntry>> ParseInitialStack(std::string_view bytes) {
  const size_t words = bytes.size() / 8;
  if (words == 0) return Status(ENODATA, "initial stack: no argc");
  const uint64_t argc = Word(bytes, 0);
  if (argc > (uint64_t{1} << 24)) return Status(EINVAL, "initial stack: argc " + std::to_string(argc));
  size_t i = 1 + argc;  // argv[argc] must be NULL
  if (i >= words) return Status(ENODATA, "initial stack: ends inside argv");
  if (Word(bytes, i) != 0) return Status(EINVAL, "initial stack: argv[argc] is not NULL");
  ++i;
  while (i < words && Word(bytes, i) != 0) ++i;  // envp
  if (i >= words) return Status(ENODATA, "initial stack: ends inside envp");
  bool complete;
  std::vector<AuxvEntry> entries = ReadPairs(bytes, i + 1, &complete);
  if (!complete) return Status(ENODATA, "initial stack: ends inside auxv");
  return entries;
}

std::optional<uint64_t> AuxvValue(std::span<const AuxvEntry> entries, uint64_t type) {
  for (const AuxvEntry& e : entries)
    if (e.type == type) return e.value;
  return std::nullopt;
}

}  // namespace procscope
