#include "tools/cli/state_output.h"

#include "tools/cli/utf8.h"

namespace procscope::cli {

Json StateToJson(const ProcessState& state) {
  return {{"kind", std::string(StateKindName(state.kind))},
          {"exit_code", state.exit_code ? Json(*state.exit_code) : Json(nullptr)},
          {"core_dumped", state.core_dumped},
          {"detail", ToValidUtf8(state.detail)}};
}

std::string StateText(const ProcessState& state) {
  std::string text(StateKindName(state.kind));
  if (state.kind == ProcessState::Kind::kDead) {
    text += state.exit_code ? (*state.exit_code < 0 ? " (signal " + std::to_string(-*state.exit_code) + ")"
                                                    : " (exit " + std::to_string(*state.exit_code) + ")")
                            : " (exit code unknown)";
    if (state.core_dumped) text += " core dumped";
  }
  return text;
}

}  // namespace procscope::cli
