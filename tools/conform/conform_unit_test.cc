// The pure parts of conform: the element notation, the case lists, the judge and the shrinker.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <set>

#include "backend/status_matchers.h"
#include "fixtures/layout.h"
#include "fixtures/pattern.h"
#include "tools/conform/cases.h"
#include "tools/conform/conform.h"
#include "tools/conform/judge.h"
#include "tools/conform/shrink.h"
#include "tools/conform/target_check.h"

namespace procscope::conform {
namespace {

using fixtures::Region;
using fixtures::RegionKind;

TEST(ConformCasesTest, ElementNotationRoundTrips) {
  const std::vector<CaseElement> elements = {
      {0, 64, 8}, {1, -4, 8}, {-1, static_cast<int64_t>(0xfffffffffffff000ULL), 8192}, {3, 0, 0}};
  const std::string text = FormatElements(elements);
  EXPECT_EQ(text, "r0+64:8,r1-4:8,0xfffffffffffff000:8192,r3+0:0");
  StatusOr<std::vector<CaseElement>> parsed = ParseElements(text);
  ASSERT_OK(parsed) << parsed.status().ToString();
  EXPECT_EQ(*parsed, elements);
  for (const char* bad : {"r0+64", "x1:8", "r+1:8", "r0*1:8", "0xzz:1", "r0+1:-1", "r0+1:8,"}) {
    EXPECT_THAT(ParseElements(bad).status(), StatusIs(EINVAL)) << bad;
  }
}

TEST(ConformCasesTest, ResolveNamesRegionsAndRefusesMissingOnes) {
  const std::vector<Region> regions = {{0x10000, 0x12000, RegionKind::kReadWrite},
                                       {0x12000, 0x13000, RegionKind::kHole}};
  StatusOr<std::vector<Span>> spans = Resolve({{1, -4, 8}, {-1, 0x5000, 2}}, regions);
  ASSERT_OK(spans);
  EXPECT_EQ(*spans, (std::vector<Span>{{0x11ffc, 8}, {0x5000, 2}}));
  EXPECT_THAT(Resolve({{2, 0, 8}}, regions).status(), StatusIs(EINVAL));
}

TEST(ConformCasesTest, CanonicalCasesCoverEveryOrderOfThreeToFiveKinds) {
  const std::vector<Case> reads = CanonicalCases(false), both = CanonicalCases(true);
  const size_t orders = 6 * 5 * 4 + 6 * 5 * 4 * 3 + 6 * 5 * 4 * 3 * 2;
  // + IOV_MAX, MAX_RW_COUNT (stopped by a hole, and all readable: reads only), wrapping, dead target
  EXPECT_EQ(reads.size(), orders + 5);
  EXPECT_EQ(both.size(), 2 * reads.size() - 1);
  std::set<std::string> names;
  for (const Case& c : both) names.insert(c.name);
  EXPECT_EQ(names.size(), both.size()) << "every case has its own name";
  for (const Case& c : reads) EXPECT_EQ(c.direction, Direction::kRead);
}

// The special cases check what the README says they do: the dead-target case holds a zero-length element
// (which needs no process) between elements that need one; the wrapping case ranges that wrap and one that
// ends exactly at 2^64.
TEST(ConformCasesTest, SpecialCasesHoldWhatTheyAreFor) {
  for (const Case& c : CanonicalCases(true)) {
    if (c.dead_target) {
      size_t empty = 0, others = 0;
      for (const CaseElement& e : c.elements) (e.length == 0 ? empty : others)++;
      EXPECT_EQ(empty, 1u) << c.name;
      EXPECT_GE(others, 2u) << c.name;
    }
    if (c.name.starts_with("wrapping ")) {
      size_t wrapping = 0, ending_at_top = 0;
      for (const CaseElement& e : c.elements) {
        if (e.region != -1) continue;
        const uint64_t start = static_cast<uint64_t>(e.offset), room = ~start + 1;  // bytes up to 2^64
        if (e.length > room) ++wrapping;
        if (e.length == room) ++ending_at_top;
      }
      EXPECT_GE(wrapping, 2u) << c.name;
      EXPECT_EQ(ending_at_top, 1u) << c.name;
      // Between them, elements valid in both directions: in read-write regions.
      StatusOr<std::vector<std::pair<fixtures::RegionKind, uint64_t>>> runs =
          fixtures::ParseLayoutSpec(c.layout);
      ASSERT_OK(runs);
      for (const CaseElement& e : c.elements) {
        if (e.region == -1) continue;
        ASSERT_LT(static_cast<size_t>(e.region), runs->size()) << c.name;
        EXPECT_EQ((*runs)[static_cast<size_t>(e.region)].first, fixtures::RegionKind::kReadWrite) << c.name;
      }
    }
  }
}

TEST(ConformCasesTest, RandomCasesAreDeterministicAndStayInsideTheirLayout) {
  bool touches_first = false, touches_last = false;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const Case a = RandomCase(seed, true), b = RandomCase(seed, true);
    EXPECT_EQ(a.layout, b.layout);
    EXPECT_EQ(a.elements, b.elements);
    StatusOr<std::vector<std::pair<RegionKind, uint64_t>>> runs = fixtures::ParseLayoutSpec(a.layout);
    ASSERT_OK(runs) << a.layout;
    std::vector<Region> regions;
    uint64_t at = 0x100000;
    for (auto [kind, pages] : *runs) {
      regions.push_back({at, at + pages * 4096, kind});
      at += pages * 4096;
    }
    StatusOr<std::vector<Span>> spans = Resolve(a.elements, regions);
    ASSERT_OK(spans);
    for (const Span& s : *spans) {
      EXPECT_GE(s.address, regions.front().start) << a.name;
      EXPECT_LE(s.address + s.length, regions.back().end) << a.name;
      if (s.length == 0) continue;
      touches_first |= s.address == regions.front().start;
      touches_last |= s.address + s.length == regions.back().end;
    }
  }
  // ... and reach both of its edges (a generator that stops short of them tests less than it says).
  EXPECT_TRUE(touches_first);
  EXPECT_TRUE(touches_last);
}

const std::vector<Region> kRegions = {{0x10000, 0x11000, RegionKind::kReadWrite},
                                      {0x11000, 0x12000, RegionKind::kHole},
                                      {0x12000, 0x13000, RegionKind::kReadOnly}};

BatchOutcome Returned(std::vector<ElementResult> results, const std::vector<Span>& spans) {
  BatchOutcome out;
  out.results = std::move(results);
  for (size_t i = 0; i < spans.size(); ++i) {
    std::string bytes;
    for (uint64_t o = 0; o < spans[i].length; ++o) {
      const bool read = o < out.results[i].transferred;
      bytes += static_cast<char>(read ? PatternByte(spans[i].address + o)
                                      : FillByte(spans[i].length, spans[i].address + o));
    }
    out.bytes.push_back({{0, bytes}});
  }
  return out;
}

TEST(ConformJudgeTest, ACorrectReadPassesAndEachKindOfWrongAnswerIsNamed) {
  const std::vector<Span> spans = {{0x10ffc, 8}, {0x11000, 8}, {0x12000, 8}};
  const std::vector<ElementResult> right = {{4, EFAULT}, {0, EFAULT}, {8, 0}};
  EXPECT_TRUE(Judge(kRegions, false, Direction::kRead, spans, Returned(right, spans), {}).passed);
  // EIO is accepted for EFAULT.
  EXPECT_TRUE(
      Judge(kRegions, false, Direction::kRead, spans, Returned({{4, EIO}, {0, EIO}, {8, 0}}, spans), {})
          .passed);

  Verdict whole =
      Judge(kRegions, false, Direction::kRead, spans, Returned({{8, 0}, {0, EFAULT}, {8, 0}}, spans), {});
  EXPECT_FALSE(whole.passed);
  EXPECT_NE(whole.problem.find("element 0"), std::string::npos) << whole.problem;
  EXPECT_NE(whole.problem.find("expected 4 bytes, EFAULT, got 8 bytes, ok"), std::string::npos)
      << whole.problem;

  BatchOutcome stale = Returned(right, spans);
  stale.bytes[2][0].bytes[3] ^= 1;  // a byte that is not the target's
  EXPECT_NE(Judge(kRegions, false, Direction::kRead, spans, stale, {}).problem.find("byte 3 read as"),
            std::string::npos);
  BatchOutcome overrun = Returned(right, spans);
  overrun.bytes[0][0].bytes[5] = static_cast<char>(PatternByte(0x10ffc + 5));  // written past the prefix
  EXPECT_NE(Judge(kRegions, false, Direction::kRead, spans, overrun, {}).problem.find("was written although"),
            std::string::npos);

  // Bytes are judged for the elements that have some: an outcome with fewer byte lists than elements (none
  // here) is judged on its results, never read past its end.
  BatchOutcome no_bytes = Returned(right, spans);
  no_bytes.bytes = std::vector<std::vector<ByteChunk>>();  // no storage at all, not just no elements
  EXPECT_TRUE(Judge(kRegions, false, Direction::kRead, spans, no_bytes, {}).passed);
  BatchOutcome one_list = Returned(right, spans);
  one_list.bytes = std::vector<std::vector<ByteChunk>>{one_list.bytes[0]};
  one_list.bytes[0][0].bytes[5] = static_cast<char>(PatternByte(0x10ffc + 5));
  EXPECT_NE(Judge(kRegions, false, Direction::kRead, spans, one_list, {}).problem.find("element 0"),
            std::string::npos);

  BatchOutcome returned_error = Returned(right, spans);
  returned_error.rc = EFAULT;
  EXPECT_NE(
      Judge(kRegions, false, Direction::kRead, spans, returned_error, {}).problem.find("returned EFAULT"),
      std::string::npos);
  BatchOutcome crashed;
  crashed.how = BatchOutcome::How::kCrashed;
  crashed.detail = "killed by SIGSEGV";
  EXPECT_EQ(Judge(kRegions, false, Direction::kRead, spans, crashed, {}).problem,
            "the plugin crashed: killed by SIGSEGV");
}

TEST(ConformJudgeTest, DeadTargetsWrapsAndWrittenMemory) {
  const std::vector<Span> dead = {{0x10000, 8}, {0x11000, 0}};
  BatchOutcome esrch = Returned({{0, ESRCH}, {0, 0}}, dead);
  esrch.rc = ESRCH;
  EXPECT_TRUE(Judge(kRegions, true, Direction::kRead, dead, esrch, {}).passed);
  EXPECT_FALSE(
      Judge(kRegions, true, Direction::kRead, dead, Returned({{0, EFAULT}, {0, 0}}, dead), {}).passed);

  const std::vector<Span> wrap = {{~0ULL, 2}};
  EXPECT_EQ(ExpectedResults(kRegions, false, Direction::kRead, wrap)[0], (ElementResult{0, EOVERFLOW}));

  // A write of 8 bytes at 0x10008: the target must hold WrittenByte there and the pattern around it.
  const std::vector<Span> write = {{0x10008, 8}};
  BatchOutcome wrote;
  wrote.results = {{8, 0}};
  TargetBytes after{0x10000, std::string(24, '\0')};
  for (uint64_t a = 0x10000; a < 0x10018; ++a) {
    after.bytes[a - 0x10000] =
        static_cast<char>(a >= 0x10008 && a < 0x10010 ? WrittenByte(a) : PatternByte(a));
  }
  EXPECT_TRUE(Judge(kRegions, false, Direction::kWrite, write, wrote, {after}).passed);
  after.bytes[20] = static_cast<char>(WrittenByte(0x10014));  // one byte too far
  const Verdict too_far = Judge(kRegions, false, Direction::kWrite, write, wrote, {after});
  EXPECT_FALSE(too_far.passed);
  EXPECT_NE(too_far.problem.find("0x10014"), std::string::npos) << too_far.problem;
}

// With guard regions, about a quarter of the inner runs become guard runs; the batch, the direction, the run
// count and pages, and every other run stay what the same seed gives without them.
TEST(ConformCasesTest, GuardRunsReplaceInnerRunsOnlyAndChangeNothingElse) {
  size_t inner = 0, guards = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const Case plain = RandomCase(seed, true), guarded = RandomCase(seed, true, true);
    EXPECT_EQ(plain.elements, guarded.elements);
    EXPECT_EQ(plain.direction, guarded.direction);
    ASSERT_OK_AND_ASSIGN(auto a, fixtures::ParseLayoutSpec(plain.layout));
    ASSERT_OK_AND_ASSIGN(auto b, fixtures::ParseLayoutSpec(guarded.layout));
    ASSERT_EQ(a.size(), b.size()) << guarded.layout;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].second, b[i].second);
      EXPECT_NE(a[i].first, RegionKind::kGuard);
      const bool is_inner = i != 0 && i + 1 != a.size();
      if (b[i].first == RegionKind::kGuard) {
        EXPECT_TRUE(is_inner) << guarded.layout;
        ++guards;
      } else {
        EXPECT_EQ(a[i].first, b[i].first) << plain.layout << " / " << guarded.layout;
      }
      inner += is_inner;
    }
  }
  EXPECT_GT(guards, inner / 6);
  EXPECT_LT(guards, inner / 3);
}

