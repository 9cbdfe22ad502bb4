// Every strategy against FakeMemory: exact per-element attribution, whole-call failures, validation and
// syscall counts. The same expectations run against real processes in tests/memory_engine_test.cc.
#include "backend/memory/strategy.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <random>
#include <string>
#include <vector>

#include "backend/memory/fake_memory.h"
#include "backend/memory/owned_batch.h"
#include "backend/memory/vm_batch.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

constexpr uint64_t kPage = kFakePageSize;
constexpr uint64_t kBase = 0x200000;

// Buffers are pre-filled with a sentinel so stale bytes are visible.
constexpr uint8_t kSentinel = 0xee;
using Batch = OwnedBatch;

// Every strategy by name, the default planner with each classification forced
// ("adaptive_coalesce/maps_text", ...), and the classifying strategies on a kernel without PROCMAP_QUERY
// ("adaptive@no_procmap_query"): all must give the same per-element answers.
std::vector<std::string> StrategiesUnderTest() {
  std::vector<std::string> names = StrategyNames();
  for (const Classification by : {Classification::kMapsText, Classification::kProcmapQuery})
    names.emplace_back(MakeStrategyClassifyingBy(by)->name());
  for (const std::string name : {"adaptive", "adaptive_coalesce", "adaptive_coalesce/procmap_query"})
    names.push_back(name + "@no_procmap_query");
  return names;
}

std::unique_ptr<Strategy> MakeStrategyUnderTest(std::string_view name) {
  name = name.substr(0, name.find('@'));
  for (const Classification by : {Classification::kMapsText, Classification::kProcmapQuery}) {
    std::unique_ptr<Strategy> forced = MakeStrategyClassifyingBy(by);
    if (forced->name() == name) return forced;
  }
  return MakeStrategy(name);
}

class StrategyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    strategy_ = MakeStrategyUnderTest(GetParam());
    ASSERT_NE(strategy_, nullptr);
    memory_.SetProcmapQuery(!GetParam().ends_with("@no_procmap_query"));
    memory_.Map(kBase, 2, kProtRead | kProtWrite);              // pages 0-1 rw; page 2 hole
    memory_.Map(kBase + 3 * kPage, 1, kProtRead | kProtWrite);  // page 3 rw
    memory_.Map(kBase + 4 * kPage, 1, kProtNone);               // page 4 PROT_NONE
    memory_.Map(kBase + 5 * kPage, 1, kProtRead);               // page 5 read-only
  }
  bool forced() const { return GetParam() == "procmem_force"; }

  Status Read(Batch& batch) {
    batch.ResetResults();
    return TransferBatch(*strategy_, memory_, Direction::kRead, batch.elements, batch.results);
  }
  // The element's bytes that were read must be the pattern at their addresses; the rest the sentinel.
  void ExpectBytes(const Batch& batch, size_t i) {
    const Element& e = batch.elements[i];
    for (uint64_t b = 0; b < e.length; ++b) {
      const uint8_t expected = b < batch.results[i].transferred ? PatternByte(e.address + b) : kSentinel;
      ASSERT_EQ(batch.buffers[i][b], expected) << "element " << i << " byte " << b;
    }
  }

  std::unique_ptr<Strategy> strategy_;
  FakeMemory memory_;
};

TEST_P(StrategyTest, ValidHoleValid) {
  Batch batch;
  batch.Add(kBase + 16, 8, kSentinel);
  batch.Add(kBase + 2 * kPage + 16, 8, kSentinel);
  batch.Add(kBase + 3 * kPage + 16, 8, kSentinel);
  EXPECT_OK(Read(batch));
  EXPECT_EQ(batch.results[0], (ElementResult{8, 0}));
  EXPECT_EQ(batch.results[1], (ElementResult{0, EFAULT}));
  EXPECT_EQ(batch.results[2], (ElementResult{8, 0}));
  for (size_t i = 0; i < 3; ++i) ExpectBytes(batch, i);
}

TEST_P(StrategyTest, StraddlingIntoAHoleGivesAPrefix) {
  Batch batch;
  batch.Add(kBase + 2 * kPage - 100, 200, kSentinel);
  batch.Add(kBase + 16, 8, kSentinel);
  EXPECT_OK(Read(batch));
  EXPECT_EQ(batch.results[0], (ElementResult{100, EFAULT}));
  EXPECT_EQ(batch.results[1], (ElementResult{8, 0}));
  ExpectBytes(batch, 0);
}

