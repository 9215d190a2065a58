// Loading an artifact's kernels, NVRTC fallback and its cache (see Nvrtc.h).
#include "runtime/cuda/Nvrtc.h"

#include "runtime/core/Error.h"

#include <cuda_runtime.h>
#include <nvrtc.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ssdc::rt {

namespace {

void checkRuntime(cudaError_t e, const std::string &what) {
  if (e != cudaSuccess)
    throw RuntimeError("CUDA error in " + what + ": " + cudaGetErrorName(e) + " (" +
                       cudaGetErrorString(e) + ")");
}

void checkNvrtc(nvrtcResult e, const std::string &what) {
  if (e != NVRTC_SUCCESS)
    throw RuntimeError("NVRTC error in " + what + ": " + nvrtcGetErrorString(e));
}

bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return static_cast<bool>(in) || in.eof();
}

/// mkdir -p; false when the directory cannot be made.
bool makeDirs(const std::string &dir) {
  for (size_t at = 1; at <= dir.size(); ++at)
    if (at == dir.size() || dir[at] == '/') {
      std::string prefix = dir.substr(0, at);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
        return false;
    }
  struct stat st;
  return ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string hex64(const std::string &text) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : text)
    hash = (hash ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

/// The include directories NVRTC needs for cuda_bf16.h / cuda_fp16.h:
/// $SSDC_CUDA_INCLUDE, else those of the toolkit the runtime was built with,
/// else /usr/local/cuda/include (the ones that exist).
std::vector<std::string> includeDirs() {
  std::vector<std::string> dirs, found;
  if (const char *env = std::getenv("SSDC_CUDA_INCLUDE"))
    dirs.push_back(env);
#ifdef SSDC_CUDA_INCLUDE_DIRS
  {
    std::string list = SSDC_CUDA_INCLUDE_DIRS;  // |-separated
    size_t at = 0;
    while (at <= list.size()) {
      size_t end = list.find('|', at);
      if (end == std::string::npos)
        end = list.size();
      if (end > at)
        dirs.push_back(list.substr(at, end - at));
      at = end + 1;
    }
  }
#endif
  dirs.push_back("/usr/local/cuda/include");
  for (const std::string &d : dirs)
    if (isFile(d + "/cuda_bf16.h") && std::find(found.begin(), found.end(), d) == found.end())
      found.push_back(d);
  return found;
}

struct Target {
  std::string option;  ///< --gpu-architecture=...
  std::string name;    ///< sm_90, or compute_90 when NVRTC knows no newer
  bool cubin = true;
};

/// sm_XY of the current device when this NVRTC can generate it, else PTX
/// for the newest virtual architecture below it (the driver JITs it).
Target deviceTarget() {
  int dev = 0, major = 0, minor = 0;
  checkRuntime(cudaGetDevice(&dev), "cudaGetDevice");
  checkRuntime(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev),
               "reading the compute capability");
  checkRuntime(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev),
               "reading the compute capability");
  int arch = major * 10 + minor, count = 0;
  checkNvrtc(nvrtcGetNumSupportedArchs(&count), "nvrtcGetNumSupportedArchs");
  std::vector<int> archs(static_cast<size_t>(count));
  checkNvrtc(nvrtcGetSupportedArchs(archs.data()), "nvrtcGetSupportedArchs");
  Target t;
  if (std::find(archs.begin(), archs.end(), arch) != archs.end()) {
    t.name = "sm_" + std::to_string(arch);
  } else {
    int best = 0;
    for (int a : archs)
      if (a <= arch)
        best = std::max(best, a);
    if (best == 0)
      throw RuntimeError("this NVRTC cannot generate code for compute capability " +
                         std::to_string(major) + "." + std::to_string(minor));
    t.name = "compute_" + std::to_string(best);
    t.cubin = false;
  }
  t.option = "--gpu-architecture=" + t.name;
  return t;
}

std::string nvrtcVersionString() {
  int major = 0, minor = 0;
  checkNvrtc(nvrtcVersion(&major, &minor), "nvrtcVersion");
  return std::to_string(major) + "." + std::to_string(minor);
}

