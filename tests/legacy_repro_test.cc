// Proves that the regression tests catch the bug they exist for: a faithful model of memflow-native's
// pre-fix process_rw (tools/repro) shows its known wrong attributions on a real fixture child, while the
// engine, on the very same batches, matches the ground truth.
#include <gtest/gtest.h>

#include <vector>

#include "backend/memory/fake_memory.h"
#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "tests/util/memory_target.h"
#include "tools/repro/memflow_process_rw.h"

namespace procscope {
namespace {

using legacy::LegacyProcessRw;
using legacy::LegacyReport;

class LegacyReproTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<testing::MemoryTarget>> child =
        testing::MakeMemoryTarget("child", "rw:1,hole:1,rw:1");
    ASSERT_OK(child);
    child_ = *std::move(child);
    ok_ = child_->regions()[0].start + 64;
    hole_ = child_->regions()[1].start + 64;
    ok2_ = child_->regions()[2].start + 64;
  }

  // Elements of 8 bytes at `addresses`, with buffers pre-filled with a sentinel.
  std::vector<Element> Batch(const std::vector<uint64_t>& addresses) {
    buffers_.assign(addresses.size(), std::vector<uint8_t>(8, 0xee));
    std::vector<Element> elements;
    for (size_t i = 0; i < addresses.size(); ++i) elements.push_back({addresses[i], buffers_[i].data(), 8});
    return elements;
  }
  bool HoldsPattern(size_t i, uint64_t address) const {
    for (uint64_t b = 0; b < 8; ++b)
      if (buffers_[i][b] != PatternByte(address + b)) return false;
    return true;
  }
  bool HoldsSentinel(size_t i) const { return buffers_[i] == std::vector<uint8_t>(8, 0xee); }

  std::unique_ptr<testing::MemoryTarget> child_;
  std::vector<std::vector<uint8_t>> buffers_;
  uint64_t ok_ = 0, hole_ = 0, ok2_ = 0;
};

TEST_F(LegacyReproTest, OkHoleOkIsMisattributed) {
  LinuxMemoryBackend memory(child_->pid());
  std::vector<Element> elements = Batch({ok_, hole_, ok2_});
  StatusOr<std::vector<LegacyReport>> reports = LegacyProcessRw(memory, Direction::kRead, elements);
  ASSERT_OK(reports);
  // Known wrong: the hole is reported as read, the valid third element as failed.
  EXPECT_EQ(*reports, (std::vector<LegacyReport>{{0, true}, {1, true}, {2, false}}));
  EXPECT_TRUE(HoldsPattern(0, ok_));
  EXPECT_TRUE(HoldsSentinel(1)) << "reported as read, but nothing was copied: stale bytes";
  EXPECT_TRUE(HoldsSentinel(2)) << "the readable element was never read";

  // The engine on the same batch: OK, FAILED, OK with the right bytes in the right buffers.
  elements = Batch({ok_, hole_, ok2_});
  std::vector<ElementResult> results(3);
  ASSERT_OK(TransferBatch(*MakeStrategy("retry"), memory, Direction::kRead, elements, results));
  EXPECT_EQ(results, (std::vector<ElementResult>{{8, 0}, {0, EFAULT}, {8, 0}}));
  EXPECT_TRUE(HoldsPattern(0, ok_));
  EXPECT_TRUE(HoldsSentinel(1));
  EXPECT_TRUE(HoldsPattern(2, ok2_));
}

TEST_F(LegacyReproTest, OkHoleReportsBothRead) {
  LinuxMemoryBackend memory(child_->pid());
  std::vector<Element> elements = Batch({ok_, hole_});
  StatusOr<std::vector<LegacyReport>> reports = LegacyProcessRw(memory, Direction::kRead, elements);
  ASSERT_OK(reports);
  EXPECT_EQ(*reports, (std::vector<LegacyReport>{{0, true}, {1, true}}));
  EXPECT_TRUE(HoldsSentinel(1));
  for (const Element& e : elements) {
    EXPECT_EQ(e.address == hole_,
              !fixtures::ExpectedResult(child_->regions(), e.address, 8, Direction::kRead, false).ok());
  }
}

TEST_F(LegacyReproTest, HoleFirstRestartsAttributionAtElementZero) {
  LinuxMemoryBackend memory(child_->pid());
  std::vector<Element> elements = Batch({hole_, ok_, ok2_});
  StatusOr<std::vector<LegacyReport>> reports = LegacyProcessRw(memory, Direction::kRead, elements);
  ASSERT_OK(reports);
  // Element 0 is reported failed, then read (the retry's results restart at index 0); element 2 never.
  EXPECT_EQ(*reports, (std::vector<LegacyReport>{{0, false}, {0, true}, {1, true}}));
}

TEST(LegacyModelTest, SameMisattributionOnTheFake) {
  // The model is deterministic given the kernel's rules, so the fake shows the same: the bug is in the
  // loop, not in the kernel.
  FakeMemory memory;
  memory.Map(0x10000, 1, kProtRead);
  memory.Map(0x12000, 1, kProtRead);
  std::vector<uint8_t> a(8), b(8), c(8);
  std::vector<Element> elements = {{0x10000, a.data(), 8}, {0x11000, b.data(), 8}, {0x12000, c.data(), 8}};
  StatusOr<std::vector<LegacyReport>> reports = LegacyProcessRw(memory, Direction::kRead, elements);
  ASSERT_OK(reports);
  EXPECT_EQ(*reports, (std::vector<LegacyReport>{{0, true}, {1, true}, {2, false}}));
}

}  // namespace
}  // namespace procscope