TEST_P(StrategyTest, ProtNoneFailsUnlessForced) {
  Batch batch;
  batch.Add(kBase + 4 * kPage, 8, kSentinel);
  batch.Add(kBase + 5 * kPage, 8, kSentinel);
  EXPECT_OK(Read(batch));
  EXPECT_EQ(batch.results[0], forced() ? (ElementResult{8, 0}) : (ElementResult{0, EFAULT}));
  EXPECT_EQ(batch.results[1], (ElementResult{8, 0}));
  ExpectBytes(batch, 0);
}

TEST_P(StrategyTest, WritesToReadOnlyFailUnlessForced) {
  std::vector<uint8_t> data(8, 0x42);
  std::vector<Element> elements = {{kBase + 5 * kPage, data.data(), 8}, {kBase + 16, data.data(), 8}};
  std::vector<ElementResult> results(2);
  EXPECT_OK(TransferBatch(*strategy_, memory_, Direction::kWrite, elements, results));
  EXPECT_EQ(results[0], forced() ? (ElementResult{8, 0}) : (ElementResult{0, EFAULT}));
  EXPECT_EQ(results[1], (ElementResult{8, 0}));
  EXPECT_EQ(memory_.Peek(kBase + 16), 0x42);
  EXPECT_EQ(memory_.Peek(kBase + 5 * kPage), forced() ? 0x42 : PatternByte(kBase + 5 * kPage));
}

// Guard pages (MADV_GUARD_INSTALL) inside one rw mapping, which the maps and PROCMAP_QUERY show as
// accessible: every strategy still attributes exactly, reads and writes, forced or not (forcing does not
// pass a guard). Elements: in a guard page, running into one, spanning one, and fine ones between, in an
// order that makes every classifying strategy classify (more than one fault) before it meets the guards.
TEST_P(StrategyTest, GuardPagesInsideAMappingFailEveryAccess) {
  FakeMemory memory;
  memory.SetProcmapQuery(!GetParam().ends_with("@no_procmap_query"));
  constexpr uint64_t kGuarded = kBase + 16 * kPage;
  memory.Map(kGuarded, 8, kProtRead | kProtWrite);  // pages 0-7 one rw mapping; guards at 2, 5 and 6
  memory.InstallGuard(kGuarded + 2 * kPage, 1);
  memory.InstallGuard(kGuarded + 5 * kPage, 2);
  const std::vector<std::pair<uint64_t, uint64_t>> spans = {
      {kBase + 8 * kPage, 8},                 // unmapped: the first fault
      {kBase + 10 * kPage, 8},                // unmapped: the second
      {kGuarded + 16, 8},                     // fine
      {kGuarded + 2 * kPage + 64, 8},         // in a guard page
      {kGuarded + 2 * kPage - 4, 12},         // runs into it: 4 bytes
      {kGuarded + 3 * kPage + 100, 8},        // fine, after it
      {kGuarded + 4 * kPage + 8, 3 * kPage},  // runs into the two guard pages
      {kGuarded + 7 * kPage, 16},             // fine, after them
      {kGuarded + 6 * kPage + 4000, 200},     // from the second guard page into the last page: nothing
  };
  auto accessible = [&](uint64_t address, bool write) {
    const std::optional<int> prot = memory.ProtectionAt(address);
    return prot.has_value() && !memory.IsGuard(address) &&
           (forced() || (*prot & (write ? kProtWrite : kProtRead)));
  };
  for (const Direction direction : {Direction::kRead, Direction::kWrite}) {
    const bool write = direction == Direction::kWrite;
    OwnedBatch batch;
    for (const auto& [address, length] : spans) batch.Add(address, length, write ? 0x42 : kSentinel);
    ASSERT_OK(TransferBatch(*strategy_, memory, direction, batch.elements, batch.results));
    for (size_t i = 0; i < spans.size(); ++i) {
      const auto& [address, length] = spans[i];
      uint64_t ok = 0;
      while (ok < length && accessible(address + ok, write)) ++ok;
      EXPECT_EQ(batch.results[i], (ElementResult{ok, ok == length ? 0 : EFAULT}))
          << (write ? "write" : "read") << ", element " << i;
      for (uint64_t b = 0; b < length; ++b) {
        if (write) {
          if (b < ok) ASSERT_EQ(memory.Peek(address + b), 0x42) << "element " << i << " byte " << b;
        } else {
          ASSERT_EQ(batch.buffers[i][b], b < ok ? PatternByte(address + b) : kSentinel)
              << "element " << i << " byte " << b;
        }
      }
    }
  }
}

