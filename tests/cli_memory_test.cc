// The contracts of `procscope read`, `write`, `repro partial-transfer` and `probe`, on the real
// binary against a fixtures/holes child.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backend/hex.h"
#include "backend/process/ptrace_seize.h"
#include "backend/status_matchers.h"
#include "fixtures/pattern.h"
#include "tests/util/force.h"
#include "tests/util/memory_target.h"
#include "tests/util/pattern_hex.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"
#include "tests/util/vanished_pid.h"

namespace procscope {
namespace {

using Json = nlohmann::ordered_json;
using testing::CommandResult;
using testing::PatternHex;
using testing::RunProcscope;

class CliMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<testing::MemoryTarget>> child =
        testing::MakeMemoryTarget("child", "rw:2,hole:1,rw:1,none:1,ro:1");
    ASSERT_OK(child);
    child_ = *std::move(child);
    pid_ = std::to_string(child_->pid());
    rw_ = child_->regions()[0].start;
    hole_ = child_->regions()[1].start;
    rw2_ = child_->regions()[2].start;
    none_ = child_->regions()[3].start;
    ro_ = child_->regions()[4].start;
  }
  std::unique_ptr<testing::MemoryTarget> child_;
  std::string pid_;
  uint64_t rw_ = 0, hole_ = 0, rw2_ = 0, none_ = 0, ro_ = 0;
};

