// `procscope conform` on plugins whose behaviour is known: procscope's own engine through libprocscope.so
// (passes, under every strategy that respects protections), memflow-native's pre-fix loop (fails, minimised
// to its known bug), plugins written from the header alone with the mistakes newcomers make, and plugins
// that crash, hang or claim another ABI.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "backend/memory/feature_probe.h"
#include "tests/util/subprocess.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

using Json = nlohmann::json;
using testing::CommandResult;
using testing::RunfilesPath;
using testing::RunProcscope;

std::string Plugin(const std::string& name) { return RunfilesPath("tests/plugins/lib" + name + ".so"); }
const std::string kEngine = "backend/c_api/libprocscope.so";

struct Conform {
  CommandResult run;
  Json report;
};

// `cases` random cases after the canonical ones: a count, not a time budget, so what a run catches does not
// depend on this machine's speed. Nor does a batch's: unless a test sets its own --timeout (to see a hang),
// a batch may take the step time limit before it counts as hung (the 2 GiB read takes seconds on a busy
// 2-vCPU machine, and once took more than conform's default 10 s in CI).
Conform RunConform(const std::string& plugin, std::vector<std::string> more = {},
                   const std::string& cases = "200") {
  std::vector<std::string> args = {"conform", "--backend", RunfilesPath(plugin), "--json", "--cases", cases};
  if (std::find(more.begin(), more.end(), "--timeout") == more.end()) {
    args.insert(args.end(), {"--timeout", std::to_string(testing::kStepTimeLimit.count() * 1000)});
  }
  args.insert(args.end(), more.begin(), more.end());
  // A conform run is thousands of live batches: its safety net is wider than a single step's.
  args.insert(args.begin(), RunfilesPath("tools/procscope"));
  Conform c{testing::RunCommand(args, "", std::chrono::minutes(10)), nullptr};
  c.report = Json::parse(c.run.out, nullptr, /*allow_exceptions=*/false);
  return c;
}

// Some failure says an element the ground truth fails (nothing transferable) was reported as read whole.
bool ReportsUnreadableAsRead(const Json& report) {
  for (const Json& f : report["failures"]) {
    for (size_t i = 0; i < f["expected"].size() && i < f["got"].size(); ++i) {
      const Json &want = f["expected"][i], &got = f["got"][i];
      if (want["transferred"] == 0 && !want["error"].is_null() && got["error"].is_null() &&
          got["transferred"] == f["elements"][i]["length"] && got["transferred"] != 0) {
        return true;
      }
    }
  }
  return false;
}

size_t SmallestFailure(const Json& report) {
  size_t smallest = SIZE_MAX;
  for (const Json& f : report["failures"]) smallest = std::min(smallest, f["elements"].size());
  return smallest;
}

TEST(ConformTest, TheEngineThroughLibprocscopePasses) {
  const Conform c = RunConform(kEngine);
  ASSERT_EQ(c.run.exit_code, 0) << c.run.out << c.run.err;
  EXPECT_EQ(c.report["backend"], "procscope engine");
  EXPECT_EQ(c.report["abi"], 1);
  EXPECT_EQ(c.report["writes_checked"], true);
  EXPECT_EQ(c.report["failed"], 0);
  // 2 x (120 + 360 + 720 orderings + 4 special cases) + the all-readable MAX_RW_COUNT read, and random cases.
  EXPECT_EQ(c.report["cases"].get<size_t>() - c.report["random_cases"].get<size_t>(), 2 * 1204u + 1);
  EXPECT_EQ(c.report["random_cases"], 200);
}

// PROCSCOPE_STRATEGY picks the engine's strategy: one of each transport passes (the strategies answer alike:
// the engine's own tests and fuzzer hold them to that), while procmem_force, which reads PROT_NONE pages and
// writes read-only ones as a debugger does, fails: conform holds plugins to the target's own protections.
TEST(ConformTest, StrategiesThatRespectProtectionsPassAndTheForcedOneFails) {
  for (const char* strategy : {"retry", "procmem"}) {
    setenv("PROCSCOPE_STRATEGY", strategy, 1);
    const Conform c = RunConform(kEngine, {}, "1");
    EXPECT_EQ(c.run.exit_code, 0) << strategy << ": " << c.run.out << c.run.err;
  }
  setenv("PROCSCOPE_STRATEGY", "procmem_force", 1);
  const Conform forced = RunConform(kEngine, {}, "1");
  unsetenv("PROCSCOPE_STRATEGY");
  ASSERT_EQ(forced.run.exit_code, 1) << forced.run.out << forced.run.err;
  EXPECT_EQ(SmallestFailure(forced.report), 1u) << forced.run.out;
  EXPECT_TRUE(ReportsUnreadableAsRead(forced.report)) << forced.run.out;
}

