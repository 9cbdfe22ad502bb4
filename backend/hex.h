// How procscope writes addresses, handles and offsets as text, in messages, tables and /proc path names.
//
//   Hex(0x7f00)        -> "0x7f00"   (messages, tables)
//   HexDigits(0x7f00)  -> "7f00"     (the names of /proc/PID/map_files links)
#ifndef PROCSCOPE_BACKEND_HEX_H_
#define PROCSCOPE_BACKEND_HEX_H_

#include <cstdint>
#include <string>

namespace procscope {

// "0x" and the lowercase hex digits, without leading zeros ("0x0" for zero).
std::string Hex(uint64_t value);
// The lowercase hex digits alone, without leading zeros ("0" for zero), as the kernel names map_files.
std::string HexDigits(uint64_t value);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_HEX_H_
