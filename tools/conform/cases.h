// The batches conform puts to a plugin, as data: which layout (fixtures/layout.h spec), which direction,
// which elements. Pure: no process is started here.
//
// An element is named relative to a region of its layout, so a case reads the same whatever addresses the
// layout got: "r0+64:8" is 8 bytes at region 0's start + 64; "r3-4:8" starts 4 bytes before region 3 (in
// the region before it); "0xfffffffffffff000:8192" is absolute. This notation is also what
// `procscope conform --batch` takes to replay a case.
#ifndef PROCSCOPE_TOOLS_CONFORM_CASES_H_
#define PROCSCOPE_TOOLS_CONFORM_CASES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/status.h"
#include "fixtures/layout.h"
#include "tools/conform/worker.h"

namespace procscope::conform {

struct CaseElement {
  int region = -1;     // -1: `offset` is an absolute address
  int64_t offset = 0;  // from the region's start
  uint64_t length = 0;
  friend bool operator==(const CaseElement&, const CaseElement&) = default;
};

struct Case {
  std::string name;    // e.g. "order read: valid,hole,ro"
  std::string layout;  // a fixtures/layout.h spec
  Direction direction = Direction::kRead;
  bool dead_target = false;  // run against a process that has exited (a zombie)
  std::vector<CaseElement> elements;
};

// "r0+64:8" / "0x...:N"; FormatElements joins with ','.
std::string FormatElement(const CaseElement& e);
std::string FormatElements(const std::vector<CaseElement>& elements);
// Parses what FormatElements prints; EINVAL naming the bad element.
StatusOr<std::vector<CaseElement>> ParseElements(std::string_view text);

// The addresses of `elements` in a live layout; EINVAL when an element names a region the layout lacks.
StatusOr<std::vector<Span>> Resolve(const std::vector<CaseElement>& elements,
                                    const std::vector<fixtures::Region>& regions);

// The layout every canonical case uses, and the cases themselves (see conform's --help): every ordering of 3,
// 4 and 5 distinct element kinds (valid, hole, PROT_NONE, read-only, straddling into a hole, zero-length:
// 120 + 360 + 720 batches), in both
// directions; more than IOV_MAX elements; one element over MAX_RW_COUNT stopped by a hole, and (reads) one
// over MAX_RW_COUNT all of it readable; ranges that wrap; a dead target.
inline constexpr char kCanonicalLayout[] = "rw:2,hole:1,none:1,ro:1,rw:1";
// A page of pattern, then 2 GiB + 8 KiB of zero region: more than MAX_RW_COUNT readable.
inline constexpr uint64_t kBigZeroPages = 524290;
inline constexpr char kBigZeroLayout[] = "rw:1,zero:524290";
// A guard page (madvise MADV_GUARD_INSTALL, Linux 6.13+) inside one rw mapping: the guard classes' layout.
inline constexpr char kGuardLayout[] = "rw:1,guard:1,rw:1";
std::vector<Case> CanonicalCases(bool with_writes);

// One case per class of behaviour that tells backends apart (the rows of `procscope conform --classes` and
// of tools/harness peers' report), each a minimal batch: reads all mapped; results attributed after a hole;
// a prefix before a hole (read and write); PROT_NONE and read-only bytes, which /proc/PID/mem and ptrace
// force; zero-length; a wrapping range; more than MAX_RW_COUNT readable; a dead target; a guard page inside
// a mapping, read and write (kGuardLayout: a kernel without guard regions cannot build it, so RunClasses
// reports those two as not run there).
struct CaseClass {
  std::string name;  // "prefix lost (read)"
  std::string what;  // one line: what a correct backend answers
  Case c;
};
std::vector<CaseClass> CaseClasses();

// A random layout and batch from `seed` (deterministic): 3-9 runs of 1-3 pages, 1-40 elements anywhere in
// and around the layout, lengths 0 to 3 pages. `with_guards` (a kernel with guard regions) makes about a
// quarter of the inner runs guard runs, decided by a second generator from the same seed: the batch, and the
// rest of the layout, are the same either way.
Case RandomCase(uint64_t seed, bool with_writes, bool with_guards = false);

}  // namespace procscope::conform

#endif  // PROCSCOPE_TOOLS_CONFORM_CASES_H_
