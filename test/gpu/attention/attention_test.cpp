// The CUDA attention kernels (codegen/cuda/templates/attention.cuh) against
// the float64 reference (runtime/reference: ssdc::ref::attention) on random
// inputs, on the GPU. The kernels are the emitter's: a small plan with one
// ssd.attention launch per instance goes through emitKernels (the
// self-contained kernels.cu) and NVRTC (runtime/cuda/Nvrtc.cpp), and they run
// through launchAttention (runtime/cuda/LaunchAttention.cpp), as the
// executor runs them.
//
// Each case draws q, k, v for all s + l positions, rounds them to the storage
// dtype, and gives the kernel the first s positions as a cache (keys rotated
// on the host in double) and the last l as this call; the reference attends
// over the whole sequence and its last l rows are the expected y. The next
// cache (keys rotated, values) is checked too. Output buffers are poisoned
// with NaN (all-ones bytes) first. Error: max|a - e| / max|e| per tensor;
// limits fp32 1e-5, bf16 1e-2.
//
// Cases: fp32 and bf16 x head dim 64 and 128 x GQA ratio 1 and 4 x RoPE off
// and on (rotary_dim = d for d = 64, d/2 for d = 128) x (s, l) in
// {(0, 45) prefill, (37, 1) decode, (100, 70) prefill after a cache,
// (511, 1) decode over a long cache}, batch 2.
// usage: ssdc-attention-test [--quick]  (exit 0 when every case passes)
#include "codegen/cuda/CudaEmitter.h"
#include "runtime/core/Error.h"
#include "runtime/cuda/LaunchAttention.h"
#include "runtime/cuda/Nvrtc.h"
#include "ssdc/reference.h"

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace ssdc;
using namespace ssdc::rt;

namespace {

void check(cudaError_t e, const char *what) {
  if (e != cudaSuccess)
    throw RuntimeError(std::string(what) + ": " + cudaGetErrorName(e) + " (" +
                       cudaGetErrorString(e) + ")");
}

uint16_t toBf16(float f) {  // round to nearest even
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}
float fromBf16(uint16_t h) {
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
/// v rounded to what `dtype` stores.
double stored(double v, const std::string &dtype) {
  return dtype == "bf16" ? fromBf16(toBf16(static_cast<float>(v))) : static_cast<float>(v);
}

/// Host bytes of `v` in `dtype`.
std::vector<unsigned char> encode(const std::vector<double> &v, const std::string &dtype) {
  size_t es = dtype == "bf16" ? 2 : 4;
  std::vector<unsigned char> out(v.size() * es);
  for (size_t i = 0; i < v.size(); ++i) {
    if (dtype == "bf16") {
      uint16_t h = toBf16(static_cast<float>(v[i]));
      std::memcpy(&out[i * 2], &h, 2);
    } else {
      float f = static_cast<float>(v[i]);
      std::memcpy(&out[i * 4], &f, 4);
    }
  }
  return out;
}
std::vector<double> decode(const std::vector<unsigned char> &b, const std::string &dtype) {
  size_t es = dtype == "bf16" ? 2 : 4, n = b.size() / es;
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    if (dtype == "bf16") {
      uint16_t h;
      std::memcpy(&h, &b[i * 2], 2);
      out[i] = fromBf16(h);
    } else {
      float f;
      std::memcpy(&f, &b[i * 4], 4);
      out[i] = f;
    }
  }
  return out;
}

/// neox RoPE of the first rot channels of x (pairs i, i + rot/2), in double.
void rope(double *x, int64_t rot, double theta, int64_t pos) {
  const int64_t half = rot / 2;
  for (int64_t i = 0; i < half; ++i) {
    double angle = double(pos) * std::pow(theta, -2.0 * double(i) / double(rot));
    double c = std::cos(angle), s = std::sin(angle), a = x[i], b = x[i + half];
    x[i] = a * c - b * s;
    x[i + half] = b * c + a * s;
  }
}

struct DeviceBuffer {
  void *p = nullptr;
  size_t bytes = 0;
  DeviceBuffer(size_t n, const char *what) : bytes(std::max<size_t>(n, 4)) {
    check(cudaMalloc(&p, bytes), what);
  }
  ~DeviceBuffer() { cudaFree(p); }
  void upload(const std::vector<unsigned char> &h) {
    check(cudaMemcpy(p, h.data(), h.size(), cudaMemcpyHostToDevice), "upload");
  }
  void poison() { check(cudaMemset(p, 0xff, bytes), "poisoning an output with NaN"); }
  std::vector<unsigned char> download(size_t n) const {
    std::vector<unsigned char> h(n);
    check(cudaMemcpy(h.data(), p, n, cudaMemcpyDeviceToHost), "download");
    return h;
  }
};

/// max|a - e| / max|e|, NaN when any actual element is not finite.
double relError(const std::vector<double> &a, const std::vector<double> &e) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]))
      return NAN;
    diff = std::max(diff, std::fabs(a[i] - e[i]));
    scale = std::max(scale, std::fabs(e[i]));
  }
  return scale > 0 ? diff / scale : diff;
}