/// The NVRTC options for `arch` (sm_XY or compute_XY). Functions without an
/// execution-space annotation compile as device functions: the launch
/// headers the templates include (ssdc/ssd_staged_launch.h, ...) keep plain
/// C++ host helpers for the executor, which NVRTC would otherwise refuse
/// ("host functions are not allowed in JIT mode"); no kernel changes.
std::vector<std::string> nvrtcOptions(const std::string &arch) {
  std::vector<std::string> options = {"--gpu-architecture=" + arch, "-std=c++17",
                                      "--device-as-default-execution-space"};
  for (const std::string &dir : includeDirs())
    options.push_back("-I" + dir);
  return options;
}

} // namespace

std::string nvrtcCompile(const std::string &source, const std::string &arch,
                         const std::string &what, const std::vector<std::string> &extra) {
  std::vector<std::string> options = nvrtcOptions(arch);
  options.insert(options.end(), extra.begin(), extra.end());
  const bool cubin = arch.rfind("sm_", 0) == 0;
  nvrtcProgram prog = nullptr;
  // NVRTC has no C++ library headers; the launch headers and the fused
  // template include three. Stand-ins that give what they use (size_t, the
  // fixed-width integers, std::is_same_v), found only where a source
  // includes them.
  static const char *const shimNames[] = {"cstddef", "cstdint", "type_traits"};
  static const char *const shims[] = {
      "#pragma once\ntypedef decltype(sizeof(0)) size_t;\nnamespace std { using ::size_t; }\n",
      "#pragma once\n"
      "typedef signed char int8_t; typedef short int16_t; typedef int int32_t;\n"
      "typedef long long int64_t; typedef unsigned char uint8_t;\n"
      "typedef unsigned short uint16_t; typedef unsigned int uint32_t;\n"
      "typedef unsigned long long uint64_t;\n"
      "namespace std { using ::int8_t; using ::int16_t; using ::int32_t; using ::int64_t;\n"
      "using ::uint8_t; using ::uint16_t; using ::uint32_t; using ::uint64_t; }\n",
      "#pragma once\nnamespace std {\n"
      "template <class A, class B> struct is_same { static constexpr bool value = false; };\n"
      "template <class A> struct is_same<A, A> { static constexpr bool value = true; };\n"
      "template <class A, class B> inline constexpr bool is_same_v = is_same<A, B>::value;\n"
      "}\n"};
  checkNvrtc(nvrtcCreateProgram(&prog, source.c_str(), "kernels.cu", 3, shims, shimNames),
             "nvrtcCreateProgram for " + what);
  std::vector<const char *> opts;
  for (const std::string &o : options)
    opts.push_back(o.c_str());
  nvrtcResult rc = nvrtcCompileProgram(prog, static_cast<int>(opts.size()), opts.data());
  size_t logSize = 0;
  std::string log;
  if (nvrtcGetProgramLogSize(prog, &logSize) == NVRTC_SUCCESS && logSize > 1) {
    log.resize(logSize);
    nvrtcGetProgramLog(prog, &log[0]);
    log.resize(logSize - 1);
  }
  if (rc != NVRTC_SUCCESS) {
    nvrtcDestroyProgram(&prog);
    std::string flags;
    for (const std::string &o : options)
      flags += " " + o;
    throw RuntimeError("NVRTC could not compile " + what + " (" + nvrtcGetErrorString(rc) +
                       "; options:" + flags + "):\n" + log);
  }
  size_t size = 0;
  std::string image;
  nvrtcResult got;
  if (cubin) {
    got = nvrtcGetCUBINSize(prog, &size);
    image.resize(size);
    if (got == NVRTC_SUCCESS)
      got = nvrtcGetCUBIN(prog, &image[0]);
  } else {
    got = nvrtcGetPTXSize(prog, &size);
    image.resize(size);
    if (got == NVRTC_SUCCESS)
      got = nvrtcGetPTX(prog, &image[0]);
  }
  nvrtcDestroyProgram(&prog);
  checkNvrtc(got, "reading NVRTC's output for " + what);
  return image;
}

