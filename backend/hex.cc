#include "backend/hex.h"

#include <charconv>

namespace procscope {

std::string HexDigits(uint64_t value) {
  char buffer[16];
  const std::to_chars_result end = std::to_chars(buffer, buffer + sizeof buffer, value, 16);
  return std::string(buffer, end.ptr);
}

std::string Hex(uint64_t value) { return "0x" + HexDigits(value); }

}  // namespace procscope
