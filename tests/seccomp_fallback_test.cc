// The container case: process_vm_readv/writev refused by a seccomp filter (EPERM, as Docker-style profiles
// answer; ENOSYS, as a kernel without CROSS_MEMORY_ATTACH does) while /proc/<pid>/mem stays open to the
// reader. The default strategy must then give, through /proc/<pid>/mem, exactly the per-element results and
// bytes of an unfiltered run, and say that it fell back; the named strategies must not fall back; errors
// the fallback itself meets (a dead target) must stay what they are. The filter is installed in a forked
// child (it cannot be removed), which reads a fixtures/holes child of the test.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "backend/memory/owned_batch.h"
#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "fixtures/pattern.h"
#include "tests/util/child_report.h"
#include "tests/util/fixture_process.h"
#include "tests/util/memory_target.h"
#include "tests/util/open_fds.h"
#include "tests/util/seccomp.h"

namespace procscope {
namespace {

using fixtures::ExpectedResult;
using testing::ChildOutcome;
using testing::ChildReport;
using testing::MemoryTarget;

// rw(0) hole(1) rw(2) PROT_NONE(3) read-only(4) hole(5) rw(6).
constexpr char kLayout[] = "rw:2,hole:1,rw:1,none:1,ro:1,hole:2,rw:1";

using Batch = OwnedBatch;

// For writes: every buffer holds the inverse of the pattern, so a written byte is told from an old one.
void FillInverted(Batch& b) {
  for (size_t i = 0; i < b.elements.size(); ++i) {
    for (uint64_t k = 0; k < b.buffers[i].size(); ++k)
      b.buffers[i][k] = static_cast<uint8_t>(~PatternByte(b.elements[i].address + k));
  }
}

// A batch covering every kind of element: valid in each rw region, unmapped, PROT_NONE, read-only, one that
// straddles into a hole, one of length zero, one that wraps.
Batch MakeBatch(const std::vector<fixtures::Region>& r) {
  Batch b;
  b.Add(r[0].start + 100, 64);
  b.Add(r[1].start + 8, 16);
  b.Add(r[2].start, 4096);
  b.Add(r[3].start + 32, 16);
  b.Add(r[4].start + 200, 16);
  b.Add(r[0].end - 40, 80);
  b.Add(r[6].start + 1, 0);
  b.Add(r[6].start + 1000, 300);
  b.Add(UINT64_MAX - 7, 16);
  return b;
}

std::string Describe(const std::vector<ElementResult>& results) {
  std::string out;
  for (const ElementResult& r : results)
    out += "{" + std::to_string(r.transferred) + "," + (r.ok() ? "0" : ErrnoName(r.error)) + "}";
  return out;
}

class SeccompFallbackTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<MemoryTarget>> target = testing::MakeMemoryTarget("child", kLayout);
    ASSERT_OK(target);
    target_ = *std::move(target);
  }
  int refused() const { return GetParam(); }
  std::string tag() const { return ErrnoName(refused()); }

  // Runs `body` in a child under the filter; the parent skips only if the filter cannot be installed here.
  ChildOutcome UnderFilter(const std::function<void(ChildReport&, const Process&)>& body) {
    const pid_t pid = target_->pid();
    const int error = refused();
    return testing::RunInChild([&](ChildReport& report) {
      if (Status s = testing::DenyProcessVm(error); !s.ok()) return report.Skip(s.ToString());
      StatusOr<Process> process = Process::Open(pid);
      report.Check("open", process.ok(), process.status().ToString());
      if (process.ok()) body(report, *process);
    });
  }

  std::unique_ptr<MemoryTarget> target_;
};

TEST_P(SeccompFallbackTest, ReadsFallBackToProcMemWithIdenticalResultsAndBytes) {
  StatusOr<Process> process = Process::Open(target_->pid());
  ASSERT_OK(process);
  Batch plain = MakeBatch(target_->regions());
  TransferReport plain_report;
  ASSERT_OK(process->Transfer(*MakeStrategy("default"), Direction::kRead, plain.elements, plain.results,
                              &plain_report));
  ASSERT_EQ(plain_report.transport, Transport::kProcessVm);
  ASSERT_EQ(plain_report.fallback_reason, 0);
  // The unfiltered run is itself right: checked against the layout, not taken on trust.
  for (size_t i = 0; i < plain.elements.size(); ++i) {
    ASSERT_EQ(plain.results[i], ExpectedResult(target_->regions(), plain.elements[i].address,
                                               plain.elements[i].length, Direction::kRead, false))
        << i;
  }

  const ChildOutcome outcome = UnderFilter([&](ChildReport& report, const Process& p) {
    Batch b = MakeBatch(target_->regions());
    TransferReport r;
    const int fds_before = testing::OpenFds();
    const Status s = p.Transfer(*MakeStrategy("default"), Direction::kRead, b.elements, b.results, &r);
    report.Check("default succeeds", s.ok(), s.ToString());
    report.Check("no descriptor leaked", testing::OpenFds() == fds_before);
    report.Check("served by procmem", r.transport == Transport::kProcMem,
                 std::string(TransportName(r.transport)));
    report.Check("fallback reason", r.fallback_reason == refused(), ErrnoName(r.fallback_reason));
    report.Check("same results", b.results == plain.results,
                 Describe(b.results) + " vs " + Describe(plain.results));
    bool same_bytes = true;
    for (size_t i = 0; i < b.elements.size(); ++i) {
      const uint64_t n = std::min<uint64_t>(b.results[i].transferred, b.buffers[i].size());
      same_bytes =
          same_bytes && std::equal(b.buffers[i].begin(), b.buffers[i].begin() + n, plain.buffers[i].begin());
    }
    report.Check("same bytes", same_bytes);

    // A named process_vm strategy reports the refusal instead of falling back.
    Batch named = MakeBatch(target_->regions());
    const Status retry =
        p.Transfer(*MakeStrategy("retry"), Direction::kRead, named.elements, named.results, &r);
    report.Check(
        "retry does not fall back",
        retry.error_number() == refused() && r.fallback_reason == 0 && r.transport == Transport::kProcessVm,
        retry.ToString());
    report.Check("retry fails the elements with the refusal", named.results[0].error == refused(),
                 Describe(named.results));

    // Other users of process_vm_readv in the backend fall back too: the primary module's stack read.
    StatusOr<PrimaryModule> primary = p.Primary();
    report.Check("primary module from the stack auxv", primary.ok() && primary->source == "stack auxv",
                 primary.ok() ? primary->source : primary.status().ToString());
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"open", "default succeeds", "served by procmem", "fallback reason", "same results",
                "same bytes", "retry does not fall back", "retry fails the elements with the refusal",
                "primary module from the stack auxv"});
}

