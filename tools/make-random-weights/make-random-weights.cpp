// make-random-weights: writes a .safetensors with random f32 weights for every
// weight an artifact's plan names, at the plan's shapes, for benchmarks at
// real model sizes where no checkpoint can be downloaded.
//
//   make-random-weights ARTIFACT OUT.safetensors [--seed S]
//
// Values are chosen so a forward pass stays finite: matrices N(0, 1/fan_in),
// norms 1, A_log = log(U[1, 16]), dt_bias = softplus⁻¹(U[0.001, 0.1]), D 1,
// conv weights N(0, 1/K), biases 0. Conv weights are written [c, 1, K] as in
// checkpoints.
#include "runtime/core/Artifact.h"
#include "runtime/core/Error.h"
#include "runtime/io/SafetensorsWriter.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>

using namespace ssdc::rt;

static bool endsWith(const std::string &s, const std::string &t) {
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: make-random-weights ARTIFACT OUT.safetensors [--seed S]\n");
    return 2;
  }
  uint64_t seed = argc > 4 && std::string(argv[3]) == "--seed" ? std::stoull(argv[4]) : 0;
  try {
    Artifact a = loadArtifact(argv[1], readJsonFile(std::string(argv[1]) + "/manifest.json")
                                           .value("target", std::string("cpu")));
    std::map<std::string, std::vector<int64_t>> weights;
    for (const Entry &e : a.plan.entries)
      for (const Buffer &b : e.buffers)
        if (b.kind == BufferKind::Weight) {
          std::vector<int64_t> shape;
          for (const Dim &d : b.shape)
            shape.push_back(d.size);
          weights[b.weightName] = shape;
        }
    std::mt19937_64 rng(seed);
    SafetensorsWriter w;
    size_t total = 0;
    for (auto &[name, shape] : weights) {
      int64_t n = 1;
      for (int64_t d : shape)
        n *= d;
      std::vector<float> v(n);
      std::normal_distribution<float> normal(0.0f, 1.0f);
      std::uniform_real_distribution<float> uni(0.0f, 1.0f);
      if (endsWith(name, "norm.weight") || endsWith(name, "norm_f.weight") ||
          endsWith(name, "norm2.weight") || endsWith(name, ".D")) {
        std::fill(v.begin(), v.end(), 1.0f);
      } else if (endsWith(name, "A_log")) {
        for (float &x : v)
          x = std::log(1.0f + 15.0f * uni(rng));
      } else if (endsWith(name, "dt_bias")) {
        for (float &x : v) {
          float dt = 0.001f + 0.099f * uni(rng);
          x = dt + std::log(-std::expm1(-dt));  // softplus⁻¹
        }
      } else if (endsWith(name, ".bias")) {
        std::fill(v.begin(), v.end(), 0.0f);
      } else {
        float scale = 1.0f / std::sqrt(static_cast<float>(shape.back()));
        for (float &x : v)
          x = scale * normal(rng);
      }
      std::vector<int64_t> stored = shape;
      if (endsWith(name, "conv1d.weight"))
        stored = {shape[0], 1, shape[1]};
      total += v.size();
      w.addF32(name, stored, std::move(v));
    }
    w.write(argv[2]);
    std::fprintf(stderr, "make-random-weights: %zu tensors, %.1f M parameters -> %s\n",
                 weights.size(), total / 1e6, argv[2]);
    return 0;
  } catch (const RuntimeError &e) {
    std::fprintf(stderr, "make-random-weights: error: %s\n", e.what());
    return 1;
  }
}
