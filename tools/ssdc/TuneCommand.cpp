//===- TuneCommand.cpp - `ssdc tune`: measured schedules for the compiler -===//
//
// For every SSD shape of an artifact's prefill plan and every length bucket,
// runs each candidate schedule (recurrent, quadratic, chunked at each chunk
// size) of the artifact's own kernels: first on fresh random inputs against
// the float64 reference (a variant off by more than kTolerance is discarded
// and never timed), then timed (median of --repeats after a warm-up). Every
// timing is written to a tuning database (passes/TuningDb.h's format) that
// `ssdc compile --tuning-db` prefers over the cost model. --device cuda runs
// the CUDA tuner (TuneCuda.cpp: NVRTC-compiled kernel instances timed with
// CUDA events); the groups, options and database writer are shared
// (TuneCuda.h).
//
//===----------------------------------------------------------------------===//

#include "tools/ssdc/CliArgs.h"
#include "tools/ssdc/Commands.h"
#include "tools/ssdc/TuneCuda.h"

#include "runtime/core/Artifact.h"
#include "runtime/core/Error.h"
#include "runtime/cpu/KernelLibrary.h"

#include "ssdc/reference.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace ssdc::driver {
namespace tune {

using rt::RuntimeError;
using Clock = std::chrono::steady_clock;

/// A variant whose output is further than this from float64 (max|a-e|/max|e|
/// over y and the final state) is wrong: the fp32 kernels are within 1e-5 at
/// the shapes of their tests (docs/cpu_kernels.md); 1e-4 is the logits bound.
constexpr double kTolerance = 1e-4;
/// Check length cap: long enough for several chunks and a partial last one.
constexpr int64_t kCheckLength = 300;

const char *kTuneHelp =
    "usage: ssdc tune ARTIFACT --device cpu|cuda -o TUNING.json [options]\n"
    "\n"
    "Measures the SSD schedules of ARTIFACT's prefill plan on this machine:\n"
    "for each SSD shape (heads, head dim, groups, state size) and prefill\n"
    "length bucket, every candidate -- recurrent, quadratic, chunked at each\n"
    "chunk size -- is first run on fresh random inputs and compared with the\n"
    "float64 reference (more than 1e-4 relative off, 1e-2 for bf16/f16 CUDA\n"
    "kernels: discarded, never timed),\n"
    "then timed. Every timing goes to TUNING.json, a tuning database that\n"
    "`ssdc compile --tuning-db TUNING.json` uses over its cost model\n"
    "(`--explain` shows the measurements). Progress goes to stderr.\n"
    "\n"
    "options:\n"
    "  --device cpu|cuda        where to measure: the artifact's CPU kernels,\n"
    "                           or (cuda) its CUDA kernel templates compiled\n"
    "                           with NVRTC for this GPU, every schedule, chunk\n"
    "                           size and launch geometry (docs/tuning.md)\n"
    "  -o, --output FILE        the tuning database to write (written whole at\n"
    "                           the end, never half-way)\n"
    "  --budget SECONDS         stop starting new variants after this long\n"
    "                           (default 120); untimed ones are listed\n"
    "  --repeats N              timed runs per variant, median kept (default 5)\n"
    "  --lengths L1,L2,...      lengths to time (default: each bucket's upper\n"
    "                           bound, twice the last bound for the open one:\n"
    "                           where the compiler evaluates them); a bucket\n"
    "                           holding several is timed at each, and a variant's\n"
    "                           time for it is their sum\n"
    "  --chunk-sizes Q1,Q2,...  chunked candidates (default 32,64,128,256)\n"
    "  --batch B                batch to time at (default 1)\n"
    "  --seed S                 random inputs (default 1)\n"
    "\n"
    "--device cuda only:\n"
    "  --chunked-form staged|fused\n"
    "                           which chunked form times_us holds: the one\n"
    "                           `ssdc compile --chunked-form` will build (default:\n"
    "                           the artifact's; fused where it has no chunked\n"
    "                           bucket, as ssdc compile); both are timed, recorded\n"
    "  --fused-chunk-sizes Q,.. fused kernel candidates (default: --chunk-sizes;\n"
    "                           those ssdc/ssd_fused_launch.h takes are kept)\n"
    "  --block-sizes B1,B2,...  threads per block tried for the quadratic and\n"
    "                           four-stage kernels (default 128,256; the\n"
    "                           executor's geometry fills times_us)\n"
    "  --max-variant-ms MS      prune a variant whose run is predicted (from its\n"
    "                           check run) to take longer (default 3000)\n"
    "  --emit-source FILE       write the variants' CUDA source (the kernel\n"
    "                           templates inlined, one extern \"C\" instance each)\n"
    "                           and compile it with NVRTC for --arch; no GPU needed\n"
    "  --arch ARCH              with --emit-source (default sm_90a; none: only\n"
    "                           write it)\n";

std::vector<int64_t> intList(const std::string &flag, const std::string &text,
                             int64_t max) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    out.push_back(toInt(flag, item, 1, max));
  if (out.empty())
    throw UsageError(flag + " needs at least one value");
  return out;
}

