// How procscope's subcommands plug into the CLI: each Add*Command registers its CLI11 subcommand and
// stores in `run` what main() must call when that subcommand was chosen.
#ifndef PROCSCOPE_TOOLS_CLI_COMMAND_H_
#define PROCSCOPE_TOOLS_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <string>

namespace procscope::cli {

// procscope's exit statuses, the same for every subcommand.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // the input is malformed, or the target cannot be inspected
  kExitUsage = 2,    // bad command line, unreadable input file
};

using Runner = std::function<int()>;

// Prints "procscope: MESSAGE" (one line) on stderr and returns `exit_code`.
inline int Fail(int exit_code, const std::string& message) {
  std::cerr << "procscope: " << message << '\n';
  return exit_code;
}
inline int Usage(const std::string& message) { return Fail(kExitUsage, message); }

// `procscope parse {stat|maps|environ|modules} FILE [--json]`.
void AddParseCommand(CLI::App& app, Runner& run);
// `procscope read PID ADDR:LEN...` and `procscope write PID ADDR HEX...`.
void AddMemoryCommands(CLI::App& app, Runner& run);
// `procscope repro partial-transfer [--json]`.
void AddReproCommand(CLI::App& app, Runner& run);
// `procscope probe [--json]`.
void AddProbeCommand(CLI::App& app, Runner& run);
// `procscope doctor [PID] [--json]`.
void AddDoctorCommand(CLI::App& app, Runner& run);
// `procscope conform --backend PATH.so [...]`.
void AddConformCommand(CLI::App& app, Runner& run);
// `procscope ps`, `info PID`, `maps PID`, `modules PID`, `env PID`, `kmods`, each with --json.
void AddProcessCommands(CLI::App& app, Runner& run);
// `procscope wait PID [--json] [--timeout S]`.
void AddWaitCommand(CLI::App& app, Runner& run);

}  // namespace procscope::cli

#endif  // PROCSCOPE_TOOLS_CLI_COMMAND_H_
