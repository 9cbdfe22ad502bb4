// The contracts of `procscope ps`, `info`, `maps`, `modules`, `env` and `kmods`, on the real
// binary against fixtures whose ground truth is known.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend/procfs/modules.h"
#include "backend/status_matchers.h"
#include "tests/util/fixture_process.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"
#include "tests/util/vanished_pid.h"

namespace procscope {
namespace {

using Json = nlohmann::json;
using testing::CommandResult;
using testing::ExpectedEnd;
using testing::FixtureOptions;
using testing::FixtureProcess;
using testing::Opts;
using testing::RunProcscope;

std::unique_ptr<FixtureProcess> Start(const std::string& program, FixtureOptions options = {}) {
  StatusOr<std::unique_ptr<FixtureProcess>> f = FixtureProcess::Start(program, options);
  EXPECT_OK(f);
  return f.ok() ? std::move(*f) : nullptr;
}

// Runs procscope with --json and parses stdout; fails the test on a nonzero exit.
Json JsonOf(std::vector<std::string> args) {
  args.push_back("--json");
  const CommandResult r = RunProcscope(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return r.exit_code == 0 ? Json::parse(r.out) : Json();
}

std::vector<std::string> Keys(const Json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

TEST(CliProcessTest, PsListsTheFixture) {
  auto fixture = Start("fixtures/exiter");
  ASSERT_NE(fixture, nullptr);
  const Json ps = JsonOf({"ps"});
  ASSERT_TRUE(ps.is_array());
  bool found = false;
  for (const Json& p : ps) {
    EXPECT_EQ(Keys(p), (std::vector<std::string>{"name", "pid", "ppid", "state"}));
    if (p["pid"] != fixture->pid()) continue;
    found = true;
    EXPECT_EQ(p["name"], "exiter");
    EXPECT_EQ(p["ppid"], getpid());
    EXPECT_EQ(p["state"]["kind"], "alive");
    EXPECT_TRUE(p["state"]["exit_code"].is_null());
  }
  EXPECT_TRUE(found);
  const CommandResult table = RunProcscope({"ps"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find(std::to_string(fixture->pid())), std::string::npos);
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->Stop());
}

TEST(CliProcessTest, InfoOfALiveProcessAZombieAndAVanishedPid) {
  auto fixture = Start("fixtures/exiter", Opts({"--exit", "3"}, ExpectedEnd::Exit(3)));
  ASSERT_NE(fixture, nullptr);
  const std::string pid = std::to_string(fixture->pid());
  const Json live = JsonOf({"info", pid});
  EXPECT_EQ(Keys(live), (std::vector<std::string>{"arch", "command_line", "name", "path", "path_deleted",
                                                  "pid", "ppid", "primary_module", "state"}));
  EXPECT_EQ(live["pid"], fixture->pid());
  EXPECT_EQ(live["ppid"], getpid());
  EXPECT_EQ(live["name"], "exiter");
  EXPECT_EQ(live["path"], std::filesystem::canonical(testing::RunfilesPath("fixtures/exiter")).string());
  EXPECT_EQ(live["command_line"], Json::array({testing::RunfilesPath("fixtures/exiter"), "--exit", "3"}));
  // From the fixture's ELF header: the architecture this test (and so the fixture) was built for.
#if defined(__aarch64__)
  EXPECT_EQ(live["arch"], "aarch64");
#else
  EXPECT_EQ(live["arch"], "x86_64");
#endif
  EXPECT_EQ(live["state"]["kind"], "alive");
  // The primary module is the handle of the module named after the program.
  const Json modules = JsonOf({"modules", pid});
  Json exiter;
  for (const Json& m : modules)
    if (m["name"] == "exiter") exiter = m;
  ASSERT_FALSE(exiter.is_null());
  EXPECT_EQ(live["primary_module"], exiter["handle"]);

  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->WaitUnreaped());
  const Json zombie = JsonOf({"info", pid});
  EXPECT_EQ(zombie["state"]["kind"], "dead");
  EXPECT_EQ(zombie["state"]["exit_code"], 3);
  EXPECT_TRUE(zombie["path"].is_null());
  EXPECT_TRUE(zombie["primary_module"].is_null());
  const Json zombie_env = JsonOf({"env", pid});
  EXPECT_EQ(zombie_env["entries"], Json::array());
  EXPECT_EQ(zombie_env["state"]["exit_code"], 3);
  ASSERT_TRUE(fixture->Stop());

  ASSERT_OK_AND_ASSIGN(const pid_t vanished_pid, testing::VanishedPid());
  const std::string gone = std::to_string(vanished_pid);
  const Json vanished = JsonOf({"info", gone});
  EXPECT_EQ(vanished["state"]["kind"], "dead");
  EXPECT_TRUE(vanished["state"]["exit_code"].is_null());
  EXPECT_TRUE(vanished["name"].is_null());
  // The other subcommands refuse a PID that does not exist: one line on stderr, exit 1.
  for (const char* command : {"maps", "modules", "env"}) {
    const CommandResult r = RunProcscope({command, gone});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_EQ(r.err, std::string("procscope: ") + command + ": no process with PID " + gone + "\n");
    EXPECT_EQ(r.out, "");
  }
}

// `maps PID` against what the fixture mapped: each file's page at its address, read-only, with the raw path
// the kernel prints (only '\n' escaped, as \012; " (deleted)" after an unlinked file or a memfd).
TEST(CliProcessTest, MapsShowsWhatTheFixtureMapped) {
  auto fixture = Start("fixtures/odd_names", Opts({"--dir", testing::NewTempDir("cli_maps")}));
  ASSERT_NE(fixture, nullptr);
  const Json truth = Json::parse(fixture->first_line());
  const Json maps = JsonOf({"maps", std::to_string(fixture->pid())});
  ASSERT_TRUE(maps.is_array());
  ASSERT_FALSE(truth["files"].empty());
  for (const Json& file : truth["files"]) {
    std::string raw;
    for (char c : file["path"].get<std::string>())
      raw += c == '\n' ? std::string("\\012") : std::string(1, c);
    if (file["deleted"].get<bool>()) raw += " (deleted)";
    const Json* entry = nullptr;
    for (const Json& e : maps)
      if (e["start"] == file["address"]) entry = &e;
    ASSERT_NE(entry, nullptr) << "no mapping at " << file["address"] << " for " << file["path"];
    EXPECT_EQ((*entry)["end"], file["address"].get<uint64_t>() + 4096) << file["path"];
    EXPECT_EQ((*entry)["perms"].get<std::string>().substr(0, 3), "r--") << file["path"];
    EXPECT_EQ((*entry)["kind"], "file") << file["path"];
    EXPECT_EQ((*entry)["path_raw"], raw);
    EXPECT_EQ((*entry)["deleted"], file["deleted"].get<bool>() || raw.ends_with(" (deleted)")) << raw;
  }
  ASSERT_TRUE(fixture->Stop());
}

TEST(CliProcessTest, ModulesCarryTheExactOddPaths) {
  auto fixture = Start("fixtures/odd_names", Opts({"--dir", testing::NewTempDir("cli_modules")}));
  ASSERT_NE(fixture, nullptr);
  const Json truth = Json::parse(fixture->first_line());
  const Json modules = JsonOf({"modules", std::to_string(fixture->pid())});
  ASSERT_TRUE(modules.is_array());
  EXPECT_EQ(Keys(modules[0]),
            (std::vector<std::string>{"base", "deleted", "handle", "name", "path", "size"}));
  for (const Json& file : truth["files"]) {
    bool found = false;
    for (const Json& m : modules) {
      if (m["base"] != file["address"]) continue;
      found = true;
      EXPECT_EQ(m["handle"], m["base"]);
      EXPECT_EQ(m["path"], file["path"]);
      EXPECT_EQ(m["deleted"], file["deleted"]);
      EXPECT_EQ(m["size"], 4096);
    }
    EXPECT_TRUE(found) << file.dump();
  }
  ASSERT_TRUE(fixture->Stop());
}

TEST(CliProcessTest, EnvHasAddressesFromTheProcess) {
  const std::vector<std::string> env = {"A=1", "NOEQ", "", std::string("BIN=\xff", 5), "E=x=y"};
  auto fixture = Start("fixtures/env_heavy", Opts({}, ExpectedEnd::Exit(0), env));
  ASSERT_NE(fixture, nullptr);
  const Json truth = Json::parse(fixture->first_line());
  const Json out = JsonOf({"env", std::to_string(fixture->pid())});
  EXPECT_EQ(out["block_address"], truth["env_start"]);
  ASSERT_EQ(out["entries"].size(), env.size());
  for (size_t i = 0; i < env.size(); ++i) {
    EXPECT_EQ(out["entries"][i]["address"], truth["entries"][i][0]) << i;
    EXPECT_EQ(out["entries"][i]["length"], truth["entries"][i][1]) << i;
  }
  EXPECT_EQ(out["entries"][0],
            (Json{{"name", "A"}, {"value", "1"}, {"address", truth["entries"][0][0]}, {"length", 3}}));
  EXPECT_TRUE(out["entries"][1]["name"].is_null());
  EXPECT_EQ(out["entries"][1]["value"], "NOEQ");
  EXPECT_EQ(out["entries"][2]["value"], "");
  EXPECT_EQ(out["entries"][3]["value"], "\xef\xbf\xbd");  // the invalid byte as U+FFFD
  EXPECT_EQ(out["entries"][4]["value"], "x=y");
  ASSERT_TRUE(fixture->Stop());
}

TEST(CliProcessTest, KmodsIsAListEvenWithoutModuleSupport) {
  const Json kmods = JsonOf({"kmods"});
  ASSERT_TRUE(kmods.is_array());
  if (access("/proc/modules", F_OK) != 0) EXPECT_TRUE(kmods.empty());
  for (const Json& m : kmods) {
    EXPECT_EQ(Keys(m), (std::vector<std::string>{"address", "handle", "name", "refcount", "size", "state",
                                                 "used_by"}));
  }
}

// The kmods shape on a file with modules, whatever this kernel has: every line becomes one object with the
// handle derived from the name, refcount null for "-", address null where the kernel hid it.
TEST(CliProcessTest, KmodsOfASavedModulesFile) {
  const Json kmods = JsonOf({"kmods", "--json", "--from", "backend/procfs/testdata/modules_format.txt"});
  ASSERT_EQ(kmods.size(), 5u);
  EXPECT_EQ(kmods[0], (Json{{"handle", Fnv1a64("nf_tables")},
                            {"name", "nf_tables"},
                            {"size", 290816},
                            {"refcount", 0},
                            {"used_by", Json::array()},
                            {"state", "Live"},
                            {"address", 0xffffffffc0b00000}}));
  EXPECT_EQ(kmods[1]["refcount"], 2);
  EXPECT_EQ(kmods[1]["used_by"], Json::array({"nf_nat", "nft_ct"}));
  EXPECT_TRUE(kmods[2]["refcount"].is_null());  // ext4 without unload support
  EXPECT_TRUE(kmods[3]["address"].is_null());   // hidden
  EXPECT_EQ(kmods[4]["state"], "Unloading");
  for (const Json& m : kmods) EXPECT_EQ(m["handle"], Fnv1a64(m["name"].get<std::string>()));
  const CommandResult table = RunProcscope({"kmods", "--from", "backend/procfs/testdata/modules_format.txt"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("hidden"), std::string::npos) << table.out;
  const CommandResult missing = RunProcscope({"kmods", "--from", "no/such/file"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.out, "");
}

TEST(CliProcessTest, BadInputIsAUsageError) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"info"},
                                                                                    {"info", "abc"},
                                                                                    {"maps", "-5"},
                                                                                    {"env", "0"},
                                                                                    {"modules", "12x"},
                                                                                    {"info", "1", "2"},
                                                                                    {"kmods", "7"}}) {
    const CommandResult r = RunProcscope(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
  const CommandResult help = RunProcscope({"info", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("PID"), std::string::npos);
}

}  // namespace
}  // namespace procscope
