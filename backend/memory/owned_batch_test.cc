#include "backend/memory/owned_batch.h"

#include <gtest/gtest.h>

#include <utility>

namespace procscope {
namespace {

TEST(OwnedBatchTest, EveryElementPointsAtItsOwnBufferAfterGrowing) {
  OwnedBatch b;
  for (uint64_t i = 0; i < 100; ++i) b.Add(0x1000 + i * 16, i % 5 + 1, static_cast<uint8_t>(i));
  ASSERT_EQ(b.size(), 100u);
  ASSERT_EQ(b.results.size(), 100u);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b.elements[i].buffer, b.buffers[i].data()) << i;
    EXPECT_EQ(b.elements[i].length, b.buffers[i].size());
    EXPECT_EQ(b.buffers[i][0], static_cast<uint8_t>(i));
    EXPECT_EQ(b.results[i], ElementResult{});
  }
}

TEST(OwnedBatchTest, ACopyWritesIntoItsOwnBuffersNeverTheOriginals) {
  OwnedBatch original;
  original.Add(0x1000, 4, 0xaa);
  original.Add(0x2000, 4, 0xbb);
  OwnedBatch copy = original;
  OwnedBatch assigned;
  assigned = original;
  for (OwnedBatch* b : {&copy, &assigned}) {
    for (size_t i = 0; i < b->size(); ++i) {
      EXPECT_EQ(b->elements[i].buffer, b->buffers[i].data());
      EXPECT_NE(b->elements[i].buffer, original.buffers[i].data());
      static_cast<uint8_t*>(b->elements[i].buffer)[0] = 0x11;
    }
  }
  EXPECT_EQ(original.buffers[0][0], 0xaa);
  EXPECT_EQ(original.buffers[1][0], 0xbb);
}

TEST(OwnedBatchTest, AMoveKeepsThePointers) {
  OwnedBatch original;
  original.Add(0x1000, 8);
  void* const buffer = original.elements[0].buffer;
  OwnedBatch moved = std::move(original);
  EXPECT_EQ(moved.elements[0].buffer, buffer);
  EXPECT_EQ(moved.buffers[0].data(), buffer);
}

TEST(OwnedBatchTest, ResetResultsClearsThem) {
  OwnedBatch b;
  b.Add(0x1000, 8);
  b.results[0] = {3, 14};
  b.ResetResults();
  EXPECT_EQ(b.results[0], ElementResult{});
}

}  // namespace
}  // namespace procscope
