// PROCMAP_QUERY (6.11) against the maps text on live fixtures, and the engine's classification by it: odd
// file names (fixtures/odd_names: the ioctl gives a name's raw bytes where the text escapes a newline as
// "\012"), concurrent mapping churn (fixtures/churn), and hole-punched layouts (fixtures/holes) read with
// each means of classification. On a kernel without the ioctl each test skips with "needs procmap_query
// (the kernel answered ENOTTY)".
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "backend/eintr.h"
#include "backend/kernel_uapi.h"
#include "backend/memory/feature_probe.h"
#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/read_file.h"
#include "backend/scoped_fd.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "fixtures/layout.h"
#include "fixtures/pattern.h"
#include "tests/util/fixture_process.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/process_helpers.h"
#include "tests/util/procmap_walk.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

using testing::Manifest;
using testing::MapsPath;
using testing::Opts;
using testing::QueriedVma;
using testing::StartFixture;
using testing::WalkVmas;

// The skip reason when the kernel has no PROCMAP_QUERY, "" when it has it.
std::string WithoutProcmapQuery() {
  StatusOr<std::string> answer = ProbeProcmapQuery();
  if (!answer.ok()) return "needs procmap_query (the probe failed: " + answer.status().ToString() + ")";
  return *answer == "supported" ? "" : "needs procmap_query (the kernel answered " + *answer + ")";
}

// The entry without what only the text has (its name, as printed), for comparing with a QueriedVma.
MapsEntry Unnamed(MapsEntry e) {
  e.path_raw.clear();
  e.deleted = false;
  e.kind = MapsKind::kAnonymous;
  return e;
}

// How the maps text prints a name: a newline as "\012", every other byte as it is.
std::string AsPrinted(const std::string& name) {
  std::string printed;
  for (char c : name) printed += c == '\n' ? std::string("\\012") : std::string(1, c);
  return printed;
}

// Every entry of the text but [vsyscall] (the gate area: no VMA of the process, so the ioctl never answers
// it) is a VMA the ioctl walks, field for field, and the ioctl's name is the text's path with the newline
// unescaped: the text cannot tell "new\nline" from a file literally named "new\012line", the ioctl can.
TEST(ProcmapQueryTest, OddNamesComeRawWhereTheTextEscapesThem) {
  if (const std::string why = WithoutProcmapQuery(); !why.empty()) GTEST_SKIP() << why;
  auto fixture = StartFixture("fixtures/odd_names", Opts({"--dir", testing::NewTempDir("odd")}));
  ASSERT_NE(fixture, nullptr);
  const nlohmann::json truth = Manifest(*fixture);
  StatusOr<std::string> text = ReadFileToString(MapsPath(fixture->pid()));
  ASSERT_OK(text);
  StatusOr<std::vector<QueriedVma>> walked = WalkVmas(fixture->pid());
  ASSERT_OK(walked);
  StatusOr<std::vector<MapsEntry>> listed = ParseMaps(*text);
  ASSERT_OK(listed);
  std::erase_if(*listed, [](const MapsEntry& e) { return e.path_raw == "[vsyscall]"; });
  ASSERT_EQ(walked->size(), listed->size()) << *text;
  for (size_t i = 0; i < listed->size(); ++i) {
    const MapsEntry& e = (*listed)[i];
    EXPECT_EQ((*walked)[i].entry, Unnamed(e)) << "entry " << i;
    if (e.kind == MapsKind::kFile || e.path_raw.starts_with("/")) {
      EXPECT_EQ(AsPrinted((*walked)[i].name), e.path_raw) << "entry " << i;
    }
  }
  // The fixture's own files, by the addresses it reports: the exact path (with " (deleted)" where the file
  // has no directory entry), newline and literal backslash-digits told apart.
  std::map<uint64_t, std::string> names;
  for (const QueriedVma& vma : *walked) names[vma.entry.start] = vma.name;
  size_t newline = 0, backslash_digits = 0;
  for (const nlohmann::json& file : truth["files"]) {
    const std::string path = file["path"];
    SCOPED_TRACE(path);
    ASSERT_TRUE(names.count(file["address"].get<uint64_t>()));
    EXPECT_EQ(names[file["address"]], path + (file["deleted"].get<bool>() ? " (deleted)" : ""));
    newline += path.find('\n') != std::string::npos;
    backslash_digits += path.find("\\012") != std::string::npos;
  }
  EXPECT_EQ(newline, 1u);
  EXPECT_EQ(backslash_digits, 1u);
  EXPECT_TRUE(fixture->Stop());
}

