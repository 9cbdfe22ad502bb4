// Fuzz target for ParseStat. Invariants of an accepted text: the name ends right before the last ')' and
// starts after the first '('; field_count >= 3; printing it back and parsing again gives the same ProcStat.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backend/procfs/stat.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  procscope::StatusOr<procscope::ProcStat> stat = procscope::ParseStat(text);
  if (!stat.ok()) {
    FUZZ_CHECK(!stat.status().message().empty());
    return 0;
  }
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  FUZZ_CHECK(open != std::string_view::npos && close != std::string_view::npos);
  FUZZ_CHECK(close == open + 1 + stat->comm.size());
  FUZZ_CHECK(text.substr(open + 1, stat->comm.size()) == stat->comm);
  FUZZ_CHECK(stat->field_count >= 3);
  FUZZ_CHECK(stat->env_start.has_value() == (stat->field_count >= 50));

  procscope::StatusOr<procscope::ProcStat> again = procscope::ParseStat(stat->ToString());
  FUZZ_CHECK(again.ok());
  procscope::ProcStat expected = *stat;
  if (expected.field_count > 52) expected.field_count = 52;  // fields after 52 are not printed back
  FUZZ_CHECK(*again == expected);
  if (stat->exit_code) (void)procscope::ExitCodeFromWaitStatus(*stat->exit_code);
  return 0;
}