TEST(ConformTest, MemflowNativesPreFixLoopFailsWithItsKnownBugMinimised) {
  const Conform c = RunConform("tests/plugins/libmemflow_legacy.so");
  ASSERT_EQ(c.run.exit_code, 1) << c.run.out << c.run.err;
  EXPECT_GT(c.report["failed"], 0);
  ASSERT_FALSE(c.report["failures"].empty());
  EXPECT_LE(SmallestFailure(c.report), 3u) << c.run.out;
  for (const Json& f : c.report["failures"]) EXPECT_LE(f["elements"].size(), 3u) << f.dump();
  // The bug: after a short call, an element nothing was copied into is reported as read.
  EXPECT_TRUE(ReportsUnreadableAsRead(c.report)) << c.run.out;

  // The printed reproduction replays the same failure.
  const std::string repro = c.report["failures"][0]["repro"];
  const std::string dir = std::filesystem::path(RunfilesPath("tools/procscope")).parent_path();
  const CommandResult replay = testing::RunCommand({"/bin/sh", "-c", "PATH='" + dir + "':$PATH " + repro});
  EXPECT_EQ(replay.exit_code, 1) << repro << "\n" << replay.out << replay.err;
  // The same verdict (addresses differ: the replay builds the layout anew).
  const std::string problem = c.report["failures"][0]["problem"];
  const std::string verdict = problem.substr(problem.find("): ") + 3);
  EXPECT_NE(replay.out.find(verdict), std::string::npos) << verdict << "\n" << replay.out;
}

TEST(ConformTest, PluginsWrittenFromTheHeaderAloneAreJudgedRight) {
  for (const char* buggy : {"naive_positive", "blame_next"}) {
    const Conform c = RunConform(Plugin(buggy));
    EXPECT_EQ(c.run.exit_code, 1) << buggy << ": " << c.run.out << c.run.err;
    // Each failure shown is a different minimal batch: one that shrinks to a batch already shown is counted,
    // not shown again.
    std::set<std::string> shown;
    for (const Json& f : c.report["failures"]) shown.insert(f["repro"].get<std::string>());
    EXPECT_EQ(shown.size(), c.report["failures"].size()) << buggy << ": " << c.run.out;
    EXPECT_GT(c.report["failed"].get<size_t>(), c.report["failures"].size()) << buggy;
    EXPECT_LE(SmallestFailure(c.report), 3u) << buggy << ": " << c.run.out;
    EXPECT_TRUE(ReportsUnreadableAsRead(c.report)) << buggy << ": " << c.run.out;
  }
  const Conform slow = RunConform(Plugin("slow_correct"));
  EXPECT_EQ(slow.run.exit_code, 0) << slow.run.out << slow.run.err;
  EXPECT_EQ(slow.report["failed"], 0);
}

TEST(ConformTest, APluginThatCrashesOrHangsIsReportedAndConformCarriesOn) {
  const Conform crash = RunConform(Plugin("misbehaving_crash"), {}, "1");
  ASSERT_EQ(crash.run.exit_code, 1) << crash.run.out << crash.run.err;
  ASSERT_FALSE(crash.report["failures"].empty());
  EXPECT_EQ(crash.report["failures"][0]["problem"], "the plugin crashed: killed by SIGSEGV");
  EXPECT_EQ(SmallestFailure(crash.report), 3u);  // it crashes on 3 elements or more
  // A crash costs one worker, not the run: 25 batches crashed (each in a fresh worker), then conform stopped.
  EXPECT_EQ(crash.report["crashes"], 25);
  EXPECT_EQ(crash.report["cases"].get<size_t>() + crash.report["not_run"].get<size_t>(), 1205u);

  const Conform hang = RunConform(Plugin("misbehaving_hang"), {"--timeout", "300"});
  ASSERT_EQ(hang.run.exit_code, 1) << hang.run.out << hang.run.err;
  EXPECT_EQ(hang.report["hangs"], 3);
  EXPECT_GT(hang.report["not_run"], 0);
  EXPECT_EQ(hang.report["failures"][0]["problem"], "the plugin hung: no answer within 300 ms (killed)");
}

// Results can be right and the bytes wrong: conform compares what the plugin put in the buffers too.
TEST(ConformTest, APluginThatReadsWrongBytesFails) {
  const Conform c = RunConform(Plugin("misbehaving_wrong_bytes"), {}, "0");
  ASSERT_EQ(c.run.exit_code, 1) << c.run.out << c.run.err;
  ASSERT_FALSE(c.report["failures"].empty()) << c.run.out;
  const std::string problem = c.report["failures"][0]["problem"];
  EXPECT_NE(problem.find(": byte 0 read as "), std::string::npos) << problem;
  EXPECT_EQ(SmallestFailure(c.report), 3u);  // fewer elements are read right
}

