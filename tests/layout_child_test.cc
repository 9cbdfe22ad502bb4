// LayoutChild must release every child it started, in any order: forked children inherit descriptors, and a
// child holding a copy of another's pipe once made a parent wait for ever (the benchmark hung at exit).
#include "fixtures/layout_child.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "backend/memory/feature_probe.h"
#include "backend/status_matchers.h"
#include "fixtures/pattern.h"

namespace procscope::fixtures {
namespace {

TEST(LayoutChildTest, ManyChildrenEndInCreationOrder) {
  std::vector<std::unique_ptr<LayoutChild>> children;
  for (int i = 0; i < 4; ++i) {
    StatusOr<std::unique_ptr<LayoutChild>> child = LayoutChild::Start("rw:1,hole:1,rw:1");
    ASSERT_OK(child);
    ASSERT_EQ((*child)->regions().size(), 3u);
    children.push_back(*std::move(child));
  }
  std::vector<pid_t> pids;
  for (const auto& c : children) pids.push_back(c->pid());
  children.clear();  // the first child is released first: it must not wait on copies held by the others
  for (pid_t pid : pids) EXPECT_NE(kill(pid, 0), 0) << pid << " still exists";
}

// A stopped child never reads the EOF that ends it: the destructor kills it instead of waiting forever.
TEST(LayoutChildTest, AStoppedChildIsKilledNotWaitedFor) {
  StatusOr<std::unique_ptr<LayoutChild>> child = LayoutChild::Start("rw:1");
  ASSERT_OK(child);
  const pid_t pid = (*child)->pid();
  ASSERT_EQ(kill(pid, SIGSTOP), 0);
  child->reset();
  EXPECT_EQ(kill(pid, 0), -1);  // reaped: the PID is free
  EXPECT_EQ(errno, ESRCH);
}

TEST(LayoutChildTest, BadSpecIsAnError) { EXPECT_THAT(LayoutChild::Start("hole:1"), ::testing::Not(IsOk())); }

// A zero region is read-only, reads as zeros, and 2 GiB of it cost the child no memory (never written).
TEST(LayoutChildTest, AZeroRegionReadsAsZerosAndCostsNothing) {
  StatusOr<std::unique_ptr<LayoutChild>> child = LayoutChild::Start("rw:1,zero:524290");
  ASSERT_OK(child);
  const std::vector<Region>& regions = (*child)->regions();
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_EQ(regions[1].kind, RegionKind::kZero);
  EXPECT_EQ(regions[1].end - regions[1].start, 524290ull * 4096);
  for (const uint64_t at : {regions[1].start, regions[1].start + 0x7ffff000, regions[1].end - 1}) {
    uint8_t byte = 0xee;
    iovec local{&byte, 1}, remote{reinterpret_cast<void*>(at), 1};
    ASSERT_EQ(process_vm_readv((*child)->pid(), &local, 1, &remote, 1, 0), 1) << std::hex << at;
    EXPECT_EQ(byte, 0) << std::hex << at;
    EXPECT_EQ(ExpectedByte(regions, at), 0);
  }
  uint8_t first = 0;
  iovec local{&first, 1}, remote{reinterpret_cast<void*>(regions[0].start), 1};
  ASSERT_EQ(process_vm_readv((*child)->pid(), &local, 1, &remote, 1, 0), 1);
  EXPECT_EQ(first, ExpectedByte(regions, regions[0].start));
  EXPECT_EQ(first, PatternByte(regions[0].start));
  // Written nowhere: the child's resident memory stays far below the region's 2 GiB.
  std::ifstream status("/proc/" + std::to_string((*child)->pid()) + "/status");
  std::string line;
  uint64_t rss_kb = 0;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) rss_kb = std::stoull(line.substr(6));
  EXPECT_GT(rss_kb, 0u);
  EXPECT_LT(rss_kb, 64u * 1024) << "the zero region was written";
}

// A guard run: one rw mapping with its neighbours, whose pages fault; on a kernel without guard regions the
// layout fails to build, saying why.
TEST(LayoutChildTest, AGuardRunFaultsInsideItsNeighboursMapping) {
  StatusOr<std::unique_ptr<LayoutChild>> child = LayoutChild::Start("rw:1,guard:2,rw:1");
  if (ProbeGuardRegions().madvise != "ok") {
    ASSERT_FALSE(child.ok());
    EXPECT_THAT(child.status().message(), ::testing::HasSubstr("guard regions need Linux 6.13"));
    return;
  }
  ASSERT_OK(child);
  const std::vector<Region>& regions = (*child)->regions();
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[1].kind, RegionKind::kGuard);
  EXPECT_EQ(ProtectionOf(RegionKind::kGuard), PROT_READ | PROT_WRITE);
  for (const uint64_t at : {regions[0].start, regions[1].start, regions[1].end - 1, regions[2].start}) {
    uint8_t byte = 0xee;
    iovec local{&byte, 1}, remote{reinterpret_cast<void*>(at), 1};
    const bool guard = at >= regions[1].start && at < regions[1].end;
    EXPECT_EQ(process_vm_readv((*child)->pid(), &local, 1, &remote, 1, 0), guard ? -1 : 1) << std::hex << at;
    EXPECT_EQ(byte, guard ? 0xee : PatternByte(at)) << std::hex << at;
  }
}

}  // namespace
}  // namespace procscope::fixtures
