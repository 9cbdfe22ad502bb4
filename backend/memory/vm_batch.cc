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
// Copied out of the element so the hot loops touch one array (results are written once, when it finishes).
struct Item {
  size_t index;  // into elements/results
  uint64_t address;
  uint64_t length;
  uint8_t* buffer;
  uint64_t limit;  // bytes that may be attempted (the length, or the accessible prefix)
  uint64_t transferred = 0;
  int64_t range = -1;  // accessible range it lies in after classification (-1: not classified)
  bool done = false;
};

// One remote range of a call: a run of one element (read straight into its buffer, from its current offset)
// or several (read into scratch, then scattered).
struct Unit {
  uint64_t address;
  uint64_t length;
  size_t first, count;  // members: items[live[first .. first + count)]
  uint8_t* local;       // the element's buffer or the scratch slice
  bool scratch;
};

// The first call, planned straight from the elements when nothing needs the general planner: every pending
// element goes in as its own range (none would be merged with a neighbour, the elements are in the order the
// planner would use), and the whole batch fits one call. Returns false when it does not apply (nothing was
// called). Otherwise `moved` is what the call returned (bytes, or a negated errno) and `asked` the bytes the
// call covered (the batch's total).
bool FirstCallDirect(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                     std::span<const size_t> pending, bool coalesce, size_t max_ranges,
                     std::vector<iovec>& local, std::vector<iovec>& remote, ssize_t& moved, uint64_t& asked) {
  if (pending.size() > max_ranges) return false;
  local.resize(pending.size());
  remote.resize(pending.size());
  uint64_t total = 0, previous_end = 0;
  for (size_t k = 0; k < pending.size(); ++k) {
    const Element& e = elements[pending[k]];
    // With coalescing, the planner reads elements in address order and merges close neighbours.
    if (coalesce && k > 0 &&
        (e.address < elements[pending[k - 1]].address || e.address <= previous_end + kMergeGap)) {
      return false;
    }
    previous_end = e.address + e.length;
    total += e.length;
    if (total > kMaxRwCount) return false;
    local[k] = {e.buffer, e.length};
    remote[k] = {reinterpret_cast<void*>(static_cast<uintptr_t>(e.address)), e.length};
  }
  moved = direction == Direction::kRead ? memory.VmReadv(local, remote) : memory.VmWritev(local, remote);
  asked = total;
  return true;
}

std::string CallName(Direction direction) {
  return direction == Direction::kRead ? "process_vm_readv" : "process_vm_writev";
}

}  // namespace