struct Case {
  std::string dtype;
  int64_t d, hq, hk, rot, past, len, batch = 2;
};

/// kernels.cu for every (dtype, head dim) the cases use, as the emitter
/// writes it for a plan.
std::string emitTestKernels() {
  nlohmann::json entry = {{"name", "attention_test"}, {"buffers", nlohmann::json::array()},
                          {"launches", nlohmann::json::array()}};
  int64_t id = 0;
  for (std::string dt : {"f32", "bf16"})
    for (int64_t d : {64, 128}) {
      std::vector<int64_t> ids;
      for (int i = 0; i < 8; ++i) {  // q k v past_k past_v y keys values
        entry["buffers"].push_back(
            {{"id", id}, {"dtype", dt}, {"kind", "activation"}, {"shape", {"b", "l", 2, d}}});
        ids.push_back(id++);
      }
      entry["launches"].push_back(
          {{"op", "ssd.attention"},
           {"kernel", "attention.quadratic"},
           {"attrs", {{"operand_segments", {1, 1, 1, 1, 1}}, {"rotary_dim", d / 2}}},
           {"inputs", {ids[0], ids[1], ids[2], ids[3], ids[4]}},
           {"outputs", {ids[5], ids[6], ids[7]}}});
    }
  nlohmann::json plan = {{"entries", {entry}}};
  cuda::EmittedKernels k = cuda::emitKernels(plan.dump());
  if (!k.unsupported.empty())
    throw RuntimeError("the emitter has no attention kernel for " + k.unsupported[0]);
  return k.source;
}

