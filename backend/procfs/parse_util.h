// Small helpers shared by the procfs parsers: strict number parsing and error text.
// Internal to //backend/procfs; pure functions, no I/O.
#ifndef PROCSCOPE_BACKEND_PROCFS_PARSE_UTIL_H_
#define PROCSCOPE_BACKEND_PROCFS_PARSE_UTIL_H_

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/status.h"

namespace procscope::procfs_internal {

// The whole of `text` as an unsigned number in `base` (10 or 16): digits only, no sign, no prefix, no
// whitespace, not empty; nullopt on anything else or on overflow of 64 bits.
std::optional<uint64_t> ParseUnsigned(std::string_view text, int base);
// The whole of `text` as a signed decimal (an optional leading '-'); nullopt on anything else or overflow.
std::optional<int64_t> ParseSigned(std::string_view text);

// Value of each byte as a digit: 0..15 for [0-9a-fA-F], 0xff for anything else.
inline constexpr std::array<uint8_t, 256> kDigitValue = [] {
  std::array<uint8_t, 256> table{};
  for (auto& v : table) v = 0xff;
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) table[c] = static_cast<uint8_t>(c - 'A' + 10);
  return table;
}();

// Scans the longest run of digits in Base (10 or 16, hex in either case) at the front of `rest` into
// `value` and removes it from `rest`. False, with `rest` unchanged, when there is no digit or the value
// overflows 64 bits. One pass with no library calls: the maps parser runs it six times per line, and a
// generic from_chars/memchr version made parsing cost 40% of reading the file from the kernel.
// If the 8 bytes at `p` are all hex digits (either case), stores their value in `value`. SWAR: one 64-bit
// load, a range check per byte lane and three shift/mask steps instead of eight dependent shift-adds.
[[gnu::always_inline]] inline bool Hex8(const char* p, uint64_t& value) {
  uint64_t x;
  __builtin_memcpy(&x, p, 8);  // little endian: p[0], the most significant digit, in the lowest byte
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  // Lane-wise "lo <= b <= hi" for bytes below 0x80: the high bit of (b + 0x80 - lo) is set iff b >= lo,
  // the high bit of (b + 0x7f - hi) is set iff b > hi; no lane carries into the next because b < 0x80.
  auto in_range = [x](uint64_t lo, uint64_t hi) {
    return ((x + kOnes * (0x80 - lo)) & ~(x + kOnes * (0x7f - hi))) & kHigh;
  };
  const uint64_t lower = x | (kOnes * 0x20);  // 'A'-'F' -> 'a'-'f'; digits are unchanged
  const uint64_t letter = ((lower + kOnes * (0x80 - 'a')) & ~(lower + kOnes * (0x7f - 'f'))) & kHigh;
  const uint64_t digit = in_range('0', '9');
  if ((x & kHigh) != 0 || (digit | letter) != kHigh) return false;
  // Nibble per byte: '0'-'9' -> low 4 bits; letters -> low 4 bits + 9 (bit 6 of the byte is set).
  uint64_t nibbles = (x & (kOnes * 0x0f)) + ((x >> 6) & kOnes) * 9;
  // Merge neighbours: byte pairs -> bytes, then 16-bit pairs, then 32-bit pairs (most significant first).
  nibbles = ((nibbles << 4) | (nibbles >> 8)) & 0x00ff00ff00ff00ffULL;
  nibbles = ((nibbles << 8) | (nibbles >> 16)) & 0x0000ffff0000ffffULL;
  value = ((nibbles << 16) | (nibbles >> 32)) & 0xffffffffULL;
  return true;
}

