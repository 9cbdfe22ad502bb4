// memflow-native's pre-fix process_rw (the model in tools/repro) behind the C ABI, as its caller saw the
// results: an element called back "ok" counts as read whole, one called back as failed (or never called
// back) as not read at all. conform must fail it and shrink the failure to the known bug.
#include <cerrno>
#include <vector>

#include "backend/c_api/procscope_backend.h"
#include "backend/memory/linux_memory_backend.h"
#include "tools/repro/memflow_process_rw.h"

namespace {

int Transfer(procscope::Direction direction, int32_t pid, const procscope_element* elements, size_t count,
             procscope_result* results) {
  std::vector<procscope::Element> batch(count);
  for (size_t i = 0; i < count; ++i) batch[i] = {elements[i].address, elements[i].buffer, elements[i].length};
  procscope::LinuxMemoryBackend memory(pid);
  procscope::StatusOr<std::vector<procscope::legacy::LegacyReport>> reports =
      procscope::legacy::LegacyProcessRw(memory, direction, batch);
  for (size_t i = 0; i < count; ++i)
    results[i] = {0, reports.ok() ? EFAULT : reports.status().error_number(), 0};
  if (!reports.ok()) return reports.status().error_number();
  for (const procscope::legacy::LegacyReport& r : *reports) {
    results[r.element] =
        r.ok ? procscope_result{elements[r.element].length, 0, 0} : procscope_result{0, EFAULT, 0};
  }
  return 0;
}

}  // namespace

extern "C" {
uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }
const char* procscope_backend_name(void) { return "memflow-native process_rw before the fix (model)"; }
int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  return Transfer(procscope::Direction::kRead, pid, elements, count, results);
}
int procscope_backend_write(int32_t pid, const procscope_element* elements, size_t count,
                            procscope_result* results) {
  return Transfer(procscope::Direction::kWrite, pid, elements, count, results);
}
}
