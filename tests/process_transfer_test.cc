// Process::Transfer against a live fixture: reads through the handle, ESRCH once it is reaped.
// Implementation: backend/process/process_transfer.cc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "fixtures/pattern.h"
#include "tests/util/fixture_process.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/process_helpers.h"

namespace procscope {
namespace {

using testing::FixtureProcess;
using testing::OpenOrDie;

TEST(TransferTest, ReadsThroughTheHandleAndStopsAtReaping) {
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles("rw:2,hole:1,rw:1"));
  const std::unique_ptr<FixtureProcess>& fixture = holes.process;
  const uint64_t base = holes.regions.front().start;
  Process p = OpenOrDie(fixture->pid());
  std::vector<uint8_t> a(64), b(64);
  const Element elements[] = {{base + 10, a.data(), a.size()}, {base + 2 * 4096, b.data(), b.size()}};
  ElementResult results[2];
  ASSERT_OK(p.Transfer(*MakeStrategy("default"), Direction::kRead, elements, results));
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1], (ElementResult{0, EFAULT}));
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], PatternByte(base + 10 + i));
  ASSERT_TRUE(fixture->Stop());
  ElementResult after[2];
  const Status gone = p.Transfer(*MakeStrategy("default"), Direction::kRead, elements, after);
  EXPECT_THAT(gone, StatusIs(ESRCH));
  EXPECT_EQ(after[0], (ElementResult{0, ESRCH}));
  EXPECT_EQ(after[1], (ElementResult{0, ESRCH}));
}

}  // namespace
}  // namespace procscope
