// Process::Info against live fixtures, a deleted executable and one really named "(deleted)"
// included. Implementation: backend/process/process_info.cc.
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
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

using testing::Opts;
using testing::RunfilesPath;
using Kind = ProcessState::Kind;
using testing::OpenOrDie;
using testing::StartFixture;

TEST(InfoTest, LiveFixture) {
  const std::string dir = testing::NewTempDir("info");
  auto fixture = StartFixture("fixtures/odd_names", Opts({"--dir", dir}));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  EXPECT_TRUE(p.has_pidfd());
  StatusOr<ProcessInfo> info = p.Info();
  ASSERT_OK(info);
  EXPECT_EQ(info->pid, fixture->pid());
  EXPECT_EQ(info->ppid, getpid());
  EXPECT_EQ(info->name, "odd_names");
  EXPECT_EQ(info->path, std::filesystem::canonical(RunfilesPath("fixtures/odd_names")).string());
  EXPECT_FALSE(info->path_deleted);
  EXPECT_EQ(info->command_line, (std::vector<std::string>{RunfilesPath("fixtures/odd_names"), "--dir", dir}));
  EXPECT_EQ(info->arch, HostArch());
  EXPECT_EQ(info->state.kind, Kind::kAlive);
  EXPECT_EQ(p.start_time(), p.Stat()->starttime);
  ASSERT_TRUE(fixture->Stop());
}

TEST(InfoTest, DeletedExecutableAndOneReallyNamedDeleted) {
  const std::string dir = testing::NewTempDir("exe");
  for (const bool unlink_it : {true, false}) {
    const std::string copy = dir + (unlink_it ? "/exiter-copy" : "/x (deleted)");
    std::filesystem::copy_file(RunfilesPath("fixtures/exiter"), copy,
                               std::filesystem::copy_options::overwrite_existing);
    auto fixture = StartFixture(copy, Opts({}));
    ASSERT_NE(fixture, nullptr);
    if (unlink_it) ASSERT_EQ(unlink(copy.c_str()), 0);
    Process p = OpenOrDie(fixture->pid());
    StatusOr<ProcessInfo> info = p.Info();
    ASSERT_OK(info);
    EXPECT_EQ(info->path, copy);
    EXPECT_EQ(info->path_deleted, unlink_it);
    EXPECT_EQ(info->arch, HostArch()) << "the ELF header is read through the link, deleted or not";
    ASSERT_OK(fixture->Send("go"));
    ASSERT_TRUE(fixture->Stop());
  }
}

}  // namespace
}  // namespace procscope
