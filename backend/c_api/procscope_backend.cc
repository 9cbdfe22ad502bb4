// libprocscope.so: procscope's engine (strategies over LinuxMemoryBackend) behind the C ABI of
// procscope_backend.h. No C++ exception or type crosses it: every entry point is noexcept and maps
// failures to errnos.
#include "backend/c_api/procscope_backend.h"

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"

namespace procscope {
namespace {

void FillAll(procscope_result* results, size_t count, int error) {
  for (size_t i = 0; i < count; ++i) results[i] = {0, error, 0};
}

int Transfer(Direction direction, const char* strategy_name, int32_t pid, const procscope_element* elements,
             size_t count, procscope_result* results, procscope_transfer_info* info) noexcept {
  if (count == 0) return 0;
  if (elements == nullptr || results == nullptr) return EINVAL;
  try {
    std::unique_ptr<Strategy> strategy = MakeStrategy(strategy_name == nullptr ? "default" : strategy_name);
    if (strategy == nullptr) {
      FillAll(results, count, EINVAL);
      return EINVAL;
    }
    std::vector<Element> batch(count);
    for (size_t i = 0; i < count; ++i)
      batch[i] = {elements[i].address, elements[i].buffer, elements[i].length};
    std::vector<ElementResult> answers(count);
    LinuxMemoryBackend memory(pid);
    TransferReport report;
    const Status status = TransferBatch(*strategy, memory, direction, batch, answers, &report);
    for (size_t i = 0; i < count; ++i) results[i] = {answers[i].transferred, answers[i].error, 0};
    if (info != nullptr) {
      *info = {TransportName(report.transport).data(), report.fallback_reason, 0, report.syscalls};
    }
    return status.ok() ? 0 : status.error_number();
  } catch (const std::bad_alloc&) {
    FillAll(results, count, ENOMEM);
    return ENOMEM;
  } catch (...) {
    FillAll(results, count, EIO);
    return EIO;
  }
}

// PROCSCOPE_STRATEGY, read at each call (nullptr: "default").
const char* StrategyFromEnvironment() { return std::getenv("PROCSCOPE_STRATEGY"); }

}  // namespace
}  // namespace procscope

extern "C" {

uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }

const char* procscope_backend_name(void) { return "procscope engine"; }

int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  return procscope::Transfer(procscope::Direction::kRead, procscope::StrategyFromEnvironment(), pid, elements,
                             count, results, nullptr);
}

int procscope_backend_write(int32_t pid, const procscope_element* elements, size_t count,
                            procscope_result* results) {
  return procscope::Transfer(procscope::Direction::kWrite, procscope::StrategyFromEnvironment(), pid,
                             elements, count, results, nullptr);
}

const char* const* procscope_strategy_names(void) {
  // Built once from StrategyNames(); the strings live as long as the library.
  static const std::vector<std::string>* names = new std::vector<std::string>(procscope::StrategyNames());
  static const std::vector<const char*>* pointers = [] {
    auto* p = new std::vector<const char*>();
    for (const std::string& n : *names) p->push_back(n.c_str());
    p->push_back(nullptr);
    return p;
  }();
  return pointers->data();
}

int procscope_read_with(const char* strategy, int32_t pid, const procscope_element* elements, size_t count,
                        procscope_result* results, procscope_transfer_info* info) {
  return procscope::Transfer(procscope::Direction::kRead, strategy, pid, elements, count, results, info);
}

int procscope_write_with(const char* strategy, int32_t pid, const procscope_element* elements, size_t count,
                         procscope_result* results, procscope_transfer_info* info) {
  return procscope::Transfer(procscope::Direction::kWrite, strategy, pid, elements, count, results, info);
}

}  // extern "C"