std::string cpuName() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      std::string v = line.substr(line.find(':') + 1);
      v.erase(0, v.find_first_not_of(' '));
      return v;
    }
  return "";
}

namespace {

/// One SSD problem with its inputs (f32 for the kernel, f64 for the reference).
struct Problem {
  cpu::SsdShape s;
  std::vector<float> x, dt, A, B, C, D, bias, y, fin;

  Problem(int64_t b, int64_t l, const SsdShapeKey &k, std::mt19937 &rng) {
    s = {int(b), int(l), int(k.h), int(k.p), int(k.g), int(k.n)};
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::uniform_real_distribution<float> ud(0.0f, 1.0f);
    auto fill = [&](std::vector<float> &v, size_t count, float scale) {
      v.resize(count);
      for (float &e : v)
        e = scale * nd(rng);
    };
    size_t L = size_t(b) * l;
    fill(x, L * k.h * k.p, 1.0f);
    fill(dt, L * k.h, 1.0f);
    fill(B, L * k.g * k.n, 1.0f / std::sqrt(float(k.n)));
    fill(C, L * k.g * k.n, 1.0f / std::sqrt(float(k.n)));
    fill(D, k.h, 1.0f);
    fill(bias, k.h, 0.5f);
    A.resize(k.h);
    for (float &a : A)  // -exp(A_log) with A_log in [0, log 16], as Mamba-2's init
      a = -std::exp(ud(rng) * std::log(16.0f));
    y.assign(x.size(), NAN);  // poisoned: every element must be written
    fin.assign(size_t(b) * k.h * k.p * k.n, NAN);
  }

  cpu::SsdArgs args() {
    cpu::SsdArgs a;
    a.x = x.data(), a.dt = dt.data(), a.A = A.data(), a.B = B.data(), a.C = C.data();
    a.D = D.data(), a.dtBias = bias.data(), a.y = y.data(), a.finalState = fin.data();
    return a;
  }
};

/// Runs variant `name` ("recurrent", "quadratic", "chunked-Q") once.
int runVariant(const cpu::KernelTable &k, const std::string &name, Problem &p) {
  cpu::DtParams dtp;
  cpu::SsdArgs a = p.args();
  if (name == "recurrent")
    return k.ssdRecurrent(p.s, dtp, a);
  if (name == "quadratic")
    return k.ssdQuadratic(p.s, dtp, a);
  return k.ssdChunked(p.s, dtp, a, std::stoi(name.substr(8)));
}

/// max relative error of `name` vs float64 on a fresh problem of length l.
double checkVariant(const cpu::KernelTable &k, const std::string &name, int64_t b,
                    int64_t l, const SsdShapeKey &key, std::mt19937 &rng) {
  Problem p(b, l, key, rng);
  if (int rc = runVariant(k, name, p))
    throw RuntimeError("the CPU kernel for " + name + " failed (code " +
                       std::to_string(rc) + ")");
  if (injectWrong(name))  // test hook: pretend this variant is a wrong kernel
    p.y[p.y.size() / 2] += 1.0f;
  auto toD = [](const std::vector<float> &v) { return std::vector<double>(v.begin(), v.end()); };
  std::vector<double> x = toD(p.x), dt = toD(p.dt), A = toD(p.A), B = toD(p.B),
                      C = toD(p.C), D = toD(p.D), bias = toD(p.bias);
  std::vector<double> y(p.y.size()), fin(p.fin.size());
  ref::SsdShape rs{b, l, key.h, key.p, key.g, key.n};
  ref::ssd(rs, ref::DtParams{}, x.data(), dt.data(), A.data(), B.data(), C.data(),
           D.data(), bias.data(), nullptr, y.data(), fin.data());
  return std::max(relError(p.y, y), relError(p.fin, fin));
}

/// Median seconds of `repeats` runs after one warm-up.
double timeVariant(const cpu::KernelTable &k, const std::string &name, Problem &p,
                   int repeats) {
  if (runVariant(k, name, p))
    throw RuntimeError("the CPU kernel for " + name + " failed");
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = Clock::now();
    runVariant(k, name, p);
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

} // namespace

double relError(const std::vector<float> &a, const std::vector<double> &e) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double d = std::fabs(double(a[i]) - e[i]);
    worst = std::isnan(d) ? INFINITY : std::max(worst, d);
    scale = std::max(scale, std::fabs(e[i]));
  }
  return scale > 0 ? worst / scale : worst;
}

