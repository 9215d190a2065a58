// The C API of include/ssdc/ssdc_capi.h over LoadedModel and CudaSession.
// Every entry point catches what the runtime throws and turns it into -1 and
// a message (ssdc_last_error); nothing C++ leaks through.
#include "ssdc/ssdc_capi.h"

#include "runtime/cuda/CudaExecutor.h"
#include "runtime/gen/LoadedModel.h"

#include <cuda_runtime_api.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ssdc::rt;

struct ssdc_model {
  std::unique_ptr<LoadedModel> model;
  CudaExecutor *cuda = nullptr;
  /// Sessions by batch size; each keeps its arenas and graphs.
  std::map<int64_t, std::unique_ptr<CudaSession>> sessions;

  CudaSession &session(int64_t batch, int64_t capacity) {
    auto it = sessions.find(batch);
    if (it == sessions.end() || it->second->capacity() < capacity) {
      sessions.erase(batch);
      it = sessions.emplace(batch, cuda->openSession(batch, capacity)).first;
    }
    return *it->second;
  }
};

namespace {

thread_local std::string lastError;

int fail(const std::string &msg) {
  lastError = msg;
  return -1;
}

/// Runs `body`, mapping exceptions to -1 and a message.
template <typename F> int guarded(const char *what, F &&body) {
  try {
    body();
    return 0;
  } catch (const std::exception &e) {
    return fail(std::string(what) + ": " + e.what());
  } catch (...) {
    return fail(std::string(what) + ": unknown error");
  }
}

void require(bool ok, const std::string &msg) {
  if (!ok)
    throw std::runtime_error(msg);
}

void checkModel(const ssdc_model *m) { require(m && m->cuda, "no model (ssdc_open failed?)"); }

void checkCuda(cudaError_t e, const std::string &what) {
  if (e != cudaSuccess)
    throw std::runtime_error(what + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) +
                             ")");
}

std::vector<int64_t> idsOf(const int64_t *ids, int64_t batch, int64_t len) {
  require(ids != nullptr, "ids is NULL");
  require(batch > 0 && len > 0, "batch and length must be positive");
  return std::vector<int64_t>(ids, ids + batch * len);
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
      .count();
}

void copyOut(const std::string &s, char *buf, size_t buflen) {
  require(buf != nullptr && buflen > 0, "no output buffer");
  require(s.size() + 1 <= buflen, "output buffer too small: need " +
                                      std::to_string(s.size() + 1) + " bytes");
  std::memcpy(buf, s.c_str(), s.size() + 1);
}

/// Each sequence's first maximum of its last logits [batch, 1, vocab].
std::vector<int64_t> greedy(const Tensor &logits, int64_t batch) {
  int64_t vocab = logits.shape.back();
  require(static_cast<int64_t>(logits.data.size()) == batch * vocab,
          "expected one position of logits per sequence");
  std::vector<int64_t> next(batch);
  for (int64_t b = 0; b < batch; ++b) {
    const float *row = logits.data.data() + b * vocab;
    next[b] = std::max_element(row, row + vocab) - row;
  }
  return next;
}

/// The SSD schedule a launch carries, or "" for other launches.
std::string scheduleOf(const Launch &l) {
  if (l.attrs.is_object() && l.attrs.contains("schedule") && l.attrs["schedule"].is_object()) {
    const nlohmann::json &s = l.attrs["schedule"];
    std::string kind = s.value("kind", std::string("?"));
    if (s.contains("chunk_size"))
      kind += "-" + std::to_string(s["chunk_size"].get<int64_t>());
    return kind;
  }
  // The four-stage chunked form: one chunk_cumsum per chunked SSD.
  if (l.kernel == "chunk_cumsum" && l.attrs.is_object() && l.attrs.contains("chunk_size"))
    return "chunked-" + std::to_string(l.attrs["chunk_size"].get<int64_t>());
  return "";
}

} // namespace

