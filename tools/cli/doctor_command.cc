// `procscope doctor [PID] [--json]`: what this reader may do, and for a PID what stands in the way, as a
// checklist (or JSON). Verdicts are measured where that is harmless and say so; see backend/access.
#include <iostream>
#include <memory>
#include <string>

#include "backend/access/access.h"
#include "tools/cli/args.h"
#include "tools/cli/command.h"
#include "tools/cli/procfs_output.h"

namespace procscope::cli {
namespace {

struct DoctorOptions {
  std::string pid;
  bool json = false;
};

Json OptionalJson(const auto& value) { return value ? Json(*value) : Json(nullptr); }

Json OutcomeJson(const CallOutcome& outcome) {
  return {{"available", outcome.available},
          {"error", outcome.available ? Json(nullptr) : Json(ErrnoName(outcome.error))}};
}

Json VerdictJson(const Verdict& v) {
  return {{"allowed", OptionalJson(v.allowed)},
          {"how", v.measured ? "measured" : "derived"},
          {"detail", v.detail}};
}

std::string Mark(const Verdict& v) {
  if (!v.allowed) return "[ ? ]";
  return *v.allowed ? "[ok ]" : "[NO ]";
}

std::string OutcomeText(const CallOutcome& outcome) {
  return outcome.available ? "available" : "refused (" + ErrnoName(outcome.error) + ")";
}

int RunDoctor(const DoctorOptions& o) {
  std::optional<pid_t> pid;
  if (!o.pid.empty()) {
    StatusOr<pid_t> parsed = ParsePid(o.pid);
    if (!parsed.ok()) return Usage("doctor: " + parsed.status().message());
    pid = *parsed;
  }
  const ReaderFacts reader = GatherReaderFacts();
  const std::vector<std::string> notes = ReaderNotes(reader);
  std::optional<TargetFacts> target;
  std::vector<std::string> reasons;
  if (pid) {
    target = GatherTargetFacts(*pid, reader);
    reasons = DenialReasons(reader, *target);
  }
  if (o.json) {
    Json j = {{"kernel_release", reader.kernel_release},
              {"ptrace_scope", OptionalJson(reader.ptrace_scope)},
              {"proc_mem_force_override", std::string(ForceOverrideName(reader.force_override))},
              {"proc_mem_force_override_how", reader.force_override_how},
              {"proc_mem_force_override_switch",
               std::string(ForceOverrideSwitchName(reader.force_override_switch))},
              {"seccomp_mode", OptionalJson(reader.seccomp_mode)},
              {"cap_sys_ptrace", reader.cap_sys_ptrace},
              {"uid", reader.uids ? Json((*reader.uids)[1]) : Json(nullptr)},
              {"process_vm_readv", OutcomeJson(reader.process_vm_readv)},
              {"process_vm_writev", OutcomeJson(reader.process_vm_writev)},
              {"hidepid", OptionalJson(reader.hidepid)},
              {"notes", notes}};
    if (target) {
      Json read = VerdictJson(target->memory_read);
      read["transport"] =
          target->read_transport ? Json(std::string(TransportName(*target->read_transport))) : Json(nullptr);
      read["fallback_reason"] =
          target->read_fallback_reason ? Json(ErrnoName(target->read_fallback_reason)) : Json(nullptr);
      j["target"] = {{"pid", target->pid},
                     {"exists", target->exists},
                     {"visible", target->visible},
                     {"uid", target->uids ? Json((*target->uids)[1]) : Json(nullptr)},
                     {"dumpable", OptionalJson(target->dumpable)},
                     {"descendant", OptionalJson(target->descendant)},
                     {"verdict",
                      {{"maps", VerdictJson(target->maps)},
                       {"memory_read", std::move(read)},
                       {"memory_write", VerdictJson(target->memory_write)},
                       {"exit_code_visible", VerdictJson(target->exit_code_visible)}}},
                     {"reasons", reasons}};
    }
    PrintJson(j, std::cout);
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"kernel", reader.kernel_release},
        {"uid", reader.uids ? std::to_string((*reader.uids)[1]) : "unknown"},
        {"CAP_SYS_PTRACE", reader.cap_sys_ptrace ? "yes" : "no"},
        {"ptrace_scope", reader.ptrace_scope ? std::to_string(*reader.ptrace_scope) : "none (no Yama)"},
        {"proc_mem.force_override",
         std::string(ForceOverrideName(reader.force_override)) + " (" + reader.force_override_how + ")"},
        {"seccomp", reader.seccomp_mode ? std::to_string(*reader.seccomp_mode) : "unknown"},
        {"process_vm_readv", OutcomeText(reader.process_vm_readv)},
        {"process_vm_writev", OutcomeText(reader.process_vm_writev)},
        {"hidepid", reader.hidepid.value_or("off")}};
    PrintColumns(rows, std::cout);
    if (target) {
      std::cout << "\nPID " << target->pid;
      if (target->uids) std::cout << " (uid " << (*target->uids)[1] << ")";
      std::cout << '\n';
      for (const auto& [name, v] :
           {std::pair{"maps", &target->maps}, std::pair{"memory read", &target->memory_read},
            std::pair{"memory write", &target->memory_write},
            std::pair{"exit code visible", &target->exit_code_visible}}) {
        std::cout << "  " << Mark(*v) << ' ' << name << ": " << v->detail << " ("
                  << (v->measured ? "measured" : "derived") << ")\n";
      }
      if (!reasons.empty()) std::cout << "What stands in the way:\n";
      for (const std::string& r : reasons) std::cout << "  - " << r << '\n';
    }
    if (!notes.empty() && (!target || reasons.empty())) {
      std::cout << "Notes:\n";
      for (const std::string& n : notes) std::cout << "  - " << n << '\n';
    }
  }
  if (!std::cout.flush()) return kExitFailure;
  if (target && !target->exists) return Fail(kExitFailure, "doctor: no process with PID " + o.pid);
  return kExitOk;
}

}  // namespace

void AddDoctorCommand(CLI::App& app, Runner& run) {
  auto options = std::make_shared<DoctorOptions>();
  CLI::App* doctor = app.add_subcommand(
      "doctor",
      "What this reader may do (ptrace_scope, seccomp, capabilities, /proc/PID/mem forcing, hidepid) and, "
      "for a "
      "PID, whether maps, memory reads and writes and exit codes are allowed and what stands in the way. "
      "Exit 0 when the diagnosis ran, 1 for a PID nobody has");
  doctor->add_option("PID", options->pid, "process ID to diagnose (optional)");
  doctor->add_flag("--json", options->json, "print JSON instead of a checklist");
  doctor->callback([options, &run] { run = [options] { return RunDoctor(*options); }; });
}

}  // namespace procscope::cli
