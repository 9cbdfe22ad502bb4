#include "backend/procfs/auxv.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace procscope {
namespace {

// Little-endian words of 4 or 8 bytes.
class Words {
 public:
  Words(std::string_view bytes, WordSize word) : bytes_(bytes), size_(static_cast<size_t>(word)) {}
  size_t count() const { return bytes_.size() / size_; }
  size_t size() const { return size_; }
  uint64_t operator[](size_t index) const {
    if (size_ == 4) {
      uint32_t w;
      std::memcpy(&w, bytes_.data() + index * 4, 4);
      return w;
    }
    uint64_t w;
    std::memcpy(&w, bytes_.data() + index * 8, 8);
    return w;
  }

 private:
  std::string_view bytes_;
  size_t size_;
};

// Reads auxv pairs from word `first` on; `*complete` says whether AT_NULL was reached.
std::vector<AuxvEntry> ReadPairs(const Words& words, size_t first, bool* complete) {
  std::vector<AuxvEntry> entries;
  *complete = false;
  for (size_t i = first; i + 1 < words.count(); i += 2) {
    const uint64_t type = words[i];
    if (type == 0) {
      *complete = true;
      break;
    }
    entries.push_back({type, words[i + 1]});
  }
  return entries;
}

}  // namespace

StatusOr<std::vector<AuxvEntry>> ParseAuxv(std::string_view bytes, WordSize word) {
  const Words words(bytes, word);
  if (bytes.size() % (2 * words.size()) != 0) {
    return Status(EINVAL, "auxv: " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                              std::to_string(2 * words.size()) + "-byte pairs");
  }
  bool complete;
  std::vector<AuxvEntry> entries = ReadPairs(words, 0, &complete);
  if (!complete) return Status(EINVAL, "auxv: no AT_NULL entry");
  return entries;
}

StatusOr<std::vector<AuxvEntry>> ParseInitialStack(std::string_view bytes, WordSize word) {
  const Words w(bytes, word);
  const size_t words = w.count();
  if (words == 0) return Status(ENODATA, "initial stack: no argc");
  const uint64_t argc = w[0];
  if (argc > (uint64_t{1} << 24)) return Status(EINVAL, "initial stack: argc " + std::to_string(argc));
  size_t i = 1 + argc;  // argv[argc] must be NULL
  if (i >= words) return Status(ENODATA, "initial stack: ends inside argv");
  if (w[i] != 0) return Status(EINVAL, "initial stack: argv[argc] is not NULL");
  ++i;
  while (i < words && w[i] != 0) ++i;  // envp
  if (i >= words) return Status(ENODATA, "initial stack: ends inside envp");
  bool complete;
  std::vector<AuxvEntry> entries = ReadPairs(w, i + 1, &complete);
  if (!complete) return Status(ENODATA, "initial stack: ends inside auxv");
  return entries;
}

std::optional<uint64_t> AuxvValue(std::span<const AuxvEntry> entries, uint64_t type) {
  for (const AuxvEntry& e : entries)
    if (e.type == type) return e.value;
  return std::nullopt;
}

}  // namespace procscope
