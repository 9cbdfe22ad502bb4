// FakeMemory must follow the rules measured on the real kernel (backend/KERNEL_FACTS.md). The same rules are
// measured on the real kernel by `procscope probe` (pinned by tests/cli_memory_test.cc, CliProbeTest), and
// tests/memory_engine_test.cc (FakeVersusKernelTest) runs the same batches through the fake and a real
// child, so fake and kernel cannot drift apart unnoticed.
#include "backend/memory/fake_memory.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "backend/status_matchers.h"

namespace procscope {
namespace {

constexpr uint64_t kPage = kFakePageSize;
constexpr uint64_t kBase = 0x100000;

iovec Remote(uint64_t address, size_t length) { return {reinterpret_cast<void*>(address), length}; }

class FakeMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_.Map(kBase, 1, kProtRead | kProtWrite);              // page 0: rw
    memory_.Map(kBase + 2 * kPage, 1, kProtRead | kProtWrite);  // page 1: hole; page 2: rw
    memory_.Map(kBase + 3 * kPage, 1, kProtNone);               // page 3: PROT_NONE
    memory_.Map(kBase + 4 * kPage, 1, kProtRead);               // page 4: read-only
  }
  FakeMemory memory_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(4 * kPage);
};

TEST_F(FakeMemoryTest, OneElementSpanningAHoleIsSplit) {
  iovec local{buffer_.data(), 3 * kPage};
  iovec remote = Remote(kBase, 3 * kPage);
  EXPECT_EQ(memory_.VmReadv({&local, 1}, {&remote, 1}), static_cast<ssize_t>(kPage));
  EXPECT_EQ(buffer_[kPage - 1], PatternByte(kBase + kPage - 1));
  iovec late = Remote(kBase + kPage - 3996, 4096);
  EXPECT_EQ(memory_.VmReadv({&local, 1}, {&late, 1}), 3996);
}

TEST_F(FakeMemoryTest, StopsAtTheFirstFailingElement) {
  iovec local{buffer_.data(), 24};
  iovec remote[3] = {Remote(kBase, 8), Remote(kBase + kPage, 8), Remote(kBase + 2 * kPage, 8)};
  EXPECT_EQ(memory_.VmReadv({&local, 1}, remote), 8);
}

TEST_F(FakeMemoryTest, NothingMovedIsEfault) {
  iovec local{buffer_.data(), 8};
  for (uint64_t address : {kBase + kPage, kBase + 3 * kPage, uint64_t{0}, uint64_t{0xffffffffff600000}}) {
    iovec remote = Remote(address, 8);
    EXPECT_EQ(memory_.VmReadv({&local, 1}, {&remote, 1}), -EFAULT) << std::hex << address;
  }
}

TEST_F(FakeMemoryTest, ZeroLengthElementsAreSkippedUnchecked) {
  iovec local{buffer_.data(), 16};
  iovec remote[3] = {Remote(kBase, 8), Remote(0, 0), Remote(kBase + 8, 8)};
  EXPECT_EQ(memory_.VmReadv({&local, 1}, remote), 16);
}

TEST_F(FakeMemoryTest, WritesFailOnReadOnlyAndProtNone) {
  iovec local{buffer_.data(), 8};
  for (uint64_t address : {kBase + 3 * kPage, kBase + 4 * kPage}) {
    iovec remote = Remote(address, 8);
    EXPECT_EQ(memory_.VmWritev({&local, 1}, {&remote, 1}), -EFAULT);
  }
  iovec remote = Remote(kBase, 8);
  buffer_[0] = 0xab;
  EXPECT_EQ(memory_.VmWritev({&local, 1}, {&remote, 1}), 8);
  EXPECT_EQ(memory_.Peek(kBase), 0xab);
}

