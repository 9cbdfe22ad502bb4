// Fuzz target for ParseEnviron. Invariants: the entries tile the block exactly (each starts right after the
// previous one's NUL, the last ends at the block's end), every entry's bytes are name '=' value (or value
// alone when there is no '='), and no entry contains a NUL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "backend/procfs/environ.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view block(reinterpret_cast<const char*>(data), size);
  const procscope::Environ env = procscope::ParseEnviron(block);
  FUZZ_CHECK(env.size == size);
  FUZZ_CHECK(env.terminated == (size == 0 || block.back() == '\0'));
  uint64_t next = 0;
  for (const procscope::EnvironEntry& e : env.entries) {
    FUZZ_CHECK(e.offset == next);
    FUZZ_CHECK(e.offset + e.length <= size);
    const std::string_view bytes = block.substr(e.offset, e.length);
    FUZZ_CHECK(bytes.find('\0') == std::string_view::npos);
    const std::string rebuilt = e.name ? *e.name + "=" + e.value : e.value;
    FUZZ_CHECK(rebuilt == bytes);
    FUZZ_CHECK(!e.name || e.name->find('=') == std::string::npos);
    next = e.offset + e.length + 1;
  }
  FUZZ_CHECK((env.terminated ? next : next - 1) == size);
  return 0;
}
