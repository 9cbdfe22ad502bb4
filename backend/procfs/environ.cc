#include "backend/procfs/environ.h"

namespace procscope {

Environ ParseEnviron(std::string_view block) {
  Environ env;
  env.size = block.size();
  env.terminated = block.empty() || block.back() == '\0';
  size_t offset = 0;
  while (offset < block.size()) {
    const size_t nul = block.find('\0', offset);
    const size_t end = nul == std::string_view::npos ? block.size() : nul;
    const std::string_view text = block.substr(offset, end - offset);
    EnvironEntry entry;
    entry.offset = offset;
    entry.length = text.size();
    if (const size_t eq = text.find('='); eq != std::string_view::npos) {
      entry.name = std::string(text.substr(0, eq));
      entry.value = std::string(text.substr(eq + 1));
    } else {
      entry.value = std::string(text);
    }
    env.entries.push_back(std::move(entry));
    offset = end + 1;  // past the NUL (or past the end of an unterminated block)
  }
  return env;
}

}  // namespace procscope
