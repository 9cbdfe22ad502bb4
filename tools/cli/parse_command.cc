// `procscope parse FORMAT FILE`: runs one of the procfs parsers over a file or stdin, exactly as the
// backend does over live /proc text. Useful to reproduce a parser problem from a saved capture.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "backend/procfs/environ.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/modules.h"
#include "backend/procfs/mounts.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/stat.h"
#include "backend/procfs/status.h"
#include "tools/cli/command.h"
#include "tools/cli/procfs_output.h"

namespace procscope::cli {
namespace {

struct ParseOptions {
  std::string format;
  std::string file;
  bool json = false;
};

int RunParse(const ParseOptions& options) {
  StatusOr<std::string> text =
      options.file == "-" ? ReadFdToString(STDIN_FILENO, "stdin") : ReadFileToString(options.file);
  if (!text.ok()) {
    std::cerr << "procscope: " << text.status().message() << '\n';
    return kExitUsage;
  }
  const std::string label = options.file == "-" ? "stdin" : options.file;
  auto malformed = [&](const Status& status) {
    std::cerr << "procscope: parse " << options.format << ": " << label << ": " << status.message() << '\n';
    return kExitFailure;
  };
  if (options.format == "stat") {
    StatusOr<ProcStat> stat = ParseStat(*text);
    if (!stat.ok()) return malformed(stat.status());
    options.json ? PrintJson(StatToJson(*stat), std::cout) : PrintStatTable(*stat, std::cout);
  } else if (options.format == "maps") {
    StatusOr<std::vector<MapsEntry>> maps = ParseMaps(*text);
    if (!maps.ok()) return malformed(maps.status());
    options.json ? PrintJson(MapsToJson(*maps), std::cout) : PrintMapsTable(*maps, std::cout);
  } else if (options.format == "environ") {
    const Environ env = ParseEnviron(*text);
    options.json ? PrintJson(EnvironToJson(env), std::cout) : PrintEnvironTable(env, std::cout);
  } else if (options.format == "status") {
    StatusOr<ProcStatus> status = ParseStatus(*text);
    if (!status.ok()) return malformed(status.status());
    options.json ? PrintJson(StatusToJson(*status), std::cout) : PrintStatusTable(*status, std::cout);
  } else if (options.format == "mounts") {
    StatusOr<std::vector<MountEntry>> mounts = ParseMounts(*text);
    if (!mounts.ok()) return malformed(mounts.status());
    options.json ? PrintJson(MountsToJson(*mounts), std::cout) : PrintMountsTable(*mounts, std::cout);
  } else {
    StatusOr<std::vector<KernelModule>> modules = ParseModules(*text);
    if (!modules.ok()) return malformed(modules.status());
    options.json ? PrintJson(ModulesToJson(*modules), std::cout) : PrintModulesTable(*modules, std::cout);
  }
  return std::cout.flush() ? kExitOk : kExitFailure;
}

}  // namespace

void AddParseCommand(CLI::App& app, Runner& run) {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* parse = app.add_subcommand(
      "parse", "Parse procfs text from a file or stdin (exit 1 when malformed, naming the line and field)");
  parse->require_subcommand(1);
  struct Format {
    const char* name;
    const char* help;
  };
  for (const Format& format :
       {Format{"stat", "/proc/<pid>/stat: the 52 fields of proc(5), null when the text lacks them"},
        Format{"maps", "/proc/<pid>/maps: one object per mapping"},
        Format{"environ", "/proc/<pid>/environ: NUL-separated entries with byte offsets (never malformed)"},
        Format{"modules", "/proc/modules: loaded kernel modules with FNV-1a handles"},
        Format{"status", "/proc/<pid>/status: ids, capabilities, tracer, seccomp (what doctor reads)"},
        Format{"mounts", "/proc/<pid>/mounts: one object per mount, escapes decoded"}}) {
    CLI::App* sub = parse->add_subcommand(format.name, format.help);
    sub->add_option("FILE", options->file, "file to parse, or - for stdin")->required();
    sub->add_flag("--json", options->json, "print JSON instead of a table");
    sub->callback([options, &run, name = std::string(format.name)] {
      options->format = name;
      run = [options] { return RunParse(*options); };
    });
  }
}

}  // namespace procscope::cli
