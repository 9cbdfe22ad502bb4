// Bad invocations of every procscope subcommand: each gets exactly one line on stderr, nothing
// on stdout, and the documented exit status (2: usage or unreadable input file; 1: malformed input or a
// target that cannot be inspected), and finishes well within the runner's timeout: no crash, no hang.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "backend/procfs/read_file.h"
#include "backend/procfs/stat.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

using testing::CommandResult;
using testing::RunProcscope;

struct BadCase {
  std::vector<std::string> args;
  std::string input;  // stdin
  int exit_code;
  std::string says;  // part of the stderr line
};

// Some kernel thread visible here (PF_KTHREAD in stat's flags), or "" when /proc shows none.
std::string KernelThreadPid() {
  DIR* dir = opendir("/proc");
  std::string found;
  while (const dirent* e = dir ? readdir(dir) : nullptr) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    StatusOr<std::string> text = ReadFileToString(std::string("/proc/") + e->d_name + "/stat");
    StatusOr<ProcStat> stat = text.ok() ? ParseStat(*text) : StatusOr<ProcStat>(text.status());
    if (stat.ok() && (stat->flags.value_or(0) & 0x00200000) != 0) {
      found = e->d_name;
      break;
    }
  }
  if (dir) closedir(dir);
  return found;
}

std::string Garbage(size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

void ExpectOneLineFailure(const BadCase& c) {
  std::string shown;
  for (const std::string& a : c.args) shown += (shown.empty() ? "" : " ") + a;
  const CommandResult r = RunProcscope(c.args, c.input);
  EXPECT_FALSE(r.timed_out) << shown;
  EXPECT_EQ(r.exit_code, c.exit_code) << shown << "\nstderr: " << r.err;
  EXPECT_EQ(r.out, "") << shown;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << shown << "\nstderr: " << r.err;
  EXPECT_TRUE(r.err.starts_with("procscope: ")) << shown << "\nstderr: " << r.err;
  // Whatever the input held, the message is printable ASCII (bytes of the input appear as \xNN).
  EXPECT_TRUE(
      std::all_of(r.err.begin(), r.err.end(), [](char ch) { return ch == '\n' || (ch >= 32 && ch < 127); }))
      << shown << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find(c.says), std::string::npos)
      << shown << "\nstderr: " << r.err << "\nwanted: " << c.says;
}

