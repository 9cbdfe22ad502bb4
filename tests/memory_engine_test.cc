// Regression tests of the batched memory engine against real processes: every strategy, against
// this process ("self") and a fixtures/holes child ("child"), checked against the layout's ground truth
// (fixtures/ground_truth.h), never against another strategy.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "backend/memory/fake_memory.h"
#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "tests/util/force.h"
#include "tests/util/memory_target.h"

namespace procscope {
namespace {

using fixtures::ExpectedResult;
using fixtures::Region;
using fixtures::RegionKind;
using testing::MakeMemoryTarget;
using testing::MemoryTarget;

// Region 0: 2 rw pages, then a hole (for "straddling"), ... a PROT_NONE run (4), a read-only run (5).
constexpr char kLayout[] = "rw:2,hole:1,rw:1,none:1,ro:1,hole:2,rw:1,none:1";

enum class Kind { kValid, kUnmapped, kProtNone, kReadOnly, kStraddle, kZero };
constexpr Kind kKinds[] = {Kind::kValid,    Kind::kUnmapped, Kind::kProtNone,
                           Kind::kReadOnly, Kind::kStraddle, Kind::kZero};

// The element of kind `kind` at position `position` of a batch; positions get disjoint addresses where the
// kind allows it, so a byte landing in the wrong buffer is caught.
Element Place(const std::vector<Region>& regions, Kind kind, size_t position, void* buffer) {
  const uint64_t spread = 32 * position;
  switch (kind) {
    case Kind::kValid:
      return {regions[0].start + 64 + spread, buffer, 16};
    case Kind::kUnmapped:
      return {regions[1].start + spread, buffer, 16};
    case Kind::kProtNone:
      return {regions[4].start + spread, buffer, 16};
    case Kind::kReadOnly:
      return {regions[5].start + spread, buffer, 16};
    case Kind::kStraddle:
      return {regions[0].end - 100 - spread, buffer, 200 + spread};  // ends inside the hole after region 0
    case Kind::kZero:
      return {regions[1].start, buffer, 0};
  }
  return {};
}

std::string Describe(const std::vector<Kind>& kinds) {
  static const char* const kNames[] = {"valid", "unmapped", "prot_none", "read_only", "straddle", "zero"};
  std::string out;
  for (Kind k : kinds) out += std::string(out.empty() ? "" : ",") + kNames[static_cast<int>(k)];
  return out;
}

class MemoryEngineTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
 protected:
  void SetUp() override {
    strategy_ = MakeStrategy(std::get<0>(GetParam()));
    ASSERT_NE(strategy_, nullptr);
    StatusOr<std::unique_ptr<MemoryTarget>> target = MakeMemoryTarget(std::get<1>(GetParam()), kLayout);
    ASSERT_OK(target);
    target_ = *std::move(target);
    memory_ = std::make_unique<LinuxMemoryBackend>(target_->pid());
  }
  // procmem_force forces access only where the kernel lets it (not with proc_mem.force_override=never).
  bool forced() const { return std::get<0>(GetParam()) == "procmem_force" && testing::ProcMemForces(); }
  const std::vector<Region>& regions() const { return target_->regions(); }

