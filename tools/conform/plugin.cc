#include "tools/conform/plugin.h"

#include <dlfcn.h>

#include <cerrno>

namespace procscope::conform {

StatusOr<Plugin> Plugin::Load(const std::string& path) {
  // A name without '/' would make dlopen search the library path: a plugin is always a file.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status(EINVAL, "cannot load " + path + ": " + (why ? why : "dlopen failed"));
  }
  auto symbol = [&](const char* name) { return dlsym(handle, name); };
  for (const char* required : {"procscope_backend_abi", "procscope_backend_name", "procscope_backend_read"}) {
    if (symbol(required) == nullptr) return Status(EINVAL, path + " does not export " + required);
  }
  Plugin plugin;
  plugin.abi_ = reinterpret_cast<uint32_t (*)()>(symbol("procscope_backend_abi"))();
  if (plugin.abi_ != PROCSCOPE_BACKEND_ABI) {
    return Status(EINVAL, path + " implements ABI " + std::to_string(plugin.abi_) +
                              "; this procscope speaks ABI " + std::to_string(PROCSCOPE_BACKEND_ABI));
  }
  const char* name = reinterpret_cast<const char* (*)()>(symbol("procscope_backend_name"))();
  plugin.name_ = name == nullptr ? "(no name)" : name;
  plugin.read_ = reinterpret_cast<TransferFn>(symbol("procscope_backend_read"));
  plugin.write_ = reinterpret_cast<TransferFn>(symbol("procscope_backend_write"));
  return plugin;
}

int Plugin::Transfer(Direction direction, pid_t pid, std::span<const Element> elements,
                     std::span<ElementResult> results) const {
  std::vector<procscope_element> in(elements.size());
  for (size_t i = 0; i < elements.size(); ++i)
    in[i] = {elements[i].address, elements[i].buffer, elements[i].length};
  // Filled with a value no plugin would write, so an entry the plugin left alone is visible.
  std::vector<procscope_result> out(elements.size(), procscope_result{~0ULL, -1, 0});
  const TransferFn fn = direction == Direction::kRead ? read_ : write_;
  const int rc = fn(pid, in.data(), in.size(), out.data());
  for (size_t i = 0; i < results.size() && i < out.size(); ++i)
    results[i] = {out[i].transferred, out[i].error};
  return rc;
}

}  // namespace procscope::conform
