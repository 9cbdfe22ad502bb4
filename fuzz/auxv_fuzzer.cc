// Fuzz target for ParseAuxv and ParseInitialStack (the same bytes go to both, read as 64-bit words and again
// as 32-bit words). Invariants: an accepted auxv is whole pairs and its entries re-encode to the input's
// prefix up to AT_NULL; no entry is AT_NULL; the initial-stack parser fails only with EINVAL (not a stack) or
// ENODATA (too few bytes).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "backend/procfs/auxv.h"
#include "fuzz/fuzz_check.h"

namespace {

// The invariants for one word size (8: an LP64 process, 4: a 32-bit one).
void Check(std::string_view bytes, procscope::WordSize word_size) {
  const size_t word = static_cast<size_t>(word_size), pair = 2 * word;
  procscope::StatusOr<std::vector<procscope::AuxvEntry>> aux = procscope::ParseAuxv(bytes, word_size);
  if (aux.ok()) {
    FUZZ_CHECK(bytes.size() % pair == 0);
    FUZZ_CHECK(aux->size() < bytes.size() / pair);
    std::string encoded((aux->size() + 1) * pair, '\0');
    for (size_t i = 0; i < aux->size(); ++i) {
      FUZZ_CHECK((*aux)[i].type != 0);
      if (word == 4) FUZZ_CHECK((*aux)[i].type <= UINT32_MAX && (*aux)[i].value <= UINT32_MAX);
      std::memcpy(encoded.data() + i * pair, &(*aux)[i].type, word);  // little endian: the low bytes
      std::memcpy(encoded.data() + i * pair + word, &(*aux)[i].value, word);
    }
    FUZZ_CHECK(bytes.substr(0, encoded.size() - word) ==
               std::string_view(encoded).substr(0, encoded.size() - word));
  } else {
    FUZZ_CHECK(aux.status().error_number() == EINVAL);
  }
  procscope::StatusOr<std::vector<procscope::AuxvEntry>> stack =
      procscope::ParseInitialStack(bytes, word_size);
  if (stack.ok()) {
    FUZZ_CHECK(stack->size() * pair < bytes.size());
    for (const procscope::AuxvEntry& e : *stack) FUZZ_CHECK(e.type != 0);
  } else {
    FUZZ_CHECK(stack.status().error_number() == EINVAL || stack.status().error_number() == ENODATA);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Check(bytes, procscope::WordSize::k64);
  Check(bytes, procscope::WordSize::k32);
  return 0;
}
