#include "backend/procfs/status.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>

#include "backend/procfs/parse_util.h"

namespace procscope {
namespace {

using procfs_internal::FieldError;
using procfs_internal::ForEachLine;
using procfs_internal::ParseSigned;
using procfs_internal::ParseUnsigned;
using procfs_internal::Split;

// Four tab-separated unsigned 32-bit ids (Uid:, Gid:).
std::optional<std::array<uint32_t, 4>> ParseIds(std::string_view value) {
  const std::vector<std::string_view> parts = Split(value, '\t');
  if (parts.size() != 4) return std::nullopt;
  std::array<uint32_t, 4> ids{};
  for (size_t i = 0; i < 4; ++i) {
    const std::optional<uint64_t> id = ParseUnsigned(parts[i], 10);
    if (!id || *id > UINT32_MAX) return std::nullopt;
    ids[i] = static_cast<uint32_t>(*id);
  }
  return ids;
}

// Sets `field` from `value` with `parse`, or fails naming `key`; a key seen twice is an error.
template <typename T, typename Parse>
Status Set(std::optional<T>& field, std::string_view key, std::string_view value, std::string_view expected,
           Parse parse) {
  if (field) return Status(EINVAL, "field '" + std::string(key) + "' appears twice");
  std::optional<T> parsed = parse(value);
  if (!parsed) return FieldError(key, expected, value);
  field = std::move(parsed);
  return OkStatus();
}

Status ParseLine(std::string_view line, ProcStatus& out) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Status(EINVAL, "no ':' in the line");
  const std::string_view key = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == '\t') value.remove_prefix(1);  // the kernel's separator, once
  const auto hex = [](std::string_view v) { return ParseUnsigned(v, 16); };
  if (key == "Name") {
    return Set(out.name, key, value, "a name",
               [](std::string_view v) { return std::optional(std::string(v)); });
  }
  if (key == "Uid") return Set(out.uids, key, value, "4 tab-separated uids", ParseIds);
  if (key == "Gid") return Set(out.gids, key, value, "4 tab-separated gids", ParseIds);
  if (key == "CapPrm") return Set(out.cap_prm, key, value, "hex digits", hex);
  if (key == "CapEff") return Set(out.cap_eff, key, value, "hex digits", hex);
  if (key == "TracerPid") {
    return Set(out.tracer_pid, key, value, "a PID", [](std::string_view v) -> std::optional<int64_t> {
      const std::optional<int64_t> pid = ParseSigned(v);
      if (!pid || *pid < 0) return std::nullopt;
      return pid;
    });
  }
  if (key == "NoNewPrivs") {
    return Set(out.no_new_privs, key, value, "0 or 1", [](std::string_view v) -> std::optional<bool> {
      if (v == "0") return false;
      if (v == "1") return true;
      return std::nullopt;
    });
  }
  if (key == "Seccomp") {
    return Set(out.seccomp, key, value, "0, 1 or 2", [](std::string_view v) -> std::optional<int> {
      if (v.size() == 1 && v[0] >= '0' && v[0] <= '2') return v[0] - '0';
      return std::nullopt;
    });
  }
  return OkStatus();
}

}  // namespace

StatusOr<ProcStatus> ParseStatus(std::string_view text) {
  ProcStatus out;
  Status status = ForEachLine(text, [&](std::string_view line) { return ParseLine(line, out); });
  if (!status.ok()) return status;
  return out;
}

std::string FormatStatus(const ProcStatus& s) {
  std::string out;
  char buffer[96];
  if (s.name) out += "Name:\t" + *s.name + "\n";
  if (s.tracer_pid) out += "TracerPid:\t" + std::to_string(*s.tracer_pid) + "\n";
  for (const auto& [key, ids] : {std::pair{"Uid", &s.uids}, std::pair{"Gid", &s.gids}}) {
    if (!*ids) continue;
    std::snprintf(buffer, sizeof buffer, "%s:\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\n", key,
                  (**ids)[0], (**ids)[1], (**ids)[2], (**ids)[3]);
    out += buffer;
  }
  for (const auto& [key, caps] : {std::pair{"CapPrm", &s.cap_prm}, std::pair{"CapEff", &s.cap_eff}}) {
    if (!*caps) continue;
    std::snprintf(buffer, sizeof buffer, "%s:\t%016" PRIx64 "\n", key, **caps);
    out += buffer;
  }
  if (s.no_new_privs) out += std::string("NoNewPrivs:\t") + (*s.no_new_privs ? "1" : "0") + "\n";
  if (s.seccomp) out += "Seccomp:\t" + std::to_string(*s.seccomp) + "\n";
  return out;
}

}  // namespace procscope
