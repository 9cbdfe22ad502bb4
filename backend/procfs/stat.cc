#include "backend/procfs/stat.h"

#include <array>
#include <cerrno>

#include "backend/procfs/parse_util.h"

namespace procscope {
namespace {

using procfs_internal::FieldError;
using procfs_internal::ParseSigned;
using procfs_internal::ParseUnsigned;

constexpr std::array<StatField, 49> kFields = {{
    {4, "ppid", &ProcStat::ppid},
    {5, "pgrp", &ProcStat::pgrp},
    {6, "session", &ProcStat::session},
    {7, "tty_nr", &ProcStat::tty_nr},
    {8, "tpgid", &ProcStat::tpgid},
    {9, "flags", &ProcStat::flags},
    {10, "minflt", &ProcStat::minflt},
    {11, "cminflt", &ProcStat::cminflt},
    {12, "majflt", &ProcStat::majflt},
    {13, "cmajflt", &ProcStat::cmajflt},
    {14, "utime", &ProcStat::utime},
    {15, "stime", &ProcStat::stime},
    {16, "cutime", &ProcStat::cutime},
    {17, "cstime", &ProcStat::cstime},
    {18, "priority", &ProcStat::priority},
    {19, "nice", &ProcStat::nice},
    {20, "num_threads", &ProcStat::num_threads},
    {21, "itrealvalue", &ProcStat::itrealvalue},
    {22, "starttime", &ProcStat::starttime},
    {23, "vsize", &ProcStat::vsize},
    {24, "rss", &ProcStat::rss},
    {25, "rsslim", &ProcStat::rsslim},
    {26, "startcode", &ProcStat::startcode},
    {27, "endcode", &ProcStat::endcode},
    {28, "startstack", &ProcStat::startstack},
    {29, "kstkesp", &ProcStat::kstkesp},
    {30, "kstkeip", &ProcStat::kstkeip},
    {31, "signal", &ProcStat::signal},
    {32, "blocked", &ProcStat::blocked},
    {33, "sigignore", &ProcStat::sigignore},
    {34, "sigcatch", &ProcStat::sigcatch},
    {35, "wchan", &ProcStat::wchan},
    {36, "nswap", &ProcStat::nswap},
    {37, "cnswap", &ProcStat::cnswap},
    {38, "exit_signal", &ProcStat::exit_signal},
    {39, "processor", &ProcStat::processor},
    {40, "rt_priority", &ProcStat::rt_priority},
    {41, "policy", &ProcStat::policy},
    {42, "delayacct_blkio_ticks", &ProcStat::delayacct_blkio_ticks},
    {43, "guest_time", &ProcStat::guest_time},
    {44, "cguest_time", &ProcStat::cguest_time},
    {45, "start_data", &ProcStat::start_data},
    {46, "end_data", &ProcStat::end_data},
    {47, "start_brk", &ProcStat::start_brk},
    {48, "arg_start", &ProcStat::arg_start},
    {49, "arg_end", &ProcStat::arg_end},
    {50, "env_start", &ProcStat::env_start},
    {51, "env_end", &ProcStat::env_end},
    {52, "exit_code", &ProcStat::exit_code},
}};

// Stores `token` into the field `info` of `stat`; false when it is not a number of the field's type.
bool StoreField(const StatField& info, std::string_view token, ProcStat& stat) {
  if (auto* signed_member = std::get_if<ProcStat::I ProcStat::*>(&info.member)) {
    std::optional<int64_t> v = ParseSigned(token);
    if (!v) return false;
    stat.*(*signed_member) = v;
  } else {
    std::optional<uint64_t> v = ParseUnsigned(token, 10);
    if (!v) return false;
    stat.*std::get<ProcStat::U ProcStat::*>(info.member) = v;
  }
  return true;
}

}  // namespace

std::span<const StatField> StatNumericFields() { return kFields; }

StatusOr<ProcStat> ParseStat(std::string_view text) {
  ProcStat stat;
  // "PID (COMM) S ...": the pid ends at the first space, which must be followed by '('.
  const size_t space = text.find(' ');
  const std::string_view pid_text = text.substr(0, space);
  std::optional<uint64_t> pid = ParseUnsigned(pid_text, 10);
  if (!pid || *pid > static_cast<uint64_t>(INT64_MAX)) {
    return FieldError("pid", "a decimal number followed by ' ('", pid_text);
  }
  stat.pid = static_cast<int64_t>(*pid);
  if (space == std::string_view::npos || space + 1 >= text.size() || text[space + 1] != '(') {
    return FieldError("comm", "'(' after the pid", text.substr(space == std::string_view::npos ? 0 : space));
  }
  const size_t open = space + 1;
  // The kernel does not escape the name: only the LAST ')' of the whole text can close it.
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos || close < open) {
    return FieldError("comm", "a name closed by ')'", text.substr(open));
  }
  stat.comm = std::string(text.substr(open + 1, close - open - 1));

