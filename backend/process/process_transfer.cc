// Process::Transfer: a batch through the memory engine, with the identity checks around it that keep a
// reused PID from being read or reported as this process.
#include "backend/memory/linux_memory_backend.h"
#include "backend/process/process.h"

namespace procscope {

Status Process::Transfer(const Strategy& strategy, Direction direction, std::span<const Element> elements,
                         std::span<ElementResult> results, TransferReport* report) const {
  const auto fail_all = [&](const Status& status) {
    for (ElementResult& r : results) r = ElementResult{0, status.error_number()};
    return status;
  };
  if (report != nullptr) *report = TransferReport{.transport = strategy.transport()};
  if (Status before = CheckIdentity(); !before.ok()) return fail_all(before);
  LinuxMemoryBackend memory(pid_, dir_fd_.get());
  Status status = TransferBatch(strategy, memory, direction, elements, results, report);
  Status after = CheckIdentity();
  if (!after.ok() && after.error_number() == ESTALE) return fail_all(after);
  if (!after.ok() && status.ok()) return after;
  return status;
}

}  // namespace procscope
