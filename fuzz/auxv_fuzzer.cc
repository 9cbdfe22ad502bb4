// Fuzz target for ParseAuxv and ParseInitialStack (the same bytes go to both). Invariants: an accepted auxv
// is whole pairs and its entries re-encode to the input's prefix up to AT_NULL; no entry is AT_NULL; the
// initial-stack parser fails only with EINVAL (not a stack) or ENODATA (too few bytes).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "backend/procfs/auxv.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  procscope::StatusOr<std::vector<procscope::AuxvEntry>> aux = procscope::ParseAuxv(bytes);
  if (aux.ok()) {
    FUZZ_CHECK(size % 16 == 0);
    FUZZ_CHECK(aux->size() < size / 16);
    std::string encoded((aux->size() + 1) * 16, '\0');
    for (size_t i = 0; i < aux->size(); ++i) {
      FUZZ_CHECK((*aux)[i].type != 0);
      std::memcpy(encoded.data() + i * 16, &(*aux)[i].type, 8);
      std::memcpy(encoded.data() + i * 16 + 8, &(*aux)[i].value, 8);
    }
    FUZZ_CHECK(bytes.substr(0, encoded.size() - 8) ==
               std::string_view(encoded).substr(0, encoded.size() - 8));
  } else {
    FUZZ_CHECK(aux.status().error_number() == EINVAL);
  }
  procscope::StatusOr<std::vector<procscope::AuxvEntry>> stack = procscope::ParseInitialStack(bytes);
  if (stack.ok()) {
    FUZZ_CHECK(stack->size() * 16 < size);
    for (const procscope::AuxvEntry& e : *stack) FUZZ_CHECK(e.type != 0);
  } else {
    FUZZ_CHECK(stack.status().error_number() == EINVAL || stack.status().error_number() == ENODATA);
  }
  return 0;
}
