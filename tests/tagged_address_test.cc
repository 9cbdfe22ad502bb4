// Remote addresses whose top byte is set (a "tag", as arm64's Top Byte Ignore lets programs carry one): what
// process_vm_readv and /proc/PID/mem do with them on this kernel, and that every strategy follows it.
// Measured (`procscope probe`, keys tagged_address_vm/procmem): on arm64 (Debian's kernels under QEMU -cpu
// max) process_vm_readv reads the bytes of the untagged address on every line, while /proc/PID/mem untags
// its offset on 5.10 and 6.12 and fails with EIO on 6.1 (backend/KERNEL_FACTS.md, "By kernel line", which
// kernel_facts_test holds per line); on x86-64, where such an address is not canonical, process_vm_readv
// fails with EFAULT and /proc/PID/mem with EIO. The engine follows the kernel: AccessibleCursor untags on
// arm64 only, so classification never fails an element the transport would read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/scoped_fd.h"
#include "backend/status_matchers.h"
#include "fixtures/layout_child.h"
#include "fixtures/pattern.h"

namespace procscope {
namespace {

constexpr uint64_t kTag = 0x5aULL << 56;
#if defined(__aarch64__)
constexpr bool kTopByteIgnored = true;
#else
constexpr bool kTopByteIgnored = false;
#endif

// Whether this kernel's /proc/PID/mem untags a tagged offset: a pread of this process's own memory (the
// line decides on arm64; never on x86-64, where the address is not canonical).
bool ProcMemUntags() {
  static const uint64_t word = 0x1122334455667788;
  const ScopedFd mem(open("/proc/self/mem", O_RDONLY | O_CLOEXEC));
  uint64_t got = 0;
  return mem.is_valid() &&
         pread(mem.get(), &got, sizeof got, static_cast<off_t>(reinterpret_cast<uintptr_t>(&word) | kTag)) ==
             8 &&
         got == word;
}

class TaggedAddressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<fixtures::LayoutChild>> child = fixtures::LayoutChild::Start("rw:1,hole:1,rw:1");
    ASSERT_OK(child);
    child_ = *std::move(child);
    address_ = child_->regions()[0].start + 16;
  }
  // The 8 bytes at address_ as the child holds them.
  std::vector<uint8_t> Truth() const {
    std::vector<uint8_t> bytes(8);
    FillPattern(bytes.data(), address_, bytes.size());
    return bytes;
  }
  std::unique_ptr<fixtures::LayoutChild> child_;
  uint64_t address_ = 0;
};

TEST_F(TaggedAddressTest, TheKernelReadsATaggedAddressOnlyWhereTheTopByteIsIgnored) {
  std::vector<uint8_t> buffer(8, 0xee);
  iovec local{buffer.data(), buffer.size()};
  iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(address_ | kTag)), 8};
  errno = 0;
  const ssize_t n = process_vm_readv(child_->pid(), &local, 1, &remote, 1, 0);
  if (kTopByteIgnored) {
    EXPECT_EQ(n, 8) << "errno " << errno;
    EXPECT_EQ(buffer, Truth());
  } else {
    EXPECT_EQ(n, -1);
    EXPECT_EQ(errno, EFAULT);
  }

  const ScopedFd mem(open(("/proc/" + std::to_string(child_->pid()) + "/mem").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(mem.is_valid()) << "errno " << errno;
  std::vector<uint8_t> via_mem(8, 0xee);
  errno = 0;
  const ssize_t m = pread(mem.get(), via_mem.data(), via_mem.size(), static_cast<off_t>(address_ | kTag));
  if (kTopByteIgnored && ProcMemUntags()) {
    EXPECT_EQ(m, 8) << "errno " << errno;
    EXPECT_EQ(via_mem, Truth());
  } else {
    EXPECT_EQ(m, -1);  // the offset taken as it is
    EXPECT_EQ(errno, EIO);
  }
}

// A tagged element beside a hole (so the classifying strategies read the maps, which print untagged
// addresses) and an untagged one: per strategy, the tagged element gets what its transport gives it.
TEST_F(TaggedAddressTest, EveryStrategyFollowsTheKernel) {
  const uint64_t hole = child_->regions()[1].start + 8;
  for (const std::string& name : StrategyNames()) {
    SCOPED_TRACE(name);
    std::unique_ptr<Strategy> strategy = MakeStrategy(name);
    ASSERT_NE(strategy, nullptr);
    std::vector<std::vector<uint8_t>> buffers(3, std::vector<uint8_t>(8, 0xee));
    const std::vector<Element> elements = {{address_ | kTag, buffers[0].data(), 8},
                                           {hole, buffers[1].data(), 8},
                                           {address_, buffers[2].data(), 8}};
    std::vector<ElementResult> results(elements.size());
    LinuxMemoryBackend memory(child_->pid());
    ASSERT_OK(TransferBatch(*strategy, memory, Direction::kRead, elements, results));
    if (kTopByteIgnored && (strategy->transport() == Transport::kProcessVm || ProcMemUntags())) {
      EXPECT_EQ(results[0].transferred, 8u);
      EXPECT_EQ(results[0].error, 0);
      EXPECT_EQ(buffers[0], Truth());
    } else {
      EXPECT_EQ(results[0].transferred, 0u);
      EXPECT_EQ(results[0].error, EFAULT);
    }
    EXPECT_EQ(results[1].transferred, 0u);
    EXPECT_EQ(results[1].error, EFAULT);
    EXPECT_EQ(results[2].transferred, 8u);
    EXPECT_EQ(buffers[2], Truth());
  }
}

}  // namespace
}  // namespace procscope
