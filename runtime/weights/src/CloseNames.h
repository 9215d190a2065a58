// closeNames: stored tensor names near a missing one (edit distance), for
// "did you mean" hints in errors. Internal to ssdc_weights.
#ifndef SSDC_WEIGHTS_CLOSENAMES_H
#define SSDC_WEIGHTS_CLOSENAMES_H

#include <cstddef>
#include <string>
#include <vector>

namespace ssdc {

/// Up to `maxCount` of `have` within a small edit distance of `want`,
/// nearest first.
std::vector<std::string> closeNames(const std::string &want,
                                    const std::vector<std::string> &have,
                                    size_t maxCount = 3);

} // namespace ssdc

#endif // SSDC_WEIGHTS_CLOSENAMES_H