namespace {

/// Whether a cuModuleLoadData failure means "no usable code in this image".
bool noCodeForGpu(CUresult e) {
  return e == CUDA_ERROR_NO_BINARY_FOR_GPU || e == CUDA_ERROR_INVALID_IMAGE ||
         e == CUDA_ERROR_INVALID_PTX || e == CUDA_ERROR_UNSUPPORTED_PTX_VERSION ||
         e == CUDA_ERROR_INVALID_SOURCE;
}

std::string errorName(CUresult e) {
  const char *name = nullptr;
  driverCalls().cuGetErrorName(e, &name);
  return name ? name : "CUDA error " + std::to_string(int(e));
}

} // namespace

const DriverCalls &driverCalls() {
  static DriverCalls d = [] {
    DriverCalls d;
    auto get = [](const char *symbol, void **fn) {
      cudaDriverEntryPointQueryResult found;
      checkRuntime(
          cudaGetDriverEntryPointByVersion(symbol, fn, 12000, cudaEnableDefault, &found),
          std::string("looking up the driver function ") + symbol);
      if (found != cudaDriverEntryPointSuccess || !*fn)
        throw RuntimeError(std::string("the CUDA driver has no ") + symbol);
    };
#define SSDC_DRIVER_CALL(name) get(#name, reinterpret_cast<void **>(&d.name));
    SSDC_DRIVER_CALL(cuGetErrorName)
    SSDC_DRIVER_CALL(cuGetErrorString)
    SSDC_DRIVER_CALL(cuModuleLoadData)
    SSDC_DRIVER_CALL(cuModuleGetFunction)
    SSDC_DRIVER_CALL(cuFuncSetAttribute)
    SSDC_DRIVER_CALL(cuLaunchKernel)
    SSDC_DRIVER_CALL(cuFuncGetAttribute)
    SSDC_DRIVER_CALL(cuOccupancyMaxActiveBlocksPerMultiprocessor)
    SSDC_DRIVER_CALL(cuModuleUnload)
#undef SSDC_DRIVER_CALL
    return d;
  }();
  return d;
}

void checkDriver(CUresult e, const std::string &what) {
  if (e == CUDA_SUCCESS)
    return;
  const char *text = nullptr;
  driverCalls().cuGetErrorString(e, &text);
  throw RuntimeError("CUDA driver error in " + what + ": " + errorName(e) + " (" +
                     (text ? text : "?") + ")");
}

std::string nvrtcCacheDir() {
  const char *xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg)
    return std::string(xdg) + "/ssdc/nvrtc";
  const char *home = std::getenv("HOME");
  if (home && *home)
    return std::string(home) + "/.cache/ssdc/nvrtc";
  return "";
}

std::string nvrtcVersionText() { return nvrtcVersionString(); }

namespace {
CUmodule loadFromSource(const std::string &source, const std::string &what, std::string *note,
                        bool archSpecific, std::string *arch,
                        const std::vector<std::string> &extra);
} // namespace

CUmodule loadModuleFromSource(const std::string &source, const std::string &what,
                              std::string *note) {
  return loadFromSource(source, what, note, false, nullptr, {});
}

CUmodule loadModuleFromSourceArchSpecific(const std::string &source, const std::string &what,
                                          std::string *note, std::string *arch,
                                          const std::vector<std::string> &extra) {
  return loadFromSource(source, what, note, true, arch, extra);
}

