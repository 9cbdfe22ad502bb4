// Shrinking a failing batch to a minimal one that still fails (delta debugging, 1-minimal): try dropping
// chunks of halving size, then single elements, keeping every drop after which `still_fails` holds. Pure;
// `still_fails` is called O(n log n) times for n elements in the usual case.
#ifndef PROCSCOPE_TOOLS_CONFORM_SHRINK_H_
#define PROCSCOPE_TOOLS_CONFORM_SHRINK_H_

#include <cstddef>
#include <vector>

namespace procscope::conform {

// `items` must fail (still_fails(items) is true); returns a subsequence (order kept) that fails and from
// which no single element can be dropped without it passing.
template <typename T, typename StillFails>
std::vector<T> Shrink(std::vector<T> items, StillFails still_fails) {
  for (size_t chunk = items.size() / 2; chunk >= 1; chunk /= 2) {
    for (size_t start = 0; start < items.size() && items.size() > 1;) {
      std::vector<T> without(items.begin(), items.begin() + start);
      without.insert(without.end(), items.begin() + std::min(items.size(), start + chunk), items.end());
      if (!without.empty() && still_fails(without)) {
        items = std::move(without);  // the next chunk has moved into `start`
      } else {
        start += chunk;
      }
    }
    if (chunk == 1) break;
  }
  return items;
}

}  // namespace procscope::conform

#endif  // PROCSCOPE_TOOLS_CONFORM_SHRINK_H_