TEST_F(CliMemoryTest, ReadJsonReportsEveryElementAgainstGroundTruth) {
  const uint64_t straddle = child_->regions()[0].end - 4;
  const CommandResult r =
      RunProcscope({"read", pid_, Hex(rw_ + 16) + ":8", Hex(hole_) + ":8", std::to_string(rw2_) + ":4",
                    Hex(straddle) + ":8", Hex(none_) + ":2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["pid"], child_->pid());
  EXPECT_EQ(j["strategy"], "adaptive_coalesce");
  // Sorted by address: the first call ([ok], [straddle and hole as one span], [rw2], [none]) stops 4 bytes
  // into the straddle, which settles the hole element merged with it too; after one fault the engine goes
  // on with a call rather than learning where the holes are: it reads rw2 and stops at the PROT_NONE
  // element, the last. Two calls, no classification.
  EXPECT_EQ(j["syscalls"], 2);
  EXPECT_EQ(j["classified_by"], "calls");
  ASSERT_EQ(j["elements"].size(), 5u);
  const Json& e = j["elements"];
  EXPECT_EQ(e[0]["address"].get<uint64_t>(), rw_ + 16);
  EXPECT_EQ(e[0]["length"], 8);
  EXPECT_EQ(e[0]["ok_bytes"], 8);
  EXPECT_TRUE(e[0]["error"].is_null());
  EXPECT_EQ(e[0]["data"], PatternHex(rw_ + 16, 8));
  EXPECT_EQ(e[1]["ok_bytes"], 0);
  EXPECT_EQ(e[1]["error"], "EFAULT");
  EXPECT_EQ(e[1]["data"], "");
  EXPECT_EQ(e[2]["data"], PatternHex(rw2_, 4));
  EXPECT_EQ(e[3]["ok_bytes"], 4);
  EXPECT_EQ(e[3]["error"], "EFAULT");
  EXPECT_EQ(e[3]["data"], PatternHex(straddle, 4));
  EXPECT_EQ(e[4]["error"], "EFAULT");
}

TEST_F(CliMemoryTest, ReadFromFileEveryStrategyAndForce) {
  const std::string list = "# ranges\n" + Hex(rw_) + ":16\n\n" + Hex(none_) + ":8\n";
  for (const std::vector<std::string>& extra :
       std::vector<std::vector<std::string>>{{"--strategy", "per_element"},
                                             {"--strategy", "retry"},
                                             {"--strategy", "procmem"},
                                             {"--strategy", "adaptive"},
                                             {"--strategy", "coalesce"},
                                             {"--force"}}) {
    std::vector<std::string> args = {"read", pid_, "--from", "-", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult r = RunProcscope(args, list);
    ASSERT_EQ(r.exit_code, 0) << extra.back() << ": " << r.err;
    const Json j = Json::parse(r.out);
    ASSERT_EQ(j["elements"].size(), 2u);
    EXPECT_EQ(j["elements"][0]["data"], PatternHex(rw_, 16));
    const bool forced = extra.back() == "--force";
    EXPECT_EQ(j["strategy"], forced ? "procmem_force" : extra.back());
    // --force reads PROT_NONE where the kernel forces access for any reader, or for a tracer and the CLI
    // seizes the target for the batch (proc_mem.force_override=ptrace: Debian's 7.x default); not with
    // "never", and then it says why it could not.
    const bool read_none = forced && testing::CliForces();
    EXPECT_EQ(j["elements"][1]["ok_bytes"], read_none ? 8 : 0) << extra.back();
    EXPECT_EQ(j["elements"][1]["data"], read_none ? PatternHex(none_, 8) : "");
    EXPECT_EQ(r.err.find("proc_mem.force_override") != std::string::npos, forced && !testing::CliForces())
        << r.err;
    EXPECT_EQ(j["forced_via"], forced ? Json(testing::CliForcedVia()) : Json(nullptr)) << extra.back();
    // A seized target is released: untraced, and still answering its commands.
    EXPECT_EQ(testing::TracerPidOf(child_->pid()), 0) << extra.back();
    ASSERT_OK(child_->ReadBack(rw_, 1).status()) << extra.back();
  }
}

// Where the kernel forces only for a tracer, --force cannot seize a target another tracer holds: it reads
// unforced, says so ("forced_via": "unforced") and names the tracer; the target stays with its tracer.
TEST_F(CliMemoryTest, ForceOnATargetAlreadyTracedSaysWhoTracesIt) {
  if (testing::ForceOverrideHere() != ForceOverride::kPtrace) {
    GTEST_SKIP() << "needs procmem_force_override (ptrace; this kernel: "
                 << ForceOverrideName(testing::ForceOverrideHere()) << ")";
  }
  ASSERT_OK_AND_ASSIGN(PtraceSeize holder, PtraceSeize::Seize(child_->pid()));
  const CommandResult r =
      RunProcscope({"read", pid_, Hex(none_) + ":8", Hex(rw_) + ":8", "--force", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["forced_via"], "unforced");
  EXPECT_EQ(j["elements"][0]["error"], "EFAULT");
  EXPECT_EQ(j["elements"][1]["ok_bytes"], 8);
  EXPECT_NE(r.err.find("already traced by PID " + std::to_string(getpid())), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("proc_mem.force_override=ptrace"), std::string::npos) << r.err;
  EXPECT_EQ(testing::TracerPidOf(child_->pid()), getpid());
  ASSERT_OK(holder.Release());
}

// --from FILE reads the named file; ranges on the command line come first, then the file's, in order.
TEST_F(CliMemoryTest, ReadFromANamedFileAfterTheCommandLine) {
  const std::string file = testing::WriteTempFile("ranges", Hex(rw_ + 8) + ":4\n" + Hex(hole_) + ":2\n");
  const CommandResult r = RunProcscope({"read", pid_, Hex(rw_) + ":8", "--from", file, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json e = Json::parse(r.out)["elements"];
  ASSERT_EQ(e.size(), 3u) << r.out;
  EXPECT_EQ(e[0]["data"], PatternHex(rw_, 8));
  EXPECT_EQ(e[1]["data"], PatternHex(rw_ + 8, 4));
  EXPECT_EQ(e[2]["address"].get<uint64_t>(), hole_);
  EXPECT_EQ(e[2]["error"], "EFAULT");
}

// --json, --format json, --format ndjson and the table say the same of every element.
TEST_F(CliMemoryTest, EveryFormatSaysTheSame) {
  const uint64_t straddle = child_->regions()[0].end - 4;
  const std::vector<std::string> ranges = {Hex(rw_ + 16) + ":8", Hex(hole_) + ":8", Hex(straddle) + ":8",
                                           Hex(none_) + ":2"};
  auto run = [&](std::vector<std::string> format) {
    std::vector<std::string> args = {"read", pid_};
    args.insert(args.end(), ranges.begin(), ranges.end());
    args.insert(args.end(), format.begin(), format.end());
    const CommandResult r = RunProcscope(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string json = run({"--json"});
  EXPECT_EQ(run({"--format", "json"}), json);
  const Json document = Json::parse(json);
  std::istringstream ndjson(run({"--format", "ndjson"}));
  std::string line;
  size_t i = 0;
  while (std::getline(ndjson, line)) {
    ASSERT_LT(i, document["elements"].size());
    EXPECT_EQ(Json::parse(line), document["elements"][i]) << line;
    ++i;
  }
  EXPECT_EQ(i, ranges.size());
  const std::string table = run({"--format", "table"});
  EXPECT_EQ(run({}), table);
  for (const Json& e : document["elements"]) {
    const std::string row = Hex(e["address"].get<uint64_t>()) + "  ";
    const size_t at = table.find(row);
    ASSERT_NE(at, std::string::npos) << row;
    const std::string error = e["error"].is_null() ? "-" : e["error"].get<std::string>();
    const std::string rest = table.substr(at, table.find('\n', at) - at);
    EXPECT_NE(rest.find(" " + error + " "), std::string::npos) << rest;
    EXPECT_NE(rest.find(e["data"].get<std::string>()), std::string::npos) << rest;
  }
}

// --out: each element's readable prefix at the sum of the lengths before it, the rest zero, the file as
// long as the ranges; the results (without data) on stdout.
TEST_F(CliMemoryTest, OutWritesTheRawBytesAtTheirPlaces) {
  const uint64_t straddle = child_->regions()[0].end - 4;
  const std::string path = ::testing::TempDir() + "/raw.bin";
  const CommandResult r = RunProcscope({"read", pid_, Hex(rw_ + 16) + ":8", Hex(hole_) + ":8",
                                        Hex(straddle) + ":8", Hex(rw2_) + ":5", "--out", path, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  for (const Json& e : j["elements"]) EXPECT_FALSE(e.contains("data")) << e;
  std::ifstream file(path, std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ASSERT_EQ(raw.size(), 8u + 8 + 8 + 5);
  std::vector<uint8_t> expected(raw.size(), 0);
  for (uint64_t k = 0; k < 8; ++k) expected[k] = PatternByte(rw_ + 16 + k);
  for (uint64_t k = 0; k < 4; ++k) expected[16 + k] = PatternByte(straddle + k);  // then the hole: zeros
  for (uint64_t k = 0; k < 5; ++k) expected[24 + k] = PatternByte(rw2_ + k);
  EXPECT_EQ(std::vector<uint8_t>(raw.begin(), raw.end()), expected);
  EXPECT_EQ(j["elements"][2]["ok_bytes"], 4);
}

TEST_F(CliMemoryTest, TableByDefault) {
  const CommandResult r = RunProcscope({"read", pid_, Hex(rw_) + ":4", Hex(hole_) + ":4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ADDRESS"), std::string::npos);
  EXPECT_NE(r.out.find(PatternHex(rw_, 4)), std::string::npos);
  EXPECT_NE(r.out.find("EFAULT"), std::string::npos);
}

TEST_F(CliMemoryTest, WriteIsVerifiedByTheFixtureItself) {
  const CommandResult r =
      RunProcscope({"write", pid_, Hex(rw_ + 100), "deadbeef", Hex(ro_), "0102", Hex(hole_), "ff", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["elements"].size(), 3u);
  EXPECT_EQ(j["elements"][0]["ok_bytes"], 4);
  EXPECT_FALSE(j["elements"][0].contains("data"));
  EXPECT_EQ(j["elements"][1]["error"], "EFAULT");  // read-only, not forced
  EXPECT_EQ(j["elements"][2]["error"], "EFAULT");
  StatusOr<std::vector<uint8_t>> back = child_->ReadBack(rw_ + 100, 4);
  ASSERT_OK(back);
  EXPECT_EQ(*back, (std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef}));
  StatusOr<std::vector<uint8_t>> ro = child_->ReadBack(ro_, 2);
  ASSERT_OK(ro);
  EXPECT_EQ((*ro)[0], PatternByte(ro_));

  const CommandResult forced = RunProcscope({"write", pid_, Hex(ro_), "0102", "--force", "--json"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  ro = child_->ReadBack(ro_, 2);
  ASSERT_OK(ro);
  EXPECT_EQ(Json::parse(forced.out)["forced_via"], testing::CliForcedVia());
  EXPECT_EQ(testing::TracerPidOf(child_->pid()), 0);
  if (testing::CliForces()) {
    EXPECT_EQ(*ro, (std::vector<uint8_t>{0x01, 0x02}));
  } else {  // proc_mem.force_override=never: the read-only page stays as it was, and the element says so
    EXPECT_EQ((*ro)[0], PatternByte(ro_));
    EXPECT_EQ(Json::parse(forced.out)["elements"][0]["error"], "EFAULT");
  }
}

// procscope run under a seccomp filter that refuses process_vm_readv/writev with `refused` (a container).
CommandResult RunProcscopeDenied(const std::string& refused, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {testing::RunfilesPath("tests/util/deny_process_vm"), refused,
                                   testing::RunfilesPath("tools/procscope")};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv);
}

TEST_F(CliMemoryTest, UnderASeccompFilterReadAndWriteFallBackWithTheSameAnswers) {
  const std::vector<std::string> read = {
      "read",          pid_,    Hex(rw_ + 16) + ":8", Hex(hole_) + ":8", Hex(rw2_) + ":4", Hex(none_) + ":2",
      Hex(ro_) + ":3", "--json"};
  const CommandResult plain = RunProcscope(read);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const Json p = Json::parse(plain.out);
  EXPECT_EQ(p["transport"], "process_vm");
  EXPECT_TRUE(p["fallback_reason"].is_null());
  for (const std::string refused : {"EPERM", "ENOSYS"}) {
    const CommandResult r = RunProcscopeDenied(refused, read);
    ASSERT_EQ(r.exit_code, 0) << refused << ": " << r.err;
    const Json j = Json::parse(r.out);
    EXPECT_EQ(j["transport"], "procmem") << refused;
    EXPECT_EQ(j["fallback_reason"], refused);
    EXPECT_EQ(j["elements"], p["elements"]) << refused;  // every ok_bytes, error and byte
    EXPECT_EQ(j["elements"][0]["data"], PatternHex(rw_ + 16, 8));

    const CommandResult table = RunProcscopeDenied(refused, {"read", pid_, Hex(rw_) + ":4"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("transport: procmem (process_vm_readv was refused with " + refused + ")"),
              std::string::npos)
        << table.out;

    // probe measures process_vm_readv itself: refused, it says so instead of reporting false semantics.
    const CommandResult probe = RunProcscopeDenied(refused, {"probe", "--json", "--skip-max-rw-count"});
    EXPECT_EQ(probe.exit_code, 1) << probe.out;
    EXPECT_NE(probe.err.find("process_vm_readv fails"), std::string::npos) << probe.err;
    EXPECT_NE(probe.err.find(refused), std::string::npos) << probe.err;

    // --strategy retry asks for process_vm_readv itself: no fallback, and the error says why.
    const CommandResult named =
        RunProcscopeDenied(refused, {"read", pid_, Hex(rw_) + ":4", "--strategy", "retry"});
    EXPECT_EQ(named.exit_code, 1) << named.out;
    EXPECT_NE(named.err.find(refused), std::string::npos) << named.err;

    const std::string data = refused == "EPERM" ? "a1a2a3" : "b1b2b3";
    const CommandResult w = RunProcscopeDenied(
        refused, {"write", pid_, Hex(rw2_ + 8), data, Hex(ro_), "0102", Hex(hole_), "ff", "--json"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    const Json wj = Json::parse(w.out);
    EXPECT_EQ(wj["transport"], "procmem");
    EXPECT_EQ(wj["fallback_reason"], refused);
    EXPECT_EQ(wj["elements"][0]["ok_bytes"], 3);
    EXPECT_EQ(wj["elements"][1]["error"], "EFAULT");  // read-only stays read-only without --force
    EXPECT_EQ(wj["elements"][2]["error"], "EFAULT");
    StatusOr<std::vector<uint8_t>> back = child_->ReadBack(rw2_ + 8, 3);
    ASSERT_OK(back);
    EXPECT_EQ(testing::BytesHex(*back), data);
    StatusOr<std::vector<uint8_t>> ro = child_->ReadBack(ro_, 2);
    ASSERT_OK(ro);
    EXPECT_EQ((*ro)[0], PatternByte(ro_));
  }
}

TEST_F(CliMemoryTest, BadInputExitsTwo) {
  const std::string ok = Hex(rw_) + ":8";
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"read"},
                                             {"read", pid_},
                                             {"read", "abc", ok},
                                             {"read", "0", ok},
                                             {"read", "-5", ok},
                                             {"read", pid_, "0xzz:8"},
                                             {"read", pid_, "0x1000"},
                                             {"read", pid_, "0xfffffffffffffff0:32"},
                                             {"read", pid_, "0x1000:1073741825"},
                                             {"read", pid_, Hex(rw_) + ":1073741824", Hex(rw_) + ":8"},
                                             {"read", pid_, ok, "--strategy", "fast"},
                                             {"read", pid_, ok, "--strategy", "retry", "--force"},
                                             {"read", pid_, "--from", "/nonexistent"},
                                             {"write", pid_, Hex(rw_)},
                                             {"write", pid_, Hex(rw_), "abc"},
                                             {"write", pid_, Hex(rw_), "zz"},
                                             {"write", pid_, "0xffffffffffffffff", "0102"},
                                             {"write", "x", Hex(rw_), "00"}}) {
    const CommandResult r = RunProcscope(args);
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << joined << ": not one line:\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << joined;
  }
}

TEST(CliMemoryGoneTest, VanishedProcessExitsOne) {
  ASSERT_OK_AND_ASSIGN(const pid_t vanished, testing::VanishedPid());
  const std::string pid = std::to_string(vanished);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"read", pid, "0x1000:8"}, {"write", pid, "0x1000", "00"}}) {
    const CommandResult r = RunProcscope(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("no process"), std::string::npos) << r.err;
  }
}

TEST(CliReproTest, EngineMatchesTruthAndLegacyDoesNot) {
  const CommandResult r = RunProcscope({"repro", "partial-transfer", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["engine_matches_truth"], true);
  EXPECT_EQ(j["legacy_matches_truth"], false);
  const Json& first = j["scenarios"][0];
  EXPECT_EQ(first["name"], "ok,hole,ok");
  EXPECT_EQ(first["elements"][1]["legacy"]["reports"], Json::array({"ok"}));
  EXPECT_EQ(first["elements"][1]["engine"]["error"], "EFAULT");
  EXPECT_EQ(first["elements"][2]["legacy"]["reports"], Json::array({"failed"}));
  // The engine's answers checked here, not through the flags the binary computes about itself: the child's
  // layout is rw:1,hole:1,rw:1, and each scenario's name says what each 8-byte element is ("straddle"
  // starts 4 bytes before the hole).
  ASSERT_EQ(j["scenarios"].size(), 4u);
  for (const Json& scenario : j["scenarios"]) {
    std::vector<std::string> kinds;
    std::stringstream names(scenario["name"].get<std::string>());
    for (std::string kind; std::getline(names, kind, ',');) kinds.push_back(kind);
    ASSERT_EQ(scenario["elements"].size(), kinds.size()) << scenario["name"];
    for (size_t i = 0; i < kinds.size(); ++i) {
      const Json& engine = scenario["elements"][i]["engine"];
      const uint64_t ok_bytes = kinds[i] == "ok" ? 8 : kinds[i] == "straddle" ? 4 : 0;
      EXPECT_EQ(engine["ok_bytes"], ok_bytes) << scenario["name"] << " element " << i;
      EXPECT_EQ(engine["error"], ok_bytes == 8 ? Json(nullptr) : Json("EFAULT"))
          << scenario["name"] << " element " << i;
    }
  }
  const CommandResult table = RunProcscope({"repro", "partial-transfer"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("stale bytes"), std::string::npos);
  EXPECT_EQ(RunProcscope({"repro"}).exit_code, 2);
  EXPECT_EQ(RunProcscope({"repro", "other-bug"}).exit_code, 2);
}

// The keys of `procscope probe` that are the same on every kernel line, pinned to backend/KERNEL_FACTS.md.
TEST(CliProbeTest, AgreesWithKernelFacts) {
  const CommandResult r = RunProcscope({"probe", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_FALSE(j["kernel_release"].get<std::string>().empty());
  EXPECT_EQ(j["splits_elements"], true);
  EXPECT_EQ(j["stops_at_first_failure"], true);
  EXPECT_EQ(j["zero_length_skipped"], true);
  EXPECT_EQ(j["prot_none_readable_vm"], false);
  // /proc/PID/mem forces access unless proc_mem.force_override says otherwise (6.12+ and backports).
  const std::string force = j["procmem_force_override"];
  EXPECT_NE(force, "unknown");
  EXPECT_EQ(j["prot_none_readable_procmem"], force == "always");
  EXPECT_EQ(j["readonly_writable_vm"], false);
  EXPECT_EQ(j["readonly_writable_procmem"], force == "always");
  EXPECT_EQ(j["iov_max"], 1024);
  // Measured on 4 MiB in a fraction of a second, so it is never skipped.
  EXPECT_EQ(j["max_rw_count"], 0x7ffff000u) << "skipped: " << j["max_rw_count_skipped"];
  EXPECT_EQ(j["procmem_eof_after_exit"], true);
  // A tagged address (top byte set): arm64 ignores the top byte for process_vm_readv only.
#if defined(__aarch64__)
  EXPECT_EQ(j["tagged_address_vm"], "untagged");
#else
  EXPECT_EQ(j["tagged_address_vm"], "EFAULT");
#endif
  // /proc/PID/mem and a tagged address differ by kernel line (arm64 5.10 untags, later lines EIO):
  // kernel_facts_test holds that key, and the newer kernels' keys, to KERNEL_FACTS.md's by-line table.
  EXPECT_TRUE(j["tagged_address_procmem"].is_string()) << j["tagged_address_procmem"];
}

TEST(CliProbeTest, SkipAndTable) {
  const CommandResult r = RunProcscope({"probe", "--skip-max-rw-count"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("skipped: not requested"), std::string::npos) << r.out;
  // One row per key, the value after the padding that aligns the longest key.
  const size_t row = r.out.find("\nprocmem_eof_after_exit ");
  ASSERT_NE(row, std::string::npos) << r.out;
  const size_t end = r.out.find('\n', row + 1);
  const std::string line = r.out.substr(row + 1, end - row - 1);
  EXPECT_EQ(line.substr(line.find_last_of(' ') + 1), "true") << line;
}

}  // namespace
}  // namespace procscope
