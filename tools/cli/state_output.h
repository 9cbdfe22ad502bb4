// How the CLI shows a ProcessState (ps, info, wait): one JSON object and one short text, written once.
#ifndef PROCSCOPE_TOOLS_CLI_STATE_OUTPUT_H_
#define PROCSCOPE_TOOLS_CLI_STATE_OUTPUT_H_

#include <string>

#include "backend/process/process_state.h"
#include "tools/cli/procfs_output.h"

namespace procscope::cli {

// {kind, exit_code (null when unknown; -N for signal N), core_dumped, detail}
Json StateToJson(const ProcessState& state);
// "alive", "dead (exit 3)", "dead (signal 9) core dumped", "dead (exit code unknown)", "unknown".
std::string StateText(const ProcessState& state);

}  // namespace procscope::cli

#endif  // PROCSCOPE_TOOLS_CLI_STATE_OUTPUT_H_