// The same for writes: the results can be right and the target's bytes wrong, which only reading the target
// back shows. (This plugin fails other cases too, so the write batch is replayed alone.)
TEST(ConformTest, APluginThatWritesWrongBytesFails) {
  const std::string plugin = Plugin("misbehaving_wrong_write");
  auto replay = [&](const std::string& batch) {
    return RunProcscope({"conform", "--backend", plugin, "--json", "--layout", "rw:2,hole:1,none:1,ro:1,rw:1",
                         "--batch", batch, "--write"});
  };
  const CommandResult wrong = replay("r0+64:8,r0+80:8,r4+0:8");
  ASSERT_EQ(wrong.exit_code, 1) << wrong.out << wrong.err;
  const Json report = Json::parse(wrong.out);
  ASSERT_EQ(report["failures"].size(), 1u) << wrong.out;
  const std::string problem = report["failures"][0]["problem"];
  EXPECT_NE(problem.find("after the write the target's byte at "), std::string::npos) << problem;
  EXPECT_NE(problem.find("(written by the batch)"), std::string::npos) << problem;
  // With fewer elements it writes right, and passes.
  const CommandResult right = replay("r0+64:8,r4+0:8");
  EXPECT_EQ(right.exit_code, 0) << right.out << right.err;
}

// ptrace-based backends can leave the target traced or stopped; conform says so per batch, kills the worker
// (which detaches it), lets the target go on and ends: before, such a run waited for the target forever.
TEST(ConformTest, APluginThatLeavesTheTargetHeldFailsAndTheRunEnds) {
  for (const auto& [plugin, problem] : std::vector<std::pair<std::string, std::string>>{
           {"ptrace_held_attach", "the plugin left the target traced (TracerPid "},
           {"ptrace_held_stop", "the plugin left the target stopped (state T)"},
           {"ptrace_held_die", "the plugin crashed: killed by SIGSEGV"}}) {
    const Conform c = RunConform(Plugin(plugin), {}, "0");
    ASSERT_EQ(c.run.exit_code, 1) << plugin << ": " << c.run.out << c.run.err;
    ASSERT_FALSE(c.report["failures"].empty()) << plugin;
    const std::string got = c.report["failures"][0]["problem"];
    EXPECT_TRUE(got.starts_with(problem)) << plugin << ": " << got;
    EXPECT_EQ(SmallestFailure(c.report), 1u) << plugin;  // any batch with an element holds the target
    // Every batch was judged (none lost to a stalled target): all but the empty one fail.
    if (plugin != "ptrace_held_die") EXPECT_EQ(c.report["failed"].get<size_t>() + 1, c.report["cases"]);
  }
}

