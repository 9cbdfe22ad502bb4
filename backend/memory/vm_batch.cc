#include "backend/memory/vm_batch.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "backend/memory/accessible_ranges.h"

namespace procscope::memory_internal {
namespace {

// What the planner knows about one pending element.
struct Item {
  size_t index;        // into elements/results
  uint64_t limit;      // bytes that may be attempted (the length, or the accessible prefix)
  int64_t range = -1;  // accessible range it lies in after classification (-1: not classified)
  bool done = false;
};

// One remote range of a call: a run of one element (read straight into its buffer, from its current offset)
// or several (read into scratch, then scattered).
struct Unit {
  uint64_t address;
  uint64_t length;
  size_t first, count;  // members: items[order[live[first .. first + count)]]
  uint8_t* local;       // the element's buffer or the scratch slice
  bool scratch;
};

}  // namespace

Status RunVmCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  const VmOptions& options) {
  const bool coalesce = options.coalesce && direction == Direction::kRead;
  const size_t max_ranges = std::clamp<size_t>(options.max_ranges_per_call, 1, kIovMax);
  std::vector<Item> items;
  items.reserve(pending.size());
  for (size_t index : pending) items.push_back({index, elements[index].length});
  // Processing order: by address when merging (neighbours must be adjacent), else as given (later writes to
  // the same bytes must win).
  std::vector<size_t> order(items.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  if (coalesce) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return elements[items[a].index].address < elements[items[b].index].address;
    });
  }
  bool classified = false;
  auto finish = [&](Item& item, int error) {
    item.done = true;
    results[item.index].error = error;
  };
  auto transferred = [&](const Item& item) -> uint64_t& { return results[item.index].transferred; };

  std::vector<Unit> units;
  std::vector<iovec> local, remote;
  std::vector<uint8_t> scratch;
  std::vector<size_t> live;  // positions in `order` of unfinished items, in order
  while (true) {
    live.clear();
    for (size_t k = 0; k < order.size(); ++k)
      if (!items[order[k]].done) live.push_back(k);
    if (live.empty()) return OkStatus();

    // Plan one call.
    units.clear();
    uint64_t call_bytes = 0, scratch_bytes = 0;
    for (size_t pos = 0; pos < live.size() && units.size() < max_ranges && call_bytes < kMaxRwCount;) {
      Item& item = items[order[live[pos]]];
      const Element& e = elements[item.index];
      const uint64_t start = e.address + transferred(item);
      uint64_t end = e.address + item.limit;
      size_t count = 1;
      if (coalesce && transferred(item) == 0) {
        while (pos + count < live.size()) {
          const Item& next = items[order[live[pos + count]]];
          const Element& n = elements[next.index];
          const uint64_t next_end = n.address + next.limit;
          if (transferred(next) != 0 || n.address > end + kMergeGap || next.range != item.range ||
              std::max(end, next_end) - start > kMaxSpan ||
              scratch_bytes + (std::max(end, next_end) - start) > kMaxScratch) {
            break;
          }
          end = std::max(end, next_end);
          ++count;
        }
      }
      const uint64_t length = std::min(end - start, kMaxRwCount - call_bytes);
      const bool use_scratch = count > 1;
      units.push_back({start, length, pos, count, nullptr, use_scratch});
      if (use_scratch) scratch_bytes += length;
      call_bytes += length;
      pos += count;
    }
    scratch.resize(scratch_bytes);
    local.clear();
    remote.clear();
    uint64_t scratch_at = 0;
    for (Unit& u : units) {
      if (u.scratch) {
        u.local = scratch.data() + scratch_at;
        scratch_at += u.length;
      } else {
        const Item& item = items[order[live[u.first]]];
        u.local = static_cast<uint8_t*>(elements[item.index].buffer) + transferred(item);
      }
      local.push_back({u.local, u.length});
      remote.push_back({reinterpret_cast<void*>(static_cast<uintptr_t>(u.address)), u.length});
    }

    const ssize_t n =
        direction == Direction::kRead ? memory.VmReadv(local, remote) : memory.VmWritev(local, remote);
    if (n < 0 && n != -EFAULT) {
      for (Item& item : items)
        if (!item.done) finish(item, static_cast<int>(-n));
      return Status(static_cast<int>(-n),
                    std::string(direction == Direction::kRead ? "process_vm_readv" : "process_vm_writev") +
                        " failed for the whole batch");
    }

    // Attribute the moved bytes, unit by unit, in call order.
    uint64_t left = n < 0 ? 0 : static_cast<uint64_t>(n);
    bool faulted = false;
    for (const Unit& u : units) {
      const uint64_t moved = std::min(left, u.length);
      left -= moved;
      const uint64_t first_unmoved = u.address + moved;
      const bool fault = moved < u.length;
      for (size_t m = 0; m < u.count; ++m) {
        Item& item = items[order[live[u.first + m]]];
        const Element& e = elements[item.index];
        if (u.scratch) {
          // Members start unread; copy the part of [u.address, first_unmoved) that is theirs.
          const uint64_t stop = std::min(first_unmoved, e.address + item.limit);
          if (stop > e.address) {
            std::memcpy(e.buffer, u.local + (e.address - u.address), stop - e.address);
            transferred(item) = stop - e.address;
          }
        } else {
          transferred(item) += moved;
        }
        if (transferred(item) == item.limit) {
          finish(item, item.limit == e.length ? 0 : EFAULT);
        } else if (fault && e.address + transferred(item) == first_unmoved) {
          finish(item, EFAULT);  // its next byte is where the kernel stopped
        }
        // Otherwise it starts after the fault, or its tail did not fit this call: it is planned again.
      }
      if (fault) {
        faulted = true;
        break;  // the kernel did not look at the units after this one
      }
    }

    if (faulted && options.classify_on_fault && !classified) {
      classified = true;
      StatusOr<std::vector<AccessibleRange>> ranges = ReadAccessibleRanges(memory, direction);
      if (!ranges.ok()) {
        // The maps could not be read (the process may be exiting): carry on without classification; the
        // calls themselves will report what happened.
        continue;
      }
      for (Item& item : items) {
        if (item.done) continue;
        const Element& e = elements[item.index];
        const AccessiblePrefix prefix =
            FindAccessiblePrefix(*ranges, e.address + transferred(item), item.limit - transferred(item));
        item.limit = transferred(item) + prefix.length;
        item.range = prefix.range;
        if (prefix.length == 0) finish(item, EFAULT);
      }
    }
  }
}

}  // namespace procscope::memory_internal
