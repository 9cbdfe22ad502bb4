// Guard regions (madvise MADV_GUARD_INSTALL, Linux 6.13+) in a live target: fixtures/holes with guard runs
// ("rw:1,guard:1,rw:2,guard:2,rw:1"), which /proc/PID/maps shows as one rw mapping. Every strategy, and the
// default planner with each classification forced, must attribute reads and writes exactly as the layout's
// ground truth says (a guard page fails every access, forced ones too). On a kernel without guard regions
// each test skips with "needs guard_regions (madvise answered EINVAL)".
#include <gtest/gtest.h>
#include <sys/uio.h>

#include <memory>
#include <string>
#include <vector>

#include "backend/memory/feature_probe.h"
#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/read_file.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "fixtures/layout.h"
#include "fixtures/pattern.h"
#include "tests/util/holes_fixture.h"

namespace procscope {
namespace {

constexpr char kGuardLayout[] = "rw:1,guard:1,rw:2,guard:2,rw:1";

// The skip reason when the kernel has no guard regions, "" when it has them.
std::string WithoutGuardRegions() {
  const GuardRegionAnswer answer = ProbeGuardRegions();
  return answer.madvise == "ok" ? "" : "needs guard_regions (madvise answered " + answer.madvise + ")";
}

struct Named {
  std::string name;
  std::unique_ptr<Strategy> strategy;
};

std::vector<Named> AllStrategies() {
  std::vector<Named> all;
  for (const std::string& name : StrategyNames()) all.push_back({name, MakeStrategy(name)});
  all.push_back({"default", MakeStrategy("default")});
  for (const Classification by : {Classification::kMapsText, Classification::kProcmapQuery}) {
    std::unique_ptr<Strategy> forced = MakeStrategyClassifyingBy(by);
    all.push_back({std::string(forced->name()), std::move(forced)});
  }
  return all;
}

// Elements over the layout (regions 0 rw, 1 guard, 2 rw x2, 3 guard x2, 4 rw): in a guard page, running
// into one, spanning two, fine ones between; two leading elements in the guard pages make every classifying
// strategy classify before it meets the rest.
std::vector<std::pair<uint64_t, uint64_t>> Spans(const std::vector<fixtures::Region>& r) {
  return {{r[1].start + 8, 8}, {r[3].start + 4096 + 8, 8}, {r[0].start + 16, 8},
          {r[0].end - 4, 12},  {r[2].start + 100, 8},      {r[2].end - 8, 4096},
          {r[4].start, 16},    {r[3].start, 2 * 4096 + 8}, {r[2].start + 4096, 4096}};
}

TEST(GuardRegionTest, TheMapsShowOneMappingOverTheGuardPages) {
  if (const std::string why = WithoutGuardRegions(); !why.empty()) GTEST_SKIP() << why;
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles(kGuardLayout));
  ASSERT_OK_AND_ASSIGN(std::string text,
                       ReadFileToString("/proc/" + std::to_string(holes.process->pid()) + "/maps"));
  ASSERT_OK_AND_ASSIGN(std::vector<MapsEntry> entries, ParseMaps(text));
  bool one = false;
  for (const MapsEntry& e : entries)
    one |= e.start <= holes.regions.front().start && e.end >= holes.regions.back().end && e.read && e.write;
  EXPECT_TRUE(one) << text;
  EXPECT_TRUE(holes.process->Stop());
}

TEST(GuardRegionTest, EveryStrategyAttributesReadsAndWritesExactly) {
  if (const std::string why = WithoutGuardRegions(); !why.empty()) GTEST_SKIP() << why;
  for (const Named& s : AllStrategies()) {
    SCOPED_TRACE(s.name);
    const bool forced = s.name == "procmem_force";
    // A fresh target per strategy: the writes change it.
    ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles(kGuardLayout));
    const std::vector<fixtures::Region>& regions = holes.regions;
    const std::vector<std::pair<uint64_t, uint64_t>> spans = Spans(regions);
    for (const Direction direction : {Direction::kRead, Direction::kWrite}) {
      const bool write = direction == Direction::kWrite;
      std::vector<std::vector<uint8_t>> buffers;
      std::vector<Element> elements;
      for (const auto& [address, length] : spans) {
        buffers.emplace_back(length, write ? 0x42 : 0xee);
        elements.push_back({address, buffers.back().data(), length});
      }
      std::vector<ElementResult> results(elements.size());
      LinuxMemoryBackend memory(holes.process->pid());
      ASSERT_OK(TransferBatch(*s.strategy, memory, direction, elements, results));
      for (size_t i = 0; i < elements.size(); ++i) {
        const ElementResult want =
            fixtures::ExpectedResult(regions, elements[i].address, elements[i].length, direction, forced);
        EXPECT_EQ(results[i], want) << (write ? "write" : "read") << ", element " << i;
        if (write) continue;
        for (uint64_t b = 0; b < elements[i].length; ++b) {
          ASSERT_EQ(buffers[i][b], b < want.transferred ? PatternByte(elements[i].address + b) : 0xee)
              << "element " << i << " byte " << b;
        }
      }
    }
    // What the writes left, read back page by page outside the guards: 0x42 where an element's accessible
    // prefix lay, the pattern elsewhere.
    for (const fixtures::Region& r : regions) {
      if (r.kind == fixtures::RegionKind::kGuard) continue;
      std::vector<uint8_t> page(r.end - r.start);
      iovec local{page.data(), page.size()}, remote{reinterpret_cast<void*>(r.start), page.size()};
      ASSERT_EQ(process_vm_readv(holes.process->pid(), &local, 1, &remote, 1, 0),
                static_cast<ssize_t>(page.size()));
      for (uint64_t b = 0; b < page.size(); ++b) {
        const uint64_t at = r.start + b;
        bool written = false;
        for (const auto& [address, length] : spans) {
          const ElementResult got =
              fixtures::ExpectedResult(regions, address, length, Direction::kWrite, forced);
          written |= at >= address && at < address + got.transferred;
        }
        ASSERT_EQ(page[b], written ? 0x42 : PatternByte(at)) << std::hex << "at 0x" << at;
      }
    }
    EXPECT_TRUE(holes.process->Stop());
  }
}

