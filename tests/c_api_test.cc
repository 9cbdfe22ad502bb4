// libprocscope.so's C entry points (backend/c_api), linked statically here: every strategy through
// procscope_read_with and procscope_write_with against a live layout and its ground truth, how a call was
// served, the environment variable, and bad arguments.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backend/c_api/procscope_backend.h"
#include "backend/memory/strategy.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "fixtures/layout_child.h"
#include "fixtures/pattern.h"

namespace procscope {
namespace {

using fixtures::Region;

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<fixtures::LayoutChild>> child =
        fixtures::LayoutChild::Start("rw:2,hole:1,none:1,rw:1");
    ASSERT_OK(child);
    child_ = *std::move(child);
  }
  const std::vector<Region>& regions() const { return child_->regions(); }
  std::unique_ptr<fixtures::LayoutChild> child_;
};

TEST_F(CApiTest, AbiNameAndStrategyList) {
  EXPECT_EQ(procscope_backend_abi(), PROCSCOPE_BACKEND_ABI);
  EXPECT_STREQ(procscope_backend_name(), "procscope engine");
  std::vector<std::string> listed;
  for (const char* const* name = procscope_strategy_names(); *name != nullptr; ++name)
    listed.push_back(*name);
  EXPECT_EQ(listed, StrategyNames());
  EXPECT_EQ(procscope_strategy_names(), procscope_strategy_names()) << "static storage, built once";
}

// Per strategy: a valid element, one straddling into the hole, one in the hole, one zero-length, one that
// wraps; results, bytes and the transport against the ground truth.
TEST_F(CApiTest, EveryStrategyReadsAndWritesPerTheGroundTruth) {
  const uint64_t valid = regions()[0].start + 100, straddle = regions()[0].end - 3,
                 hole = regions()[1].start + 8;
  for (std::string strategy : StrategyNames()) {
    if (strategy == "procmem_force") continue;  // forces access: its PROT_NONE answers differ on purpose
    strategy = strategy == "adaptive_coalesce" ? "default" : strategy;
    SCOPED_TRACE(strategy);
    std::vector<std::vector<uint8_t>> buffers(5, std::vector<uint8_t>(8, 0xee));
    const uint64_t addresses[5] = {valid, straddle, hole, hole, ~0ULL - 3};
    const uint64_t lengths[5] = {8, 8, 8, 0, 8};
    procscope_element elements[5];
    for (int i = 0; i < 5; ++i) elements[i] = {addresses[i], buffers[i].data(), lengths[i]};
    procscope_result results[5];
    procscope_transfer_info info{};
    ASSERT_EQ(procscope_read_with(strategy.c_str(), child_->pid(), elements, 5, results, &info), 0);
    for (int i = 0; i < 5; ++i) {
      const ElementResult want =
          fixtures::ExpectedResult(regions(), addresses[i], lengths[i], Direction::kRead, false);
      EXPECT_EQ(results[i].transferred, want.transferred) << i;
      EXPECT_EQ(results[i].error, want.error) << i;
      EXPECT_EQ(results[i].reserved, 0);
      for (uint64_t k = 0; k < 8; ++k) {
        EXPECT_EQ(buffers[i][k], k < want.transferred ? PatternByte(addresses[i] + k) : 0xee)
            << i << " byte " << k;
      }
    }
    const bool procmem = strategy == "procmem";
    EXPECT_STREQ(info.transport, procmem ? "procmem" : "process_vm");
    EXPECT_EQ(info.fallback_reason, 0);
    EXPECT_GE(info.syscalls, 1u);

    // A write of 8 bytes straddling into the hole moves 3, then they read back.
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[3] = {};
    procscope_element write{straddle, data, 8};
    procscope_result written;
    ASSERT_EQ(procscope_write_with(strategy.c_str(), child_->pid(), &write, 1, &written, nullptr), 0);
    EXPECT_EQ(written.transferred, 3u);
    EXPECT_EQ(written.error, EFAULT);
    procscope_element read_back{straddle, back, 3};
    procscope_result again;
    ASSERT_EQ(procscope_read_with("retry", child_->pid(), &read_back, 1, &again, nullptr), 0);
    EXPECT_EQ(std::memcmp(back, data, 3), 0);
    uint8_t pattern[3] = {PatternByte(straddle), PatternByte(straddle + 1), PatternByte(straddle + 2)};
    procscope_element restore{straddle, pattern, 3};
    ASSERT_EQ(procscope_write_with("retry", child_->pid(), &restore, 1, &again, nullptr), 0);
  }
}

// PROCSCOPE_STRATEGY, read at every call of procscope_backend_read/write: a name the engine does not know is
// refused (EINVAL) where the default would have read.
TEST_F(CApiTest, TheEnvironmentPicksTheStrategyOfTheBackendEntryPoints) {
  uint8_t byte = 0;
  procscope_element element{regions()[0].start, &byte, 1};
  procscope_result result;
  for (const char* name : {"retry", "procmem", "default"}) {
    setenv("PROCSCOPE_STRATEGY", name, 1);
    EXPECT_EQ(procscope_backend_read(child_->pid(), &element, 1, &result), 0) << name;
    EXPECT_EQ(result.error, 0) << name;
    EXPECT_EQ(procscope_backend_write(child_->pid(), &element, 1, &result), 0) << name;
  }
  setenv("PROCSCOPE_STRATEGY", "no_such_strategy", 1);
  EXPECT_EQ(procscope_backend_read(child_->pid(), &element, 1, &result), EINVAL);
  EXPECT_EQ(result.error, EINVAL);
  EXPECT_EQ(procscope_backend_write(child_->pid(), &element, 1, &result), EINVAL);
  unsetenv("PROCSCOPE_STRATEGY");
  EXPECT_EQ(procscope_backend_read(child_->pid(), &element, 1, &result), 0);
  EXPECT_EQ(byte, PatternByte(regions()[0].start));
}

TEST_F(CApiTest, BadArgumentsAndWholeCallFailures) {
  procscope_result results[2];
  uint8_t buffer[8];
  procscope_element elements[2] = {{regions()[0].start, buffer, 8}, {regions()[0].start, buffer, 8}};
  EXPECT_EQ(procscope_read_with("default", child_->pid(), nullptr, 0, nullptr, nullptr), 0)
      << "nothing to do";
  EXPECT_EQ(procscope_read_with("default", child_->pid(), nullptr, 2, results, nullptr), EINVAL);
  EXPECT_EQ(procscope_read_with("default", child_->pid(), elements, 2, nullptr, nullptr), EINVAL);
  // Every result of the batch is written, and nothing past it: a third result stands guard.
  procscope_result guarded[3];
  guarded[2] = {42, 42, 42};
  EXPECT_EQ(procscope_read_with("bogus", child_->pid(), elements, 2, guarded, nullptr), EINVAL);
  EXPECT_EQ(guarded[0].error, EINVAL);
  EXPECT_EQ(guarded[1].error, EINVAL);
  EXPECT_EQ(guarded[2].transferred, 42u);
  EXPECT_EQ(guarded[2].error, 42);
  EXPECT_EQ(procscope_read_with(nullptr, child_->pid(), elements, 2, results, nullptr), 0) << "NULL: default";
  EXPECT_EQ(results[1].error, 0);
  // No such process: the whole call fails with ESRCH, every element says so.
  const int32_t gone = child_->pid();
  child_.reset();
  EXPECT_EQ(procscope_read_with("retry", gone, elements, 2, results, nullptr), ESRCH);
  EXPECT_EQ(results[0].error, ESRCH);
  EXPECT_EQ(results[1].error, ESRCH);
}

}  // namespace
}  // namespace procscope
