// The vocabulary of batched memory transfers: what the caller asks for and what it gets back, per element.
#ifndef PROCSCOPE_BACKEND_MEMORY_BATCH_H_
#define PROCSCOPE_BACKEND_MEMORY_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "backend/status.h"

namespace procscope {

enum class Direction { kRead, kWrite };

// How a batch learned which of its elements it could reach after a call stopped short at a hole (the cost
// model is backend/memory/classify.h's): not at all (no call stopped short, or the strategy never
// classifies), by going on with calls, by PROCMAP_QUERY lookups, or by reading the maps text. Declared in
// the order of their cost to a large target (the CLI reports the costliest one a batch's chunks needed).
// kPagemap: after a lookup (the text or PROCMAP_QUERY), calls still stopped short inside mapped memory, and
// /proc/<pid>/pagemap showed where the guard pages are.
enum class Classification { kNone, kCalls, kProcmapQuery, kMapsText, kPagemap };

// One element of a batch: `length` bytes at `address` in the target, and the caller's buffer of the same
// length (written to by reads, read from by writes). The caller owns the buffer and keeps it alive for the
// duration of the call; for reads, bytes past an element's `transferred` are left as they were.
struct Element {
  uint64_t address = 0;
  void* buffer = nullptr;
  uint64_t length = 0;
};

// What happened to one element. `transferred` bytes at the start of the element moved; when that is less
// than its length, `error` says why the rest did not (an errno: EFAULT for memory that is unmapped or lacks
// the needed protection, EOVERFLOW for a range that wraps past the end of the address space, or the errno of
// a whole-call failure such as ESRCH). A partially transferred element is never a success.
struct ElementResult {
  uint64_t transferred = 0;
  int error = 0;  // 0 exactly when all `length` bytes were transferred
  bool ok() const { return error == 0; }
  friend bool operator==(const ElementResult&, const ElementResult&) = default;
};

// gtest prints results as "{transferred=100, error=EFAULT}".
inline void PrintTo(const ElementResult& r, std::ostream* os) {
  *os << "{transferred=" << r.transferred
      << ", error=" << (r.error == 0 ? std::string("0") : ErrnoName(r.error)) << "}";
}

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_BATCH_H_
