// `procscope repro partial-transfer`: memflow-native's partial-transfer bug, reproduced on a live process.
// A forked child builds the hole-punched layout of fixtures/holes (the same layout code) and waits; the same
// batches go through the model of memflow-native's pre-fix loop (tools/repro) and through the engine, and
// each element is printed beside the ground truth. Exit 0 when the engine matches the truth everywhere.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "fixtures/ground_truth.h"
#include "fixtures/layout_child.h"
#include "fixtures/pattern.h"
#include "tools/cli/command.h"
#include "tools/cli/procfs_output.h"
#include "tools/repro/memflow_process_rw.h"

namespace procscope::cli {
namespace {

bool BytesCorrect(const std::vector<uint8_t>& buffer, uint64_t address, uint64_t count) {
  for (uint64_t b = 0; b < count; ++b)
    if (buffer[b] != PatternByte(address + b)) return false;
  return true;
}

int RunRepro(bool json) {
  StatusOr<std::unique_ptr<fixtures::LayoutChild>> child = fixtures::LayoutChild::Start("rw:1,hole:1,rw:1");
  if (!child.ok()) {
    std::cerr << "procscope: repro: " << child.status().ToString() << '\n';
    return kExitFailure;
  }
  const std::vector<fixtures::Region>& regions = (*child)->regions();
  const uint64_t ok1 = regions[0].start + 64, hole = regions[1].start + 64, ok2 = regions[2].start + 64;
  const uint64_t straddle = regions[0].end - 4;
  struct Scenario {
    const char* name;
    std::vector<uint64_t> addresses;
  };
  const std::vector<Scenario> scenarios = {{"ok,hole,ok", {ok1, hole, ok2}},
                                           {"ok,hole", {ok1, hole}},
                                           {"hole,ok,ok", {hole, ok1, ok2}},
                                           {"ok,straddle,ok", {ok1, straddle, ok2}}};
  LinuxMemoryBackend memory((*child)->pid());
  std::unique_ptr<Strategy> engine = MakeStrategy("retry");
  bool engine_right = true, legacy_right = true;
  Json out = {{"pid", (*child)->pid()}, {"engine_strategy", "retry"}, {"scenarios", Json::array()}};
  std::vector<std::vector<std::string>> rows = {
      {"SCENARIO", "#", "ADDRESS", "TRUTH", "LEGACY (memflow-native)", "ENGINE (retry)"}};
  for (const Scenario& s : scenarios) {
    const size_t n = s.addresses.size();
    std::vector<std::vector<uint8_t>> legacy_buffers(n, std::vector<uint8_t>(8, 0xee)),
        engine_buffers = legacy_buffers;
    std::vector<Element> legacy_elements, engine_elements;
    for (size_t i = 0; i < n; ++i) {
      legacy_elements.push_back({s.addresses[i], legacy_buffers[i].data(), 8});
      engine_elements.push_back({s.addresses[i], engine_buffers[i].data(), 8});
    }
    StatusOr<std::vector<legacy::LegacyReport>> reports =
        legacy::LegacyProcessRw(memory, Direction::kRead, legacy_elements);
    std::vector<ElementResult> results(n);
    Status status = TransferBatch(*engine, memory, Direction::kRead, engine_elements, results);
    if (!reports.ok() || !status.ok()) {
      std::cerr << "procscope: repro: the child could not be read: "
                << (reports.ok() ? status : reports.status()).ToString() << '\n';
      return kExitFailure;
    }
    Json scenario = {{"name", s.name}, {"elements", Json::array()}};
    for (size_t i = 0; i < n; ++i) {
      const ElementResult truth =
          fixtures::ExpectedResult(regions, s.addresses[i], 8, Direction::kRead, false);
      std::vector<std::string> said;
      for (const legacy::LegacyReport& r : *reports)
        if (r.element == i) said.push_back(r.ok ? "ok" : "failed");
      // memflow-native reported whole elements: right only with one report that agrees with the truth, and
      // then the bytes must be the element's.
      const bool legacy_ok = said.size() == 1 && (said[0] == "ok") == truth.ok() &&
                             (!truth.ok() || BytesCorrect(legacy_buffers[i], s.addresses[i], 8));
      const bool engine_ok =
          results[i] == truth && BytesCorrect(engine_buffers[i], s.addresses[i], results[i].transferred);
      legacy_right = legacy_right && legacy_ok;
      engine_right = engine_right && engine_ok;
      std::string legacy_text = said.empty() ? "never reported" : "";
      for (const std::string& w : said) legacy_text += (legacy_text.empty() ? "" : " then ") + w;
      if (!said.empty() && said.back() == "ok" && !BytesCorrect(legacy_buffers[i], s.addresses[i], 8)) {
        legacy_text += ", stale bytes";
      }
      auto describe = [](const ElementResult& r) {
        return std::to_string(r.transferred) + "/8" + (r.ok() ? " ok" : " " + ErrnoName(r.error));
      };
      rows.push_back({i == 0 ? s.name : "", std::to_string(i), Hex(s.addresses[i]), describe(truth),
                      legacy_text + (legacy_ok ? "" : "  WRONG"),
                      describe(results[i]) + (engine_ok ? "" : "  WRONG")});
      scenario["elements"].push_back(
          {{"address", s.addresses[i]},
           {"truth",
            {{"ok_bytes", truth.transferred},
             {"error", truth.ok() ? Json(nullptr) : Json(ErrnoName(truth.error))}}},
           {"legacy", {{"reports", said}, {"matches_truth", legacy_ok}}},
           {"engine",
            {{"ok_bytes", results[i].transferred},
             {"error", results[i].ok() ? Json(nullptr) : Json(ErrnoName(results[i].error))},
             {"matches_truth", engine_ok}}}});
    }
    out["scenarios"].push_back(std::move(scenario));
  }
  out["legacy_matches_truth"] = legacy_right;
  out["engine_matches_truth"] = engine_right;
  if (json) {
    PrintJson(out, std::cout);
  } else {
    PrintColumns(rows, std::cout);
    std::cout << "\nlegacy model: " << (legacy_right ? "matches" : "does NOT match") << " the ground truth\n"
              << "engine:       " << (engine_right ? "matches" : "does NOT match") << " the ground truth\n";
  }
  return engine_right ? kExitOk : kExitFailure;
}

}  // namespace

void AddReproCommand(CLI::App& app, Runner& run) {
  auto json = std::make_shared<bool>(false);
  CLI::App* repro = app.add_subcommand("repro", "Reproduce known bugs of other backends on a live process");
  repro->require_subcommand(1);
  CLI::App* partial = repro->add_subcommand(
      "partial-transfer",
      "memflow-native's misattribution after a partial process_vm_readv, beside procscope's engine and the "
      "ground truth of a forked hole-punched child; exit 0 when the engine matches the truth");
  partial->add_flag("--json", *json, "print JSON instead of a table");
  partial->callback([json, &run] { run = [json] { return RunRepro(*json); }; });
}

}  // namespace procscope::cli