  // After the name: " S F4 F5 ... F52", each field preceded by exactly one space, then the line's '\n'.
  std::string_view rest = text.substr(close + 1);
  if (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
  if (rest.empty() || rest.front() != ' ')
    return FieldError("state", "' ' and a state letter after ')'", rest);
  rest.remove_prefix(1);
  for (int number = 3;; ++number) {
    const size_t end = rest.find(' ');
    const std::string_view token = rest.substr(0, end);
    if (number == 3) {
      if (token.size() != 1) return FieldError("state", "one character", token);
      stat.state = token.front();
    } else if (number <= 52) {
      const StatField& info = kFields[static_cast<size_t>(number - 4)];
      if (!StoreField(info, token, stat)) {
        const bool is_signed = std::holds_alternative<ProcStat::I ProcStat::*>(info.member);
        return FieldError(info.name, is_signed ? "a signed decimal number" : "an unsigned decimal number",
                          token);
      }
    } else if (token.empty()) {
      return FieldError("field " + std::to_string(number), "a value after the space", token);
    }
    stat.field_count = number;
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return stat;
}

std::string ProcStat::ToString() const {
  std::string out = std::to_string(pid) + " (" + comm + ") " + std::string(1, state);
  for (const StatField& info : kFields) {
    if (info.number > field_count) break;
    out += ' ';
    if (auto* signed_member = std::get_if<I ProcStat::*>(&info.member)) {
      out += std::to_string((this->*(*signed_member)).value_or(0));
    } else {
      out += std::to_string((this->*std::get<U ProcStat::*>(info.member)).value_or(0));
    }
  }
  out += '\n';
  return out;
}

WaitStatus DecodeWaitStatus(int64_t raw) {
  WaitStatus ws;
  if (raw < 0 || raw > 0xffff) return ws;
  const int status = static_cast<int>(raw);
  const int low = status & 0x7f;
  if (status == 0xffff) {
    ws.kind = WaitStatus::Kind::kContinued;
  } else if (low == 0) {
    ws.kind = WaitStatus::Kind::kExited;
    ws.value = (status >> 8) & 0xff;
  } else if (low == 0x7f) {
    ws.kind = WaitStatus::Kind::kStopped;
    ws.value = (status >> 8) & 0xff;
  } else if ((status >> 8) == 0) {
    ws.kind = WaitStatus::Kind::kSignaled;
    ws.value = low;
    ws.core_dumped = (status & 0x80) != 0;
  }
  return ws;
}

std::optional<int> ExitCodeFromWaitStatus(int64_t raw) {
  const WaitStatus ws = DecodeWaitStatus(raw);
  switch (ws.kind) {
    case WaitStatus::Kind::kExited:
      return ws.value;
    case WaitStatus::Kind::kSignaled:
      return -ws.value;
    default:
      return std::nullopt;
  }
}

}  // namespace procscope