/// Writes `text` to `path` through a temporary file beside it.
void writeAtomically(const std::string &path, const std::string &text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out.flush())
      throw RuntimeError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw RuntimeError("cannot write " + path);
  }
}

bool injectWrong(const std::string &variant) {
  const char *wrong = std::getenv("SSDC_TUNE_INJECT_WRONG");
  return wrong && variant == wrong;
}

nlohmann::json bucketJson(const Bucket &b) {
  return {b.lMin, b.lMax < 0 ? nlohmann::json(nullptr) : nlohmann::json(b.lMax)};
}

std::string lengthList(const std::vector<int64_t> &ls) {
  std::string s;
  for (int64_t l : ls)
    s += (s.empty() ? "" : ",") + std::to_string(l);
  return s;
}

std::vector<Group> planGroups(const rt::Artifact &art, const std::vector<int64_t> &lengths,
                              std::string *ssdDtype) {
  std::set<SsdShapeKey> shapes;
  std::vector<Bucket> buckets;
  for (const rt::Entry &e : art.plan.entries) {
    bool any = false;
    for (const rt::Launch &l : e.launches) {
      // x [b, l, h, p] and B [b, l, g, n] of ssd.ssm; v and q of the last
      // of the four chunked stages (CUDA plans run a chunked SSD as those).
      int xAt = l.op == "ssd.ssm" ? 0 : l.op == "ssd.chunk_output" ? 2 : -1;
      int bAt = l.op == "ssd.ssm" ? 3 : 0;
      if (xAt < 0 || l.inputs.size() <= size_t(std::max(xAt, bAt)))
        continue;
      const rt::Buffer &xb = e.buffers[l.inputs[xAt]], &bb = e.buffers[l.inputs[bAt]];
      const auto &xs = xb.shape, &bs = bb.shape;
      if (xs.size() != 4 || bs.size() != 4)
        continue;
      shapes.insert({xs[2].size, xs[3].size, bs[2].size, bs[3].size});
      if (ssdDtype)
        *ssdDtype = xb.dtype;
      any = true;
    }
    if (any && e.entry == "prefill" && e.lMax != 1)  // one token: recurrent by rule
      buckets.push_back({e.lMin, e.lMax});
  }
  if (shapes.empty() || buckets.empty())
    throw RuntimeError(art.path + ": its prefill plan has no SSD op to tune");
  std::vector<Group> groups;
  for (const SsdShapeKey &key : shapes)
    for (const Bucket &bk : buckets) {
      Group g{key, bk, {}};
      for (int64_t l : lengths)
        if (l >= bk.lMin && (bk.lMax < 0 || l <= bk.lMax))
          g.ls.push_back(l);
      // Default: the length ssd-select-schedule evaluates the bucket at (its
      // upper bound; twice the previous bound for the open one).
      if (lengths.empty())
        g.ls.push_back(bk.lMax > 0 ? bk.lMax : std::max<int64_t>(bk.lMin, 2 * (bk.lMin - 1)));
      if (!g.ls.empty())
        groups.push_back(g);
    }
  return groups;
}

