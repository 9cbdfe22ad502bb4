#include "tests/util/random_batch.h"

#include <algorithm>

#include "backend/status.h"
#include "fixtures/pattern.h"

namespace procscope::testing {
namespace {
constexpr uint64_t kPage = 4096;
}  // namespace

Batch RandomBatch(const std::vector<fixtures::Region>& regions, size_t count, uint64_t max_length,
                  std::mt19937_64& random) {
  Batch b;
  const uint64_t low = regions.front().start, high = regions.back().end;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t address = low + random() % (high - low);
    const uint64_t length = 1 + random() % std::min(max_length, high - address);
    b.Add(address, length, kUnread);
  }
  return b;
}

Batch SpreadBatch(const std::vector<fixtures::Region>& regions, size_t count, std::mt19937_64& random) {
  const uint64_t low = regions.front().start, pages = (regions.back().end - low) / kPage;
  std::vector<uint64_t> order(pages);
  for (uint64_t p = 0; p < pages; ++p) order[p] = p;
  std::shuffle(order.begin(), order.end(), random);
  Batch b;
  count = std::min<size_t>(count, pages);
  for (size_t i = 0; i < count; ++i) {
    const uint64_t length = 1 + random() % 256;
    const uint64_t address = low + order[i] * kPage + random() % 256;
    b.Add(address, length, kUnread);
  }
  return b;
}

std::string Violation(const Batch& b, std::initializer_list<int> allowed) {
  for (size_t i = 0; i < b.elements.size(); ++i) {
    const Element& e = b.elements[i];
    const ElementResult& r = b.results[i];
    const std::string where = "element " + std::to_string(i) + " at " + std::to_string(e.address);
    if (r.transferred > e.length) return where + ": transferred more than its length";
    if ((r.error == 0) != (r.transferred == e.length)) return where + ": complete and error disagree";
    if (r.error != 0 && std::find(allowed.begin(), allowed.end(), r.error) == allowed.end()) {
      return where + ": unexpected error " + ErrnoName(r.error);
    }
    const auto* bytes = static_cast<const uint8_t*>(e.buffer);
    for (uint64_t k = 0; k < r.transferred; ++k) {
      if (bytes[k] != PatternByte(e.address + k))
        return where + ": byte " + std::to_string(k) + " is not its own";
    }
  }
  return "";
}

}  // namespace procscope::testing