bool runCase(const Case &c, const KernelLookup &function) {
  const int64_t B = c.batch, S = c.past, L = c.len, T = S + L, HQ = c.hq, HK = c.hk,
                D = c.d;
  const double theta = 10000.0;
  std::mt19937_64 rng(1000 * D + 100 * HQ + 10 * c.rot + S * 7 + L * 13 +
                      (c.dtype == "bf16"));
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  auto draw = [&](int64_t n) {
    std::vector<double> v(n);
    for (double &x : v)
      x = stored(u(rng), c.dtype);
    return v;
  };
  std::vector<double> q = draw(B * T * HQ * D), k = draw(B * T * HK * D),
                      v = draw(B * T * HK * D);
  // The reference over the whole sequence, and the next cache it implies.
  std::vector<double> yAll(q.size());
  ref::attention(B, T, HQ, HK, D, c.rot, theta, 0, q.data(), k.data(), v.data(), yAll.data());
  std::vector<double> keysRef = k;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t h = 0; h < HK; ++h)
        rope(&keysRef[((b * T + t) * HK + h) * D], c.rot, theta, t);
  // Rows [t0, t0 + n) of a [B, T, H, D] tensor.
  auto rows = [&](const std::vector<double> &x, int64_t H, int64_t t0, int64_t n) {
    std::vector<double> out;
    for (int64_t b = 0; b < B; ++b)
      out.insert(out.end(), x.begin() + ((b * T + t0) * H) * D,
                 x.begin() + ((b * T + t0 + n) * H) * D);
    return out;
  };
  std::vector<double> yRef = rows(yAll, HQ, S, L);
  std::vector<double> pastK = rows(keysRef, HK, 0, S), pastV = rows(v, HK, 0, S);
  for (double &x : pastK)
    x = stored(x, c.dtype);  // the cache holds rotated keys in its dtype

  size_t es = c.dtype == "bf16" ? 2 : 4;
  DeviceBuffer dq(B * L * HQ * D * es, "q"), dk(B * L * HK * D * es, "k"),
      dv(B * L * HK * D * es, "v"), dpk(B * S * HK * D * es, "past k"),
      dpv(B * S * HK * D * es, "past v"), dy(B * L * HQ * D * es, "y"),
      dkeys(B * T * HK * D * es, "keys"), dvalues(B * T * HK * D * es, "values");
  dq.upload(encode(rows(q, HQ, S, L), c.dtype));
  dk.upload(encode(rows(k, HK, S, L), c.dtype));
  dv.upload(encode(rows(v, HK, S, L), c.dtype));
  if (S > 0) {
    dpk.upload(encode(pastK, c.dtype));
    dpv.upload(encode(pastV, c.dtype));
  }
  dy.poison();
  dkeys.poison();
  dvalues.poison();

  AttentionCall call;
  call.q = dq.p;
  call.k = dk.p;
  call.v = dv.p;
  call.pastK = S > 0 ? dpk.p : nullptr;
  call.pastV = S > 0 ? dpv.p : nullptr;
  call.y = dy.p;
  call.keys = dkeys.p;
  call.values = dvalues.p;
  call.batch = B;
  call.len = L;
  call.past = S;
  call.qHeads = HQ;
  call.kvHeads = HK;
  call.headdim = D;
  call.vHeaddim = D;
  call.rotaryDim = c.rot;
  call.ropeTheta = theta;
  call.qkvDtype = call.cacheDtype = call.yDtype = c.dtype;
  launchAttention(call, function, nullptr, true, "the attention test");
  check(cudaDeviceSynchronize(), "running the attention kernels");

  double ey = relError(decode(dy.download(B * L * HQ * D * es), c.dtype), yRef);
  double ek = relError(decode(dkeys.download(B * T * HK * D * es), c.dtype), keysRef);
  double ev = relError(decode(dvalues.download(B * T * HK * D * es), c.dtype), v);
  const double limit = c.dtype == "bf16" ? 1e-2 : 1e-5;
  bool ok = ey <= limit && ek <= limit && ev <= limit;  // false on NaN
  std::printf("%s %-4s d %3lld hq %lld hk %lld rot %3lld s %3lld l %2lld: y %.3g keys %.3g "
              "values %.3g (limit %g)\n",
              ok ? "OK  " : "FAIL", c.dtype.c_str(), (long long)D, (long long)HQ,
              (long long)HK, (long long)c.rot, (long long)S, (long long)L, ey, ek, ev, limit);
  return ok;
}

