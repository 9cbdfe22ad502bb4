// JSON and human-readable renderings of parsed procfs data, shared by `procscope parse` and the live
// subcommands. JSON strings are made valid UTF-8 (each invalid byte -> U+FFFD); integers are exact 64-bit
// JSON numbers; offsets and lengths count bytes of the original text.
#ifndef PROCSCOPE_TOOLS_CLI_PROCFS_OUTPUT_H_
#define PROCSCOPE_TOOLS_CLI_PROCFS_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "backend/hex.h"
#include "backend/procfs/environ.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/modules.h"
#include "backend/procfs/mounts.h"
#include "backend/procfs/stat.h"
#include "backend/procfs/status.h"

namespace procscope::cli {

using Json = nlohmann::ordered_json;

// One object keyed by the proc(5) names in field order; a field the text lacks is null.
Json StatToJson(const ProcStat& stat);
// [{start, end, perms, offset, dev_major, dev_minor, inode, path, path_raw, deleted, kind}]
Json MapsToJson(const std::vector<MapsEntry>& maps);
// {size, terminated, entries: [{offset, length, name, value}]}; name null when the entry has no '='.
Json EnvironToJson(const Environ& env);
// [{name, size, refcount, used_by, state, address, taint, handle}]
Json ModulesToJson(const std::vector<KernelModule>& modules);

// {name, uids: [real, effective, saved, fs], gids, cap_prm, cap_eff, tracer_pid, no_new_privs, seccomp}; a
// field the text lacks is null.
Json StatusToJson(const ProcStatus& status);
// [{source, target, fstype, options}]
Json MountsToJson(const std::vector<MountEntry>& mounts);

// Rows of cells as left-aligned columns separated by two spaces (the last column is not padded).
void PrintColumns(const std::vector<std::vector<std::string>>& rows, std::ostream& out);

// Pretty-printed JSON and a newline.
void PrintJson(const Json& json, std::ostream& out);

// Human-readable tables; bytes that are not printable ASCII are shown as \xNN.
void PrintStatTable(const ProcStat& stat, std::ostream& out);
void PrintMapsTable(const std::vector<MapsEntry>& maps, std::ostream& out);
void PrintEnvironTable(const Environ& env, std::ostream& out);
void PrintModulesTable(const std::vector<KernelModule>& modules, std::ostream& out);
void PrintStatusTable(const ProcStatus& status, std::ostream& out);
void PrintMountsTable(const std::vector<MountEntry>& mounts, std::ostream& out);

}  // namespace procscope::cli

#endif  // PROCSCOPE_TOOLS_CLI_PROCFS_OUTPUT_H_
