// Fuzz target for ParseCmdline. Invariant: joining the arguments with NULs (plus the final NUL when the text
// had one) gives back the text exactly; no argument contains a NUL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "backend/procfs/cmdline.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> args = procscope::ParseCmdline(text);
  std::string rebuilt;
  for (size_t i = 0; i < args.size(); ++i) {
    FUZZ_CHECK(args[i].find('\0') == std::string::npos);
    if (i > 0) rebuilt += '\0';
    rebuilt += args[i];
  }
  if (!text.empty() && text.back() == '\0') rebuilt += '\0';
  FUZZ_CHECK(rebuilt == text);
  return 0;
}