namespace {
CUmodule loadFromSource(const std::string &source, const std::string &what, std::string *note,
                        bool archSpecific, std::string *arch,
                        const std::vector<std::string> &extra) {
  checkRuntime(cudaFree(nullptr), "creating the CUDA context");
  Target target = deviceTarget();
  // sm_90a: the architecture-specific features (wgmma) of exactly this
  // GPU's compute capability 9.0, as nvcc compiles kernels.fatbin.
  if (archSpecific && target.cubin && target.name == "sm_90") {
    target.name = "sm_90a";
    target.option = "--gpu-architecture=sm_90a";
  }
  if (arch)
    *arch = target.name;
  std::string version = nvrtcVersionString();
  // The key: what decides the binary (the include paths only locate
  // cuda_bf16.h/cuda_fp16.h, which the NVRTC version pins).
  std::string extraText;
  for (const std::string &o : extra)
    extraText += "\n" + o;
  // "loader 2": default-device and the header stand-ins (nvrtcCompile).
  std::string key = hex64(source + "\n" + target.option + "\n-std=c++17\nnvrtc " + version +
                          "\nloader 2" + extraText);
  std::string dir = nvrtcCacheDir();
  std::string cached = dir.empty() ? "" : dir + "/" + key + "-" + target.name +
                                              (target.cubin ? ".cubin" : ".ptx");
  CUmodule module = nullptr;
  std::string image;
  if (!cached.empty() && isFile(cached) && readFile(cached, image) && !image.empty()) {
    if (!target.cubin)
      image.push_back('\0');
    if (driverCalls().cuModuleLoadData(&module, image.data()) == CUDA_SUCCESS) {
      if (note)
        *note = "loaded the NVRTC " + version + " build of " + what + " for " + target.name +
                " from the cache " + cached;
      return module;
    }
    module = nullptr;  // a stale or damaged entry: rebuild it
  }
  auto start = std::chrono::steady_clock::now();
  image = nvrtcCompile(source, target.name, what, extra);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string where = "not cached";
  if (!cached.empty()) {
    std::string tmp = cached + "." + std::to_string(::getpid()) + ".tmp";
    bool ok = makeDirs(dir);
    if (ok) {
      std::ofstream(tmp, std::ios::binary) << image;
      ok = isFile(tmp) && std::rename(tmp.c_str(), cached.c_str()) == 0;
      if (!ok)
        std::remove(tmp.c_str());
    }
    where = ok ? "cached in " + cached : "could not write the cache " + dir;
  }
  std::string loaded = image;
  if (!target.cubin && (loaded.empty() || loaded.back() != '\0'))
    loaded.push_back('\0');
  checkDriver(driverCalls().cuModuleLoadData(&module, loaded.data()),
              "cuModuleLoadData(NVRTC " + target.name + " build of " + what + ")");
  if (note) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", seconds);
    *note = "compiled " + what + " with NVRTC " + version + " for " + target.name + " in " +
            secs + " s (" + where + ")";
  }
  return module;
}
} // namespace

CUmodule loadKernelModule(const std::string &fatbinPath, const std::string &sourcePath) {
  std::string source = sourcePath;
  if (source.empty()) {
    size_t slash = fatbinPath.rfind('/');
    source = (slash == std::string::npos ? std::string() : fatbinPath.substr(0, slash + 1)) +
             "kernels.cu";
  }
  std::string mode;
  if (const char *env = std::getenv("SSDC_NVRTC"))
    mode = env;
  checkRuntime(cudaFree(nullptr), "creating the CUDA context");
  std::string why;
  if (mode != "force") {
    std::string image;
    if (!isFile(fatbinPath) || !readFile(fatbinPath, image)) {
      why = "missing";
    } else {
      CUmodule module = nullptr;
      CUresult e = driverCalls().cuModuleLoadData(&module, image.data());
      if (e == CUDA_SUCCESS)
        return module;
      if (!noCodeForGpu(e) || mode == "off")
        checkDriver(e, "cuModuleLoadData(" + fatbinPath + ")");
      why = "has no code for this GPU (" + errorName(e) + ")";
    }
    if (mode == "off")
      throw RuntimeError(fatbinPath + ": cannot read the CUDA kernels (SSDC_NVRTC=off: no "
                         "NVRTC fallback; was the artifact compiled with --target cuda "
                         "where nvcc was found?)");
  } else {
    why = "not used (SSDC_NVRTC=force)";
  }
  std::string text;
  if (!isFile(source) || !readFile(source, text))
    throw RuntimeError(fatbinPath + " " + why + ", and " + source +
                       " cannot be read to compile the kernels with NVRTC; recompile the "
                       "artifact with ssdc compile --target cuda");
  std::string note;
  // The architecture-specific target (sm_90a on an H100), as nvcc builds
  // kernels.fatbin (CudaEmitter.cpp: compute_90a/sm_90a): under plain sm_90
  // the fused SSD kernel's bf16 path (wgmma) compiles to a trap.
  CUmodule module = loadModuleFromSourceArchSpecific(text, source, &note);
  std::cerr << "ssdc: " << fatbinPath << " " << why << ": " << note << "\n";
  return module;
}

} // namespace ssdc::rt
