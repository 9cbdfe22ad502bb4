// procscope: Linux process introspection from the command line. See README.md.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "tools/cli/command.h"
#include "tools/cli/utf8.h"

namespace {

// CLI11 reports an unknown command word as "A subcommand is required". Walks the command words the way
// CLI11 will and names the first one that is not a command, with the ones that are; "" when all are known.
std::string UnknownCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  for (int i = 1; i < argc; ++i) {
    const std::vector<CLI::App*> subcommands = current->get_subcommands([](CLI::App*) { return true; });
    const std::string word = argv[i];
    if (subcommands.empty() || word == "--help" || word == "-h") return "";
    CLI::App* next = nullptr;
    std::string known;
    for (CLI::App* sub : subcommands) {
      if (sub->get_name() == word) next = sub;
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (next == nullptr) {
      return std::string(word.starts_with("-") ? "unknown option '" : "unknown command '") +
             procscope::cli::Printable(word.substr(0, 60)) + "' (" +
             (current == &app ? std::string("commands") : "'" + current->get_name() + "' takes") + ": " +
             known + ")";
    }
    current = next;
  }
  return "";
}

}  // namespace

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
  AddWaitCommand(app, run);
  AddDoctorCommand(app, run);
  AddConformCommand(app, run);
  if (const std::string unknown = UnknownCommand(app, argc, argv); !unknown.empty()) {
    std::cerr << "procscope: " << unknown << " (see 'procscope --help')\n";
    return kExitUsage;
  }
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
