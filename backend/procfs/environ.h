// Parser for an environment block: /proc/<pid>/environ, or the bytes at [env_start, env_end) of a process.
//
//   Environ env = ParseEnviron(block);
//   for (const EnvironEntry& e : env.entries) Use(env_start + e.offset, e.name, e.value);
//
// Pure and total: every byte string is a valid block. Entries are the NUL-terminated strings in order, with
// their byte offset and length inside the block, so that their address in the process is
// env_start + offset. The entries tile the block: each starts right after the previous one's NUL.
// Entries without '=' and empty entries (two NULs in a row) are kept; bytes are kept as bytes; there is no
// size limit. A block whose last entry has no final NUL (the process overwrote it, or the read was cut)
// is accepted: that entry is still returned and `terminated` is false.
#ifndef PROCSCOPE_BACKEND_PROCFS_ENVIRON_H_
#define PROCSCOPE_BACKEND_PROCFS_ENVIRON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace procscope {

struct EnvironEntry {
  uint64_t offset = 0;  // of the entry's first byte inside the block
  uint64_t length = 0;  // bytes, without the NUL
  // The bytes before the first '='; nullopt when the entry has no '=' (value is then the whole entry).
  std::optional<std::string> name;
  std::string value;
  friend bool operator==(const EnvironEntry&, const EnvironEntry&) = default;
};

struct Environ {
  uint64_t size = 0;       // of the whole block
  bool terminated = true;  // false when the block is non-empty and does not end with a NUL
  std::vector<EnvironEntry> entries;
  friend bool operator==(const Environ&, const Environ&) = default;
};

Environ ParseEnviron(std::string_view block);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_ENVIRON_H_
