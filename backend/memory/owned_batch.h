// Test-only: a batch whose elements own their buffers, with their results.
//
//   OwnedBatch b;
//   b.Add(address, 16, 0xee);                     // a 16-byte buffer of its own, pre-filled with 0xee
//   ASSERT_OK(TransferBatch(strategy, memory, Direction::kRead, b.elements, b.results));
//   OwnedBatch again = b;                          // its elements point at again's own buffers
//
// buffers[i] is elements[i]'s buffer; results[i] its result. A copy re-points every element at the copy's
// buffers (the copied Element structs would still point at the original's); a move keeps them valid as they
// are. Add elements only through Add, so the three vectors stay parallel.
#ifndef PROCSCOPE_BACKEND_MEMORY_OWNED_BATCH_H_
#define PROCSCOPE_BACKEND_MEMORY_OWNED_BATCH_H_

#include <cstdint>
#include <vector>

#include "backend/memory/batch.h"

namespace procscope {

struct OwnedBatch {
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<Element> elements;
  std::vector<ElementResult> results;

  OwnedBatch() = default;
  OwnedBatch(const OwnedBatch& other)
      : buffers(other.buffers), elements(other.elements), results(other.results) {
    Rebind();
  }
  OwnedBatch& operator=(const OwnedBatch& other) {
    if (this != &other) {
      buffers = other.buffers;
      elements = other.elements;
      results = other.results;
      Rebind();
    }
    return *this;
  }
  OwnedBatch(OwnedBatch&&) noexcept = default;
  OwnedBatch& operator=(OwnedBatch&&) noexcept = default;

  // An element of `length` bytes at `address` with a buffer of its own filled with `fill`, and an empty
  // result. (A buffer moves with its vector when `buffers` grows, so earlier elements stay valid.)
  void Add(uint64_t address, uint64_t length, uint8_t fill = 0) {
    buffers.emplace_back(length, fill);
    elements.push_back({address, buffers.back().data(), length});
    results.emplace_back();
  }
  // Clears every result, for running the batch again.
  void ResetResults() { results.assign(elements.size(), ElementResult{}); }
  size_t size() const { return elements.size(); }

 private:
  void Rebind() {
    for (size_t i = 0; i < elements.size(); ++i) elements[i].buffer = buffers[i].data();
  }
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_OWNED_BATCH_H_
