// Float64 elementwise ops (SiLU, softplus) and the embedding lookup.
#include "ssdc/reference.h"

namespace ssdc {
namespace ref {

void siluN(int64_t n, const double *x, double *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = silu(x[i]);
}

void softplusN(int64_t n, const double *x, double *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = softplus(x[i]);
}

void embedding(int64_t rows, int64_t d, int64_t vocab, const int32_t *ids,
               const double *table, double *out) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t id = ids[r];
    for (int64_t i = 0; i < d; ++i)
      out[r * d + i] = (id >= 0 && id < vocab) ? table[id * d + i] : 0.0;
  }
}

} // namespace ref
} // namespace ssdc
