// Judging one batch a plugin ran: its per-element results, its return value, the bytes it read and (for
// writes) what the target's memory holds afterwards, against the ground truth of the layout
// (fixtures/ground_truth.h, with the target's own protections: nothing forced). Pure.
#ifndef PROCSCOPE_TOOLS_CONFORM_JUDGE_H_
#define PROCSCOPE_TOOLS_CONFORM_JUDGE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "backend/memory/batch.h"
#include "fixtures/layout.h"
#include "tools/conform/worker.h"

namespace procscope::conform {

// What a correct backend answers for `spans` on `regions` (dead: the target has exited).
std::vector<ElementResult> ExpectedResults(const std::vector<fixtures::Region>& regions, bool dead,
                                           Direction direction, std::span<const Span> spans);

// The errno a result is compared by: EIO counts as EFAULT, EINVAL as EOVERFLOW (procscope_backend.h).
int ErrorClass(int error);
// "8 bytes, ok" / "4 bytes, EFAULT".
std::string ResultText(const ElementResult& r);

// The target's bytes after a write batch, read back (forced) over the layout's mapped regions; bytes that
// could not be read back are absent.
struct TargetBytes {
  uint64_t address = 0;
  std::string bytes;
};

struct Verdict {
  bool passed = true;
  std::string problem;  // the first thing found wrong, one line
  std::vector<ElementResult> expected;
};

// `after` is used for writes only.
Verdict Judge(const std::vector<fixtures::Region>& regions, bool dead, Direction direction,
              std::span<const Span> spans, const BatchOutcome& outcome,
              const std::vector<TargetBytes>& after);

}  // namespace procscope::conform

#endif  // PROCSCOPE_TOOLS_CONFORM_JUDGE_H_