Status RunVmCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  const VmOptions& options) {
  const bool coalesce = options.coalesce && direction == Direction::kRead;
  const size_t max_ranges = std::clamp<size_t>(options.max_ranges_per_call, 1, kIovMax);
  std::vector<iovec> local, remote;
  ssize_t first_moved = 0;
  uint64_t first_asked = 0;
  const bool first_call_done = FirstCallDirect(memory, direction, elements, pending, coalesce, max_ranges,
                                               local, remote, first_moved, first_asked);
  if (first_call_done && first_moved >= 0 && static_cast<uint64_t>(first_moved) == first_asked) {
    // Everything moved (the common case): no planner state is needed at all.
    for (size_t index : pending) results[index] = {elements[index].length, 0};
    return OkStatus();
  }

  std::vector<Item> items;
  items.reserve(pending.size());
  for (size_t index : pending) {
    const Element& e = elements[index];
    items.push_back({index, e.address, e.length, static_cast<uint8_t*>(e.buffer), e.length});
  }
  // Processing order: by address when merging (neighbours must be adjacent), else as given (later writes to
  // the same bytes must win).
  if (coalesce) {
    auto by_address = [](const Item& a, const Item& b) { return a.address < b.address; };
    // Callers mostly pass ascending addresses already; checking costs a fraction of sorting.
    if (!std::is_sorted(items.begin(), items.end(), by_address)) {
      std::stable_sort(items.begin(), items.end(), by_address);
    }
  }
  auto finish = [&](Item& item, int error) {
    item.done = true;
    results[item.index] = {item.transferred, error};
  };
  // live[head..] are the positions in `items` of the unfinished items, in order. A call only touches a
  // prefix of them, so only that prefix is compacted afterwards (a full rescan per call made per_element
  // quadratic in the batch size).
  std::vector<size_t> live(items.size());
  for (size_t k = 0; k < live.size(); ++k) live[k] = k;
  size_t head = 0;
  bool classified = false;

  // Sized once for the largest call: growing them call by call copied every unit and iovec several times
  // (measured with callgrind: about a fifth of the planner's instructions at 1024 elements).
  const size_t most_units = std::min(items.size(), max_ranges);
  std::vector<Unit> units;
  units.reserve(most_units);
  local.reserve(most_units);
  remote.reserve(most_units);
  std::vector<uint8_t> scratch;
  // The direct call's result (it stopped short, or failed) is attributed like any call's, as one unit per
  // item: it used the items' order and ranges.
  bool replay_first_call = first_call_done;
  while (true) {
    while (head < live.size() && items[live[head]].done) ++head;
    if (head == live.size()) return OkStatus();

    units.clear();
    size_t planned_end = head;  // live[head, planned_end) are the members of this call's units
    ssize_t n;
    if (replay_first_call) {
      replay_first_call = false;
      for (size_t pos = head; pos < live.size(); ++pos) {
        Item& item = items[live[pos]];
        units.push_back({item.address, item.length, pos, 1, item.buffer, false});
      }
      planned_end = live.size();
      n = first_moved;
    } else {
      // Plan one call.
      uint64_t call_bytes = 0, scratch_bytes = 0;
      for (size_t pos = head; pos < live.size() && units.size() < max_ranges && call_bytes < kMaxRwCount;) {
        Item& item = items[live[pos]];
        const uint64_t start = item.address + item.transferred;
        uint64_t end = item.address + item.limit;
        size_t count = 1;
        if (coalesce && item.transferred == 0) {
          while (pos + count < live.size()) {
            const Item& next = items[live[pos + count]];
            const uint64_t next_end = next.address + next.limit;
            if (next.transferred != 0 || next.address > end + kMergeGap || next.range != item.range ||
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
        planned_end = pos;
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
          const Item& item = items[live[u.first]];
          u.local = item.buffer + item.transferred;
        }
        local.push_back({u.local, u.length});
        remote.push_back({reinterpret_cast<void*>(static_cast<uintptr_t>(u.address)), u.length});
      }
      n = direction == Direction::kRead ? memory.VmReadv(local, remote) : memory.VmWritev(local, remote);
    }
    if (n < 0 && n != -EFAULT) {
      for (Item& item : items)
        if (!item.done) finish(item, static_cast<int>(-n));
      return Status(static_cast<int>(-n), CallName(direction) + " failed for the whole batch");
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
        Item& item = items[live[u.first + m]];
        if (u.scratch) {
          // Members start unread; copy the part of [u.address, first_unmoved) that is theirs.
          const uint64_t stop = std::min(first_unmoved, item.address + item.limit);
          if (stop > item.address) {
            std::memcpy(item.buffer, u.local + (item.address - u.address), stop - item.address);
            item.transferred = stop - item.address;
          }
        } else {
          item.transferred += moved;
        }
        if (item.transferred == item.limit) {
          finish(item, item.limit == item.length ? 0 : EFAULT);
        } else if (fault && item.address + item.transferred == first_unmoved) {
          finish(item, EFAULT);  // its next byte is where the kernel stopped
        }
        // Otherwise it starts after the fault, or its tail did not fit this call: it is planned again.
      }
      if (fault) {
        faulted = true;
        break;  // the kernel did not look at the units after this one
      }
    }

    // Keep the unfinished members of this call, in order, right before the untouched rest.
    size_t write_at = planned_end;
    for (size_t k = planned_end; k-- > head;) {
      if (!items[live[k]].done) live[--write_at] = live[k];
    }
    head = write_at;

    if (faulted && options.classify_on_fault && !classified) {
      classified = true;
      StatusOr<std::vector<AccessibleRange>> ranges = ReadAccessibleRanges(memory, direction);
      if (!ranges.ok()) {
        // The maps could not be read (the process may be exiting): carry on without classification; the
        // calls themselves will report what happened.
        continue;
      }
      size_t hint = 0;
      for (Item& item : items) {
        if (item.done) continue;
        const AccessiblePrefix prefix = FindAccessiblePrefix(*ranges, item.address + item.transferred,
                                                             item.limit - item.transferred, &hint);
        item.limit = item.transferred + prefix.length;
        item.range = prefix.range;
        if (prefix.length == 0) finish(item, EFAULT);
      }
      // Classification finished items anywhere in the list: compact all of it, once.
      live.erase(std::remove_if(live.begin() + static_cast<std::ptrdiff_t>(head), live.end(),
                                [&](size_t k) { return items[k].done; }),
                 live.end());
    }
  }
}

}  // namespace procscope::memory_internal