TEST_P(StrategyTest, ZeroLengthAndWrappingNeedNoSyscall) {
  Batch batch;
  batch.Add(0, 0, kSentinel);                       // zero-length at NULL: fine
  batch.Add(0xfffffffffffffff0ULL, 32, kSentinel);  // wraps
  const uint64_t before = memory_.syscalls();
  EXPECT_OK(Read(batch));
  EXPECT_EQ(memory_.syscalls(), before);
  EXPECT_EQ(batch.results[0], (ElementResult{0, 0}));
  EXPECT_EQ(batch.results[1], (ElementResult{0, EOVERFLOW}));
}

TEST_P(StrategyTest, DeadTargetFailsTheWholeBatch) {
  memory_.SetDead(true);
  Batch batch;
  batch.Add(kBase, 8, kSentinel);
  batch.Add(kBase + 8, 8, kSentinel);
  Status status = Read(batch);
  EXPECT_THAT(status, StatusIs(ESRCH));
  EXPECT_EQ(batch.results[0], (ElementResult{0, ESRCH}));
  EXPECT_EQ(batch.results[1], (ElementResult{0, ESRCH}));
}

TEST_P(StrategyTest, DeniedTargetIsEperm) {
  memory_.SetDenied(true);
  Batch batch;
  batch.Add(kBase, 8, kSentinel);
  EXPECT_THAT(Read(batch), StatusIs(EPERM));
  EXPECT_EQ(batch.results[0].error, EPERM);
}

TEST_P(StrategyTest, ThousandsOfElementsWithScatteredHoles) {
  FakeMemory memory;
  std::mt19937_64 random(7);
  constexpr uint64_t kPages = 400;
  for (uint64_t p = 0; p < kPages; ++p) {
    if (random() % 4 != 0) memory.Map(kBase + p * kPage, 1, kProtRead | kProtWrite);
  }
  Batch batch;
  for (int i = 0; i < 3100; ++i)
    batch.Add(kBase + random() % (kPages * kPage - 64), 1 + random() % 64, kSentinel);
  ASSERT_OK(TransferBatch(*strategy_, memory, Direction::kRead, batch.elements, batch.results));
  for (size_t i = 0; i < batch.elements.size(); ++i) {
    const Element& e = batch.elements[i];
    uint64_t readable = 0;
    while (readable < e.length && memory.ProtectionAt(e.address + readable).has_value()) ++readable;
    ASSERT_EQ(batch.results[i], (ElementResult{readable, readable == e.length ? 0 : EFAULT}))
        << "element " << i;
    ExpectBytes(batch, i);
  }
}

