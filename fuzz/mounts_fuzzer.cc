// Fuzz target for ParseMounts. Invariants of an accepted text: one entry per line, no empty source, target
// or fstype, and printing an entry back (escaped) and parsing it again gives the same entry.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backend/procfs/mounts.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  procscope::StatusOr<std::vector<procscope::MountEntry>> mounts = procscope::ParseMounts(text);
  if (!mounts.ok()) {
    FUZZ_CHECK(mounts.status().message().rfind("line ", 0) == 0);
    return 0;
  }
  for (const procscope::MountEntry& m : *mounts) {
    FUZZ_CHECK(!m.source.empty() && !m.target.empty() && !m.fstype.empty() && !m.options.empty());
    procscope::StatusOr<std::vector<procscope::MountEntry>> again =
        procscope::ParseMounts(procscope::FormatMountEntry(m));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->size() == 1 && (*again)[0] == m);
    (void)procscope::MountOption(m.options, "hidepid");
  }
  return 0;
}