TEST_F(FakeMemoryTest, IovMaxAndDeadAndDenied) {
  std::vector<iovec> local(kIovMax + 1, iovec{buffer_.data(), 1}), remote(kIovMax + 1, Remote(kBase, 1));
  EXPECT_EQ(memory_.VmReadv(local, remote), -EINVAL);
  EXPECT_EQ(memory_.VmReadv(std::span(local).first(kIovMax), std::span(remote).first(kIovMax)), 1024);
  memory_.SetDead(true);
  EXPECT_EQ(memory_.VmReadv(std::span(local).first(1), std::span(remote).first(1)), -ESRCH);
  iovec empty{buffer_.data(), 0};
  EXPECT_EQ(memory_.VmReadv({&empty, 1}, std::span(remote).first(1)), 0);  // no local bytes: pid unchecked
  EXPECT_EQ(memory_.MemPread(buffer_.data(), 8, kBase), 0);                // EOF after exit
  memory_.SetDead(false);
  memory_.SetDenied(true);
  EXPECT_EQ(memory_.VmReadv(std::span(local).first(1), std::span(remote).first(1)), -EPERM);
}

TEST_F(FakeMemoryTest, ProcMemIgnoresProtectionsAndStopsAtHoles) {
  EXPECT_EQ(memory_.MemPread(buffer_.data(), 8, kBase + 3 * kPage), 8);  // PROT_NONE reads
  EXPECT_EQ(buffer_[0], PatternByte(kBase + 3 * kPage));
  buffer_[0] = 0x5a;
  EXPECT_EQ(memory_.MemPwrite(buffer_.data(), 1, kBase + 4 * kPage), 1);  // read-only is written
  EXPECT_EQ(memory_.Peek(kBase + 4 * kPage), 0x5a);
  EXPECT_EQ(memory_.MemPread(buffer_.data(), 2 * kPage, kBase),
            static_cast<ssize_t>(kPage));                               // short at hole
  EXPECT_EQ(memory_.MemPread(buffer_.data(), 8, kBase + kPage), -EIO);  // starts in the hole
}

// proc_mem.force_override=never: protections hold through /proc/<pid>/mem too, like holes.
TEST_F(FakeMemoryTest, WithoutForcingProcMemStopsAtProtections) {
  memory_.SetForces(false);
  EXPECT_EQ(memory_.MemPread(buffer_.data(), 8, kBase + 3 * kPage), -EIO);   // PROT_NONE
  EXPECT_EQ(memory_.MemPwrite(buffer_.data(), 1, kBase + 4 * kPage), -EIO);  // read-only
  EXPECT_EQ(memory_.Peek(kBase + 4 * kPage), PatternByte(kBase + 4 * kPage));
  EXPECT_EQ(memory_.MemPread(buffer_.data(), 8, kBase + 4 * kPage), 8);  // read-only still reads
  EXPECT_EQ(memory_.MemPread(buffer_.data(), kPage + 8, kBase + 2 * kPage),
            static_cast<ssize_t>(kPage));  // short where PROT_NONE begins
}

TEST_F(FakeMemoryTest, MapsTextDescribesTheLayout) {
  StatusOr<std::string_view> text = memory_.ReadMapsText();
  ASSERT_OK(text);
  EXPECT_EQ(*text,
            "00100000-00101000 rw-p 00000000 00:00 0\n"
            "00102000-00103000 rw-p 00000000 00:00 0\n"
            "00103000-00104000 ---p 00000000 00:00 0\n"
            "00104000-00105000 r--p 00000000 00:00 0\n");
}

TEST_F(FakeMemoryTest, CountsEveryCall) {
  const uint64_t before = memory_.syscalls();
  iovec local{buffer_.data(), 8};
  iovec remote = Remote(kBase, 8);
  (void)memory_.VmReadv({&local, 1}, {&remote, 1});
  (void)memory_.MemPread(buffer_.data(), 8, kBase);
  (void)memory_.ReadMapsText();
  EXPECT_EQ(memory_.syscalls() - before, 3u);
}