/// Times (information only, not a check) the two kernels at mamba2attn-2.7b's
/// attention shape (30 heads of 128, rotary 64, batch 1): a 2048-token
/// prefill and one decode step over a 2048-position cache; the mean of 20
/// launches after 3 warm-ups, CUDA events.
void timeShapes(const KernelLookup &function) {
  for (std::string dt : {"f32", "bf16"})
    for (const auto &[S, L] : {std::pair<int64_t, int64_t>{0, 2048}, {2048, 1}}) {
      const int64_t H = 30, D = 128, T = S + L;
      size_t es = dt == "bf16" ? 2 : 4;
      DeviceBuffer q(L * H * D * es, "q"), k(L * H * D * es, "k"), v(L * H * D * es, "v"),
          pk(S * H * D * es, "past k"), pv(S * H * D * es, "past v"), y(L * H * D * es, "y"),
          keys(T * H * D * es, "keys"), values(T * H * D * es, "values");
      for (DeviceBuffer *b : {&q, &k, &v, &pk, &pv})
        check(cudaMemset(b->p, 0x3c, b->bytes), "filling timing inputs");  // small finite values
      AttentionCall c;
      c.q = q.p;
      c.k = k.p;
      c.v = v.p;
      c.pastK = S ? pk.p : nullptr;
      c.pastV = S ? pv.p : nullptr;
      c.y = y.p;
      c.keys = keys.p;
      c.values = values.p;
      c.len = L;
      c.past = S;
      c.qHeads = c.kvHeads = H;
      c.headdim = c.vHeaddim = D;
      c.rotaryDim = 64;
      c.qkvDtype = c.cacheDtype = c.yDtype = dt;
      for (int i = 0; i < 3; ++i)
        launchAttention(c, function, nullptr, false, "timing");
      cudaEvent_t start, stop;
      check(cudaEventCreate(&start), "cudaEventCreate");
      check(cudaEventCreate(&stop), "cudaEventCreate");
      check(cudaEventRecord(start), "cudaEventRecord");
      for (int i = 0; i < 20; ++i)
        launchAttention(c, function, nullptr, false, "timing");
      check(cudaEventRecord(stop), "cudaEventRecord");
      check(cudaEventSynchronize(stop), "cudaEventSynchronize");
      float ms = 0;
      check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
      cudaEventDestroy(start);
      cudaEventDestroy(stop);
      std::printf("time %-4s hq=hk=30 d 128 s %4lld l %4lld: %.3f ms per call (cache append + "
                  "attention)\n",
                  dt.c_str(), (long long)S, (long long)L, ms / 20);
    }
}

} // namespace

int main(int argc, char **argv) {
  // --quick: 8 cases (both dtypes and head dims, GQA 4, RoPE on, a decode and
  // a cached prefill), no timing; for compute-sanitizer.
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  try {
    int count = 0;
    check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
    if (count < 1) {
      std::fprintf(stderr, "no CUDA device\n");
      return 1;
    }
    check(cudaSetDevice(0), "cudaSetDevice");
    cudaDeviceProp prop;
    check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    std::printf("device: %s (sm_%d%d)\n", prop.name, prop.major, prop.minor);
    std::string note;
    CUmodule module = loadModuleFromSource(emitTestKernels(), "the attention test kernels",
                                           &note);
    std::printf("%s\n", note.c_str());
    std::map<std::string, CUfunction> functions;
    KernelLookup function = [&](const std::string &name) {
      auto it = functions.find(name);
      if (it != functions.end())
        return it->second;
      CUfunction f = nullptr;
      checkDriver(driverCalls().cuModuleGetFunction(&f, module, name.c_str()),
                  "cuModuleGetFunction('" + name + "')");
      return functions[name] = f;
    };
    int failed = 0, total = 0;
    const int64_t shapes[][2] = {{0, 45}, {37, 1}, {100, 70}, {511, 1}};
    for (std::string dt : {"f32", "bf16"})
      for (int64_t d : {64, 128})
        for (int64_t ratio : {1, 4})
          for (bool rope : {false, true})
            for (const auto &sl : shapes) {
              if (quick && (ratio == 1 || !rope || sl[0] == 0 || sl[0] == 511))
                continue;
              Case c{dt, d, ratio == 1 ? 4 : 8, ratio == 1 ? 4 : 2,
                     rope ? (d == 64 ? d : d / 2) : 0, sl[0], sl[1]};
              ++total;
              failed += !runCase(c, function);
            }
    std::printf("%d of %d attention cases pass\n", total - failed, total);
    if (!quick)
      timeShapes(function);
    return failed == 0 ? 0 : 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
