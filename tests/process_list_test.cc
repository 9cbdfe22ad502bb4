// ListProcesses against a live fixture: it is listed, its threads are not. Implementation:
// backend/process/process_list.cc.
#include "backend/process/process_list.h"

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

#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "tests/util/fixture_process.h"
#include "tests/util/process_helpers.h"

namespace procscope {
namespace {

using testing::Opts;
using Kind = ProcessState::Kind;
using testing::ParkedThread;
using testing::StartFixture;

// ---- process list ----------------------------------------------------------------------------------------

TEST(ListProcessesTest, HoldsTheFixtureAndNoThreads) {
  auto fixture = StartFixture("fixtures/exiter", Opts({}));
  ASSERT_NE(fixture, nullptr);
  ParkedThread parked;
  const pid_t tid = parked.tid();
  StatusOr<std::vector<ProcessSummary>> list = ListProcesses();
  ASSERT_OK(list);
  std::set<pid_t> pids;
  for (const ProcessSummary& s : *list) pids.insert(s.pid);
  EXPECT_EQ(pids.size(), list->size());
  EXPECT_TRUE(std::is_sorted(list->begin(), list->end(),
                             [](const ProcessSummary& x, const ProcessSummary& y) { return x.pid < y.pid; }));
  EXPECT_EQ(pids.count(tid), 0u) << "a thread is not a process";
  const auto it = std::find_if(list->begin(), list->end(),
                               [&](const ProcessSummary& s) { return s.pid == fixture->pid(); });
  ASSERT_NE(it, list->end());
  EXPECT_EQ(it->name, "exiter");
  EXPECT_EQ(it->ppid, getpid());
  EXPECT_EQ(it->state.kind, Kind::kAlive);
  EXPECT_TRUE(pids.count(1));
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->Stop());
}

}  // namespace
}  // namespace procscope