TEST(ConformTest, PluginsThatCannotBeUsedAndBadArgumentsAreUsageErrors) {
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Bad& b : std::vector<Bad>{
           {{"--backend", "/nonexistent/plugin.so"}, "cannot load /nonexistent/plugin.so"},
           {{"--backend", RunfilesPath("tools/procscope")}, "cannot load"},
           {{"--backend", Plugin("misbehaving_abi2")}, "implements ABI 2; this procscope speaks ABI 1"},
           {{"--backend", RunfilesPath(kEngine), "--batch", "r0+0:8"}, "--layout and --batch go together"},
           {{"--backend", RunfilesPath(kEngine), "--layout", "rw:1", "--batch", "r0+0"},
            "bad element 'r0+0'"},
           {{"--backend", RunfilesPath(kEngine), "--layout", "hole:1", "--batch", "r0+0:8"}, "--layout"},
           {{"--backend", RunfilesPath(kEngine), "--write"}, "only go with --layout and --batch"},
           {{"--backend", RunfilesPath(kEngine), "--classes", "--dead"}, "--classes runs its own batches"},
           {{"--backend", RunfilesPath(kEngine), "--cases", "5", "--budget", "1"}, "excludes"},
           {{"--backend", RunfilesPath(kEngine), "--cases", "-1"}, "--cases"},
           {{}, "--backend is required"}}) {
    std::vector<std::string> args = {"conform"};
    args.insert(args.end(), b.args.begin(), b.args.end());
    const CommandResult r = RunProcscope(args);
    EXPECT_EQ(r.exit_code, 2) << b.says << ": " << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(b.says), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST(ConformTest, AReplayOfACorrectBatchPasses) {
  const CommandResult r =
      RunProcscope({"conform", "--backend", RunfilesPath(kEngine), "--layout", "rw:2,hole:1,none:1,ro:1,rw:1",
                    "--batch", "r0+64:8,r1-4:8,r2+0:8", "--write"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "conform: procscope engine: the batch passed\n");
  // With --json, the report (scripts parse it whatever the verdict).
  const CommandResult j = RunProcscope({"conform", "--backend", RunfilesPath(kEngine), "--json", "--layout",
                                        "rw:1,hole:1,rw:1", "--batch", "r0+64:8,r1+0:8"});
  EXPECT_EQ(j.exit_code, 0) << j.out << j.err;
  const Json report = Json::parse(j.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(report["cases"], 1) << j.out;
  EXPECT_EQ(report["failed"], 0) << j.out;
}

// --classes: one minimal batch per class of behaviour. The engine passes them all; a plugin that counts any
// positive return as every element read fails attribution after a hole, and has no write classes to run.
TEST(ConformTest, ClassesJudgeOneMinimalBatchEach) {
  const std::vector<std::string> timeout = {"--timeout",
                                            std::to_string(testing::kStepTimeLimit.count() * 1000)};
  std::vector<std::string> args = {"conform", "--classes", "--json", "--backend", RunfilesPath(kEngine)};
  args.insert(args.end(), timeout.begin(), timeout.end());
  const CommandResult engine = RunProcscope(args);
  EXPECT_EQ(engine.exit_code, 0) << engine.out << engine.err;
  const Json e = Json::parse(engine.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_EQ(e["classes"].size(), 14u) << engine.out;
  std::set<std::string> names;
  const GuardRegionAnswer guards = ProbeGuardRegions();
  for (const Json& c : e["classes"]) {
    names.insert(c["class"].get<std::string>());
    // The guard classes need guard regions (6.13+); elsewhere they are not run, and say why.
    if (c["layout"] == "rw:1,guard:1,rw:1" && guards.madvise != "ok") {
      EXPECT_FALSE(c["run"].get<bool>()) << c.dump();
      EXPECT_EQ(c["problem"], "not run: needs guard_regions (madvise answered " + guards.madvise + ")");
      continue;
    }
    EXPECT_TRUE(c["passed"].get<bool>()) << c.dump();
    EXPECT_EQ(c["got"], c["expected"]) << c.dump();
  }
  EXPECT_EQ(names.size(), 14u);  // each class once
  EXPECT_TRUE(names.count("guard page (read)") && names.count("guard page (write)"));

  args[4] = Plugin("naive_positive");
  const CommandResult naive = RunProcscope(args);
  EXPECT_EQ(naive.exit_code, 1) << naive.out << naive.err;
  const Json n = Json::parse(naive.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_EQ(n["classes"].size(), 14u) << naive.out;
  std::map<std::string, Json> by_name;
  for (const Json& c : n["classes"]) by_name[c["class"].get<std::string>()] = c;
  EXPECT_TRUE(by_name["read, all mapped"]["passed"].get<bool>());
  const Json& attribution = by_name["attribution after a hole"];
  EXPECT_FALSE(attribution["passed"].get<bool>());
  EXPECT_EQ(attribution["repro"],
            "procscope conform --backend '" + Plugin("naive_positive") +
                "' --layout 'rw:2,hole:1,none:1,ro:1,rw:1' --batch 'r0+64:8,r1+64:8,r4+64:8'");
  EXPECT_FALSE(by_name["write, all mapped"]["run"].get<bool>());
  EXPECT_EQ(by_name["write, all mapped"]["problem"],
            "not run: the plugin exports no procscope_backend_write");
  // The table says the same.
  args.erase(args.begin() + 2);  // --json
  const CommandResult text = RunProcscope(args);
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("attribution after a hole  FAIL"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("write, all mapped         not run"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("\nconform: 14 classes: "), std::string::npos) << text.out;
}

// A replayed element longer than the address space can hold gets no buffer: conform says it is its own
// limit, not a crash of the plugin.
TEST(ConformTest, ABatchWhoseBuffersCannotBeReservedIsNotBlamedOnThePlugin) {
  const CommandResult r = RunProcscope({"conform", "--backend", RunfilesPath(kEngine), "--json", "--layout",
                                        "rw:1", "--batch", "0x1000:140737488355328"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["crashes"], 0);
  ASSERT_EQ(report["failures"].size(), 1u) << r.out;
  EXPECT_EQ(
      report["failures"][0]["problem"],
      "not run: the worker could not reserve a buffer for every element (mmap failed); conform's limit, "
      "not the plugin's");
}

}  // namespace
}  // namespace procscope