TEST(CliBadInputTest, EveryCommandRefusesBadInputInOneLine) {
  const std::string self = std::to_string(getpid());
  const std::string garbage = Garbage(4096, 1);
  const std::string dir = testing::TempBase();
  testing::WriteTempFile("garbage.bin", garbage);
  const std::vector<BadCase> cases = {
      {{}, "", 2, "subcommand is required"},
      {{"frobnicate"}, "", 2, "unknown command 'frobnicate' (commands: parse, read"},
      {{"--no-such-flag"}, "", 2, "unknown option '--no-such-flag'"},
      {{std::string("\xff\x01"
                    "bin")},
       "",
       2,
       "unknown command '\\xff\\x01bin'"},
      // PIDs: missing, not a number, negative, zero, too big, trailing junk, for every PID command.
      {{"info"}, "", 2, "PID is required"},
      {{"maps"}, "", 2, "PID is required"},
      {{"modules"}, "", 2, "PID is required"},
      {{"env"}, "", 2, "PID is required"},
      {{"read"}, "", 2, "PID is required"},
      {{"write"}, "", 2, "PID is required"},
      {{"info", "abc"}, "", 2, "bad PID 'abc'"},
      {{"maps", "-5"}, "", 2, "-5"},
      {{"modules", "0"}, "", 2, "bad PID '0'"},
      {{"env", "99999999999999999999"}, "", 2, "bad PID"},
      {{"read", "12x", "0x1000:1"}, "", 2, "bad PID '12x'"},
      {{"write", "-1", "0x1000", "00"}, "", 2, "-1"},
      {{"info", "1", "2"}, "", 2, "not expected"},
      {{"ps", "5"}, "", 2, "not expected"},
      {{"kmods", "extra"}, "", 2, "not expected"},
      {{"probe", "x"}, "", 2, "not expected"},
      {{"repro"}, "", 2, "subcommand is required"},
      {{"repro", "partial-transfer", "x"}, "", 2, "not expected"},
      // Ranges and data.
      {{"read", self}, "", 2, "no ADDR:LEN"},
      {{"read", self, "0x1000"}, "", 2, "0x1000"},
      {{"read", self, "zz:1"}, "", 2, "bad address 'zz'"},
      {{"read", self, "0x1000:"}, "", 2, "0x1000:"},
      {{"read", self, "0x1000:-1"}, "", 2, "0x1000:-1"},
      {{"read", self, "0x1000:99999999999"}, "", 2, "exceeds 1 GiB"},
      {{"read", self, "0x1000:536870912", "0x2000:536870912", "0x3000:1"}, "", 2, "more than 1 GiB"},
      {{"read", self, "0x10000000000000000:1"}, "", 2, "0x10000000000000000"},
      {{"write", self, "0x1000"}, "", 2, "pairs"},
      {{"write", self, "0x1000", "abc"}, "", 2, "odd length"},
      {{"write", self, "0x1000", "zz"}, "", 2, "non-hex character"},
      {{"write", self, "0xffffffffffffffff", "0000"}, "", 2, "wraps"},
      {{"read", self, "--strategy", "fastest", "0x1000:1"}, "", 2, "unknown strategy 'fastest'"},
      {{"read", self, "0x1000:1", "--format", "xml"}, "", 2, "unknown --format 'xml'"},
      {{"read", self, "0x1000:1", "--json", "--format", "ndjson"}, "", 2, "two formats"},
      {{"read", self, "0x1000:1", "--out", "/nonexistent/dir/raw.bin"},
       "",
       2,
       "open /nonexistent/dir/raw.bin"},
      {{"write", self, "0x1000", "00", "--format", "csv"}, "", 2, "unknown --format 'csv'"},
      {{"read", self, "--strategy", "retry", "--force", "0x1000:1"}, "", 2, "--force works only with"},
      // Files and stdin: unreadable, a directory, binary garbage.
      {{"parse", "maps", "/nonexistent/procscope"}, "", 2, "/nonexistent/procscope"},
      {{"parse", "stat", "/"}, "", 2, "Is a directory"},
      {{"parse", "nope", "/proc/self/stat"}, "", 2, "unknown command 'nope' ('parse' takes: stat, maps"},
      {{"repro", "nope"}, "", 2, "unknown command 'nope' ('repro' takes: partial-transfer)"},
      {{"parse", "maps", "/proc/self/mem"}, "", 2, "/proc/self/mem"},
      {{"parse", "maps", "-"}, garbage, 1, "line 1"},
      {{"parse", "stat", "-"}, garbage, 1, "stat"},
      {{"parse", "modules", dir + "/garbage.bin"}, "", 1, "line 1"},
      {{"read", self, "--from", "-"}, garbage, 2, "line 1: bad range '"},
      {{"read", self, "--from", "/nonexistent/ranges"}, "", 2, "/nonexistent/ranges"},
  };
  for (const BadCase& c : cases) ExpectOneLineFailure(c);
}

TEST(CliBadInputTest, KernelThreadsHaveNoUserMemory) {
  const std::string kthread = KernelThreadPid();
  if (kthread.empty()) GTEST_SKIP() << "no kernel thread is visible in this /proc";
  ExpectOneLineFailure({{"read", kthread, "0x1000:8"}, "", 1, "kernel thread has no user memory"});
  ExpectOneLineFailure({{"write", kthread, "0x1000", "00"}, "", 1, "kernel thread has no user memory"});
  // What a kernel thread does have: an empty maps, no modules, an empty environment, a state.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"maps", kthread, "--json"},
                                             {"modules", kthread, "--json"},
                                             {"env", kthread, "--json"},
                                             {"info", kthread}}) {
    const CommandResult r = RunProcscope(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err, "") << args[0];
  }
  EXPECT_EQ(RunProcscope({"maps", kthread, "--json"}).out, "[]\n");
}

}  // namespace
}  // namespace procscope
