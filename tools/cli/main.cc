// procscope: Linux process introspection from the command line. See README.md.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "tools/cli/command.h"

int main(int argc, char** argv) {
  using namespace procscope::cli;
  CLI::App app(
      "procscope: inspect Linux processes through procfs and process_vm_readv.\n"
      "Exit status: 0 success, 1 malformed input or the target cannot be inspected, 2 usage error.",
      "procscope");
  app.require_subcommand(1);
  Runner run;
  AddParseCommand(app, run);
  AddMemoryCommands(app, run);
  AddReproCommand(app, run);
  AddProbeCommand(app, run);
  AddProcessCommands(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::string message = e.what();
    for (char& c : message) c = c == '\n' ? ' ' : c;  // one line, always
    std::cerr << "procscope: " << message << " (see 'procscope --help')\n";
    return kExitUsage;
  }
  return run ? run() : kExitUsage;
}
