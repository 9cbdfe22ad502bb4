#include "backend/process/process_list.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "backend/procfs/read_file.h"
#include "backend/procfs/stat.h"

namespace procscope {

StatusOr<std::vector<ProcessSummary>> ListProcesses() {
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return ErrnoStatus("opendir /proc");
  std::vector<pid_t> pids;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  std::sort(pids.begin(), pids.end());
  std::vector<ProcessSummary> list;
  list.reserve(pids.size());
  for (pid_t pid : pids) {
    ProcessSummary summary;
    summary.pid = pid;
    StatusOr<std::string> text = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
    const int error = text.ok() ? 0 : text.status().error_number();
    if (error == ENOENT || error == ESRCH) continue;  // vanished during the walk
    StatusOr<ProcStat> stat = text.ok() ? ParseStat(*text) : StatusOr<ProcStat>(text.status());
    if (stat.ok()) {
      summary.name = stat->comm;
      if (stat->ppid) summary.ppid = static_cast<pid_t>(*stat->ppid);
      summary.state = StateFromStat(*stat, [pid] {
        return AccessFromSyscallRead(ReadFileToString("/proc/" + std::to_string(pid) + "/syscall"));
      });
    } else {
      summary.state.detail = stat.status().ToString();
    }
    list.push_back(std::move(summary));
  }
  return list;
}

}  // namespace procscope