namespace {

int tuneCpu(const TuneOptions &o) {
  const std::string &output = o.output;
  const double budget = o.budget;
  const int repeats = o.repeats;
  const int64_t batch = o.batch;
  const std::vector<int64_t> &chunks = o.chunks;
  rt::Artifact art = rt::loadArtifact(o.artifact, "cpu");
  if (art.dtype != "f32")
    throw RuntimeError(o.artifact + ": compiled with --dtype " + art.dtype +
                       "; the CPU tuner times f32 artifacts");
  std::string lib = art.path + "/" +
                    art.manifest.value("/cpu_kernels/file"_json_pointer, std::string("libkernels.so"));
  rt::KernelLibrary kernels(lib);
  const cpu::KernelTable &k = *kernels.table();
  std::vector<Group> groups = planGroups(art, o.lengths);

  std::mt19937 rng(o.seed);
  auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  nlohmann::json entries = nlohmann::json::array();
  std::string cpu = cpuName();
  int discardedCount = 0, untimedCount = 0;
  for (size_t j = 0; j < groups.size(); ++j) {
    const Group &grp = groups[j];
    int64_t maxL = *std::max_element(grp.ls.begin(), grp.ls.end());
    std::vector<std::string> variants = {"recurrent", "quadratic"};
    for (int64_t q : chunks)
      if (q <= std::max<int64_t>(maxL, chunks.front()))
        variants.push_back("chunked-" + std::to_string(q));
    nlohmann::json times = nlohmann::json::object(), discarded = nlohmann::json::object(),
                   perLength = nlohmann::json::object();
    std::vector<std::string> untimed;
    std::string best;
    double bestUs = 0;
    std::vector<Problem> timing;
    for (int64_t l : grp.ls)
      timing.emplace_back(batch, l, grp.key, rng);
    std::string ls = lengthList(grp.ls);
    for (size_t v = 0; v < variants.size(); ++v) {
      const std::string &name = variants[v];
      std::fprintf(stderr,
                   "ssdc tune: [%zu/%zu] l=%s h=%lld p=%lld g=%lld n=%lld: %s "
                   "(%zu left after it%s%s)\n",
                   j + 1, groups.size(), ls.c_str(), (long long)grp.key.h,
                   (long long)grp.key.p, (long long)grp.key.g, (long long)grp.key.n,
                   name.c_str(), variants.size() - v - 1, best.empty() ? "" : "; best so far ",
                   best.c_str());
      if (elapsed() > budget) {
        untimed.push_back(name);
        ++untimedCount;
        continue;
      }
      double err = checkVariant(k, name, batch, std::min(maxL, kCheckLength), grp.key, rng);
      if (!(err <= kTolerance)) {
        std::fprintf(stderr, "ssdc tune:   %s discarded: %.3g from float64 (> %.0e), not timed\n",
                     name.c_str(), err, kTolerance);
        char why[96];
        std::snprintf(why, sizeof why, "relative error %.3g vs float64 > %.0e", err, kTolerance);
        discarded[name] = why;
        ++discardedCount;
        continue;
      }
      double us = 0;
      for (size_t i = 0; i < grp.ls.size(); ++i) {
        double t = timeVariant(k, name, timing[i], repeats) * 1e6;
        perLength[std::to_string(grp.ls[i])][name] = t;
        us += t;
      }
      times[name] = us;
      if (best.empty() || us < bestUs)
        best = name, bestUs = us;
      std::fprintf(stderr, "ssdc tune:   %s: %.1f us (float64 check %.2g)\n", name.c_str(), us,
                   err);
    }
    if (times.empty())
      continue;
    nlohmann::json e = {{"target", "cpu"},
                        {"op", "sma"},
                        {"dtype", "f32"},
                        {"b", {batch, batch}},
                        {"l", bucketJson(grp.bucket)},
                        {"h", grp.key.h},
                        {"p", grp.key.p},
                        {"g", grp.key.g},
                        {"n", grp.key.n},
                        {"timed_at_l", grp.ls},
                        {"times_us", times}};
    if (grp.ls.size() > 1)
      e["times_us_per_length"] = perLength;
    if (!cpu.empty())
      e["device"] = cpu;
    if (!discarded.empty())
      e["discarded"] = discarded;
    if (!untimed.empty())
      e["not_timed_budget"] = untimed;
    entries.push_back(e);
  }
  if (entries.empty())
    throw RuntimeError("nothing was timed (budget " + std::to_string(budget) +
                       " s); " + output + " not written");
  nlohmann::json db = {{"format", "ssdc-tuning-db"},
                       {"version", 1},
                       {"note", "written by ssdc tune from " + art.path + "; repeats " +
                                    std::to_string(repeats) + ", median; checked against "
                                    "float64 before timing"},
                       {"entries", entries}};
  writeAtomically(output, db.dump(1) + "\n");
  std::fprintf(stderr,
               "ssdc tune: wrote %s (%zu entries; %d variants discarded, %d not timed "
               "within the %.0f s budget) in %.1f s\n",
               output.c_str(), entries.size(), discardedCount, untimedCount, budget, elapsed());
  return 0;
}

} // namespace

