// `procscope read` and `procscope write`: one batch through the engine, per-element results out.
// A failed element is data (exit 0); a process that is gone or may not be inspected is exit 1; bad input is
// exit 2 (see command.h).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "backend/memory/force_override.h"
#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/procfs/read_file.h"
#include "tools/cli/args.h"
#include "tools/cli/command.h"
#include "tools/cli/process_target.h"
#include "tools/cli/procfs_output.h"

namespace procscope::cli {
namespace {

struct MemoryOptions {
  std::string pid;
  std::vector<std::string> items;  // ADDR:LEN for read; ADDR HEX pairs for write
  std::string from;
  std::string strategy;
  bool force = false;
  bool json = false;
};

// Every strategy name, comma-separated, for help and messages.
std::string StrategyList() {
  std::string names;
  for (const std::string& n : StrategyNames()) names += (names.empty() ? "" : ", ") + n;
  return names;
}

// The strategy named by the options: --force selects procmem_force (only procmem can force access).
StatusOr<std::unique_ptr<Strategy>> ChooseStrategy(const MemoryOptions& o) {
  std::string name = o.strategy.empty() ? (o.force ? "procmem" : "default") : o.strategy;
  if (o.force) {
    if (name != "procmem" && name != "procmem_force") {
      return Status(EINVAL,
                    "--force works only with --strategy procmem (process_vm_readv cannot force access)");
    }
    name = "procmem_force";
  }
  std::unique_ptr<Strategy> strategy = MakeStrategy(name);
  if (strategy == nullptr)
    return Status(EINVAL, "unknown strategy '" + name + "' (known: " + StrategyList() + ")");
  return strategy;
}

int RunBatch(const MemoryOptions& o, Direction direction, std::vector<Element>& elements) {
  const std::string command = direction == Direction::kRead ? "read" : "write";
  // Bad options before the process is looked at: a wrong --strategy is a usage error (2) even for a PID
  // that does not exist.
  StatusOr<std::unique_ptr<Strategy>> strategy = ChooseStrategy(o);
  if (!strategy.ok()) return Usage(strategy.status().message());
  int exit_code = kExitOk;
  std::optional<Process> process = OpenProcessArg(command, o.pid, &exit_code);
  if (!process) return exit_code;
  const pid_t pid = process->pid();
  std::vector<ElementResult> results(elements.size());
  TransferReport report;
  Status status = process->Transfer(**strategy, direction, elements, results, &report);
  if (status.error_number() == ESRCH && process->CheckIdentity().ok() && process->IsKernelThread()) {
    return Fail(kExitFailure, command + " PID " + o.pid + ": a kernel thread has no user memory");
  }
  if (!status.ok()) return FailOnProcess(command, pid, status);
  if ((*strategy)->name() == "procmem_force" &&
      std::any_of(results.begin(), results.end(), [](const ElementResult& r) { return !r.ok(); })) {
    // A forced transfer that still failed: say when the kernel is why (proc_mem.force_override).
    if (const ForceOverrideFinding force = FindForceOverride(); force.value != ForceOverride::kAlways) {
      std::cerr << "procscope: note: this kernel does not force /proc/PID/mem access for procscope "
                << "(proc_mem.force_override=" << ForceOverrideName(force.value) << ", " << force.how
                << "): PROT_NONE and read-only pages fail like holes even with --force\n";
    }
  }
  if (o.json) {
    Json out = {{"pid", pid},
                {"strategy", std::string((*strategy)->name())},
                {"transport", std::string(TransportName(report.transport))},
                {"fallback_reason",
                 report.fallback_reason == 0 ? Json(nullptr) : Json(ErrnoName(report.fallback_reason))},
                {"syscalls", report.syscalls}};
    Json list = Json::array();
    for (size_t i = 0; i < elements.size(); ++i) {
      Json e = {{"address", elements[i].address},
                {"length", elements[i].length},
                {"ok_bytes", results[i].transferred},
                {"error", results[i].ok() ? Json(nullptr) : Json(ErrnoName(results[i].error))}};
      if (direction == Direction::kRead) {
        e["data"] = ToHex(static_cast<const uint8_t*>(elements[i].buffer), results[i].transferred);
      }
      list.push_back(std::move(e));
    }
    out["elements"] = std::move(list);
    PrintJson(out, std::cout);
  } else {
    std::cout << "PID " << pid << ", strategy " << (*strategy)->name() << ", " << report.syscalls
              << " syscalls\n";
    std::cout << "transport: " << TransportName(report.transport);
    if (report.fallback_reason != 0) {
      std::cout << " (" << RefusedText(direction, report.fallback_reason) << ")";
    }
    std::cout << '\n';
    std::vector<std::vector<std::string>> rows = {{"ADDRESS", "LENGTH", "OK_BYTES", "ERROR"}};
    if (direction == Direction::kRead) rows[0].push_back("DATA");
    for (size_t i = 0; i < elements.size(); ++i) {
      rows.push_back({Hex(elements[i].address), std::to_string(elements[i].length),
                      std::to_string(results[i].transferred),
                      results[i].ok() ? "-" : ErrnoName(results[i].error)});
      if (direction == Direction::kRead) {
        rows.back().push_back(ToHex(static_cast<const uint8_t*>(elements[i].buffer), results[i].transferred));
      }
    }
    PrintColumns(rows, std::cout);
  }
  return std::cout.flush() ? kExitOk : kExitFailure;
}

int RunRead(const MemoryOptions& o) {
  std::vector<Range> ranges;
  for (const std::string& item : o.items) {
    StatusOr<Range> range = ParseRange(item);
    if (!range.ok()) return Usage(range.status().message());
    ranges.push_back(*range);
  }
  if (!o.from.empty()) {
    StatusOr<std::string> text =
        o.from == "-" ? ReadFdToString(STDIN_FILENO, "stdin") : ReadFileToString(o.from);
    if (!text.ok()) return Usage(text.status().message());
    StatusOr<std::vector<Range>> listed = ParseRangeList(*text);
    if (!listed.ok()) return Usage(o.from + ": " + listed.status().message());
    ranges.insert(ranges.end(), listed->begin(), listed->end());
  }
  if (ranges.empty()) return Usage("read: no ADDR:LEN given (on the command line or with --from)");
  uint64_t total = 0;
  for (const Range& r : ranges) total += r.length;
  if (total > kMaxTotalBytes) return Usage("read: the ranges add up to more than 1 GiB");
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<Element> elements;
  for (const Range& r : ranges) {
    buffers.emplace_back(r.length);
    elements.push_back({r.address, buffers.back().data(), r.length});
  }
  return RunBatch(o, Direction::kRead, elements);
}

int RunWrite(const MemoryOptions& o) {
  if (o.items.empty() || o.items.size() % 2 != 0)
    return Usage("write: expected ADDR HEX pairs after the PID");
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<Element> elements;
  for (size_t i = 0; i < o.items.size(); i += 2) {
    StatusOr<uint64_t> address = ParseAddress(o.items[i]);
    if (!address.ok()) return Usage(address.status().message());
    StatusOr<std::vector<uint8_t>> data = ParseHex(o.items[i + 1]);
    if (!data.ok()) return Usage(data.status().message());
    uint64_t last;
    if (!data->empty() && __builtin_add_overflow(*address, data->size() - 1, &last)) {
      return Usage("write at " + o.items[i] + " wraps past the end of the address space");
    }
    buffers.push_back(*std::move(data));
    elements.push_back({*address, buffers.back().data(), buffers.back().size()});
  }
  return RunBatch(o, Direction::kWrite, elements);
}

void AddCommonOptions(CLI::App* sub, MemoryOptions& o) {
  sub->add_option(
      "--strategy", o.strategy,
      "default (= " + DefaultStrategyName() +
          ", falling back to procmem when process_vm_readv/writev are refused with EPERM or ENOSYS), " +
          StrategyList());
  sub->add_flag(
      "--force", o.force,
      "force access through /proc/PID/mem (implies --strategy procmem): read PROT_NONE pages and write "
      "read-only pages, like a debugger");
  sub->add_flag("--json", o.json, "print JSON instead of a table (with transport and fallback_reason)");
}

}  // namespace

void AddMemoryCommands(CLI::App& app, Runner& run) {
  auto read_options = std::make_shared<MemoryOptions>();
  CLI::App* read = app.add_subcommand(
      "read", "Read ADDR:LEN ranges of a process in one batch; each element reports its readable prefix");
  read->add_option("PID", read_options->pid, "process ID")->required();
  read->add_option("RANGES", read_options->items, "ADDR:LEN (ADDR 0x<hex> or decimal, LEN decimal)");
  read->add_option("--from", read_options->from, "file with one ADDR:LEN per line (- for stdin)");
  AddCommonOptions(read, *read_options);
  read->callback([read_options, &run] { run = [read_options] { return RunRead(*read_options); }; });

  auto write_options = std::make_shared<MemoryOptions>();
  CLI::App* write = app.add_subcommand(
      "write", "Write HEX bytes at ADDR in a process, in one batch; each element reports its prefix");
  write->add_option("PID", write_options->pid, "process ID")->required();
  write->add_option("ADDR_HEX", write_options->items, "pairs: ADDR HEX [ADDR HEX ...]")->required();
  AddCommonOptions(write, *write_options);
  write->callback([write_options, &run] { run = [write_options] { return RunWrite(*write_options); }; });
}

}  // namespace procscope::cli
