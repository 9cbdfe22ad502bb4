// The `procscope parse` contract, checked on the real binary: JSON shapes and exact values,
// tables, stdin, and the exit codes on malformed input (1) and usage errors (2).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/util/subprocess.h"

namespace procscope {
namespace {

using Json = nlohmann::ordered_json;
using testing::CommandResult;
using testing::RunProcscope;

const std::string kTestdata = "backend/procfs/testdata/";

Json ParseJsonOutput(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
}

// Exactly one line on stderr.
void ExpectOneLineError(const CommandResult& r) {
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.back(), '\n') << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(CliParseTest, StatJsonHasEveryProcFieldWithExactValues) {
  Json j = ParseJsonOutput(RunProcscope({"parse", "stat", "--json", kTestdata + "stat_paren_name.txt"}));
  ASSERT_TRUE(j.is_object());
  const std::vector<std::string> names = {
      "pid",        "comm",        "state",       "ppid",        "pgrp",      "session",
      "tty_nr",     "tpgid",       "flags",       "minflt",      "cminflt",   "majflt",
      "cmajflt",    "utime",       "stime",       "cutime",      "cstime",    "priority",
      "nice",       "num_threads", "itrealvalue", "starttime",   "vsize",     "rss",
      "rsslim",     "startcode",   "endcode",     "startstack",  "kstkesp",   "kstkeip",
      "signal",     "blocked",     "sigignore",   "sigcatch",    "wchan",     "nswap",
      "cnswap",     "exit_signal", "processor",   "rt_priority", "policy",    "delayacct_blkio_ticks",
      "guest_time", "cguest_time", "start_data",  "end_data",    "start_brk", "arg_start",
      "arg_end",    "env_start",   "env_end",     "exit_code"};
  ASSERT_EQ(j.size(), names.size());
  size_t i = 0;
  for (auto it = j.begin(); it != j.end(); ++it, ++i) EXPECT_EQ(it.key(), names[i]);
  EXPECT_EQ(j["comm"], "a) (b) Z 1 2");
  EXPECT_EQ(j["state"], "S");
  EXPECT_EQ(j["tpgid"], -1);
  EXPECT_EQ(j["rsslim"].get<uint64_t>(), 18446744073709551615ULL);
  EXPECT_TRUE(j["env_start"].is_number_unsigned());
}

TEST(CliParseTest, StatFieldsAnOldKernelLacksAreNull) {
  const CommandResult r = RunProcscope({"parse", "stat", "--json", "-"}, "1 (init) S 0 1 1 0 -1\n");
  Json j = ParseJsonOutput(r);
  EXPECT_EQ(j["tpgid"], -1);
  EXPECT_TRUE(j["flags"].is_null());
  EXPECT_TRUE(j["exit_code"].is_null());
}

TEST(CliParseTest, MapsJsonKeepsOddNames) {
  Json j = ParseJsonOutput(RunProcscope({"parse", "maps", "--json", kTestdata + "maps_odd_names.txt"}));
  ASSERT_TRUE(j.is_array());
  bool newline = false, trailing = false, gone = false;
  for (const Json& e : j) {
    ASSERT_EQ(e.size(), 11u);
    EXPECT_LE(e["start"].get<uint64_t>(), e["end"].get<uint64_t>());
    const std::string path = e["path"];
    if (path == "/tmp/odd/new\nline") {
      newline = true;
      EXPECT_EQ(e["path_raw"], "/tmp/odd/new\\012line");
    }
    if (path == "/tmp/odd/trailing space ") trailing = true;
    if (path == "/tmp/odd/gone") {
      gone = true;
      EXPECT_EQ(e["deleted"], true);
      EXPECT_EQ(e["kind"], "file");
      EXPECT_EQ(e["perms"], "r--s");
    }
  }
  EXPECT_TRUE(newline && trailing && gone);
}

TEST(CliParseTest, EnvironJsonReplacesEachInvalidByteAndKeepsByteOffsets) {
  Json j = ParseJsonOutput(RunProcscope({"parse", "environ", "--json", kTestdata + "environ_odd.bin"}));
  EXPECT_EQ(j["size"], 32);
  EXPECT_EQ(j["terminated"], true);
  ASSERT_EQ(j["entries"].size(), 6u);
  EXPECT_TRUE(j["entries"][1]["name"].is_null());
  EXPECT_EQ(j["entries"][1]["value"], "NOEQ");
  EXPECT_EQ(j["entries"][3]["name"], "BIN");
  EXPECT_EQ(j["entries"][3]["value"], "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd(");  // 3 bad bytes -> 3 x U+FFFD
  EXPECT_EQ(j["entries"][3]["length"], 8);                                       // still bytes of the block
  EXPECT_EQ(j["entries"][4]["offset"], 19);
}

TEST(CliParseTest, StatusAndMountsCaptures) {
  Json status =
      ParseJsonOutput(RunProcscope({"parse", "status", "--json", kTestdata + "status_seccomp.txt"}));
  EXPECT_EQ(status["seccomp"], 2);
  EXPECT_EQ(status["no_new_privs"], true);
  EXPECT_EQ(status["uids"], Json::array({0, 0, 0, 0}));
  EXPECT_EQ(status["cap_eff"].get<uint64_t>(), 0x1fffeffffffULL);
  Json mounts =
      ParseJsonOutput(RunProcscope({"parse", "mounts", "--json", kTestdata + "mounts_hidepid.txt"}));
  ASSERT_FALSE(mounts.empty());
  EXPECT_EQ(mounts.back()["options"], "rw,relatime,hidepid=invisible");
  bool decoded = false;
  for (const Json& m : mounts) decoded = decoded || m["target"] == "/tmp/with space";
  EXPECT_TRUE(decoded) << "\\040 decoded to a space";
  const CommandResult bad = RunProcscope({"parse", "status", "-"}, "Seccomp:\t7\n");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("line 1: field 'Seccomp'"), std::string::npos) << bad.err;
  const CommandResult table = RunProcscope({"parse", "status", kTestdata + "status_root.txt"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("cap_eff"), std::string::npos);
}

TEST(CliParseTest, ModulesJsonFromStdin) {
  const CommandResult r =
      RunProcscope({"parse", "modules", "--json", "-"},
                   "ext4 1052672 - - Live 0xffffffffc0570000\nvbox 10 0 a,b, Loading 0x0 (OE)\n");
  Json j = ParseJsonOutput(r);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_TRUE(j[0]["refcount"].is_null());
  EXPECT_TRUE(j[0]["taint"].is_null());
  EXPECT_EQ(j[0]["address"].get<uint64_t>(), 0xffffffffc0570000ULL);
  EXPECT_EQ(j[0]["handle"].get<uint64_t>(), 0xe7fa87608ecf3aa0ULL)
      << "FNV-1a 64 of \"ext4\" (computed independently)";
  EXPECT_EQ(j[1]["used_by"], Json::array({"a", "b"}));
  EXPECT_EQ(j[1]["state"], "Loading");
  EXPECT_EQ(j[1]["taint"], "OE");
}

TEST(CliParseTest, TablesByDefault) {
  const CommandResult maps = RunProcscope({"parse", "maps", kTestdata + "maps_odd_names.txt"});
  EXPECT_EQ(maps.exit_code, 0) << maps.err;
  EXPECT_EQ(maps.out.rfind("START", 0), 0u);
  EXPECT_NE(maps.out.find("/tmp/odd/new\\x0aline"), std::string::npos);
  const CommandResult env = RunProcscope({"parse", "environ", kTestdata + "environ_odd.bin"});
  EXPECT_EQ(env.exit_code, 0);
  EXPECT_NE(env.out.find("6 entries in 32 bytes"), std::string::npos) << env.out;
}

TEST(CliParseTest, MalformedInputExitsOneNamingLineAndField) {
  const CommandResult maps =
      RunProcscope({"parse", "maps", "-"}, "1000-2000 r--p 0 00:00 0\n1000-2000 r--p 0 00:00 x\n");
  EXPECT_EQ(maps.exit_code, 1);
  ExpectOneLineError(maps);
  EXPECT_NE(maps.err.find("line 2: field 'inode'"), std::string::npos) << maps.err;
  const CommandResult stat = RunProcscope({"parse", "stat", "-"}, "12 (x S 1\n");
  EXPECT_EQ(stat.exit_code, 1);
  ExpectOneLineError(stat);
  EXPECT_NE(stat.err.find("field 'comm'"), std::string::npos) << stat.err;
  const CommandResult modules = RunProcscope({"parse", "modules", "-"}, "a 1 0 - Dead 0x0\n");
  EXPECT_EQ(modules.exit_code, 1);
  EXPECT_NE(modules.err.find("line 1: field 'state'"), std::string::npos) << modules.err;
  // Binary garbage: a clear error, not a crash.
  const CommandResult garbage = RunProcscope({"parse", "stat", "-"}, std::string("\x00\xff\n(\x01", 5));
  EXPECT_EQ(garbage.exit_code, 1);
  ExpectOneLineError(garbage);
}

TEST(CliParseTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"parse"},
                                             {"parse", "stat"},
                                             {"parse", "status", "x"},
                                             {"bogus"},
                                             {"parse", "stat", "/nonexistent/file"},
                                             {"parse", "maps", "/proc/self"},
                                             {"parse", "stat", "a", "b"},
                                             {"parse", "stat", "--yaml", "x"}}) {
    const CommandResult r = RunProcscope(args);
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << joined;
    EXPECT_TRUE(r.out.empty()) << joined;
  }
}

TEST(CliParseTest, HelpOnEveryLevel) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"parse", "--help"}, {"parse", "maps", "--help"}, {"parse", "environ", "-h"}}) {
    const CommandResult r = RunProcscope(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.out;
  }
  EXPECT_NE(RunProcscope({"parse", "--help"}).out.find("modules"), std::string::npos);
}

}  // namespace
}  // namespace procscope
