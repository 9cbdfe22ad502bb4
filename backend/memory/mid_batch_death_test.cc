// The target dies in the middle of a batch, after every possible number of calls, for every strategy: the
// elements the strategy had finished before the death keep their results and bytes, the call says ESRCH,
// and no element claims a byte that was not moved. FakeMemory cannot die part-way and a live kill lands
// where it lands; DyingMemory makes the death land after call k, for every k.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <string>
#include <vector>

#include "backend/memory/dying_memory.h"
#include "backend/memory/fake_memory.h"
#include "backend/memory/owned_batch.h"
#include "backend/memory/strategy.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

constexpr uint64_t kPage = kFakePageSize;
constexpr uint64_t kBase = 0x400000;
constexpr uint64_t kPages = 128;

// rw pages with a hole, a PROT_NONE and a read-only page every 8 pages, or (`holes` false) rw throughout.
void BuildLayout(FakeMemory& memory, bool holes) {
  for (uint64_t p = 0; p < kPages; ++p) {
    const uint64_t address = kBase + p * kPage;
    switch (holes ? p % 8 : 0) {
      case 3:
        break;  // hole
      case 5:
        memory.Map(address, 1, kProtNone);
        break;
      case 6:
        memory.Map(address, 1, kProtRead);
        break;
      default:
        memory.Map(address, 1, kProtRead | kProtWrite);
    }
  }
}

using Batch = OwnedBatch;

// Up to `count` elements of 1..`max_length` bytes anywhere in the layout, none overlapping another (so the
// bytes moved at an address belong to one element), some straddling holes, in random order.
Batch RandomBatch(size_t count, uint64_t max_length, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<Element> spans;
  uint64_t at = kBase;
  const uint64_t end = kBase + kPages * kPage;
  while (spans.size() < count) {
    at += random() % (max_length / 2 + 1);  // a gap
    const uint64_t length = 1 + random() % max_length;
    if (at + length > end) break;
    spans.push_back({at, nullptr, length});
    at += length;
  }
  std::shuffle(spans.begin(), spans.end(), random);
  Batch b;
  for (size_t i = 0; i < spans.size(); ++i) b.Add(spans[i].address, spans[i].length, static_cast<uint8_t>(i));
  return b;
}

std::string Describe(const ElementResult& r) {
  return std::to_string(r.transferred) + (r.ok() ? " ok" : " " + ErrnoName(r.error));
}

// Runs `base` through `strategy` with the target dying after k calls, for k = 0, 1, ... until a run needs
// no more calls than it was allowed, and checks every run against the run where the target lives.
void CheckEveryDeath(const std::string& strategy_name, Direction direction, const Batch& base,
                     bool holes = true) {
  const std::unique_ptr<Strategy> strategy = MakeStrategy(strategy_name);
  ASSERT_NE(strategy, nullptr);
  Batch reference = base;  // a copy: its elements point at its own buffers
  FakeMemory layout;
  BuildLayout(layout, holes);
  {
    FakeMemory memory = layout;
    ASSERT_OK(TransferBatch(*strategy, memory, direction, reference.elements, reference.results));
  }
  for (uint64_t k = 0;; ++k) {
    SCOPED_TRACE(strategy_name + ", target dies after " + std::to_string(k) + " calls");
    Batch b = base;
    FakeMemory fake = layout;
    DyingMemory memory(fake, k);
    const Status status = TransferBatch(*strategy, memory, direction, b.elements, b.results);
    if (!memory.died()) {
      ASSERT_OK(status);
      ASSERT_EQ(b.results, reference.results);
      ASSERT_GT(k, 0u);
      return;
    }
    ASSERT_THAT(status, StatusIs(ESRCH));
    size_t kept = 0;
    for (size_t i = 0; i < b.elements.size(); ++i) {
      const Element& e = b.elements[i];
      const ElementResult& got = b.results[i];
      const ElementResult& want = reference.results[i];
      // Either the answer of the living run, or ESRCH after a prefix of what that run moved.
      if (got != want) {
        ASSERT_EQ(got.error, ESRCH) << "element " << i << ": " << Describe(got) << ", alive "
                                    << Describe(want);
        ASSERT_LE(got.transferred, want.transferred) << "element " << i;
      }
      // Never a byte claimed that was not moved before the death.
      ASSERT_TRUE(memory.Moved(e.address, e.address + got.transferred))
          << "element " << i << " claims " << got.transferred << " bytes";
      if (direction == Direction::kRead) {
        for (uint64_t byte = 0; byte < got.transferred; ++byte) {
          ASSERT_EQ(b.buffers[i][byte], PatternByte(e.address + byte)) << "element " << i << " byte " << byte;
        }
      }
      // Finished before the death: everything the living run moved was moved, and the strategy knew where
      // the element ends (it succeeded, a call stopped right there, or a maps snapshot told).
      const bool decided =
          want.transferred > 0 && memory.Moved(e.address, e.address + want.transferred) &&
          (want.ok() || memory.faults().count(e.address + want.transferred) > 0 || memory.read_maps());
      if (decided) {
        ASSERT_EQ(got, want) << "element " << i
                             << " was finished before the death but lost its result: " << Describe(got)
                             << ", alive " << Describe(want);
        ++kept;
      }
    }
    ::testing::Test::RecordProperty("kept_after_" + std::to_string(k), static_cast<int>(kept));
  }
}

class MidBatchDeathTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MidBatchDeathTest, ReadsKeepWhatWasFinished) {
  for (uint64_t seed = 1; seed <= 3; ++seed)
    CheckEveryDeath(GetParam(), Direction::kRead, RandomBatch(120, 3 * kPage / 2, seed));
}

TEST_P(MidBatchDeathTest, WritesKeepWhatWasFinished) {
  CheckEveryDeath(GetParam(), Direction::kWrite, RandomBatch(120, 3 * kPage / 2, 7));
}

INSTANTIATE_TEST_SUITE_P(EveryStrategy, MidBatchDeathTest, ::testing::ValuesIn(StrategyNames()),
                         [](const auto& info) { return info.param; });

// More elements than one call takes (kIovMax), so the strategies that batch need several calls even when
// nothing faults (in readable memory: with holes, retry would make a call per fault). per_element and the
// procmem strategies make one call per element, so the batches above already put a death at every call
// boundary for them.
class LongBatchDeathTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LongBatchDeathTest, BatchesLongerThanOneCall) {
  const Batch batch = RandomBatch(2600, 64, 11);
  ASSERT_GT(batch.elements.size(), 2 * kIovMax);
  CheckEveryDeath(GetParam(), Direction::kRead, batch, /*holes=*/false);
}

std::vector<std::string> BatchingStrategies() {
  std::vector<std::string> names;
  for (const std::string& name : StrategyNames())
    if (name != "per_element" && !name.starts_with("procmem")) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(BatchingStrategies, LongBatchDeathTest, ::testing::ValuesIn(BatchingStrategies()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace procscope
