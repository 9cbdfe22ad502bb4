// Test-only: random batches over a fixtures/layout.h layout, and the check every transfer must pass even
// when the target changes under it (killed, remapped): no byte attributed to the wrong element.
#ifndef PROCSCOPE_TESTS_UTIL_RANDOM_BATCH_H_
#define PROCSCOPE_TESTS_UTIL_RANDOM_BATCH_H_

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/memory/owned_batch.h"
#include "fixtures/layout.h"

namespace procscope::testing {

// Elements, their results, and the buffers they own (filled with kUnread).
using Batch = OwnedBatch;
inline constexpr uint8_t kUnread = 0xa5;

// `count` random elements inside the layout (never past its ends: what is mapped next to it is not ours to
// check), lengths 1 to `max_length`.
Batch RandomBatch(const std::vector<fixtures::Region>& regions, size_t count, uint64_t max_length,
                  std::mt19937_64& random);

// `count` short elements (at most 256 bytes, in the first 512 bytes of a page), each on its own page of the
// layout, in random order: too far apart to be merged into one span, so a batch of more than kIovMax of
// them needs several calls with every strategy.
Batch SpreadBatch(const std::vector<fixtures::Region>& regions, size_t count, std::mt19937_64& random);

// Every transferred byte is the pattern at its address; a result is complete exactly when it has no error,
// and its error is one of `allowed`. Returns a description of the first violation, or "".
std::string Violation(const Batch& b, std::initializer_list<int> allowed);

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_RANDOM_BATCH_H_
