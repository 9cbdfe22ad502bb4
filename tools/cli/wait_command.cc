// procscope wait PID [--json] [--timeout S]: waits until any process (not only a child) ends and says how.
#include <string.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "backend/process/process.h"
#include "tools/cli/args.h"
#include "tools/cli/command.h"
#include "tools/cli/process_target.h"
#include "tools/cli/procfs_output.h"
#include "tools/cli/state_output.h"

namespace procscope::cli {
namespace {

// After the end, how long to wait for the parent to reap a zombie whose exit code stat hides from this
// reader (the pidfd gets it at the reap, on kernels that record it).
constexpr std::chrono::milliseconds kReapGrace{1000};

struct WaitOptions {
  std::string pid;
  std::string timeout;  // seconds; empty: no limit
  bool json = false;
};

// "exit 3", "signal 9 (SIGKILL), core dumped", "unknown: WHY".
std::string HowItEnded(const ProcessState& state) {
  if (!state.exit_code) return "unknown: " + state.detail;
  if (*state.exit_code >= 0) return "exit " + std::to_string(*state.exit_code);
  const int signal = -*state.exit_code;
  const char* abbrev = sigabbrev_np(signal);
  return "signal " + std::to_string(signal) + (abbrev != nullptr ? " (SIG" + std::string(abbrev) + ")" : "") +
         (state.core_dumped ? ", core dumped" : "");
}

int RunWait(const WaitOptions& o) {
  std::optional<std::chrono::milliseconds> timeout;
  if (!o.timeout.empty()) {
    StatusOr<std::chrono::milliseconds> parsed = ParseSeconds(o.timeout);
    if (!parsed.ok()) return Usage("wait: --timeout: " + parsed.status().message());
    timeout = *parsed;
  }
  // Exit status 1 is the timeout's: a process that cannot be waited for is a usage error here.
  int exit_code = kExitOk;
  std::optional<Process> process = OpenProcessArg("wait", o.pid, &exit_code, kExitUsage);
  if (!process) return exit_code;
  StatusOr<ProcessState> state = process->WaitForEnd(timeout, kReapGrace);
  const bool timed_out = !state.ok() && state.status().error_number() == ETIMEDOUT;
  if (!state.ok() && !timed_out) {
    (void)FailOnProcess("wait", process->pid(), state.status());  // prints why
    return kExitUsage;
  }
  if (o.json) {
    PrintJson({{"pid", process->pid()},
               {"ended", !timed_out},
               {"state", StateToJson(timed_out ? process->State() : *state)}},
              std::cout);
  } else if (!timed_out) {
    std::cout << "process " << process->pid() << " ended: " << HowItEnded(*state) << '\n';
  }
  if (timed_out) return Fail(kExitFailure, "wait: " + state.status().message());
  return std::cout.flush() ? kExitOk : kExitFailure;
}

}  // namespace

void AddWaitCommand(CLI::App& app, Runner& run) {
  auto options = std::make_shared<WaitOptions>();
  CLI::App* sub = app.add_subcommand(
      "wait",
      "wait until a process ends (any process, not only a child) and print how: 'exit N', 'signal N (SIGX)', "
      "or 'unknown: WHY'. The code comes from /proc/PID/stat while the process is a zombie (with ptrace "
      "access), else from its pidfd once it is reaped (PIDFD_INFO_EXIT, Linux 6.15; also without ptrace "
      "access); a zombie whose code this reader may not see is given 1 s more to be reaped. Exit status: 0 "
      "it "
      "ended, 1 --timeout passed first, 2 bad arguments or a PID that cannot be waited for (none, hidden)");
  sub->add_option("PID", options->pid, "process ID")->required();
  sub->add_option("--timeout", options->timeout,
                  "give up after S seconds (up to 3 decimals); default: never");
  sub->add_flag("--json", options->json,
                "print {pid, ended, state: {kind, exit_code, core_dumped, detail}} (also on timeout)");
  sub->callback([options, &run] { run = [options] { return RunWait(*options); }; });
}

}  // namespace procscope::cli