extern "C" {

int ssdc_capi_version(void) { return 1; }

const char *ssdc_last_error(void) { return lastError.c_str(); }

ssdc_model *ssdc_open(const char *artifact, const char *weights, const char *device,
                      char *err, size_t errlen) {
  auto m = std::make_unique<ssdc_model>();
  int rc = guarded("ssdc_open", [&] {
    require(artifact && weights, "artifact and weights paths are required");
    std::string dev = device ? device : "cuda";
    require(dev == "cuda", "the C API runs --device cuda only, not '" + dev + "'");
    m->model = std::make_unique<LoadedModel>(artifact, weights, dev, false);
    m->cuda = m->model->cudaExecutor();
    require(m->cuda != nullptr, "the model has no CUDA executor");
    // The executor's own default (asynchronous; SSDC_CUDA_SYNC=1 for the
    // checked mode).
  });
  if (rc != 0) {
    if (err && errlen > 0) {
      std::strncpy(err, lastError.c_str(), errlen - 1);
      err[errlen - 1] = '\0';
    }
    return nullptr;
  }
  return m.release();
}

void ssdc_close(ssdc_model *m) {
  try {
    delete m;
  } catch (...) {
  }
}

int64_t ssdc_vocab(const ssdc_model *m) { return m && m->model ? m->model->vocab() : 0; }

int ssdc_device_name(ssdc_model *m, char *buf, size_t buflen) {
  return guarded("ssdc_device_name", [&] {
    checkModel(m);
    copyOut(m->cuda->deviceName(), buf, buflen);
  });
}

int ssdc_set_synchronous(ssdc_model *m, int on) {
  return guarded("ssdc_set_synchronous", [&] {
    checkModel(m);
    m->cuda->setSynchronous(on != 0);
  });
}

int ssdc_prefill_logits(ssdc_model *m, const int64_t *ids, int64_t batch, int64_t len,
                        int last_only, float *out) {
  return guarded("ssdc_prefill_logits", [&] {
    checkModel(m);
    require(out != nullptr, "out is NULL");
    std::vector<int64_t> v = idsOf(ids, batch, len);
    const Entry &e = m->model->artifact().plan.select("prefill", len);
    SessionRun how;
    how.lastOnly = last_only != 0;
    Tensor logits = m->session(batch, len).run(e, v, len, how);
    std::copy(logits.data.begin(), logits.data.end(), out);
  });
}

int ssdc_time_prefill(ssdc_model *m, const int64_t *ids, int64_t batch, int64_t len,
                      int iters, int warmup, int graph, double *times_ms) {
  return guarded("ssdc_time_prefill", [&] {
    checkModel(m);
    require(iters > 0 && warmup >= 0 && times_ms != nullptr, "bad iters/warmup/times_ms");
    std::vector<int64_t> v = idsOf(ids, batch, len);
    const Entry &e = m->model->artifact().plan.select("prefill", len);
    SessionRun how;
    how.lastOnly = true;
    how.graph = graph != 0;
    CudaSession &s = m->session(batch, len);
    for (int i = 0; i < warmup; ++i)
      s.run(e, v, len, how);
    for (int i = 0; i < iters; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      s.run(e, v, len, how);
      times_ms[i] = msSince(t0);
    }
  });
}

int ssdc_decode(ssdc_model *m, const int64_t *ids, int64_t batch, int64_t len, int64_t n_new,
                int graph, int64_t *tokens, double *step_ms, double *argmax_ms,
                double *prefill_ms) {
  return guarded("ssdc_decode", [&] {
    checkModel(m);
    require(n_new > 0 && tokens != nullptr, "n_new must be positive and tokens non-NULL");
    std::vector<int64_t> v = idsOf(ids, batch, len);
    const Plan &plan = m->model->artifact().plan;
    const Entry &pre = plan.select("prefill", len);
    const Entry &dec = plan.select("decode", 1);
    CudaSession &s = m->session(batch, len + n_new);
    auto argmax = [&](const Tensor &logits, int64_t step) {
      std::vector<int64_t> next = greedy(logits, batch);
      for (int64_t b = 0; b < batch; ++b)
        tokens[b * n_new + step] = next[b];
      return next;
    };
    SessionRun first;
    first.lastOnly = true;
    auto t0 = std::chrono::steady_clock::now();
    Tensor logits = s.run(pre, v, len, first);
    if (prefill_ms)
      *prefill_ms = msSince(t0);
    std::vector<int64_t> next = argmax(logits, 0);
    SessionRun how;
    how.graph = graph != 0;
    for (int64_t step = 1; step < n_new; ++step) {
      t0 = std::chrono::steady_clock::now();
      logits = s.run(dec, next, 1, how);
      if (step_ms)
        step_ms[step - 1] = msSince(t0);
      t0 = std::chrono::steady_clock::now();
      next = argmax(logits, step);
      if (argmax_ms)
        argmax_ms[step - 1] = msSince(t0);
    }
  });
}

int ssdc_decode_more(ssdc_model *m, int64_t batch, const int64_t *last, int64_t n_steps,
                     int graph, int64_t *tokens, double *step_ms) {
  return guarded("ssdc_decode_more", [&] {
    checkModel(m);
    require(n_steps > 0 && tokens != nullptr, "n_steps must be positive and tokens non-NULL");
    auto it = m->sessions.find(batch);
    require(it != m->sessions.end(),
            "no session of batch " + std::to_string(batch) + " (call ssdc_decode first)");
    CudaSession &s = *it->second;
    std::vector<int64_t> next = idsOf(last, batch, 1);
    const Entry &dec = m->model->artifact().plan.select("decode", 1);
    SessionRun how;
    how.graph = graph != 0;
    for (int64_t step = 0; step < n_steps; ++step) {
      auto t0 = std::chrono::steady_clock::now();
      Tensor logits = s.run(dec, next, 1, how);
      if (step_ms)
        step_ms[step] = msSince(t0);
      next = greedy(logits, batch);
      for (int64_t b = 0; b < batch; ++b)
        tokens[b * n_steps + step] = next[b];
    }
  });
}

int ssdc_schedule_for(ssdc_model *m, const char *entry, int64_t length, char *buf,
                      size_t buflen) {
  return guarded("ssdc_schedule_for", [&] {
    checkModel(m);
    require(entry != nullptr, "entry is NULL");
    const Entry &e = m->model->artifact().plan.select(entry, length);
    nlohmann::json j;
    j["function"] = e.name;
    j["l_min"] = e.lMin;
    j["l_max"] = e.lMax;
    j["launches"] = e.launches.size();
    nlohmann::json schedules = nlohmann::json::object(), kernels = nlohmann::json::object();
    for (const Launch &l : e.launches) {
      kernels[l.kernel] = kernels.value(l.kernel, 0) + 1;
      std::string s = scheduleOf(l);
      if (!s.empty())
        schedules[s] = schedules.value(s, 0) + 1;
    }
    j["schedules"] = schedules;
    j["kernels"] = kernels;
    copyOut(j.dump(), buf, buflen);
  });
}

int ssdc_time_d2h(ssdc_model *m, int64_t bytes, int iters, double *median_ms) {
  return guarded("ssdc_time_d2h", [&] {
    checkModel(m);
    require(bytes > 0 && iters > 0 && median_ms != nullptr, "bad bytes/iters/median_ms");
    void *dev = nullptr;
    checkCuda(cudaMalloc(&dev, static_cast<size_t>(bytes)), "cudaMalloc");
    struct Free {
      void *p;
      ~Free() { cudaFree(p); }
    } guard{dev};
    checkCuda(cudaMemset(dev, 0x3f, static_cast<size_t>(bytes)), "cudaMemset");
    std::vector<unsigned char> host(static_cast<size_t>(bytes));
    std::vector<double> t;
    for (int i = 0; i < iters + 2; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      checkCuda(cudaMemcpy(host.data(), dev, static_cast<size_t>(bytes), cudaMemcpyDeviceToHost),
                "cudaMemcpy device to host");
      if (i >= 2)
        t.push_back(msSince(t0));
    }
    std::sort(t.begin(), t.end());
    *median_ms = t[t.size() / 2];
  });
}

} // extern "C"
