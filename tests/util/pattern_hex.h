// The fixtures' pattern bytes as the CLI prints data: two lowercase hex digits per byte. Test-only.
#ifndef PROCSCOPE_TESTS_UTIL_PATTERN_HEX_H_
#define PROCSCOPE_TESTS_UTIL_PATTERN_HEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "fixtures/pattern.h"

namespace procscope::testing {

// Lowercase hex of `bytes`, written independently of the CLI's own encoder.
inline std::string BytesHex(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// What `procscope read` prints as "data" for `length` readable bytes at `address` of a fixture.
inline std::string PatternHex(uint64_t address, uint64_t length) {
  std::vector<uint8_t> bytes(length);
  FillPattern(bytes.data(), address, length);
  return BytesHex(bytes);
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_PATTERN_HEX_H_
