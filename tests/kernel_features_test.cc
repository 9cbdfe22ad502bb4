// The newer kernels' interfaces the probe reports (backend/memory/feature_probe.h), checked against a real
// target: a child of this test. Each test needs one feature: where the kernel lacks it, it skips saying
// "needs KEY (what the kernel answered)", KEY being the probe key; tools/kernels/report.py reports such a
// skip as a failure on a boot whose probe says the feature is there.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "backend/eintr.h"
#include "backend/kernel_uapi.h"
#include "backend/memory/feature_probe.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/read_file.h"
#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"
#include "backend/status_matchers.h"
#include "tests/util/procmap_walk.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

// A child that sleeps until killed, sharing (by fork) this process's layout. CI on 2026-12-08 saw this
// helper hand back an invalid child with no fork error in two of five TCG boots (6.12 and 7.2; never in 13
// other boots that day nor in 200 host runs; cause not found): it now says what it got, on stderr and as a
// test property, and forks once more before the test fails.
ScopedChild SleepingChild() {
  for (int attempt = 1; attempt <= 2; ++attempt) {
    StatusOr<ScopedChild> child = ScopedChild::Fork([] {
      for (;;) pause();
      return 0;
    });
    if (!child.ok()) {
      ADD_FAILURE() << "fork: " << child.status().ToString();
      return ScopedChild();
    }
    if (child->is_valid()) return std::move(*child);
    const std::string what = "attempt " + std::to_string(attempt) + ": fork gave no error but child pid " +
                             std::to_string(child->pid()) + " (errno " + ErrnoName(errno) + ")";
    std::cerr << "kernel_features_test: SleepingChild: " << what << "\n";
    ::testing::Test::RecordProperty("sleeping_child_invalid", what);
  }
  return ScopedChild();
}

std::string Path(pid_t pid, const char* file) { return "/proc/" + std::to_string(pid) + "/" + file; }

// Every VMA of the child, walked with PROCMAP_QUERY (COVERING_OR_NEXT from 0), equals the parsed text in
// range, permissions, offset, device and inode.
TEST(KernelFeaturesTest, ProcmapQueryWalksTheVmasTheTextLists) {
  StatusOr<std::string> supported = ProbeProcmapQuery();
  ASSERT_OK(supported.status());
  if (*supported != "supported")
    GTEST_SKIP() << "needs procmap_query (the kernel answered " << *supported << ")";
  ScopedChild child = SleepingChild();
  ASSERT_TRUE(child.is_valid());
  StatusOr<std::string> text = ReadFileToString(Path(child.pid(), "maps"));
  ASSERT_OK(text.status());
  StatusOr<std::vector<MapsEntry>> entries = ParseMaps(*text);
  ASSERT_OK(entries.status());
  ASSERT_OK_AND_ASSIGN(std::vector<testing::QueriedVma> queried, testing::WalkVmas(child.pid()));
  std::vector<MapsEntry> walked;
  for (const testing::QueriedVma& vma : queried) walked.push_back(vma.entry);
  // The text names a page the ioctl does not walk on x86-64: [vsyscall] lies outside the process's VMAs.
  std::vector<MapsEntry> listed;
  for (MapsEntry e : *entries) {
    if (e.path_raw == "[vsyscall]") continue;
    e.path_raw.clear();
    e.deleted = false;
    e.kind = MapsKind::kAnonymous;
    listed.push_back(e);
  }
  EXPECT_EQ(walked, listed);
}

