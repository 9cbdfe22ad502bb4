// procscope ps | info PID | maps PID | modules PID | env PID | kmods  (each with --json)
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "backend/kernel/kernel_modules.h"
#include "backend/process/arch.h"
#include "backend/process/process.h"
#include "backend/process/process_list.h"
#include "tools/cli/args.h"
#include "tools/cli/command.h"
#include "tools/cli/process_target.h"
#include "tools/cli/procfs_output.h"
#include "tools/cli/state_output.h"
#include "tools/cli/utf8.h"

namespace procscope::cli {
namespace {

struct ProcessOptions {
  std::string pid;
  bool json = false;
  std::string from;  // kmods: a saved /proc/modules instead of the live one
};

int Done() { return std::cout.flush() ? kExitOk : kExitFailure; }

// The shape of maps/modules/env: open the PID, ask the handle for one thing, print it as JSON or a table.
template <typename Get, typename Print>
int OnProcess(const char* command, const ProcessOptions& o, Get get, Print print) {
  int exit_code = kExitOk;
  std::optional<Process> p = OpenProcessArg(command, o.pid, &exit_code);
  if (!p) return exit_code;
  auto value = get(*p);
  if (!value.ok()) return FailOnProcess(command, p->pid(), value.status());
  print(*value);
  return Done();
}

int RunPs(const ProcessOptions& o) {
  StatusOr<std::vector<ProcessSummary>> list = ListProcesses();
  if (!list.ok()) return Fail(kExitFailure, "ps: " + list.status().message());
  if (o.json) {
    Json out = Json::array();
    for (const ProcessSummary& s : *list) {
      out.push_back({{"pid", s.pid},
                     {"ppid", s.ppid ? Json(*s.ppid) : Json(nullptr)},
                     {"name", ToValidUtf8(s.name)},
                     {"state", StateToJson(s.state)}});
    }
    PrintJson(out, std::cout);
  } else {
    std::vector<std::vector<std::string>> rows = {{"PID", "PPID", "STATE", "NAME"}};
    for (const ProcessSummary& s : *list) {
      rows.push_back({std::to_string(s.pid), s.ppid ? std::to_string(*s.ppid) : "-", StateText(s.state),
                      Printable(s.name)});
    }
    PrintColumns(rows, std::cout);
  }
  return Done();
}

int RunInfo(const ProcessOptions& o) {
  StatusOr<pid_t> pid = ParsePid(o.pid);
  if (!pid.ok()) return Usage("info: " + pid.status().message());
  Json out = {{"pid", *pid},     {"ppid", nullptr},       {"name", nullptr},
              {"path", nullptr}, {"path_deleted", false}, {"command_line", Json::array()},
              {"arch", nullptr}, {"state", nullptr},      {"primary_module", nullptr}};
  StatusOr<Process> p = Process::Open(*pid);
  StatusOr<ProcessInfo> info = p.ok() ? p->Info() : StatusOr<ProcessInfo>(p.status());
  ProcessState state;
  if (info.ok()) {
    state = info->state;
    if (info->ppid) out["ppid"] = *info->ppid;
    out["name"] = ToValidUtf8(info->name);
    if (info->path) out["path"] = ToValidUtf8(*info->path);
    out["path_deleted"] = info->path_deleted;
    for (const std::string& arg : info->command_line) out["command_line"].push_back(ToValidUtf8(arg));
    if (info->arch) out["arch"] = std::string(ArchName(*info->arch));
    if (StatusOr<PrimaryModule> primary = p->Primary(); primary.ok())
      out["primary_module"] = primary->module.base;
  } else if (info.status().error_number() == ESRCH || info.status().error_number() == ESTALE) {
    // No such process (any more): dead; its exit code from the pidfd when it was opened before the end.
    state = p.ok() ? p->State() : ReapedState();
  } else if (info.status().error_number() == EINVAL) {
    return Fail(kExitFailure, "info: " + info.status().message());
  } else {
    state.detail = info.status().ToString();
  }
  out["state"] = StateToJson(state);
  if (o.json) {
    PrintJson(out, std::cout);
    return Done();
  }
  const auto text = [](const Json& j) {
    return j.is_null() ? std::string("-") : j.is_string() ? Printable(j.get<std::string>()) : j.dump();
  };
  std::string argv;
  if (info.ok()) {
    for (const std::string& arg : info->command_line) argv += (argv.empty() ? "" : " ") + Printable(arg);
  }
  PrintColumns({{"pid", std::to_string(*pid)},
                {"ppid", text(out["ppid"])},
                {"name", text(out["name"])},
                {"path", text(out["path"]) + (info.ok() && info->path_deleted ? " (deleted)" : "")},
                {"command line", argv.empty() ? "-" : argv},
                {"arch", text(out["arch"])},
                {"state", StateText(state) + (state.detail.empty() ? "" : ": " + state.detail)},
                {"primary module", out["primary_module"].is_null() ? "-" : Hex(out["primary_module"])}},
               std::cout);
  return Done();
}

int RunMaps(const ProcessOptions& o) {
  return OnProcess(
      "maps", o, [](const Process& p) { return p.Maps(); },
      [&](const std::vector<MapsEntry>& maps) {
        if (o.json) {
          PrintJson(MapsToJson(maps), std::cout);
        } else {
          PrintMapsTable(maps, std::cout);
        }
      });
}

int RunModules(const ProcessOptions& o) {
  return OnProcess(
      "modules", o, [](const Process& p) { return p.Modules(); },
      [&](const std::vector<Module>& modules) {
        if (o.json) {
          Json out = Json::array();
          for (const Module& m : modules) {
            out.push_back({{"handle", m.base},
                           {"base", m.base},
                           {"size", m.size()},
                           {"name", ToValidUtf8(m.name)},
                           {"path", ToValidUtf8(m.path)},
                           {"deleted", m.deleted}});
          }
          PrintJson(out, std::cout);
        } else {
          std::vector<std::vector<std::string>> rows = {{"HANDLE/BASE", "SIZE", "NAME", "PATH"}};
          for (const Module& m : modules) {
            rows.push_back({Hex(m.base), std::to_string(m.size()), Printable(m.name),
                            Printable(m.path) + (m.deleted ? " (deleted)" : "")});
          }
          PrintColumns(rows, std::cout);
        }
      });
}

int RunEnv(const ProcessOptions& o) {
  return OnProcess(
      "env", o, [](const Process& p) { return p.Env(); },
      [&](const Environment& environment) {
        const Environment* env = &environment;
        if (o.json) {
          Json entries = Json::array();
          for (const EnvironmentVariable& v : env->entries) {
            entries.push_back({{"name", v.name ? Json(ToValidUtf8(*v.name)) : Json(nullptr)},
                               {"value", ToValidUtf8(v.value)},
                               {"address", v.address},
                               {"length", v.length}});
          }
          PrintJson({{"block_address", env->block_address ? Json(*env->block_address) : Json(nullptr)},
                     {"block_size", env->block_size},
                     {"state", StateToJson(env->state)},
                     {"entries", std::move(entries)}},
                    std::cout);
        } else {
          std::cout << "block at " << (env->block_address ? Hex(*env->block_address) : "-") << ", "
                    << env->block_size << " bytes, " << env->entries.size() << " entries, "
                    << StateText(env->state) << '\n';
          std::vector<std::vector<std::string>> rows = {{"ADDRESS", "LENGTH", "NAME", "VALUE"}};
          for (const EnvironmentVariable& v : env->entries) {
            rows.push_back({Hex(v.address), std::to_string(v.length), v.name ? Printable(*v.name) : "-",
                            Printable(v.value)});
          }
          PrintColumns(rows, std::cout);
        }
      });
}

int RunKmods(const ProcessOptions& o) {
  if (!o.from.empty() && access(o.from.c_str(), R_OK) != 0) {
    return Usage("kmods: cannot read '" + Printable(o.from) + "'");
  }
  StatusOr<std::vector<KernelModule>> modules =
      o.from.empty() ? ListKernelModules() : ListKernelModules(o.from);
  if (!modules.ok()) return Fail(kExitFailure, "kmods: " + modules.status().message());
  if (o.json) {
    Json out = Json::array();
    for (const KernelModule& m : *modules) {
      const std::optional<uint64_t> address = KernelModuleAddress(m);
      Json used_by = Json::array();
      for (const std::string& user : m.used_by) used_by.push_back(ToValidUtf8(user));
      out.push_back({{"handle", m.handle},
                     {"name", ToValidUtf8(m.name)},
                     {"size", m.size},
                     {"refcount", m.refcount ? Json(*m.refcount) : Json(nullptr)},
                     {"used_by", std::move(used_by)},
                     {"state", std::string(ModuleStateName(m.state))},
                     {"address", address ? Json(*address) : Json(nullptr)}});
    }
    PrintJson(out, std::cout);
  } else {
    if (modules->empty())
      std::cout << "(no kernel modules: none loaded, or no /proc/modules on this kernel)\n";
    std::vector<std::vector<std::string>> rows = {
        {"HANDLE", "NAME", "SIZE", "REFS", "USED BY", "STATE", "ADDRESS"}};
    for (const KernelModule& m : *modules) {
      const std::optional<uint64_t> address = KernelModuleAddress(m);
      std::string used_by;
      for (const std::string& user : m.used_by) used_by += (used_by.empty() ? "" : ",") + Printable(user);
      rows.push_back({Hex(m.handle), Printable(m.name), std::to_string(m.size),
                      m.refcount ? std::to_string(*m.refcount) : "-", used_by.empty() ? "-" : used_by,
                      std::string(ModuleStateName(m.state)), address ? Hex(*address) : "hidden"});
    }
    if (!modules->empty()) PrintColumns(rows, std::cout);
  }
  return Done();
}

}  // namespace

void AddProcessCommands(CLI::App& app, Runner& run) {
  struct Spec {
    const char* name;
    const char* help;
    bool takes_pid;
    int (*body)(const ProcessOptions&);
  };
  static const Spec kSpecs[] = {
      {"ps", "list processes: PID, parent, state (exit code of zombies), name", false, RunPs},
      {"info",
       "one process: parent, name, executable path, argv, architecture, state, primary module "
       "(a PID that does not exist answers dead, exit code unknown)",
       true, RunInfo},
      {"maps", "the process's memory mappings (/proc/PID/maps, parsed)", true, RunMaps},
      {"modules",
       "loaded files (mappings grouped per load of a file); the handle is the base address. A load's range "
       "covers the gaps between its segments, where other files may be mapped (ranges can nest)",
       true, RunModules},
      {"env", "environment variables with their addresses in the process", true, RunEnv},
      {"kmods", "loaded kernel modules (/proc/modules); handle = FNV-1a 64 of the name", false, RunKmods},
  };
  for (const Spec& spec : kSpecs) {
    auto options = std::make_shared<ProcessOptions>();
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    if (spec.takes_pid) sub->add_option("PID", options->pid, "process ID")->required();
    sub->add_flag("--json", options->json, "print JSON instead of a table");
    if (spec.body == RunKmods) {
      sub->add_option("--from", options->from,
                      "read a saved /proc/modules (e.g. from another machine) instead of this kernel's");
    }
    int (*body)(const ProcessOptions&) = spec.body;
    sub->callback([options, body, &run] { run = [options, body] { return body(*options); }; });
  }
}

}  // namespace procscope::cli
