// Parser for /proc/<pid>/stat (proc(5)), and decoding of its exit_code field.
//
//   StatusOr<ProcStat> st = ParseStat(text);       // text: the whole file, as read
//   if (st.ok() && st->env_start) UseAddress(*st->env_start);
//
// Pure function over bytes: any input gives a ProcStat or an EINVAL Status naming the field; no I/O.
// The name (comm) is everything between the first '(' and the LAST ')' of the whole text: the kernel does
// not escape it, so it may hold ')', spaces or a newline. Fields 4..52 are optional because older kernels
// print fewer (the comment beside each names the first kernel that prints it); a field the text does not
// have is nullopt, never 0. Fields after 52 (a future kernel) are counted in field_count and ignored.
#ifndef PROCSCOPE_BACKEND_PROCFS_STAT_H_
#define PROCSCOPE_BACKEND_PROCFS_STAT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "backend/status.h"

namespace procscope {

struct ProcStat {
  using I = std::optional<int64_t>;   // printed by the kernel as signed (%d, %ld)
  using U = std::optional<uint64_t>;  // printed as unsigned (%u, %lu, %llu)

  int64_t pid = 0;   // (1)
  std::string comm;  // (2) bytes, without the parentheses
  char state = 0;    // (3) R S D Z T t X I ...
  // How many space-separated fields the text had, counting pid, comm and state (3 .. 52 or more).
  int field_count = 0;

  I ppid, pgrp, session, tty_nr, tpgid;            // (4)-(8)
  U flags, minflt, cminflt, majflt, cmajflt;       // (9)-(13)
  U utime, stime;                                  // (14)-(15)
  I cutime, cstime, priority, nice, num_threads;   // (16)-(20)
  I itrealvalue;                                   // (21)
  U starttime, vsize;                              // (22)-(23) starttime: the identity used against PID reuse
  I rss;                                           // (24)
  U rsslim, startcode, endcode, startstack;        // (25)-(28)
  U kstkesp, kstkeip, signal, blocked, sigignore;  // (29)-(33)
  U sigcatch, wchan, nswap, cnswap;                // (34)-(37)
  I exit_signal;                                   // (38) Linux 2.1.22
  I processor;                                     // (39) Linux 2.2.8
  U rt_priority, policy;                           // (40)-(41) Linux 2.5.19
  U delayacct_blkio_ticks;                         // (42) Linux 2.6.18
  U guest_time;                                    // (43) Linux 2.6.24
  I cguest_time;                                   // (44) Linux 2.6.24
  U start_data, end_data, start_brk;               // (45)-(47) Linux 3.3
  U arg_start, arg_end, env_start, env_end;        // (48)-(51) Linux 3.5
  // (52) Linux 3.5. The raw wait status of a zombie/dead task (decode with DecodeWaitStatus). While a task
  // is stopped it holds the stop signal instead, and it reads 0 without ptrace access: only meaningful
  // for state 'Z' or 'X' with access.
  I exit_code;

  // The text in /proc format, with only the fields this ProcStat has, ending in '\n'.
  std::string ToString() const;
  friend bool operator==(const ProcStat&, const ProcStat&) = default;
};
// gtest prints entries in their /proc form.
inline void PrintTo(const ProcStat& v, std::ostream* os) { *os << v.ToString(); }

// Describes one numeric field (4..52) so that printers and JSON writers can walk them in order.
struct StatField {
  int number;        // 4..52, as in proc(5)
  const char* name;  // proc(5) name, e.g. "env_start"
  std::variant<ProcStat::I ProcStat::*, ProcStat::U ProcStat::*> member;
};
// Fields 4..52 in order (49 entries).
std::span<const StatField> StatNumericFields();

[[nodiscard]] StatusOr<ProcStat> ParseStat(std::string_view text);

// A decoded wait status (as returned by wait(2), and as the kernel prints stat field 52).
struct WaitStatus {
  enum class Kind { kExited, kSignaled, kStopped, kContinued, kInvalid };
  Kind kind = Kind::kInvalid;
  int value = 0;             // exit status (kExited) or signal number (kSignaled, kStopped)
  bool core_dumped = false;  // kSignaled only
  friend bool operator==(const WaitStatus&, const WaitStatus&) = default;
};
// kInvalid for values a wait status cannot take (negative, above 0xffff, or a signal number of 0 with
// no exit).
WaitStatus DecodeWaitStatus(int64_t raw);
// procscope's exit-code convention: exit(3) -> 3, killed by signal N -> -N; nullopt when `raw` is not the
// status of a terminated process (stopped, continued, invalid).
std::optional<int> ExitCodeFromWaitStatus(int64_t raw);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_STAT_H_