// Three rw pages of the child, the middle one a guard page: one VMA in maps; each transport stops at it.
TEST(KernelFeaturesTest, AGuardPageInsideOneVmaFaultsEveryTransport) {
  char* pages = static_cast<char*>(
      mmap(nullptr, 3 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(pages, MAP_FAILED);
  std::memset(pages, 0x5a, 3 * kPage);
  if (madvise(pages + kPage, kPage, uapi::kMadvGuardInstall) != 0) {
    const std::string answer = ErrnoName(errno);
    munmap(pages, 3 * kPage);
    GTEST_SKIP() << "needs guard_regions (madvise(MADV_GUARD_INSTALL) answered " << answer << ")";
  }
  ScopedChild child = SleepingChild();  // guard markers survive fork
  ASSERT_TRUE(child.is_valid());
  munmap(pages, 3 * kPage);  // only the child's copy is read
  StatusOr<std::string> text = ReadFileToString(Path(child.pid(), "maps"));
  ASSERT_OK(text.status());
  StatusOr<std::vector<MapsEntry>> entries = ParseMaps(*text);
  ASSERT_OK(entries.status());
  const auto start = reinterpret_cast<uint64_t>(pages);
  bool one_vma = false;
  for (const MapsEntry& e : *entries)
    one_vma |= e.start <= start && e.end >= start + 3 * kPage && e.read && e.write;
  EXPECT_TRUE(one_vma) << "maps does not show guard pages: one rw VMA covers all three\n" << *text;

  std::vector<char> buffer(3 * kPage);
  iovec local{buffer.data(), buffer.size()};
  iovec all{pages, 3 * kPage};
  EXPECT_EQ(process_vm_readv(child.pid(), &local, 1, &all, 1, 0), static_cast<ssize_t>(kPage));
  iovec guard{pages + kPage, kPage};
  errno = 0;
  EXPECT_EQ(process_vm_readv(child.pid(), &local, 1, &guard, 1, 0), -1);
  EXPECT_EQ(errno, EFAULT);
  iovec after{pages + 2 * kPage, kPage};
  EXPECT_EQ(process_vm_readv(child.pid(), &local, 1, &after, 1, 0), static_cast<ssize_t>(kPage));
  EXPECT_EQ(buffer[0], 0x5a);

  const ScopedFd mem(
      RetryOnEintr([&] { return open(Path(child.pid(), "mem").c_str(), O_RDWR | O_CLOEXEC); }));
  ASSERT_TRUE(mem.is_valid());
  errno = 0;
  EXPECT_EQ(pread(mem.get(), buffer.data(), kPage, static_cast<off_t>(start + kPage)), -1);
  EXPECT_EQ(errno, EIO) << "forcing (FOLL_FORCE) does not pass a guard page";
  errno = 0;
  EXPECT_EQ(pwrite(mem.get(), buffer.data(), 8, static_cast<off_t>(start + kPage)), -1);
  EXPECT_EQ(errno, EIO);
}

// Bit 58 of /proc/PID/pagemap is set on the guard page and clear on its neighbours.
TEST(KernelFeaturesTest, PagemapMarksGuardPagesOnly) {
  const GuardRegionAnswer probe = ProbeGuardRegions();
  if (probe.madvise != "ok")
    GTEST_SKIP() << "needs guard_regions (madvise(MADV_GUARD_INSTALL) answered " << probe.madvise << ")";
  ASSERT_OK(probe.pagemap_bit.status());
  if (!*probe.pagemap_bit) GTEST_SKIP() << "needs pagemap_guard_bit (bit 58 is clear on a guard page)";
  char* pages = static_cast<char*>(
      mmap(nullptr, 3 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(pages, MAP_FAILED);
  std::memset(pages, 1, 3 * kPage);
  ASSERT_EQ(madvise(pages + kPage, kPage, uapi::kMadvGuardInstall), 0);
  ScopedChild child = SleepingChild();
  ASSERT_TRUE(child.is_valid());
  munmap(pages, 3 * kPage);
  const ScopedFd pagemap(
      RetryOnEintr([&] { return open(Path(child.pid(), "pagemap").c_str(), O_RDONLY | O_CLOEXEC); }));
  ASSERT_TRUE(pagemap.is_valid());
  uint64_t entries[3] = {};
  const off_t offset = static_cast<off_t>(reinterpret_cast<uint64_t>(pages) / kPage * sizeof(uint64_t));
  ASSERT_EQ(pread(pagemap.get(), entries, sizeof(entries), offset), static_cast<ssize_t>(sizeof(entries)));
  EXPECT_EQ(entries[0] >> uapi::kPagemapGuardBit & 1, 0u);
  EXPECT_EQ(entries[1] >> uapi::kPagemapGuardBit & 1, 1u);
  EXPECT_EQ(entries[2] >> uapi::kPagemapGuardBit & 1, 0u);
}

// PIDFD_INFO_EXIT gives the wait status of a reaped child: exit(7) and death by SIGKILL.
// What Process::WaitForEnd relies on: a pidfd polls readable (POLLIN) once its process is a zombie, on every
// line (pidfd poll: 5.3); where the pidfd keeps exit statuses, a zombie's has none yet: it comes at the reap.
TEST(KernelFeaturesTest, APidfdPollsReadableAtTheZombieAndGetsTheStatusAtTheReap) {
  StatusOr<std::string> supported = ProbePidfdInfoExit();
  ASSERT_OK(supported.status());
  StatusOr<ScopedChild> child = ScopedChild::Fork([] { return pause(); });
  ASSERT_OK(child.status());
  const ScopedFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, child->pid(), 0)));
  ASSERT_TRUE(pidfd.is_valid()) << ErrnoName(errno);
  pollfd ended{pidfd.get(), POLLIN, 0};
  ASSERT_EQ(poll(&ended, 1, 0), 0) << "readable while the process runs";
  ASSERT_OK(child->Signal(SIGKILL));
  ended.revents = 0;
  ASSERT_EQ(poll(&ended, 1, static_cast<int>(std::chrono::milliseconds(testing::kStepTimeLimit).count())), 1);
  EXPECT_NE(ended.revents & POLLIN, 0);
  if (*supported == "supported") {
    uapi::PidfdInfo info{};
    info.mask = uapi::kPidfdInfoExit;
    ASSERT_EQ(ioctl(pidfd.get(), uapi::kPidfdGetInfo, &info), 0) << ErrnoName(errno);
    EXPECT_EQ(info.mask & uapi::kPidfdInfoExit, 0u) << "a zombie's pidfd has an exit status before the reap";
  }
  ASSERT_OK(child->Wait().status());
  if (*supported != "supported") {
    GTEST_SKIP() << "the zombie's POLLIN holds; the status at the reap needs pidfd_info_exit (the kernel "
                    "answered "
                 << *supported << ")";
  }
  uapi::PidfdInfo info{};
  info.mask = uapi::kPidfdInfoExit;
  ASSERT_EQ(ioctl(pidfd.get(), uapi::kPidfdGetInfo, &info), 0) << ErrnoName(errno);
  EXPECT_NE(info.mask & uapi::kPidfdInfoExit, 0u);
  EXPECT_EQ(info.exit_code, SIGKILL);
}

TEST(KernelFeaturesTest, PidfdInfoExitOfReapedChildren) {
  StatusOr<std::string> supported = ProbePidfdInfoExit();
  ASSERT_OK(supported.status());
  if (*supported != "supported")
    GTEST_SKIP() << "needs pidfd_info_exit (the kernel answered " << *supported << ")";
  for (const bool killed : {false, true}) {
    StatusOr<ScopedChild> child = ScopedChild::Fork([killed] {
      if (killed) pause();
      return 7;
    });
    ASSERT_OK(child.status());
    // Opened before the child is reaped (it may already be a zombie).
    const ScopedFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, child->pid(), 0)));
    ASSERT_TRUE(pidfd.is_valid());
    if (killed) ASSERT_OK(child->Signal(SIGKILL));
    ASSERT_OK(child->Wait().status());
    uapi::PidfdInfo info{};
    info.mask = uapi::kPidfdInfoExit;
    ASSERT_EQ(ioctl(pidfd.get(), uapi::kPidfdGetInfo, &info), 0) << ErrnoName(errno);
    ASSERT_NE(info.mask & uapi::kPidfdInfoExit, 0u);
    EXPECT_EQ(info.exit_code, killed ? SIGKILL : 7 << 8) << "the raw wait status";
  }
}

}  // namespace
}  // namespace procscope
