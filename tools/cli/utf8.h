// UTF-8 repair for JSON output: procfs names and environment values are bytes, JSON strings are Unicode.
#ifndef PROCSCOPE_TOOLS_CLI_UTF8_H_
#define PROCSCOPE_TOOLS_CLI_UTF8_H_

#include <string>
#include <string_view>

namespace procscope::cli {

// `bytes` with each byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF) replaced by U+FFFD. Valid text is returned unchanged.
std::string ToValidUtf8(std::string_view bytes);

// `bytes` for a terminal: printable ASCII as is, backslash as "\\", every other byte as "\xNN".
std::string Printable(std::string_view bytes);

}  // namespace procscope::cli

#endif  // PROCSCOPE_TOOLS_CLI_UTF8_H_
