// Parsing of the CLI's memory arguments. Every function returns a value or EINVAL with a message naming
// the offending text, which the CLI prints before exiting 2.
#ifndef PROCSCOPE_TOOLS_CLI_ARGS_H_
#define PROCSCOPE_TOOLS_CLI_ARGS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backend/status.h"

namespace procscope::cli {

// The most bytes one invocation may ask for in total: every buffer is held in memory at once.
inline constexpr uint64_t kMaxTotalBytes = 1ULL << 30;

// A decimal PID from 1 to 2^22 (the kernel's PID_MAX_LIMIT).
StatusOr<pid_t> ParsePid(std::string_view text);
// A duration in seconds: decimal, with at most 3 digits after a '.', from 0 to kMaxSeconds ("2", "0.25").
inline constexpr uint64_t kMaxSeconds = 10'000'000;
StatusOr<std::chrono::milliseconds> ParseSeconds(std::string_view text);
// An address: "0x" + hex, or decimal; 64-bit.
StatusOr<uint64_t> ParseAddress(std::string_view text);

struct Range {
  uint64_t address;
  uint64_t length;
};
// "ADDR:LEN" with LEN decimal; the range may not wrap past 2^64 and LEN may not exceed kMaxTotalBytes.
StatusOr<Range> ParseRange(std::string_view text);
// One ADDR:LEN per line; empty lines and lines starting with '#' are skipped; errors name the line.
StatusOr<std::vector<Range>> ParseRangeList(std::string_view text);

// ParseRangeList over text that comes in pieces (a line may span two): Feed each piece in order, then
// Finish. The first error ends the parse; Feed and Finish return it from then on.
class RangeListParser {
 public:
  Status Feed(std::string_view piece);
  StatusOr<std::vector<Range>> Finish();

 private:
  Status Line(std::string_view line);

  std::vector<Range> ranges_;
  std::string partial_;  // the start of a line whose newline has not come yet
  size_t line_number_ = 0;
  Status error_;
};

// ParseRangeList of everything readable from `fd` (read in 1 MiB pieces: the text is never held whole).
// Read errors say "read NAME: ...".
StatusOr<std::vector<Range>> ReadRangeList(int fd, const std::string& name);

// Even-length hex, either case, possibly empty.
StatusOr<std::vector<uint8_t>> ParseHex(std::string_view text);
// Lowercase hex of `bytes`.
std::string ToHex(const uint8_t* bytes, size_t length);

}  // namespace procscope::cli

#endif  // PROCSCOPE_TOOLS_CLI_ARGS_H_
