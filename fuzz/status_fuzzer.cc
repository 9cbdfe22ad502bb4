// Fuzz target for ParseStatus. Invariants of an accepted text: known fields are in range (Seccomp 0..2), and
// printing the parsed fields back and parsing again gives the same fields. A rejected text names its line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backend/procfs/status.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  procscope::StatusOr<procscope::ProcStatus> status = procscope::ParseStatus(text);
  if (!status.ok()) {
    FUZZ_CHECK(status.status().message().rfind("line ", 0) == 0);
    return 0;
  }
  if (status->seccomp) FUZZ_CHECK(*status->seccomp >= 0 && *status->seccomp <= 2);
  if (status->tracer_pid) FUZZ_CHECK(*status->tracer_pid >= 0);
  if (status->name) FUZZ_CHECK(status->name->find('\n') == std::string::npos);
  procscope::StatusOr<procscope::ProcStatus> again = procscope::ParseStatus(procscope::FormatStatus(*status));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *status);
  return 0;
}