// One element per page over 60 pages of one rw mapping, every second a guard page, two holes first (so the
// default classifies: ~40 more faults expected at that rate): where the pagemap marks guard pages (6.15+)
// one read of it settles all 30 after the first call that meets one (a handful of calls); where it does
// not, each guard page costs a call.
TEST(GuardRegionTest, ThePagemapSettlesTheGuardPagesAfterTheFirst) {
  const GuardRegionAnswer answer = ProbeGuardRegions();
  if (answer.madvise != "ok")
    GTEST_SKIP() << "needs guard_regions (madvise answered " << answer.madvise << ")";
  std::string spec = "rw:1,hole:1,rw:1,hole:1";
  for (int i = 0; i < 30; ++i) spec += ",rw:1,guard:1";
  spec += ",rw:1";
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles(spec));
  std::vector<Element> elements;
  std::vector<std::vector<uint8_t>> buffers;
  for (const fixtures::Region& r : holes.regions) {
    if (r.start == holes.regions.front().start) continue;  // from the first hole on
    for (uint64_t page = r.start; page < r.end; page += 4096) {
      buffers.emplace_back(8);
      elements.push_back({page + 64, buffers.back().data(), 8});
    }
  }
  std::vector<ElementResult> results(elements.size());
  TransferReport report;
  LinuxMemoryBackend memory(holes.process->pid());
  ASSERT_OK(TransferBatch(*MakeStrategy("default"), memory, Direction::kRead, elements, results, &report));
  size_t guards = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    const ElementResult want =
        fixtures::ExpectedResult(holes.regions, elements[i].address, 8, Direction::kRead, false);
    EXPECT_EQ(results[i], want) << "element " << i;
    for (const fixtures::Region& r : holes.regions)
      guards += r.kind == fixtures::RegionKind::kGuard && elements[i].address >= r.start &&
                elements[i].address < r.end;
  }
  ASSERT_EQ(guards, 30u);
  EXPECT_EQ(report.classified_by, Classification::kPagemap);
  const bool marked = answer.pagemap_bit.ok() && *answer.pagemap_bit;
  // Marked: 2 calls stop at the holes, a lookup or the text, 1 call stops at the first guard page, the
  // pagemap read, 1 call for the rest; at most 8 with PROCMAP_QUERY's lookups. Not marked: a call per guard.
  if (marked) {
    EXPECT_LE(report.syscalls, 8u);
  } else {
    EXPECT_GE(report.syscalls, 2u + guards);
  }
  EXPECT_TRUE(holes.process->Stop());
}

}  // namespace
}  // namespace procscope