TEST_P(SeccompFallbackTest, WritesFallBackToProcMemAndLandTheSameBytes) {
  StatusOr<Process> process = Process::Open(target_->pid());
  ASSERT_OK(process);
  Batch plain = MakeBatch(target_->regions());
  FillInverted(plain);
  TransferReport plain_report;
  ASSERT_OK(process->Transfer(*MakeStrategy("default"), Direction::kWrite, plain.elements, plain.results,
                              &plain_report));
  ASSERT_EQ(plain_report.transport, Transport::kProcessVm);
  for (size_t i = 0; i < plain.elements.size(); ++i) {
    ASSERT_EQ(plain.results[i], ExpectedResult(target_->regions(), plain.elements[i].address,
                                               plain.elements[i].length, Direction::kWrite, false))
        << i;
  }
  ASSERT_OK(target_->Reset());

  const ChildOutcome outcome = UnderFilter([&](ChildReport& report, const Process& p) {
    Batch b = MakeBatch(target_->regions());
    FillInverted(b);
    TransferReport r;
    const Status s = p.Transfer(*MakeStrategy("default"), Direction::kWrite, b.elements, b.results, &r);
    report.Check("default succeeds", s.ok(), s.ToString());
    report.Check("served by procmem", r.transport == Transport::kProcMem && r.fallback_reason == refused(),
                 std::string(TransportName(r.transport)) + " " + ErrnoName(r.fallback_reason));
    report.Check("same results", b.results == plain.results,
                 Describe(b.results) + " vs " + Describe(plain.results));
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(outcome, {"open", "default succeeds", "served by procmem", "same results"});
  // The bytes landed, read back by the fixture itself (not through procscope): written prefixes hold the
  // inverse of the pattern, the read-only region kept the pattern.
  for (size_t i = 0; i < plain.elements.size(); ++i) {
    const uint64_t n = plain.results[i].transferred;
    if (n == 0 || n > plain.buffers[i].size()) continue;
    StatusOr<std::vector<uint8_t>> back = target_->ReadBack(plain.elements[i].address, n);
    ASSERT_OK(back);
    EXPECT_TRUE(std::equal(back->begin(), back->end(), plain.buffers[i].begin())) << "element " << i;
  }
  const fixtures::Region& ro = target_->regions()[4];
  StatusOr<std::vector<uint8_t>> ro_back = target_->ReadBack(ro.start + 200, 16);
  ASSERT_OK(ro_back);
  for (uint64_t k = 0; k < 16; ++k) EXPECT_EQ((*ro_back)[k], PatternByte(ro.start + 200 + k)) << k;
}

TEST_P(SeccompFallbackTest, ADeadTargetIsStillGoneAfterTheFallback) {
  StatusOr<std::unique_ptr<testing::FixtureProcess>> zombie =
      testing::FixtureProcess::Start("fixtures/exiter", {"--exit", "0"}, testing::ExpectedEnd::Exit(0));
  ASSERT_OK(zombie);
  ASSERT_OK((*zombie)->Send("go"));
  ASSERT_TRUE((*zombie)->WaitUnreaped());
  const pid_t pid = (*zombie)->pid();
  const int error = refused();
  const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (Status s = testing::DenyProcessVm(error); !s.ok()) return report.Skip(s.ToString());
    StatusOr<Process> p = Process::Open(pid);
    report.Check("open", p.ok(), p.status().ToString());
    if (!p.ok()) return;
    uint8_t buffer[8];
    const Element element{0x10000, buffer, sizeof buffer};
    ElementResult result;
    TransferReport r;
    const Status s = p->Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1}, &r);
    report.Check("ESRCH, not a permission error", s.error_number() == ESRCH, s.ToString());
    report.Check("the element carries ESRCH", result == ElementResult{0, ESRCH}, Describe({result}));
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(outcome,
                                 {"open", "ESRCH, not a permission error", "the element carries ESRCH"});
}

INSTANTIATE_TEST_SUITE_P(Refusals, SeccompFallbackTest, ::testing::Values(EPERM, ENOSYS),
                         [](const ::testing::TestParamInfo<int>& info) { return ErrnoName(info.param); });

}  // namespace
}  // namespace procscope
