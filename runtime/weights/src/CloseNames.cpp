// closeNames: Levenshtein distance with a length-scaled cut-off.
#include "CloseNames.h"

#include <algorithm>
#include <utility>

namespace ssdc {

static size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                         prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> closeNames(const std::string &want,
                                    const std::vector<std::string> &have,
                                    size_t maxCount) {
  const size_t limit = std::max<size_t>(2, want.size() / 4);
  std::vector<std::pair<size_t, std::string>> hits;
  for (const std::string &h : have) {
    size_t lenDiff = h.size() > want.size() ? h.size() - want.size()
                                            : want.size() - h.size();
    if (lenDiff > limit)
      continue;
    size_t d = editDistance(want, h);
    if (d <= limit)
      hits.emplace_back(d, h);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < hits.size() && i < maxCount; ++i)
    out.push_back(hits[i].second);
  return out;
}

} // namespace ssdc
