// A faithful C++ model of memflow-native's Linux `process_rw` (src/linux/mem.rs as of its commit fc95461,
// before the fix). It exists to reproduce that backend's partial-transfer bug on a live process: `procscope
// repro partial-transfer` runs it beside the engine, and tests/legacy_repro_test.cc proves that procscope's
// regression checks catch the bug. Never use it to read memory for real.
//
// What it does wrong, modelled exactly:
// - After a short call it retries from the element after the one it reported as failed ("offset"), but its
//   result loop walks the iovec arrays from index 0 again, so results are attributed to earlier elements.
// - It counts `remaining = returned + 1` and reports an element as read while remaining > 0, so the element
//   right after a fully read prefix is reported as read although nothing was copied into it.
// - On -1/EFAULT (and ENOMEM) it treats the return as a count: in Rust release builds (-1 as usize) + 1 wraps
//   to 0, which reports the first element as failed and goes on.
#ifndef PROCSCOPE_TOOLS_REPRO_MEMFLOW_PROCESS_RW_H_
#define PROCSCOPE_TOOLS_REPRO_MEMFLOW_PROCESS_RW_H_

#include <span>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/memory/memory_backend.h"
#include "backend/status.h"

namespace procscope::legacy {

// One callback memflow-native made: element `element` passed to `out` (ok) or to `out_fail`.
struct LegacyReport {
  size_t element;
  bool ok;
  friend bool operator==(const LegacyReport&, const LegacyReport&) = default;
};

// Runs the legacy loop with `iov_max` iovecs per side (memflow used sysconf(_SC_IOV_MAX) = 1024). Returns the
// reports in the order memflow-native made them, or the error it returned (ESRCH, EPERM, EINVAL, ...).
StatusOr<std::vector<LegacyReport>> LegacyProcessRw(MemoryBackend& memory, Direction direction,
                                                    std::span<const Element> elements,
                                                    size_t iov_max = kIovMax);

}  // namespace procscope::legacy

#endif  // PROCSCOPE_TOOLS_REPRO_MEMFLOW_PROCESS_RW_H_
