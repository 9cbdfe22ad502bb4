// `procscope probe`: this kernel's process_vm_readv and /proc/<pid>/mem semantics, measured.
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "backend/memory/kernel_probe.h"
#include "tools/cli/command.h"
#include "tools/cli/procfs_output.h"

namespace procscope::cli {
namespace {

// The suffix of the key that says why KEY could not be measured (tools/kernels/report.py reads it too).
constexpr char kUnmeasuredSuffix[] = "_unmeasured";

struct ProbeCliOptions {
  bool json = false;
  bool skip_max_rw_count = false;
};

int RunProbe(const ProbeCliOptions& o) {
  StatusOr<KernelProbe> p = ProbeKernel({.measure_max_rw_count = !o.skip_max_rw_count});
  if (!p.ok()) {
    std::cerr << "procscope: probe: " << p.status().ToString() << '\n';
    return kExitFailure;
  }
  Json j;
  // A key that could not be measured is null, and KEY_unmeasured (only then) says why.
  auto put = [&j](const std::string& key, const auto& value) {
    if (value.ok()) {
      j[key] = *value;
    } else {
      j[key] = nullptr;
      j[key + kUnmeasuredSuffix] = value.status().ToString();
    }
  };
  j["kernel_release"] = p->kernel_release;
  j["splits_elements"] = p->splits_elements;
  j["stops_at_first_failure"] = p->stops_at_first_failure;
  j["zero_length_skipped"] = p->zero_length_skipped;
  j["prot_none_readable_vm"] = p->prot_none_readable_vm;
  put("prot_none_readable_procmem", p->prot_none_readable_procmem);
  j["readonly_writable_vm"] = p->readonly_writable_vm;
  put("readonly_writable_procmem", p->readonly_writable_procmem);
  j["iov_max"] = p->iov_max;
  j["max_rw_count"] = p->max_rw_count ? Json(*p->max_rw_count) : Json(nullptr);
  j["max_rw_count_skipped"] = p->max_rw_count ? Json(nullptr) : Json(p->max_rw_count_skipped);
  put("procmem_eof_after_exit", p->procmem_eof_after_exit);
  put("procmem_force_override", p->procmem_force_override);
  put("procmem_force_override_switch", p->procmem_force_override_switch);
  j["tagged_address_vm"] = p->tagged_address_vm;
  put("tagged_address_procmem", p->tagged_address_procmem);
  put("procmap_query", p->procmap_query);
  j["guard_regions"] = p->guard_regions;
  put("pagemap_guard_bit", p->pagemap_guard_bit);
  put("pidfd_info_exit", p->pidfd_info_exit);
  if (o.json) {
    PrintJson(j, std::cout);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"SEMANTICS", "MEASURED"}};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "max_rw_count_skipped" || it.key().ends_with(kUnmeasuredSuffix)) continue;
    std::string value = it->is_string() ? it->get<std::string>() : it->dump();
    if (it.key() == "max_rw_count" && it->is_null()) value = "skipped: " + p->max_rw_count_skipped;
    if (const auto why = j.find(it.key() + kUnmeasuredSuffix); why != j.end())
      value = "unmeasured: " + why->get<std::string>();
    rows.push_back({it.key(), value});
  }
  PrintColumns(rows, std::cout);
  return kExitOk;
}

}  // namespace

void AddProbeCommand(CLI::App& app, Runner& run) {
  auto options = std::make_shared<ProbeCliOptions>();
  CLI::App* probe = app.add_subcommand(
      "probe",
      "Measure this kernel's process_vm_readv and /proc/<pid>/mem semantics (about 0.3 s, 4 MiB of memory)");
  probe->add_flag("--json", options->json, "print JSON instead of a table");
  probe->add_flag("--skip-max-rw-count", options->skip_max_rw_count,
                  "do not measure max_rw_count (one 2 GiB copy out of the zero page into a 2 MiB buffer)");
  probe->callback([options, &run] { run = [options] { return RunProbe(*options); }; });
}

}  // namespace procscope::cli
