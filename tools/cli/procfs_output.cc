#include "tools/cli/procfs_output.h"

#include <cinttypes>
#include <cstdio>
#include <string>

#include "tools/cli/utf8.h"

namespace procscope::cli {
namespace {

template <typename T>
Json OptionalToJson(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

Json StatToJson(const ProcStat& stat) {
  Json j;
  j["pid"] = stat.pid;
  j["comm"] = ToValidUtf8(stat.comm);
  j["state"] = ToValidUtf8(std::string(1, stat.state));
  for (const StatField& field : StatNumericFields()) {
    if (auto* signed_member = std::get_if<ProcStat::I ProcStat::*>(&field.member)) {
      j[field.name] = OptionalToJson(stat.*(*signed_member));
    } else {
      j[field.name] = OptionalToJson(stat.*std::get<ProcStat::U ProcStat::*>(field.member));
    }
  }
  return j;
}

Json MapsToJson(const std::vector<MapsEntry>& maps) {
  Json array = Json::array();
  for (const MapsEntry& e : maps) {
    array.push_back({{"start", e.start},
                     {"end", e.end},
                     {"perms", e.Perms()},
                     {"offset", e.offset},
                     {"dev_major", e.dev_major},
                     {"dev_minor", e.dev_minor},
                     {"inode", e.inode},
                     {"path", ToValidUtf8(e.path())},
                     {"path_raw", ToValidUtf8(e.path_raw)},
                     {"deleted", e.deleted},
                     {"kind", std::string(MapsKindName(e.kind))}});
  }
  return array;
}

Json EnvironToJson(const Environ& env) {
  Json entries = Json::array();
  for (const EnvironEntry& e : env.entries) {
    entries.push_back({{"offset", e.offset},
                       {"length", e.length},
                       {"name", e.name ? Json(ToValidUtf8(*e.name)) : Json(nullptr)},
                       {"value", ToValidUtf8(e.value)}});
  }
  return {{"size", env.size}, {"terminated", env.terminated}, {"entries", std::move(entries)}};
}

Json ModulesToJson(const std::vector<KernelModule>& modules) {
  Json array = Json::array();
  for (const KernelModule& m : modules) {
    Json used_by = Json::array();
    for (const std::string& user : m.used_by) used_by.push_back(ToValidUtf8(user));
    array.push_back({{"name", ToValidUtf8(m.name)},
                     {"size", m.size},
                     {"refcount", OptionalToJson(m.refcount)},
                     {"used_by", std::move(used_by)},
                     {"state", std::string(ModuleStateName(m.state))},
                     {"address", m.address},
                     {"taint", m.taint ? Json(ToValidUtf8(*m.taint)) : Json(nullptr)},
                     {"handle", m.handle}});
  }
  return array;
}

Json StatusToJson(const ProcStatus& s) {
  const auto ids = [](const std::optional<std::array<uint32_t, 4>>& v) {
    return v ? Json(*v) : Json(nullptr);
  };
  return {{"name", s.name ? Json(ToValidUtf8(*s.name)) : Json(nullptr)},
          {"uids", ids(s.uids)},
          {"gids", ids(s.gids)},
          {"cap_prm", OptionalToJson(s.cap_prm)},
          {"cap_eff", OptionalToJson(s.cap_eff)},
          {"tracer_pid", OptionalToJson(s.tracer_pid)},
          {"no_new_privs", OptionalToJson(s.no_new_privs)},
          {"seccomp", OptionalToJson(s.seccomp)}};
}

Json MountsToJson(const std::vector<MountEntry>& mounts) {
  Json array = Json::array();
  for (const MountEntry& m : mounts) {
    array.push_back({{"source", ToValidUtf8(m.source)},
                     {"target", ToValidUtf8(m.target)},
                     {"fstype", ToValidUtf8(m.fstype)},
                     {"options", ToValidUtf8(m.options)}});
  }
  return array;
}

void PrintColumns(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

void PrintJson(const Json& json, std::ostream& out) {
  out << json.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

void PrintStatTable(const ProcStat& stat, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {{"FIELD", "NAME", "VALUE"},
                                                {"1", "pid", std::to_string(stat.pid)},
                                                {"2", "comm", Printable(stat.comm)},
                                                {"3", "state", Printable(std::string(1, stat.state))}};
  for (const StatField& field : StatNumericFields()) {
    std::string value = "(absent)";
    if (auto* signed_member = std::get_if<ProcStat::I ProcStat::*>(&field.member)) {
      if (const auto& v = stat.*(*signed_member)) value = std::to_string(*v);
    } else if (const auto& v = stat.*std::get<ProcStat::U ProcStat::*>(field.member)) {
      value = std::to_string(*v);
    }
    rows.push_back({std::to_string(field.number), field.name, value});
  }
  PrintColumns(rows, out);
}

void PrintMapsTable(const std::vector<MapsEntry>& maps, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {
      {"START", "END", "PERMS", "OFFSET", "DEV", "INODE", "KIND", "DELETED", "PATH"}};
  for (const MapsEntry& e : maps) {
    char dev[24];
    std::snprintf(dev, sizeof dev, "%02x:%02x", e.dev_major, e.dev_minor);
    rows.push_back({Hex(e.start), Hex(e.end), e.Perms(), Hex(e.offset), dev, std::to_string(e.inode),
                    std::string(MapsKindName(e.kind)), e.deleted ? "yes" : "no", Printable(e.path())});
  }
  PrintColumns(rows, out);
}

void PrintEnvironTable(const Environ& env, std::ostream& out) {
  out << env.entries.size() << " entries in " << env.size << " bytes"
      << (env.terminated ? "" : " (the last entry has no final NUL)") << '\n';
  std::vector<std::vector<std::string>> rows = {{"OFFSET", "LENGTH", "NAME", "VALUE"}};
  for (const EnvironEntry& e : env.entries) {
    rows.push_back({std::to_string(e.offset), std::to_string(e.length),
                    e.name ? Printable(*e.name) : "(no '=')", Printable(e.value)});
  }
  PrintColumns(rows, out);
}

void PrintModulesTable(const std::vector<KernelModule>& modules, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "SIZE", "REFCOUNT", "STATE", "ADDRESS", "HANDLE", "TAINT", "USED BY"}};
  for (const KernelModule& m : modules) {
    std::string used_by;
    for (const std::string& user : m.used_by) used_by += (used_by.empty() ? "" : ",") + Printable(user);
    rows.push_back({Printable(m.name), std::to_string(m.size), m.refcount ? std::to_string(*m.refcount) : "-",
                    std::string(ModuleStateName(m.state)), m.address == 0 ? "(hidden)" : Hex(m.address),
                    Hex(m.handle), m.taint ? Printable(*m.taint) : "-", used_by.empty() ? "-" : used_by});
  }
  PrintColumns(rows, out);
}

void PrintStatusTable(const ProcStatus& status, std::ostream& out) {
  // The JSON's fields, one per row: the names and their order are written once, in StatusToJson.
  std::vector<std::vector<std::string>> rows = {{"FIELD", "VALUE"}};
  const Json json = StatusToJson(status);
  for (auto it = json.begin(); it != json.end(); ++it) {
    std::string value = it->is_null()     ? "-"
                        : it->is_string() ? Printable(it->get<std::string>())
                                          : it->dump();
    if ((it.key() == "cap_prm" || it.key() == "cap_eff") && it->is_number()) value = Hex(it->get<uint64_t>());
    rows.push_back({it.key(), value});
  }
  PrintColumns(rows, out);
}

void PrintMountsTable(const std::vector<MountEntry>& mounts, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {{"SOURCE", "TARGET", "FSTYPE", "OPTIONS"}};
  for (const MountEntry& m : mounts)
    rows.push_back({Printable(m.source), Printable(m.target), Printable(m.fstype), Printable(m.options)});
  PrintColumns(rows, out);
}

}  // namespace procscope::cli