  // Reads the batch and checks every element's result and bytes against the ground truth.
  void ReadAndCheck(std::vector<Element>& elements, const std::string& what) {
    std::vector<std::vector<uint8_t>> buffers;
    for (Element& e : elements) buffers.emplace_back(e.length, 0xee);  // sentinel: stale bytes stay visible
    for (size_t i = 0; i < elements.size(); ++i) elements[i].buffer = buffers[i].data();
    std::vector<ElementResult> results(elements.size());
    Status status = TransferBatch(*strategy_, *memory_, Direction::kRead, elements, results);
    ASSERT_OK(status) << what;
    for (size_t i = 0; i < elements.size(); ++i) {
      const Element& e = elements[i];
      ASSERT_EQ(results[i], ExpectedResult(regions(), e.address, e.length, Direction::kRead, forced()))
          << what << " element " << i;
      for (uint64_t b = 0; b < e.length; ++b) {
        const uint8_t expected = b < results[i].transferred ? PatternByte(e.address + b) : 0xee;
        ASSERT_EQ(buffers[i][b], expected) << what << " element " << i << " byte " << b;
      }
    }
  }

  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<MemoryTarget> target_;
  std::unique_ptr<LinuxMemoryBackend> memory_;
};

TEST_P(MemoryEngineTest, ValidUnmappedValid) {
  std::vector<Element> elements = {Place(regions(), Kind::kValid, 0, nullptr),
                                   Place(regions(), Kind::kUnmapped, 1, nullptr),
                                   Place(regions(), Kind::kValid, 2, nullptr)};
  ReadAndCheck(elements, "valid,unmapped,valid");
}

TEST_P(MemoryEngineTest, EveryArrangementOfThreeToFiveElements) {
  for (size_t n = 3; n <= 5; ++n) {
    size_t total = 1;
    for (size_t i = 0; i < n; ++i) total *= std::size(kKinds);
    for (size_t code = 0; code < total; ++code) {
      std::vector<Kind> kinds;
      std::vector<Element> elements;
      for (size_t i = 0, c = code; i < n; ++i, c /= std::size(kKinds)) {
        kinds.push_back(kKinds[c % std::size(kKinds)]);
        elements.push_back(Place(regions(), kinds.back(), i, nullptr));
      }
      ReadAndCheck(elements, Describe(kinds));
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(MemoryEngineTest, WritesInEveryArrangementOfThree) {
  for (size_t code = 0; code < 216; ++code) {
    std::vector<Kind> kinds;
    std::vector<Element> elements;
    std::vector<std::vector<uint8_t>> data;
    for (size_t i = 0, c = code; i < 3; ++i, c /= 6) {
      kinds.push_back(kKinds[c % 6]);
      elements.push_back(Place(regions(), kinds.back(), i, nullptr));
      data.emplace_back(elements.back().length);
      for (uint64_t b = 0; b < elements.back().length; ++b) {
        data.back()[b] = static_cast<uint8_t>(~PatternByte(elements.back().address + b) ^ i);
      }
      elements.back().buffer = data.back().data();
    }
    std::vector<ElementResult> results(3);
    ASSERT_OK(TransferBatch(*strategy_, *memory_, Direction::kWrite, elements, results)) << Describe(kinds);
    // What memory must hold now: the pattern, with each element's written prefix applied in order.
    std::map<uint64_t, uint8_t> expected;
    for (size_t i = 0; i < 3; ++i) {
      const Element& e = elements[i];
      ASSERT_EQ(results[i], ExpectedResult(regions(), e.address, e.length, Direction::kWrite, forced()))
          << Describe(kinds) << " element " << i;
      for (uint64_t b = 0; b < e.length; ++b) {
        // Read back where the check can read (PROT_NONE pages only where the kernel forces access).
        if (ExpectedResult(regions(), e.address + b, 1, Direction::kRead, testing::ProcMemForces()).ok()) {
          expected.emplace(e.address + b, PatternByte(e.address + b));
        }
      }
    }
    for (size_t i = 0; i < 3; ++i) {
      for (uint64_t b = 0; b < results[i].transferred; ++b) expected[elements[i].address + b] = data[i][b];
    }
    for (const auto& [address, byte] : expected) {
      StatusOr<std::vector<uint8_t>> back = target_->ReadBack(address, 1);
      ASSERT_OK(back);
      ASSERT_EQ((*back)[0], byte) << Describe(kinds) << " at offset " << address - regions()[0].start;
    }
    ASSERT_OK(target_->Reset());
  }
}

TEST_P(MemoryEngineTest, NullAndKernelAddressesFailPerElement) {
  std::vector<Element> elements = {{0, nullptr, 8},
                                   Place(regions(), Kind::kValid, 0, nullptr),
                                   {0xffffffffff600000ULL, nullptr, 8},  // [vsyscall] / kernel space
                                   {0xffff800000000000ULL, nullptr, 8},
                                   Place(regions(), Kind::kValid, 1, nullptr)};
  std::vector<std::vector<uint8_t>> buffers(elements.size(), std::vector<uint8_t>(16, 0xee));
  for (size_t i = 0; i < elements.size(); ++i) elements[i].buffer = buffers[i].data();
  std::vector<ElementResult> results(elements.size());
  ASSERT_OK(TransferBatch(*strategy_, *memory_, Direction::kRead, elements, results));
  EXPECT_EQ(results[0], (ElementResult{0, EFAULT}));
  EXPECT_TRUE(results[1].ok());
  EXPECT_EQ(results[2], (ElementResult{0, EFAULT}));
  EXPECT_EQ(results[3], (ElementResult{0, EFAULT}));
  EXPECT_TRUE(results[4].ok());
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, MemoryEngineTest,
                         ::testing::Combine(::testing::ValuesIn(StrategyNames()),
                                            ::testing::Values("self", "child")),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

// Batches far over kIovMax elements, with holes scattered through a random layout (chunking across calls).
class LargeBatchTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(LargeBatchTest, ThousandsOfElementsAgainstGroundTruth) {
  std::mt19937_64 random(20261127);
  std::string spec = "rw:1";
  const char* kinds[] = {"rw", "rw", "rw", "hole", "none", "ro"};
  for (int i = 0; i < 600; ++i)
    spec += std::string(",") + kinds[random() % 6] + ":" + std::to_string(1 + random() % 3);
  spec += ",rw:1";
  StatusOr<std::unique_ptr<MemoryTarget>> target = MakeMemoryTarget(std::get<1>(GetParam()), spec);
  ASSERT_OK(target);
  const std::vector<Region>& regions = (*target)->regions();
  const uint64_t start = regions.front().start, span = regions.back().end - start;
  const std::string name = std::get<0>(GetParam());
  std::unique_ptr<Strategy> strategy = MakeStrategy(name);
  LinuxMemoryBackend memory((*target)->pid());

  std::vector<Element> elements(3500);
  std::vector<std::vector<uint8_t>> buffers;
  for (Element& e : elements) {
    e.length = 1 + random() % 300;
    e.address = start + random() % (span - e.length);
    buffers.emplace_back(e.length, 0xee);
    e.buffer = buffers.back().data();
  }
  std::vector<ElementResult> results(elements.size());
  ASSERT_OK(TransferBatch(*strategy, memory, Direction::kRead, elements, results));
  size_t failed = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    const Element& e = elements[i];
    ASSERT_EQ(results[i], ExpectedResult(regions, e.address, e.length, Direction::kRead,
                                         name == "procmem_force" && testing::ProcMemForces()))
        << "element " << i;
    failed += !results[i].ok();
    for (uint64_t b = 0; b < e.length; ++b) {
      ASSERT_EQ(buffers[i][b], b < results[i].transferred ? PatternByte(e.address + b) : 0xee)
          << i << ":" << b;
    }
  }
  EXPECT_GT(failed, 100u) << "the layout should have produced many failures";
  EXPECT_LT(failed, elements.size() - 100) << "and many successes";
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, LargeBatchTest,
                         ::testing::Combine(::testing::ValuesIn(StrategyNames()),
                                            ::testing::Values("self", "child")),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

// The fake of a layout, page for page.
FakeMemory FakeOf(const std::vector<Region>& regions) {
  FakeMemory fake;
  for (const Region& r : regions) {
    if (r.kind == RegionKind::kHole) continue;
    const int prot = r.kind == RegionKind::kReadWrite  ? (kProtRead | kProtWrite)
                     : r.kind == RegionKind::kReadOnly ? kProtRead
                                                       : kProtNone;
    fake.Map(r.start, (r.end - r.start) / kFakePageSize, prot);
  }
  fake.SetForces(testing::ProcMemForces());  // the kernel's proc_mem.force_override, as measured here
  return fake;
}

// The same layout in FakeMemory and in a real child gives identical per-element results and bytes, for every
// strategy: the fake is only worth its use in unit tests and fuzzing if this holds.
TEST(FakeVersusKernelTest, IdenticalResultsOnRandomBatches) {
  StatusOr<std::unique_ptr<MemoryTarget>> child = MakeMemoryTarget("child", kLayout);
  ASSERT_OK(child);
  const std::vector<Region>& regions = (*child)->regions();
  FakeMemory fake = FakeOf(regions);
  LinuxMemoryBackend real((*child)->pid());
  std::mt19937_64 random(42);
  // Inside the layout only: around it the child has other mappings that the fake does not imitate.
  const uint64_t start = regions.front().start, span = regions.back().end - start;
  for (const std::string& name : StrategyNames()) {
    std::unique_ptr<Strategy> strategy = MakeStrategy(name);
    for (int round = 0; round < 300; ++round) {
      std::vector<Element> fake_elements(1 + random() % 40), real_elements;
      std::vector<std::vector<uint8_t>> fake_buffers, real_buffers;
      for (Element& e : fake_elements) {
        e.address = start + random() % span;
        e.length = random() % std::min<uint64_t>(5000, start + span - e.address);
        fake_buffers.emplace_back(e.length, 0xee);
        real_buffers.emplace_back(e.length, 0xee);
      }
      real_elements = fake_elements;
      for (size_t i = 0; i < fake_elements.size(); ++i) {
        fake_elements[i].buffer = fake_buffers[i].data();
        real_elements[i].buffer = real_buffers[i].data();
      }
      std::vector<ElementResult> fake_results(fake_elements.size()), real_results(real_elements.size());
      ASSERT_OK(TransferBatch(*strategy, fake, Direction::kRead, fake_elements, fake_results));
      ASSERT_OK(TransferBatch(*strategy, real, Direction::kRead, real_elements, real_results));
      ASSERT_EQ(fake_results, real_results) << name << " round " << round;
      ASSERT_EQ(fake_buffers, real_buffers) << name << " round " << round;
    }
  }
}

// Writes too: the same random write batches give the same results in the fake and in a real child, and leave
// the same bytes behind (every mapped region compared through the child's own `dump`, and Peek).
TEST(FakeVersusKernelTest, IdenticalWrites) {
  StatusOr<std::unique_ptr<MemoryTarget>> child = MakeMemoryTarget("child", kLayout);
  ASSERT_OK(child);
  const std::vector<Region>& regions = (*child)->regions();
  LinuxMemoryBackend real((*child)->pid());
  std::mt19937_64 random(43);
  const uint64_t start = regions.front().start, span = regions.back().end - start;
  for (const std::string& name : StrategyNames()) {
    FakeMemory fake = FakeOf(regions);
    std::unique_ptr<Strategy> strategy = MakeStrategy(name);
    for (int round = 0; round < 40; ++round) {
      std::vector<Element> elements(1 + random() % 20);
      std::vector<std::vector<uint8_t>> data;
      for (Element& e : elements) {
        e.address = start + random() % span;
        e.length = random() % std::min<uint64_t>(3000, start + span - e.address);
        data.emplace_back(e.length);
        for (uint8_t& byte : data.back()) byte = static_cast<uint8_t>(random());
        e.buffer = data.back().data();
      }
      std::vector<ElementResult> fake_results(elements.size()), real_results(elements.size());
      ASSERT_OK(TransferBatch(*strategy, fake, Direction::kWrite, elements, fake_results));
      ASSERT_OK(TransferBatch(*strategy, real, Direction::kWrite, elements, real_results));
      ASSERT_EQ(fake_results, real_results) << name << " round " << round;
    }
    for (const Region& r : regions) {
      if (r.kind == RegionKind::kHole) continue;
      ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> real_bytes, (*child)->ReadBack(r.start, r.end - r.start));
      for (uint64_t a = r.start; a < r.end; ++a) {
        ASSERT_EQ(fake.Peek(a), real_bytes[a - r.start]) << name << ": byte at " << a;
      }
    }
    ASSERT_OK((*child)->Reset());
  }
}

// A dead target: the fake's SetDead and a reaped child answer every strategy alike.
TEST(FakeVersusKernelTest, IdenticalOnADeadTarget) {
  StatusOr<std::unique_ptr<MemoryTarget>> child = MakeMemoryTarget("child", kLayout);
  ASSERT_OK(child);
  const std::vector<Region> regions = (*child)->regions();
  std::vector<std::unique_ptr<LinuxMemoryBackend>> real;
  for (size_t i = 0; i < StrategyNames().size(); ++i)
    real.push_back(std::make_unique<LinuxMemoryBackend>((*child)->pid()));
  std::vector<uint8_t> byte(1);
  for (auto& b : real) ASSERT_EQ(b->MemPread(byte.data(), 1, regions[0].start), 1);  // mem open while alive
  child->reset();  // closes its stdin and reaps it
  FakeMemory fake = FakeOf(regions);
  fake.SetDead(true);
  std::vector<uint8_t> a(8), b(8);
  for (size_t s = 0; s < StrategyNames().size(); ++s) {
    const std::string name = StrategyNames()[s];
    for (Direction direction : {Direction::kRead, Direction::kWrite}) {
      const std::vector<Element> elements = {{regions[0].start, a.data(), 8},
                                             {regions[1].start, b.data(), 8}};
      std::vector<ElementResult> fake_results(2), real_results(2);
      const Status fake_status = TransferBatch(*MakeStrategy(name), fake, direction, elements, fake_results);
      const Status real_status =
          TransferBatch(*MakeStrategy(name), *real[s], direction, elements, real_results);
      EXPECT_EQ(fake_status.error_number(), real_status.error_number()) << name;
      EXPECT_EQ(fake_results, real_results) << name;
    }
  }
}

// A dead target: the batch fails as a whole with ESRCH, every element says so.
TEST(DeadTargetTest, EveryStrategyReportsEsrch) {
  StatusOr<std::unique_ptr<MemoryTarget>> child = MakeMemoryTarget("child", kLayout);
  ASSERT_OK(child);
  const pid_t pid = (*child)->pid();
  const uint64_t address = (*child)->regions()[0].start;
  std::vector<LinuxMemoryBackend*> backends;
  std::vector<std::unique_ptr<LinuxMemoryBackend>> owned;
  for (size_t i = 0; i < StrategyNames().size(); ++i)
    owned.push_back(std::make_unique<LinuxMemoryBackend>(pid));
  // Open /proc/<pid>/mem while the child lives (procmem's fd then reads EOF after the exit).
  std::vector<uint8_t> byte(1);
  for (auto& b : owned) ASSERT_EQ(b->MemPread(byte.data(), 1, address), 1);
  child->reset();  // closes its stdin and reaps it
  std::vector<uint8_t> buffer(8);
  for (size_t s = 0; s < StrategyNames().size(); ++s) {
    std::vector<Element> elements = {{address, buffer.data(), 8}, {address + 8, buffer.data(), 8}};
    std::vector<ElementResult> results(2);
    Status status =
        TransferBatch(*MakeStrategy(StrategyNames()[s]), *owned[s], Direction::kRead, elements, results);
    EXPECT_THAT(status, StatusIs(ESRCH)) << StrategyNames()[s];
    EXPECT_EQ(results[0].error, ESRCH) << StrategyNames()[s];
    EXPECT_EQ(results[1].error, ESRCH) << StrategyNames()[s];
  }
}

// One element larger than MAX_RW_COUNT over readable memory, between a hole and a small element, comes back
// whole with every strategy (and they with theirs): the kernel cuts each call (and each pread of
// /proc/self/mem) at 0x7ffff000 bytes with no error, so a strategy that does not split at the cap itself
// reports {0x7ffff000, EFAULT}. The source is a never-written read-only
// mapping (the zero page: no memory); the 2 GiB destination is shared by every strategy.
class MaxRwCountTest : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr uint64_t kLength = kMaxRwCount + 3 * 4096;  // 2 GiB + 8 KiB
  static void SetUpTestSuite() {
    source_ = mmap(nullptr, kLength, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    target_ =
        mmap(nullptr, kLength, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    // Huge pages where the kernel offers them: 1,000 faults instead of 500,000 (the test's cost is faulting
    // in the destination and the zero pages, not the copy). Only a hint: the test is the same without.
    if (source_ != MAP_FAILED) madvise(source_, kLength, MADV_HUGEPAGE);
    if (target_ != MAP_FAILED) madvise(target_, kLength, MADV_HUGEPAGE);
  }
  static void TearDownTestSuite() {
    if (source_ != MAP_FAILED) munmap(source_, kLength);
    if (target_ != MAP_FAILED) munmap(target_, kLength);
  }
  static inline void* source_ = MAP_FAILED;
  static inline void* target_ = MAP_FAILED;
};

TEST_P(MaxRwCountTest, AnElementOverTwoGibibytesIsReadWhole) {
  ASSERT_NE(source_, MAP_FAILED);
  ASSERT_NE(target_, MAP_FAILED);
  uint8_t* target = static_cast<uint8_t*>(target_);
  for (uint64_t page = 0; page < kLength; page += 4096) target[page] = target[page + 4095] = 0xee;
  LinuxMemoryBackend memory(getpid());
  // A hole before it (the call that cuts the big element at the cap faults first, so the cut must be undone)
  // and a small element after it (which must keep its own length).
  void* hole = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(hole, MAP_FAILED);
  ASSERT_EQ(munmap(hole, 4096), 0);
  const uint8_t far_away[8] = {1, 2, 3, 4, 5, 6, 7, 8};  // on the stack: no strategy merges it with the rest
  uint8_t before[8], after[8];
  std::memset(after, 0xee, sizeof after);
  const Element elements[] = {{reinterpret_cast<uintptr_t>(hole), before, sizeof before},
                              {reinterpret_cast<uintptr_t>(source_), target, kLength},
                              {reinterpret_cast<uintptr_t>(far_away), after, sizeof after}};
  ElementResult results[3];
  ASSERT_OK(TransferBatch(*MakeStrategy(GetParam()), memory, Direction::kRead, elements, results));
  EXPECT_EQ(results[0], (ElementResult{0, EFAULT}));
  EXPECT_EQ(results[1], (ElementResult{kLength, 0}));
  EXPECT_EQ(results[2], (ElementResult{sizeof after, 0}));
  EXPECT_EQ(std::memcmp(after, far_away, sizeof after), 0);
  EXPECT_GE(memory.syscalls(), 2u);  // the cap forces at least two calls
  for (uint64_t page = 0; page < kLength; page += 4096) {
    ASSERT_EQ(target[page], 0) << "page " << page / 4096 << " was not read";
    ASSERT_EQ(target[page + 4095], 0) << "page " << page / 4096 << " was not read";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryStrategy, MaxRwCountTest, ::testing::ValuesIn(StrategyNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace procscope
