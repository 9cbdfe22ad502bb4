#include "backend/procfs/modules.h"

#include <cinttypes>
#include <cstdio>

#include "backend/procfs/parse_util.h"

namespace procscope {
namespace {

using procfs_internal::FieldError;
using procfs_internal::ParseSigned;
using procfs_internal::ParseUnsigned;
using procfs_internal::Split;

Status ParseModulesLineInto(std::string_view line, KernelModule& m) {
  const std::vector<std::string_view> fields = Split(line, ' ');
  if (fields.size() != 6 && fields.size() != 7) {
    return FieldError("line", "6 or 7 fields separated by single spaces", line);
  }
  const std::string_view name = fields[0];
  if (name.empty()) return FieldError("name", "a module name", name);
  m.name = std::string(name);
  m.handle = Fnv1a64(name);

  const std::optional<uint64_t> size = ParseUnsigned(fields[1], 10);
  if (!size) return FieldError("size", "a decimal number", fields[1]);
  m.size = *size;

  if (fields[2] != "-") {
    m.refcount = ParseSigned(fields[2]);
    if (!m.refcount) return FieldError("refcount", "a decimal number or '-'", fields[2]);
  }

  if (fields[3] != "-") {
    std::string_view list = fields[3];
    if (list.ends_with(',')) list.remove_suffix(1);  // the kernel ends every name with a comma
    for (std::string_view user : Split(list, ',')) {
      if (user.empty()) return FieldError("used_by", "comma-separated names or '-'", fields[3]);
      m.used_by.emplace_back(user);
    }
  }

  const std::string_view state = fields[4];
  if (state == "Live") {
    m.state = ModuleState::kLive;
  } else if (state == "Loading") {
    m.state = ModuleState::kLoading;
  } else if (state == "Unloading") {
    m.state = ModuleState::kUnloading;
  } else {
    return FieldError("state", "Live, Loading or Unloading", state);
  }

  const std::string_view address = fields[5];
  const std::optional<uint64_t> address_value =
      address.starts_with("0x") ? ParseUnsigned(address.substr(2), 16) : std::nullopt;
  if (!address_value) return FieldError("address", "0x and a hex address", address);
  m.address = *address_value;

  if (fields.size() == 7) {
    const std::string_view taint = fields[6];
    if (taint.size() < 3 || taint.front() != '(' || taint.back() != ')' ||
        taint.find_first_of("()", 1) != taint.size() - 1) {
      return FieldError("taint", "flags in parentheses, e.g. (OE)", taint);
    }
    m.taint = std::string(taint.substr(1, taint.size() - 2));
  }
  return OkStatus();
}

}  // namespace

std::string_view ModuleStateName(ModuleState state) {
  switch (state) {
    case ModuleState::kLive:
      return "Live";
    case ModuleState::kLoading:
      return "Loading";
    case ModuleState::kUnloading:
      return "Unloading";
  }
  return "Unknown";
}

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

StatusOr<KernelModule> ParseModulesLine(std::string_view line) {
  KernelModule m;
  Status status = ParseModulesLineInto(line, m);
  if (!status.ok()) return status;
  return m;
}

StatusOr<std::vector<KernelModule>> ParseModules(std::string_view text) {
  return procfs_internal::ParseLines<KernelModule>(text, ParseModulesLineInto);
}

std::string KernelModule::ToString() const {
  std::string out =
      name + " " + std::to_string(size) + " " + (refcount ? std::to_string(*refcount) : "-") + " ";
  if (used_by.empty()) {
    out += "-";
  } else {
    for (const std::string& user : used_by) out += user + ",";
  }
  char address_text[32];
  std::snprintf(address_text, sizeof address_text, "0x%016" PRIx64, address);
  out += " " + std::string(ModuleStateName(state)) + " " + address_text;
  if (taint) out += " (" + *taint + ")";
  return out;
}

}  // namespace procscope
