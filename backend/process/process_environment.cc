// Process::Env: the environment block with each variable's address in the process (env_start + offset).
#include <cerrno>

#include "backend/process/process.h"
#include "backend/procfs/environ.h"

namespace procscope {

StatusOr<Environment> Process::Env() const {
  StatusOr<ProcStat> stat = Stat();
  if (!stat.ok()) return stat.status();
  Environment env;
  env.state = StateOf(*stat);
  if (env.state.kind == ProcessState::Kind::kDead) return env;
  StatusOr<std::string> block = ReadProcFile("environ");
  if (!block.ok() && block.status().error_number() == ENODATA) return env;  // a kernel thread: no environment
  if (!block.ok()) return block.status();
  const uint64_t start = stat->env_start.value_or(0);
  if (start == 0 && !block->empty()) {
    return Status(EACCES, Label("stat") + " hides env_start although environ is readable");
  }
  if (start != 0) env.block_address = start;
  const Environ parsed = ParseEnviron(*block);
  env.block_size = parsed.size;
  env.terminated = parsed.terminated;
  env.entries.reserve(parsed.entries.size());
  for (const EnvironEntry& e : parsed.entries) {
    uint64_t address;
    if (__builtin_add_overflow(start, e.offset, &address)) {
      return Status(EOVERFLOW, Label("environ") + ": env_start + offset wraps");
    }
    env.entries.push_back({e.name, e.value, address, e.length});
  }
  // environ was read through this process's directory; a reaped process reads as empty.
  if (Status identity = CheckIdentity(); !identity.ok()) return identity;
  return env;
}

}  // namespace procscope