#ifndef SSDC_HAVE_CUDA_TUNER
int tuneCuda(Args &, const TuneOptions &) {
  throw RuntimeError("--device cuda: this ssdc was built without the CUDA runtime "
                     "(SSDC_ENABLE_CUDA=OFF); build it with CUDA on the GPU machine, or "
                     "tune with --device cpu");
}
#endif

} // namespace tune

int tuneCommand(int argc, char **argv) {
  using namespace tune;
  try {
    Args a = parse(argc, argv,
                   {"--device", "-o", "--output", "--budget", "--repeats", "--lengths",
                    "--chunk-sizes", "--batch", "--seed", "--chunked-form",
                    "--fused-chunk-sizes", "--block-sizes", "--max-variant-ms",
                    "--emit-source", "--arch"},
                   {});
    if (a.switches["--help"]) {
      std::fputs(kTuneHelp, stdout);
      return 0;
    }
    if (a.positional.size() != 1)
      throw UsageError("give exactly one ARTIFACT");
    TuneOptions o;
    o.artifact = a.positional[0];
    o.device = a.values.count("--device") ? a.values["--device"] : "cpu";
    if (o.device != "cpu" && o.device != "cuda")
      throw UsageError("--device must be cpu or cuda, got '" + o.device + "'");
    o.output = a.values.count("-o") ? a.values["-o"] : a.values["--output"];
    bool emitOnly = o.device == "cuda" && a.values.count("--emit-source");
    if (o.output.empty() && !emitOnly)
      throw UsageError("no output: give -o TUNING.json");
    if (a.values.count("--budget"))
      o.budget = toDouble("--budget", a.values["--budget"], 0, 1e7);
    if (a.values.count("--repeats"))
      o.repeats = int(toInt("--repeats", a.values["--repeats"], 1, 1000));
    if (a.values.count("--batch"))
      o.batch = toInt("--batch", a.values["--batch"], 1, 4096);
    if (a.values.count("--seed"))
      o.seed = unsigned(toInt("--seed", a.values["--seed"], 0, 1 << 30));
    if (a.values.count("--chunk-sizes"))
      o.chunks = intList("--chunk-sizes", a.values["--chunk-sizes"], 1 << 16);
    if (a.values.count("--lengths"))
      o.lengths = intList("--lengths", a.values["--lengths"], 1 << 20);
    if (o.device == "cuda")
      return tuneCuda(a, o);
    for (const char *flag : {"--chunked-form", "--fused-chunk-sizes", "--block-sizes",
                             "--max-variant-ms", "--emit-source", "--arch"})
      if (a.values.count(flag))
        throw UsageError(std::string(flag) + " is an option of --device cuda");
    return tuneCpu(o);
  } catch (const UsageError &e) {
    std::fprintf(stderr, "ssdc tune: %s (see ssdc tune --help)\n", e.what());
    return 2;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "ssdc tune: error: %s\n", e.what());
    return 1;
  }
}

} // namespace ssdc::driver
