// A backend plugin: a shared object implementing the C ABI of backend/c_api/procscope_backend.h, loaded with
// dlopen. Used in-process by the benchmark (which trusts it) and inside conform's worker child (which does
// not: see worker.h).
//
//   StatusOr<Plugin> plugin = Plugin::Load("./libmine.so");
//   int rc = plugin->Read(pid, elements, count, results);
#ifndef PROCSCOPE_TOOLS_CONFORM_PLUGIN_H_
#define PROCSCOPE_TOOLS_CONFORM_PLUGIN_H_

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "backend/c_api/procscope_backend.h"
#include "backend/memory/batch.h"
#include "backend/status.h"

namespace procscope::conform {

class Plugin {
 public:
  // dlopen(RTLD_NOW | RTLD_LOCAL) and the ABI check. Errors (EINVAL), one line each: the loader's message
  // ("cannot load PATH: ..."), a missing required symbol ("PATH does not export procscope_backend_read"), or
  // another ABI version ("PATH implements ABI 2; this procscope speaks ABI 1"). The library stays loaded for
  // the life of the process (plugins may keep state; unloading them is not worth the risk).
  [[nodiscard]] static StatusOr<Plugin> Load(const std::string& path);

  const std::string& name() const { return name_; }
  uint32_t abi() const { return abi_; }
  bool has_write() const { return write_ != nullptr; }

  // The plugin's read/write over `elements`; `results` gets one entry per element (converted from
  // procscope_result). Returns the plugin's return value (0 or an errno). Write needs has_write().
  int Transfer(Direction direction, pid_t pid, std::span<const Element> elements,
               std::span<ElementResult> results) const;

 private:
  using TransferFn = int (*)(int32_t, const procscope_element*, size_t, procscope_result*);
  std::string name_;
  uint32_t abi_ = 0;
  TransferFn read_ = nullptr;
  TransferFn write_ = nullptr;
};

}  // namespace procscope::conform

#endif  // PROCSCOPE_TOOLS_CONFORM_PLUGIN_H_
