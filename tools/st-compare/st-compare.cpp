// st-compare: compares one tensor of two .safetensors files, for lit tests.
//
//   st-compare ACTUAL EXPECTED NAME [--rtol R] [--exact] [--as NAME2] [--row I]
//
// --row I compares row I of ACTUAL (its first dimension) with all of EXPECTED.
// Float tensors: passes when max|a - e| <= R * max|e| (the relative error of
// the whole tensor, R = 1e-4 by default) and prints that error. Integer
// tensors, or --exact: every element equal. --as reads NAME2 from EXPECTED.
// Exit 0 on a match, 1 on a mismatch (the first differing index is printed),
// 2 on a usage or file error.
#include "ssdc/weights/DType.h"
#include "ssdc/weights/SafetensorsFile.h"
#include "ssdc/weights/WeightsError.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace ssdc;

static std::vector<double> values(const TensorInfo &t) {
  std::vector<double> out;
  if (t.dtype == DType::I64 || t.dtype == DType::I32) {
    for (int64_t v : readInt64(t))
      out.push_back(static_cast<double>(v));
    return out;
  }
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (t.dtype == DType::F32) {
      float v;
      std::memcpy(&v, t.data + 4 * i, 4);
      out.push_back(v);
    } else {
      uint16_t bits;
      std::memcpy(&bits, t.data + 2 * i, 2);
      out.push_back(t.dtype == DType::BF16 ? bf16ToF32(bits) : f16ToF32(bits));
    }
  }
  return out;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: st-compare ACTUAL EXPECTED NAME [--rtol R] "
                         "[--exact] [--as NAME2] [--row I]\n");
    return 2;
  }
  std::string actualPath = argv[1], expectedPath = argv[2], name = argv[3];
  std::string expectedName = name;
  double rtol = 1e-4;
  bool exact = false;
  int64_t row = -1;
  for (int i = 4; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rtol" && i + 1 < argc)
      rtol = std::atof(argv[++i]);
    else if (a == "--as" && i + 1 < argc)
      expectedName = argv[++i];
    else if (a == "--row" && i + 1 < argc)
      row = std::atoll(argv[++i]);
    else if (a == "--exact")
      exact = true;
    else {
      std::fprintf(stderr, "st-compare: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  try {
    auto actualFile = SafetensorsFile::open(actualPath);
    auto expectedFile = SafetensorsFile::open(expectedPath);
    const TensorInfo *a = actualFile->find(name);
    const TensorInfo *e = expectedFile->find(expectedName);
    if (!a || !e) {
      std::fprintf(stderr, "st-compare: tensor '%s' missing from %s\n",
                   (!a ? name : expectedName).c_str(),
                   (!a ? actualPath : expectedPath).c_str());
      return 2;
    }
    bool integer = a->dtype == DType::I64 || a->dtype == DType::I32;
    std::vector<double> av = values(*a), ev = values(*e);
    Shape ashape = a->shape;
    if (row >= 0) {
      if (ashape.empty() || row >= ashape[0]) {
        std::fprintf(stderr, "st-compare: %s has no row %lld\n", name.c_str(),
                     (long long)row);
        return 2;
      }
      size_t per = av.size() / ashape[0];
      av = std::vector<double>(av.begin() + row * per, av.begin() + (row + 1) * per);
      ashape.erase(ashape.begin());
    }
    if (ashape != e->shape) {
      std::printf("MISMATCH %s: shape %s, expected %s\n", name.c_str(),
                  formatShape(ashape).c_str(), formatShape(e->shape).c_str());
      return 1;
    }
    double maxDiff = 0, maxRef = 0, sumSqDiff = 0, sumSqRef = 0;
    int64_t worst = -1;
    for (size_t i = 0; i < av.size(); ++i) {
      double d = std::fabs(av[i] - ev[i]);
      sumSqDiff += d * d;
      sumSqRef += ev[i] * ev[i];
      if (!(d <= maxDiff)) {  // also catches NaN
        maxDiff = std::isnan(d) ? INFINITY : d;
        worst = i;
      }
      maxRef = std::fmax(maxRef, std::fabs(ev[i]));
    }
    if (integer || exact) {
      if (maxDiff != 0) {
        size_t lead = 0;  // how many leading elements agree (token lists)
        while (lead < av.size() && av[lead] == ev[lead])
          ++lead;
        std::printf("MISMATCH %s: element %lld is %g, expected %g (the first %zu "
                    "of %zu equal)\n",
                    name.c_str(), (long long)worst, av[worst], ev[worst], lead,
                    av.size());
        return 1;
      }
      std::printf("OK %s: %zu elements equal\n", name.c_str(), av.size());
      return 0;
    }
    double rel = maxRef > 0 ? maxDiff / maxRef : maxDiff;
    // Asserted: max|a-e|/max|e|. Also printed, for information only: the
    // L2-norm relative error ||a-e||/||e|| (the figure peer_bench.py reports).
    double l2 = sumSqRef > 0 ? std::sqrt(sumSqDiff / sumSqRef) : std::sqrt(sumSqDiff);
    if (!(rel <= rtol)) {
      std::printf("MISMATCH %s: relative error %.3g > %.3g (element %lld: %g vs "
                  "%g; L2 relative %.3g)\n",
                  name.c_str(), rel, rtol, (long long)worst, av[worst], ev[worst], l2);
      return 1;
    }
    std::printf("OK %s: relative error %.3g <= %.3g (L2 relative %.3g)\n", name.c_str(),
                rel, rtol, l2);
    return 0;
  } catch (const WeightsError &err) {
    std::fprintf(stderr, "st-compare: %s\n", err.what());
    return 2;
  }
}
