// Fuzz target for ParseModules. Invariants of an accepted text: one module per line, handle == FNV-1a of the
// name, no empty dependency names, and printing a module back and parsing it again gives the same module.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backend/procfs/modules.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  procscope::StatusOr<std::vector<procscope::KernelModule>> modules = procscope::ParseModules(text);
  if (!modules.ok()) {
    FUZZ_CHECK(modules.status().message().rfind("line ", 0) == 0);
    return 0;
  }
  for (const procscope::KernelModule& m : *modules) {
    FUZZ_CHECK(!m.name.empty());
    FUZZ_CHECK(m.handle == procscope::Fnv1a64(m.name));
    for (const std::string& user : m.used_by) FUZZ_CHECK(!user.empty());
    procscope::StatusOr<procscope::KernelModule> again = procscope::ParseModulesLine(m.ToString());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == m);
  }
  return 0;
}
