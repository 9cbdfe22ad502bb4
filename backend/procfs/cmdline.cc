#include "backend/procfs/cmdline.h"

namespace procscope {

std::vector<std::string> ParseCmdline(std::string_view text) {
  std::vector<std::string> args;
  size_t at = 0;
  while (at < text.size()) {
    size_t nul = text.find('\0', at);
    if (nul == std::string_view::npos) nul = text.size();
    args.emplace_back(text.substr(at, nul - at));
    at = nul + 1;
  }
  return args;
}

}  // namespace procscope