TEST(ConformRunTest, RandomCasesRunForTheBudgetAtLeastOnceOrExactlyTheCount) {
  using std::chrono::milliseconds;
  ConformOptions budget;
  budget.budget_seconds = 0.5;
  EXPECT_TRUE(MoreRandomCases(budget, 0, milliseconds(0)));
  EXPECT_TRUE(MoreRandomCases(budget, 0, milliseconds(900)));  // at least one, even past the budget
  EXPECT_TRUE(MoreRandomCases(budget, 7, milliseconds(499)));
  EXPECT_FALSE(MoreRandomCases(budget, 7, milliseconds(500)));
  budget.budget_seconds = 0;
  EXPECT_TRUE(MoreRandomCases(budget, 0, milliseconds(0)));
  EXPECT_FALSE(MoreRandomCases(budget, 1, milliseconds(0)));

  ConformOptions counted;
  counted.random_cases = 3;
  EXPECT_TRUE(MoreRandomCases(counted, 2, std::chrono::hours(1)));  // the clock does not matter
  EXPECT_FALSE(MoreRandomCases(counted, 3, milliseconds(0)));
  counted.random_cases = 0;
  EXPECT_FALSE(MoreRandomCases(counted, 0, milliseconds(0)));
}

TEST(ConformTargetCheckTest, TracedOrStoppedIsAProblemRunningIsNot) {
  EXPECT_EQ(LeftBehindProblem('S', 0), "");
  EXPECT_EQ(LeftBehindProblem('R', std::nullopt), "");
  EXPECT_EQ(LeftBehindProblem('t', 4242), "the plugin left the target traced (TracerPid 4242)");
  EXPECT_EQ(LeftBehindProblem('S', 4242), "the plugin left the target traced (TracerPid 4242)");
  EXPECT_EQ(LeftBehindProblem('T', 0), "the plugin left the target stopped (state T)");
  EXPECT_EQ(LeftBehindProblem('t', std::nullopt), "the plugin left the target stopped (state t)");
}

TEST(ConformShrinkTest, FindsAOneMinimalFailingSubsequence) {
  std::vector<int> items(100);
  for (int i = 0; i < 100; ++i) items[i] = i;
  int calls = 0;
  // Fails while it holds 17 and, later, 63.
  const std::vector<int> shrunk = Shrink(items, [&](const std::vector<int>& v) {
    ++calls;
    const auto a = std::find(v.begin(), v.end(), 17), b = std::find(v.begin(), v.end(), 63);
    return a != v.end() && b != v.end() && a < b;
  });
  EXPECT_EQ(shrunk, (std::vector<int>{17, 63}));
  EXPECT_LT(calls, 400);
  EXPECT_EQ(Shrink(std::vector<int>{5}, [](const std::vector<int>&) { return true; }), std::vector<int>{5});
}

}  // namespace
}  // namespace procscope::conform