// PROCMAP_QUERY's imitation answers from the same mappings as the text: the mapping covering the address,
// else the next one; ENOENT above the last; ENOTTY (once counted, then remembered) on an older kernel.
TEST_F(FakeMemoryTest, QueryVmaAnswersTheTextsMappings) {
  VmaInfo vma;
  ASSERT_EQ(memory_.QueryVma(kBase + 100, vma), 0);
  EXPECT_EQ(vma.start, kBase);
  EXPECT_EQ(vma.end, kBase + kPage);
  EXPECT_TRUE(vma.readable && vma.writable);
  ASSERT_EQ(memory_.QueryVma(kBase + kPage, vma), 0);  // in the hole: the next mapping
  EXPECT_EQ(vma.start, kBase + 2 * kPage);
  EXPECT_EQ(vma.end, kBase + 3 * kPage);
  ASSERT_EQ(memory_.QueryVma(kBase + 3 * kPage + 5, vma), 0);
  EXPECT_EQ(vma.start, kBase + 3 * kPage);
  EXPECT_FALSE(vma.readable || vma.writable);
  ASSERT_EQ(memory_.QueryVma(kBase + 4 * kPage, vma), 0);
  EXPECT_TRUE(vma.readable);
  EXPECT_FALSE(vma.writable);
  EXPECT_EQ(memory_.QueryVma(kBase + 5 * kPage, vma), -ENOENT);
  memory_.Map(kBase + kPage, 1, kProtRead | kProtWrite);  // pages 0-2 are one rw mapping now
  ASSERT_EQ(memory_.QueryVma(kBase + 2 * kPage, vma), 0);
  EXPECT_EQ(vma.start, kBase);
  EXPECT_EQ(vma.end, kBase + 3 * kPage);
  EXPECT_EQ(memory_.queries(), 6u);
  memory_.SetProcmapQuery(false);
  const uint64_t before = memory_.syscalls();
  EXPECT_EQ(memory_.QueryVma(kBase, vma), -ENOTTY);
  EXPECT_EQ(memory_.QueryVma(kBase, vma), -ENOTTY);
  EXPECT_EQ(memory_.syscalls() - before, 1u);
}

// A guard page keeps its protection (one mapping with its neighbours in the text and the query) and fails
// every access, forced /proc/<pid>/mem ones too.
TEST_F(FakeMemoryTest, AGuardPageFaultsEveryAccessInsideOneMapping) {
  FakeMemory memory;
  memory.Map(kBase, 3, kProtRead | kProtWrite);
  memory.InstallGuard(kBase + kPage, 1);
  EXPECT_TRUE(memory.IsGuard(kBase + kPage + 7));
  EXPECT_FALSE(memory.IsGuard(kBase));
  StatusOr<std::string_view> text = memory.ReadMapsText();
  ASSERT_OK(text);
  EXPECT_EQ(*text, "00100000-00103000 rw-p 00000000 00:00 0\n");
  std::vector<uint8_t> buffer(3 * kPage);
  iovec local{buffer.data(), buffer.size()};
  iovec all = Remote(kBase, 3 * kPage), guard = Remote(kBase + kPage, 8),
        after = Remote(kBase + 2 * kPage, 8);
  EXPECT_EQ(memory.VmReadv({&local, 1}, {&all, 1}), static_cast<ssize_t>(kPage));
  EXPECT_EQ(memory.VmReadv({&local, 1}, {&guard, 1}), -EFAULT);
  EXPECT_EQ(memory.VmWritev({&local, 1}, {&guard, 1}), -EFAULT);
  EXPECT_EQ(memory.VmReadv({&local, 1}, {&after, 1}), 8);
  EXPECT_EQ(memory.MemPread(buffer.data(), 8, kBase + kPage), -EIO);
  EXPECT_EQ(memory.MemPwrite(buffer.data(), 8, kBase + kPage), -EIO);
  EXPECT_EQ(memory.MemPread(buffer.data(), 2 * kPage, kBase), static_cast<ssize_t>(kPage));
  memory.Map(kBase + kPage, 1, kProtRead | kProtWrite);  // mapped anew: no guard
  EXPECT_EQ(memory.VmReadv({&local, 1}, {&guard, 1}), 8);
}

}  // namespace
}  // namespace procscope