TEST_P(StrategyTest, ResultsMustMatchElements) {
  std::vector<Element> elements(2);
  std::vector<ElementResult> results(1);
  EXPECT_THAT(TransferBatch(*strategy_, memory_, Direction::kRead, elements, results), StatusIs(EINVAL));
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, StrategyTest, ::testing::ValuesIn(StrategiesUnderTest()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(StrategySyscallsTest, ValidHoleValidTimesAThousand) {
  // One element per page, every second page of three unmapped: [valid, hole, valid] x 1000.
  FakeMemory memory;
  std::vector<Element> elements;
  std::vector<std::vector<uint8_t>> buffers(3000, std::vector<uint8_t>(8));
  for (uint64_t i = 0; i < 3000; ++i) {
    if (i % 3 != 1) memory.Map(kBase + i * kPage, 1, kProtRead | kProtWrite);
    elements.push_back({kBase + i * kPage, buffers[i].data(), 8});
  }
  std::vector<ElementResult> results(elements.size());
  const std::vector<std::pair<std::string, uint64_t>> expected = {
      // retry pays one call per hole: each call runs up to the next hole ([V H], then [V V H] x 999, [V]).
      // procmem reads the maps once and skips the holes it shows; procmem_force tries every element.
      {"per_element", 3000},
      {"retry", 1001},
      {"procmem", 1 + 2000},
      {"procmem_force", 3000},
      // adaptive: the first call stops at the first hole, the second (over the rest) at the second; then
      // with 2,995 elements left one maps read fails every hole element (more than kQueryElements: lookups
      // would cost more), and the 1,998 valid ones left go in two calls of at most kIovMax. coalesce reads
      // [V H] as one span up to the hole, so it pays a call per hole like retry. adaptive_coalesce: as
      // adaptive.
      {"adaptive", 5},
      {"coalesce", 1001},
      {"adaptive_coalesce", 5}};
  for (const auto& [name, calls] : expected) {
    const uint64_t before = memory.syscalls();
    TransferReport report;
    ASSERT_OK(TransferBatch(*MakeStrategy(name), memory, Direction::kRead, elements, results, &report));
    EXPECT_EQ(memory.syscalls() - before, calls) << name;
    const bool by_text = name.starts_with("adaptive") || name == "procmem";
    EXPECT_EQ(report.classified_by, by_text ? Classification::kMapsText : Classification::kNone) << name;
  }
}

TEST(StrategySyscallsTest, DenseElementsCoalesceIntoOneCall) {
  // 1024 elements of 8 bytes spread over 4 pages: one span per 64 KiB, so a single call.
  FakeMemory memory;
  memory.Map(kBase, 4, kProtRead);
  std::vector<std::vector<uint8_t>> buffers(1024, std::vector<uint8_t>(8));
  std::vector<Element> elements;
  for (uint64_t i = 0; i < 1024; ++i) elements.push_back({kBase + i * 16, buffers[i].data(), 8});
  std::vector<ElementResult> results(elements.size());
  const uint64_t before = memory.syscalls();
  ASSERT_OK(TransferBatch(*MakeStrategy("coalesce"), memory, Direction::kRead, elements, results));
  EXPECT_EQ(memory.syscalls() - before, 1u);
  for (size_t i = 0; i < elements.size(); ++i) {
    ASSERT_TRUE(results[i].ok());
    ASSERT_EQ(buffers[i][7], PatternByte(elements[i].address + 7));
  }
}

// Two elements at most kMergeGap apart are read as one span (one remote range); one byte further, as two.
TEST(StrategySyscallsTest, ElementsAtMostAMergeGapApartAreOneSpan) {
  FakeMemory memory;
  memory.Map(kBase, 2, kProtRead);
  std::vector<uint8_t> a(8), b(8);
  for (const uint64_t gap : {memory_internal::kMergeGap, memory_internal::kMergeGap + 1}) {
    const std::vector<Element> elements = {{kBase, a.data(), 8}, {kBase + 8 + gap, b.data(), 8}};
    for (const std::string name : {"coalesce", "adaptive_coalesce"}) {
      std::vector<ElementResult> results(elements.size());
      const uint64_t calls = memory.syscalls(), ranges = memory.remote_ranges();
      ASSERT_OK(TransferBatch(*MakeStrategy(name), memory, Direction::kRead, elements, results));
      EXPECT_EQ(memory.syscalls() - calls, 1u) << name << ", gap " << gap;
      EXPECT_EQ(memory.remote_ranges() - ranges, gap == memory_internal::kMergeGap ? 1u : 2u)
          << name << ", gap " << gap;
      EXPECT_EQ(results[1], (ElementResult{8, 0})) << name;
      EXPECT_EQ(b[7], PatternByte(kBase + 8 + gap + 7)) << name;
    }
  }
}

// After classification an element that runs into a hole is cut to its accessible prefix before the next
// call, so that call moves the prefix and stops nowhere: one call for the first fault, the classification
// (one maps read, or PROCMAP_QUERY lookups), one call for the rest. adaptive goes on with calls instead:
// the second reaches the straddler itself, and with one element left a third call is cheaper than any
// lookup.
TEST(StrategySyscallsTest, ClassifiedElementsAreCutToTheirPrefix) {
  FakeMemory memory;
  memory.Map(kBase, 1, kProtRead);
  memory.Map(kBase + 2 * kPage, 1, kProtRead);  // page 1 is a hole
  std::vector<uint8_t> a(8), b(8), c(8), d(16), e(8);
  const std::vector<Element> elements = {{kBase + kPage + 8, a.data(), 8},   // in the hole: the first fault
                                         {kBase, b.data(), 8},               // fine
                                         {kBase + 2 * kPage, c.data(), 8},   // fine
                                         {kBase + kPage - 8, d.data(), 16},  // straddles into the hole
                                         {kBase + 2 * kPage + 64, e.data(), 8}};  // fine
  struct Case {
    std::unique_ptr<Strategy> strategy;
    Classification by;
    uint64_t calls, lookups;  // calls: every syscall but the lookups (the maps read counts as one)
  };
  Case cases[] = {
      {MakeStrategyClassifyingBy(Classification::kMapsText), Classification::kMapsText, 3, 0},
      // Coalescing, the first call is one span from b up to the hole; the one lookup, from a (the first
      // element left), answers the gap a lies in and the mapping c and e lie in.
      {MakeStrategyClassifyingBy(Classification::kProcmapQuery), Classification::kProcmapQuery, 2, 1},
      {MakeStrategy("adaptive"), Classification::kCalls, 3, 0}};
  for (const Case& c : cases) {
    std::vector<ElementResult> results(elements.size());
    const uint64_t before = memory.syscalls(), lookups = memory.queries();
    TransferReport report;
    ASSERT_OK(TransferBatch(*c.strategy, memory, Direction::kRead, elements, results, &report));
    const std::string name(c.strategy->name());
    EXPECT_EQ(results[0], (ElementResult{0, EFAULT})) << name;
    EXPECT_EQ(results[1], (ElementResult{8, 0})) << name;
    EXPECT_EQ(results[3], (ElementResult{8, EFAULT})) << name;
    EXPECT_EQ(results[4], (ElementResult{8, 0})) << name;
    EXPECT_EQ(d[7], PatternByte(kBase + kPage - 1)) << name;
    EXPECT_EQ(memory.queries() - lookups, c.lookups) << name;
    EXPECT_EQ(memory.syscalls() - before - c.lookups, c.calls) << name;
    EXPECT_EQ(report.classified_by, c.by) << name;
  }
}

// The same when neighbours merge: an element the first fault did not reach, classified as straddling into a
// hole, is read up to the hole only, so its call goes on to the ranges after it.
TEST(StrategySyscallsTest, MergingReadsCutClassifiedElementsToTheirPrefix) {
  FakeMemory memory;
  memory.Map(kBase, 1, kProtRead);
  memory.Map(kBase + 2 * kPage, 1, kProtRead);  // pages 1 and 3 are holes
  memory.Map(kBase + 4 * kPage, 1, kProtRead);
  std::vector<uint8_t> h(8), y(16), z(8), z2(8);
  const std::vector<Element> elements = {{kBase + kPage + 8, h.data(), 8},         // the first fault
                                         {kBase + 3 * kPage - 8, y.data(), 16},    // straddles page 3
                                         {kBase + 4 * kPage + 64, z.data(), 8},    // fine, and merges
                                         {kBase + 4 * kPage + 80, z2.data(), 8}};  // with this one
  for (const Classification by : {Classification::kMapsText, Classification::kProcmapQuery}) {
    const std::unique_ptr<Strategy> strategy = MakeStrategyClassifyingBy(by);
    std::vector<ElementResult> results(elements.size());
    const uint64_t before = memory.syscalls(), lookups = memory.queries();
    const uint64_t ranges = memory.remote_ranges();
    TransferReport report;
    ASSERT_OK(TransferBatch(*strategy, memory, Direction::kRead, elements, results, &report));
    const std::string name(strategy->name());
    EXPECT_EQ(results[0], (ElementResult{0, EFAULT})) << name;
    EXPECT_EQ(results[1], (ElementResult{8, EFAULT})) << name;
    EXPECT_EQ(results[2], (ElementResult{8, 0})) << name;
    EXPECT_EQ(results[3], (ElementResult{8, 0})) << name;
    EXPECT_EQ(z2[0], PatternByte(kBase + 4 * kPage + 80)) << name;
    // The call that faults at h (three ranges: h, y, z with z2), the classification, then one call for y's
    // prefix and the merged z, z2 (two ranges).
    EXPECT_EQ(memory.syscalls() - before - (memory.queries() - lookups),
              by == Classification::kMapsText ? 3u : 2u)
        << name;
    EXPECT_EQ(memory.remote_ranges() - ranges, 5u) << name;
    EXPECT_EQ(report.classified_by, by) << name;
  }
}

TEST(StrategySyscallsTest, AHoleInsideASpanFailsOnlyTheElementsItCovers) {
  FakeMemory memory;
  memory.Map(kBase, 1, kProtRead);
  memory.Map(kBase + 2 * kPage, 1, kProtRead);  // page 1 is a hole
  std::vector<uint8_t> a(8), b(8), c(64), d(8);
  // a and d are readable; b lies in the hole; c straddles from the hole into page 2. All within merge range.
  std::vector<Element> elements = {{kBase + kPage - 16, a.data(), 8},
                                   {kBase + kPage + 512, b.data(), 8},
                                   {kBase + 2 * kPage - 32, c.data(), 64},
                                   {kBase + 2 * kPage + 100, d.data(), 8}};
  for (const std::string name : {"coalesce", "adaptive_coalesce"}) {
    std::vector<ElementResult> results(elements.size());
    ASSERT_OK(TransferBatch(*MakeStrategy(name), memory, Direction::kRead, elements, results));
    EXPECT_EQ(results[0], (ElementResult{8, 0})) << name;
    EXPECT_EQ(results[1], (ElementResult{0, EFAULT})) << name;
    EXPECT_EQ(results[2], (ElementResult{0, EFAULT})) << name << ": starts in the hole";
    EXPECT_EQ(results[3], (ElementResult{8, 0})) << name;
    EXPECT_EQ(d[0], PatternByte(kBase + 2 * kPage + 100));
  }
}

// A span read as one range that faults: the elements before the fault are read, the one it cuts gets its
// prefix, and the ones after it (close enough to merge) are called again as one range, which fails at the
// first of them; then both call the last one alone (with one element left, adaptive_coalesce finds a call
// cheaper than a lookup) -- the calls the planner made before the one-span path.
TEST(StrategySyscallsTest, AFaultInsideOneSpanSettlesWhatTheCallReached) {
  FakeMemory memory;
  memory.Map(kBase, 1, kProtRead);  // page 1 is a hole
  std::vector<uint8_t> x(8), y(8, 0xee), w(8), v(8);
  const std::vector<Element> elements = {{kBase + kPage - 64, x.data(), 8},   // fine
                                         {kBase + kPage - 4, y.data(), 8},    // 4 bytes, then the hole
                                         {kBase + kPage + 100, w.data(), 8},  // in the hole
                                         {kBase + kPage + 1000, v.data(), 8}};
  for (const auto& [name, calls] :
       {std::pair<std::string, uint64_t>{"adaptive_coalesce", 3}, {"coalesce", 3}}) {  // the same calls
    std::vector<ElementResult> results(elements.size());
    const uint64_t before = memory.syscalls(), ranges = memory.remote_ranges();
    ASSERT_OK(TransferBatch(*MakeStrategy(name), memory, Direction::kRead, elements, results));
    EXPECT_EQ(results[0], (ElementResult{8, 0})) << name;
    EXPECT_EQ(results[1], (ElementResult{4, EFAULT})) << name;
    EXPECT_EQ(results[2], (ElementResult{0, EFAULT})) << name;
    EXPECT_EQ(results[3], (ElementResult{0, EFAULT})) << name;
    EXPECT_EQ(x[7], PatternByte(kBase + kPage - 57)) << name;
    EXPECT_EQ(y[3], PatternByte(kBase + kPage - 1)) << name;
    EXPECT_EQ(y[4], 0xee) << name << ": past the prefix, the buffer is as it was";
    EXPECT_EQ(memory.syscalls() - before, calls) << name;
    // The first call is one range over the whole span, the next one range over w and v, then v alone.
    EXPECT_EQ(memory.remote_ranges() - ranges, 3u) << name;
  }
}

// The one-span path copies each element's bytes out of scratch: every length from 1 to 40 (the short ones
// with overlapping fixed-size moves) lands exactly, and nothing past an element's length is touched.
TEST(StrategySyscallsTest, OneSpanCopiesEveryLengthExactly) {
  FakeMemory memory;
  memory.Map(kBase, 1, kProtRead);
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<Element> elements;
  uint64_t at = kBase + 3;  // odd addresses too
  for (uint64_t length = 1; length <= 40; ++length) {
    buffers.emplace_back(length + 8, 0xee);
    elements.push_back({at, buffers.back().data(), length});
    at += length + 1;
  }
  std::vector<ElementResult> results(elements.size());
  const uint64_t before = memory.syscalls();
  ASSERT_OK(TransferBatch(*MakeStrategy("adaptive_coalesce"), memory, Direction::kRead, elements, results));
  EXPECT_EQ(memory.syscalls() - before, 1u);
  for (size_t i = 0; i < elements.size(); ++i) {
    ASSERT_EQ(results[i], (ElementResult{elements[i].length, 0})) << i;
    for (uint64_t b = 0; b < buffers[i].size(); ++b) {
      ASSERT_EQ(buffers[i][b], b < elements[i].length ? PatternByte(elements[i].address + b) : 0xee)
          << "length " << elements[i].length << ", byte " << b;
    }
  }
}

TEST(MakeStrategyTest, UnknownNameAndDefault) {
  EXPECT_EQ(MakeStrategy("fast"), nullptr);
  EXPECT_EQ(MakeStrategy("default")->name(), DefaultStrategyName());
}

// The cost model's choices (classify.h), at their boundaries: two holes first, then `left` valid elements,
// one per page; adaptive (no merging) so that every element is its own range.
Classification ClassifiedAfterTwoHoles(size_t left, bool has_procmap_query, uint64_t* calls = nullptr) {
  FakeMemory memory;
  memory.SetProcmapQuery(has_procmap_query);
  memory.Map(kBase + 2 * kPage, left, kProtRead);  // pages 0 and 1 are holes
  OwnedBatch batch;
  for (uint64_t p = 0; p < 2 + left; ++p) batch.Add(kBase + p * kPage, 8, kSentinel);
  TransferReport report;
  EXPECT_OK(TransferBatch(*MakeStrategy("adaptive"), memory, Direction::kRead, batch.elements, batch.results,
                          &report));
  for (size_t i = 0; i < batch.results.size(); ++i)
    EXPECT_EQ(batch.results[i], (ElementResult{i < 2 ? 0u : 8u, i < 2 ? EFAULT : 0})) << i;
  if (calls != nullptr) *calls = memory.syscalls() - memory.queries();
  return report.classified_by;
}

TEST(ClassificationCostModelTest, OneFaultGoesOnWithACallAndNoFaultNeedsNothing) {
  FakeMemory memory;
  memory.Map(kBase, 1, kProtRead);
  memory.Map(kBase + 2 * kPage, 1, kProtRead);
  for (const auto& [addresses, by] :
       {std::pair<std::vector<uint64_t>, Classification>{{kBase, kBase + 2 * kPage}, Classification::kNone},
        {{kBase, kBase + kPage, kBase + 2 * kPage}, Classification::kCalls}}) {
    OwnedBatch batch;
    for (uint64_t a : addresses) batch.Add(a, 8, kSentinel);
    TransferReport report;
    const uint64_t before = memory.syscalls();
    ASSERT_OK(TransferBatch(*MakeStrategy("default"), memory, Direction::kRead, batch.elements, batch.results,
                            &report));
    EXPECT_EQ(report.classified_by, by);
    EXPECT_EQ(memory.syscalls() - before, addresses.size() == 2 ? 1u : 2u);
    EXPECT_EQ(report.syscalls, memory.syscalls() - before);
  }
}

// Two holes first, then U valid elements: two faults among 2 settled, so E = U further faults expected.
// Few left: calls (4 x 280 ns); more: lookups up to kQueryElements, then the text.
TEST(ClassificationCostModelTest, CallsWhileCheapThenLookupsUpToKQueryElementsThenTheText) {
  using memory_internal::kQueryElements;
  uint64_t calls = 0;
  EXPECT_EQ(ClassifiedAfterTwoHoles(4, true, &calls), Classification::kCalls);
  EXPECT_EQ(calls, 3u);  // two stop at the holes, one reads the rest
  EXPECT_EQ(ClassifiedAfterTwoHoles(kQueryElements, true), Classification::kProcmapQuery);
  EXPECT_EQ(ClassifiedAfterTwoHoles(kQueryElements + 1, true), Classification::kMapsText);
}

TEST(ClassificationCostModelTest, WithoutTheIoctlCallsWhileCheapThenTheText) {
  uint64_t calls = 0;
  EXPECT_EQ(ClassifiedAfterTwoHoles(4, false, &calls), Classification::kCalls);
  EXPECT_EQ(calls, 3u);
  // 64 x (270 + 160) ns > kSmallestTextNs: the lookup answers ENOTTY (not counted here), then the text.
  EXPECT_EQ(ClassifiedAfterTwoHoles(64, false, &calls), Classification::kMapsText);
  EXPECT_EQ(calls, 4u);  // the maps read counts as one
}

// The estimate itself: faults at the rate seen so far, each a call over what is left (its iovecs copied in).
TEST(ClassificationCostModelTest, ExpectedCallsCostScalesWithTheFaultRateAndWhatIsLeft) {
  using memory_internal::ExpectedCallsNs;
  EXPECT_DOUBLE_EQ(ExpectedCallsNs(2, 100, 100), 2 * (270 + 250));
  EXPECT_DOUBLE_EQ(ExpectedCallsNs(1, 0, 10), 10 * (270 + 25));  // nothing settled: as if one
  // P7's shape: 4,096 elements, 1% holes, the second fault after 200: far over the smallest text.
  EXPECT_NEAR(ExpectedCallsNs(2, 200, 3896), 2 * 3896 / 200.0 * (270 + 2560), 1e-6);  // ~110 us
  EXPECT_GT(ExpectedCallsNs(2, 200, 3896), 5 * memory_internal::kSmallestTextNs);
  EXPECT_DOUBLE_EQ(ExpectedCallsNs(1, 1, 5000), 5000 * (270 + 2.5 * 1024));  // at most kIovMax per call
}

// Guard pages after a lookup: the text (or PROCMAP_QUERY) says the elements are reachable, a call stops
// at a guard page anyway, and one pagemap read (bit 58, 6.15+) settles every other guard page: two calls
// for the leading holes, one that stops at the first guard, one for the rest. Where the pagemap does not
// mark them (6.13-6.14) each guard page costs its call, as before.
TEST(ClassificationCostModelTest, GuardPagesAfterALookupAreFoundInThePagemap) {
  for (const bool marked : {true, false}) {
    FakeMemory memory;
    memory.SetPagemapGuardBit(marked);
    constexpr uint64_t kPages = 100;
    memory.Map(kBase + 2 * kPage, kPages, kProtRead | kProtWrite);  // pages 0 and 1 are holes
    for (uint64_t p = 2; p < 2 + kPages; p += 5) memory.InstallGuard(kBase + p * kPage + 3 * kPage, 1);
    OwnedBatch batch;
    for (uint64_t p = 0; p < 2 + kPages; ++p) batch.Add(kBase + p * kPage + 64, 8, kSentinel);
    TransferReport report;
    const uint64_t before = memory.syscalls(), lookups = memory.queries();
    ASSERT_OK(TransferBatch(*MakeStrategy("adaptive"), memory, Direction::kRead, batch.elements,
                            batch.results, &report));
    size_t guards = 0;
    for (uint64_t p = 0; p < 2 + kPages; ++p) {
      const uint64_t address = kBase + p * kPage + 64;
      const bool ok = memory.ProtectionAt(address).has_value() && !memory.IsGuard(address);
      guards += memory.IsGuard(address);
      ASSERT_EQ(batch.results[p], (ElementResult{ok ? 8u : 0u, ok ? 0 : EFAULT})) << p;
    }
    ASSERT_EQ(guards, 20u);
    EXPECT_EQ(report.classified_by, Classification::kPagemap);
    const uint64_t calls =
        memory.syscalls() - before - (memory.queries() - lookups) - 1;  // - the pagemap read
    EXPECT_EQ(calls, marked ? 4u : 3u + guards) << (marked ? "pagemap marks guards" : "it does not");
  }
}

}  // namespace
}  // namespace procscope