// While a thread of the target maps and unmaps files and anonymous regions as fast as it can, a walk is all
// a concurrent reader can rely on: every answer covers or follows the address asked (its end above it, so
// the walk ends), though it may start below the previous answer's end (a mapping that grew over it between
// two lookups: seen here); and every mapping the churn never touches (the file mappings other than its own
// churn-N files, in both text reads around the walk) is among the walk's VMAs, field for field. Anonymous
// mappings are not compared: the churn's anonymous regions merge with their neighbours and come apart
// again between two reads.
TEST(ProcmapQueryTest, UnderChurnEveryUntouchedMappingIsWalked) {
  if (const std::string why = WithoutProcmapQuery(); !why.empty()) GTEST_SKIP() << why;
  auto fixture = StartFixture("fixtures/churn", Opts({"--dir", testing::NewTempDir("churn")}));
  ASSERT_NE(fixture, nullptr);
  ASSERT_OK_AND_ASSIGN(std::string started, fixture->Command("spin start"));
  ASSERT_EQ(started, "ok");
  size_t untouched_checked = 0;
  for (int round = 0; round < 50; ++round) {
    StatusOr<std::string> before = ReadFileToString(MapsPath(fixture->pid()));
    StatusOr<std::vector<QueriedVma>> walked = WalkVmas(fixture->pid());
    StatusOr<std::string> after = ReadFileToString(MapsPath(fixture->pid()));
    ASSERT_OK(before);
    ASSERT_OK(walked);
    ASSERT_OK(after);
    for (size_t i = 0; i < walked->size(); ++i) {
      const uint64_t asked = i == 0 ? 0 : (*walked)[i - 1].entry.end;
      ASSERT_GT((*walked)[i].entry.end, asked) << "round " << round << ", VMA " << i;
    }
    StatusOr<std::vector<MapsEntry>> first = ParseMaps(*before), last = ParseMaps(*after);
    ASSERT_OK(first);
    ASSERT_OK(last);
    std::set<std::string> in_last;
    for (const MapsEntry& e : *last) in_last.insert(e.ToString());
    std::set<std::string> walked_lines;
    for (const QueriedVma& vma : *walked) walked_lines.insert(vma.entry.ToString());
    for (const MapsEntry& e : *first) {
      if (e.inode == 0 || e.path_raw.find("/churn-") != std::string::npos || !in_last.count(e.ToString())) {
        continue;
      }
      EXPECT_TRUE(walked_lines.count(Unnamed(e).ToString())) << "round " << round << ": " << e.ToString();
      ++untouched_checked;
    }
  }
  EXPECT_GT(untouched_checked, 50u * 3);  // the executable, libc and the loader at least, each round
  ASSERT_OK_AND_ASSIGN(std::string stopped, fixture->Command("spin stop"));
  EXPECT_TRUE(stopped.starts_with("ok ")) << stopped;
  EXPECT_TRUE(fixture->Stop());
}

// A layout of 121 single pages, 40 of them holes between read-only and read-write mappings: every means of
// classification gives the same per-element answers, each the layout's ground truth, and says which it
// used.
TEST(ProcmapQueryTest, EveryMeansOfClassificationAnswersTheSameOnALiveLayout) {
  if (const std::string why = WithoutProcmapQuery(); !why.empty()) GTEST_SKIP() << why;
  std::string spec = "rw:1";
  for (int i = 0; i < 40; ++i) spec += ",hole:1,ro:1,rw:1";
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles(spec));
  const std::vector<fixtures::Region>& regions = holes.regions;
  // One element per page but the last, 24 bytes 8 before the page's end: it runs into the next page.
  struct Read {
    std::vector<Element> elements;
    std::vector<std::vector<uint8_t>> buffers;
    std::vector<ElementResult> results;
    TransferReport report;
  };
  auto read = [&](const Strategy& strategy) {
    Read r;
    for (const fixtures::Region& region : regions) {
      for (uint64_t page = region.start; page < region.end && page + 4096 < regions.back().end;
           page += 4096) {
        r.buffers.emplace_back(24);
        r.elements.push_back({page + 4096 - 8, r.buffers.back().data(), 24});
      }
    }
    r.results.resize(r.elements.size());
    LinuxMemoryBackend memory(holes.process->pid());
    EXPECT_OK(TransferBatch(strategy, memory, Direction::kRead, r.elements, r.results, &r.report));
    return r;
  };
  const Read by_text = read(*MakeStrategyClassifyingBy(Classification::kMapsText));
  const Read by_query = read(*MakeStrategyClassifyingBy(Classification::kProcmapQuery));
  const Read by_default = read(*MakeStrategy("default"));
  EXPECT_EQ(by_text.report.classified_by, Classification::kMapsText);
  EXPECT_EQ(by_query.report.classified_by, Classification::kProcmapQuery);
  // The first two elements fault (one runs into a hole, the next lies in it): 118 left at that rate are
  // ~118 more faults, costlier as calls than lookups, and no more than kQueryElements: lookups.
  EXPECT_EQ(by_default.report.classified_by, Classification::kProcmapQuery);
  size_t failed = 0;
  for (size_t i = 0; i < by_text.elements.size(); ++i) {
    const Element& e = by_text.elements[i];
    const ElementResult want =
        fixtures::ExpectedResult(regions, e.address, e.length, Direction::kRead, false);
    SCOPED_TRACE("element " + std::to_string(i));
    for (const Read* r : {&by_text, &by_query, &by_default}) {
      EXPECT_EQ(r->results[i], want) << r->report.syscalls << " syscalls";
      for (uint64_t b = 0; b < r->results[i].transferred; ++b)
        ASSERT_EQ(r->buffers[i][b], PatternByte(e.address + b));
    }
    failed += !want.ok();
  }
  EXPECT_GT(failed, 10u);  // the layout has holes and read-only pages the elements run into
  EXPECT_TRUE(holes.process->Stop());
}

}  // namespace
}  // namespace procscope