template <unsigned Base>
[[gnu::always_inline]] inline bool ConsumeUnsigned(std::string_view& rest, uint64_t& value) {
  static_assert(Base == 10 || Base == 16);
  // Runs this short cannot overflow 64 bits, so the loop needs no check per digit.
  constexpr size_t kSafeDigits = Base == 16 ? 16 : 19;
  uint64_t v = 0;
  size_t i = 0;
  if constexpr (Base == 16) {
    // Addresses are printed with at least 8 digits: take them 8 at a time while that is possible.
    uint64_t chunk;
    while (i + 8 <= rest.size() && i + 8 <= kSafeDigits && Hex8(rest.data() + i, chunk)) {
      v = (v << 32) | chunk;
      i += 8;
    }
  }
  for (; i < rest.size(); ++i) {
    const unsigned digit = kDigitValue[static_cast<unsigned char>(rest[i])];
    if (digit >= Base) break;
    v = v * Base + digit;  // wraps only for runs longer than kSafeDigits, recomputed below
  }
  if (i == 0) return false;
  if (i > kSafeDigits) {
    v = 0;
    for (size_t k = 0; k < i; ++k) {
      const unsigned digit = kDigitValue[static_cast<unsigned char>(rest[k])];
      if (__builtin_mul_overflow(v, uint64_t{Base}, &v) || __builtin_add_overflow(v, uint64_t{digit}, &v)) {
        return false;
      }
    }
  }
  value = v;
  rest.remove_prefix(i);
  return true;
}

// Removes `c` from the front of `rest`; false (rest unchanged) when `rest` does not start with it.
inline bool ConsumeChar(std::string_view& rest, char c) {
  if (rest.empty() || rest.front() != c) return false;
  rest.remove_prefix(1);
  return true;
}

// `text` quoted for an error message: non-printable bytes as \xNN, cut after `max_bytes` with "...".
std::string Quote(std::string_view text, size_t max_bytes = 40);

// EINVAL with "field 'F': expected E, found 'X'".
Status FieldError(std::string_view field, std::string_view expected, std::string_view found);

// All pieces of `text` between `separator`s: n separators give n + 1 pieces (some may be empty).
std::vector<std::string_view> Split(std::string_view text, char separator);

// Prefixes an error's message with "line N: " (for parsers that parse a file line by line).
Status WithLine(const Status& status, size_t line);

// How many bytes of `text` equal `c`. Counts in blocks of 255 with a byte-wide counter, which clang turns
// into byte-lane vector compares; std::count's 64-bit counter vectorised so poorly that counting the lines
// of a maps file cost as much as parsing them.
inline size_t CountByte(std::string_view text, char c) {
  size_t total = 0;
  while (!text.empty()) {
    const size_t block = std::min<size_t>(text.size(), 255);
    uint8_t count = 0;
    for (size_t i = 0; i < block; ++i) count += text[i] == c;
    total += count;
    text.remove_prefix(block);
  }
  return total;
}

// Calls `on_line` (Status(std::string_view line)) for each '\n'-separated line of `text`: the final newline
// is optional, an empty text has no lines, an empty line is an error. Stops at the first error, naming its
// line.
template <typename OnLine>
Status ForEachLine(std::string_view text, OnLine on_line) {
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty()) return WithLine(Status(EINVAL, "empty line"), line_number);
    Status status = on_line(line);
    if (!status.ok()) return WithLine(status, line_number);
  }
  return OkStatus();
}

// Parses a file of lines (as ForEachLine walks them) with `parse_into` (Status(std::string_view line, T&
// out)), which fills a default-constructed T in place.
template <typename T, typename LineParser>
StatusOr<std::vector<T>> ParseLines(std::string_view text, LineParser parse_into) {
  std::vector<T> entries;
  // One allocation per file: growing a vector of 2000 entries step by step cost more than parsing them.
  entries.reserve(CountByte(text, '\n') + 1);
  Status status =
      ForEachLine(text, [&](std::string_view line) { return parse_into(line, entries.emplace_back()); });
  if (!status.ok()) return status;
  return entries;
}

}  // namespace procscope::procfs_internal

#endif  // PROCSCOPE_BACKEND_PROCFS_PARSE_UTIL_H_
