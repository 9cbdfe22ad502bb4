// Parser for /proc/<pid>/cmdline.
//
//   std::vector<std::string> argv = ParseCmdline(text);
//
// Pure and total. The file holds the argument strings, each followed by a NUL. A process may overwrite its
// argument area (setproctitle): then the text may lack the final NUL, or hold one string with spaces; the
// strings are returned as they are, and a missing final NUL still ends the last one. Empty arguments are kept
// ("a\0\0b\0" is {"a", "", "b"}). An empty text (kernel threads, zombies) is an empty list.
#ifndef PROCSCOPE_BACKEND_PROCFS_CMDLINE_H_
#define PROCSCOPE_BACKEND_PROCFS_CMDLINE_H_

#include <string>
#include <string_view>
#include <vector>

namespace procscope {

std::vector<std::string> ParseCmdline(std::string_view text);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_CMDLINE_H_
