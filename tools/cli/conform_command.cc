// `procscope conform --backend PATH.so`: a plugin implementing backend/c_api/procscope_backend.h judged
// against live layouts and their ground truth (tools/conform/), with each failure shrunk to a minimal batch
// and a command that replays it.
#include <cerrno>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "backend/hex.h"
#include "fixtures/layout.h"
#include "tools/cli/command.h"
#include "tools/cli/procfs_output.h"
#include "tools/cli/utf8.h"
#include "tools/conform/conform.h"
#include "tools/conform/judge.h"

namespace procscope::cli {
namespace {

struct ConformArgs {
  std::string backend;
  bool json = false;
  uint64_t seed = 1;
  double budget = 10;
  std::optional<size_t> cases;
  uint64_t timeout_ms = 10000;
  std::string layout, batch;  // replay one case
  bool write = false, dead = false;
  bool classes = false;  // one batch per class of behaviour instead of the whole run
};

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// The command that replays `c` alone.
std::string ReproCommand(const std::string& backend, const conform::Case& c) {
  return "procscope conform --backend " + Quote(backend) + " --layout " + Quote(c.layout) + " --batch " +
         Quote(conform::FormatElements(c.elements)) + (c.direction == Direction::kWrite ? " --write" : "") +
         (c.dead_target ? " --dead" : "");
}

Json ResultJson(const ElementResult& r) {
  return {{"transferred", r.transferred}, {"error", r.error == 0 ? Json(nullptr) : Json(ErrnoName(r.error))}};
}

Json FailureJson(const std::string& backend, const conform::Failure& f) {
  Json elements = Json::array(), expected = Json::array(), got = Json::array();
  for (size_t i = 0; i < f.spans.size(); ++i) {
    elements.push_back({{"address", f.spans[i].address},
                        {"length", f.spans[i].length},
                        {"at", conform::FormatElement(f.shrunk.elements[i])}});
    expected.push_back(ResultJson(f.expected[i]));
  }
  for (const ElementResult& r : f.got) got.push_back(ResultJson(r));
  return {{"case", f.original_name},
          {"case_elements", f.original_elements},
          {"layout", f.shrunk.layout},
          {"direction", f.shrunk.direction == Direction::kRead ? "read" : "write"},
          {"dead_target", f.shrunk.dead_target},
          {"elements", std::move(elements)},
          {"expected", std::move(expected)},
          {"got", std::move(got)},
          {"problem", ToValidUtf8(f.problem)},
          {"repro", ReproCommand(backend, f.shrunk)}};
}

int Done(size_t failed) {
  if (!std::cout.flush()) return kExitFailure;
  return failed == 0 ? kExitOk : kExitFailure;
}

std::string OutcomeName(conform::BatchOutcome::How how) {
  switch (how) {
    case conform::BatchOutcome::How::kReturned:
      return "returned";
    case conform::BatchOutcome::How::kCrashed:
      return "crashed";
    case conform::BatchOutcome::How::kHung:
      return "hung";
    case conform::BatchOutcome::How::kNoBuffer:
      return "no buffer";
  }
  return "?";
}

Json ClassJson(const std::string& backend, const conform::ClassVerdict& v) {
  Json elements = Json::array(), expected = Json::array(), got = Json::array();
  for (size_t i = 0; i < v.spans.size(); ++i) {
    elements.push_back({{"address", v.spans[i].address},
                        {"length", v.spans[i].length},
                        {"at", conform::FormatElement(v.cls.c.elements[i])}});
  }
  for (const ElementResult& r : v.expected) expected.push_back(ResultJson(r));
  for (const ElementResult& r : v.got) got.push_back(ResultJson(r));
  return {{"class", v.cls.name},
          {"correct", v.cls.what},
          {"run", v.run},
          {"passed", v.passed},
          {"outcome", OutcomeName(v.how)},
          {"problem", ToValidUtf8(v.problem)},
          {"layout", v.cls.c.layout},
          {"direction", v.cls.c.direction == Direction::kRead ? "read" : "write"},
          {"dead_target", v.cls.c.dead_target},
          {"elements", std::move(elements)},
          {"expected", std::move(expected)},
          {"got", std::move(got)},
          {"repro", ReproCommand(backend, v.cls.c)}};
}

// Results as one cell: "8 bytes, ok; 0 bytes, EFAULT".
std::string ResultsText(const std::vector<ElementResult>& results) {
  std::string out;
  for (const ElementResult& r : results) out += (out.empty() ? "" : "; ") + conform::ResultText(r);
  return out;
}

int RunClasses(const ConformArgs& a, const conform::ConformOptions& options) {
  StatusOr<conform::ClassReport> report = conform::RunClasses(options);
  if (!report.ok()) {
    const int error = report.status().error_number();
    if (error == EINVAL || error == ECHILD) return Usage("conform: " + report.status().message());
    return Fail(kExitFailure, "conform: " + report.status().message());
  }
  size_t failed = 0;
  for (const conform::ClassVerdict& v : report->classes) failed += v.run && !v.passed;
  if (a.json) {
    Json classes = Json::array();
    for (const conform::ClassVerdict& v : report->classes) classes.push_back(ClassJson(a.backend, v));
    PrintJson({{"backend", ToValidUtf8(report->plugin.name)},
               {"abi", report->plugin.abi},
               {"writes_checked", report->plugin.has_write},
               {"failed", failed},
               {"classes", std::move(classes)}},
              std::cout);
    return Done(failed);
  }
  std::cout << "conform: " << Printable(report->plugin.name) << " from " << Printable(a.backend) << "\n\n";
  std::vector<std::vector<std::string>> rows = {{"CLASS", "VERDICT", "CORRECT", "GOT"}};
  for (const conform::ClassVerdict& v : report->classes) {
    const std::string verdict = !v.run ? "not run" : v.passed ? "pass" : "FAIL";
    const std::string got =
        v.how == conform::BatchOutcome::How::kReturned ? ResultsText(v.got) : OutcomeName(v.how);
    rows.push_back({v.cls.name, verdict, v.cls.what, Printable(got)});
  }
  PrintColumns(rows, std::cout);
  for (const conform::ClassVerdict& v : report->classes) {
    if (v.passed) continue;
    std::cout << "\n" << v.cls.name << ": " << Printable(v.problem) << "\n";
    if (v.run) std::cout << "  reproduce: " << ReproCommand(a.backend, v.cls.c) << "\n";
  }
  std::cout << "\nconform: " << report->classes.size() << " classes: " << failed << " failed\n";
  return Done(failed);
}

void PrintFailure(const std::string& backend, const conform::Failure& f) {
  std::cout << "FAIL " << f.original_name << " (" << f.original_elements << " elements), minimised to "
            << f.spans.size() << " on layout " << f.shrunk.layout << ":\n  " << Printable(f.problem) << "\n";
  std::vector<std::vector<std::string>> rows = {{"  #", "AT", "ADDRESS", "LENGTH", "EXPECTED", "GOT"}};
  for (size_t i = 0; i < f.spans.size(); ++i) {
    rows.push_back({"  " + std::to_string(i), conform::FormatElement(f.shrunk.elements[i]),
                    Hex(f.spans[i].address), std::to_string(f.spans[i].length),
                    conform::ResultText(f.expected[i]),
                    i < f.got.size() ? conform::ResultText(f.got[i]) : "-"});
  }
  PrintColumns(rows, std::cout);
  std::cout << "  reproduce: " << ReproCommand(backend, f.shrunk) << "\n\n";
}

int RunConform(const ConformArgs& a) {
  conform::ConformOptions options;
  options.backend = a.backend;
  options.seed = a.seed;
  options.budget_seconds = a.budget;
  options.random_cases = a.cases;
  options.limit = std::chrono::milliseconds(a.timeout_ms);
  if (a.classes) {
    if (!a.layout.empty() || !a.batch.empty() || a.write || a.dead) {
      return Usage("conform: --classes runs its own batches: no --layout, --batch, --write or --dead");
    }
    return RunClasses(a, options);
  }
  if (!a.layout.empty() || !a.batch.empty()) {
    if (a.layout.empty() || a.batch.empty()) return Usage("conform: --layout and --batch go together");
    if (StatusOr<std::vector<std::pair<fixtures::RegionKind, uint64_t>>> runs =
            fixtures::ParseLayoutSpec(a.layout);
        !runs.ok()) {
      return Usage("conform: --layout: " + runs.status().message());
    }
    StatusOr<std::vector<conform::CaseElement>> elements = conform::ParseElements(a.batch);
    if (!elements.ok()) return Usage("conform: --batch: " + elements.status().message());
    options.only =
        conform::Case{"replay", a.layout, a.write ? Direction::kWrite : Direction::kRead, a.dead, *elements};
    options.max_reported = 1;
  } else if (a.write || a.dead) {
    return Usage("conform: --write and --dead only go with --layout and --batch");
  }
  StatusOr<conform::ConformReport> report = conform::RunConformance(options);
  if (!report.ok()) {
    const int error = report.status().error_number();
    if (error == EINVAL || error == ECHILD) return Usage("conform: " + report.status().message());
    return Fail(kExitFailure, "conform: " + report.status().message());
  }
  if (options.only && report->failed == 0 && !a.json) {
    // A replay that passes: say what it checked.
    std::cout << "conform: " << Printable(report->plugin.name) << ": the batch passed\n";
    return Done(report->failed);
  }
  if (a.json) {
    Json failures = Json::array();
    for (const conform::Failure& f : report->failures) failures.push_back(FailureJson(a.backend, f));
    PrintJson({{"backend", ToValidUtf8(report->plugin.name)},
               {"abi", report->plugin.abi},
               {"writes_checked", report->plugin.has_write},
               {"seed", a.seed},
               {"cases", report->cases},
               {"random_cases", report->random_cases},
               {"failed", report->failed},
               {"hangs", report->hangs},
               {"crashes", report->crashes},
               {"not_run", report->not_run},
               {"failures", std::move(failures)}},
              std::cout);
  } else {
    std::cout << "conform: " << Printable(report->plugin.name) << " (ABI " << report->plugin.abi << ", "
              << (report->plugin.has_write ? "reads and writes" : "reads only: no procscope_backend_write")
              << ") from " << Printable(a.backend) << "\n\n";
    for (const conform::Failure& f : report->failures) PrintFailure(a.backend, f);
    std::cout << "conform: " << report->cases << " cases (" << report->random_cases << " random, seed "
              << a.seed
              << "): " << (report->failed == 0 ? "all passed" : std::to_string(report->failed) + " failed");
    if (report->failed > report->failures.size()) {
      std::cout << " (" << report->failures.size() << " distinct minimal batches shown)";
    }
    std::cout << "\n";
    if (report->not_run > 0) {
      std::cout << "conform: stopped after " << report->hangs << " hung and " << report->crashes
                << " crashed batches: " << report->not_run
                << " canonical cases and the random ones not run\n";
    }
  }
  return Done(report->failed);
}

}  // namespace

void AddConformCommand(CLI::App& app, Runner& run) {
  auto a = std::make_shared<ConformArgs>();
  CLI::App* conform = app.add_subcommand(
      "conform",
      "Judge a backend plugin (a shared object implementing backend/c_api/procscope_backend.h) against live "
      "processes with known layouts: every ordering of 3-5 distinct element kinds (valid, in a hole, "
      "PROT_NONE, read-only, straddling into a hole, zero-length), reads and (if exported) writes; more than "
      "IOV_MAX elements; an element over MAX_RW_COUNT stopped by a hole and (reads) one all readable; "
      "wrapping "
      "ranges; a dead target; then random batches over "
      "random layouts. Each failure is shrunk to a minimal batch with a command that replays it. The plugin "
      "runs in a child process: a crash or hang is reported, not fatal. Exit 0 all passed, 1 mismatches, "
      "2 usage error or the plugin cannot be loaded");
  conform->add_option("--backend", a->backend, "the plugin (PATH.so)")->required();
  conform->add_flag(
      "--json", a->json,
      "print {backend, abi, writes_checked, seed, cases, random_cases, failed, hangs, crashes, "
      "not_run, failures: [{case, case_elements, layout, direction, dead_target, elements, expected, "
      "got, problem, repro}]}");
  conform->add_option("--seed", a->seed, "seed of the random cases (default 1)");
  CLI::Option* budget =
      conform
          ->add_option("--budget", a->budget,
                       "seconds of random cases after the canonical ones (default 10; at least one runs)")
          ->check(CLI::NonNegativeNumber);
  conform
      ->add_option("--cases", a->cases,
                   "run exactly this many random cases instead of a time budget (0: none), so what a run "
                   "finds does not depend on the machine's speed")
      ->check(CLI::NonNegativeNumber)
      ->excludes(budget);
  conform
      ->add_option(
          "--timeout", a->timeout_ms,
          "milliseconds one batch may take before the plugin counts as hung (default 10000); after 3 hung "
          "or 25 crashed batches conform stops")
      ->check(CLI::PositiveNumber);
  conform->add_option("--layout", a->layout,
                      "replay one batch on this layout (KIND:PAGES,..., with --batch)");
  conform->add_option("--batch", a->batch,
                      "the batch to replay: rREGION+OFFSET:LENGTH or 0xADDRESS:LENGTH, comma-separated");
  conform->add_flag("--write", a->write, "replay as a write");
  conform->add_flag("--dead", a->dead, "replay against a process that has exited");
  conform->add_flag(
      "--classes", a->classes,
      "instead of the whole run, one minimal batch per class of behaviour, each reported pass or FAIL with "
      "what a correct backend answers and what the plugin did: reads all mapped, attribution after a hole, "
      "prefix lost (read, write), forced PROT_NONE (read, write), zero-length, wrap, > MAX_RW_COUNT, dead "
      "target, writes to read-only (with --json: {backend, abi, writes_checked, failed, classes: [{class, "
      "correct, run, passed, outcome, problem, layout, direction, dead_target, elements, expected, got, "
      "repro}]})");
  conform->callback([a, &run] { run = [a] { return RunConform(*a); }; });
}

}  // namespace procscope::cli
