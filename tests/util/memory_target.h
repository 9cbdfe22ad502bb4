// Test-only: a process whose memory has a known layout, either this test process ("self") or a
// fixtures/holes child ("child"), behind one interface so every engine test runs against both.
#ifndef PROCSCOPE_TESTS_UTIL_MEMORY_TARGET_H_
#define PROCSCOPE_TESTS_UTIL_MEMORY_TARGET_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/status.h"
#include "fixtures/layout.h"

namespace procscope::testing {

class MemoryTarget {
 public:
  virtual ~MemoryTarget() = default;
  virtual pid_t pid() const = 0;
  virtual const std::vector<fixtures::Region>& regions() const = 0;
  // The target's bytes, read without procscope's engine (pread on /proc/self/mem for self, the fixture's own
  // `dump` command for a child), so a write can be verified independently. The range must be mapped.
  virtual StatusOr<std::vector<uint8_t>> ReadBack(uint64_t address, uint64_t length) = 0;
  // Writes the pattern back into every mapped page.
  virtual Status Reset() = 0;
};

// "self" or "child", with the layout `spec` (fixtures/layout.h).
StatusOr<std::unique_ptr<MemoryTarget>> MakeMemoryTarget(const std::string& where, const std::string& spec);

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_MEMORY_TARGET_H_
