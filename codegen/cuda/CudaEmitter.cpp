// The CUDA emitter (see CudaEmitter.h). kernels.cu stays readable: a header
// saying what generated it, the device templates it uses (inlined, so that
// the file compiles alone, with nvcc or NVRTC), then one short
// `extern "C" __global__` wrapper per kernel instance, each preceded by a
// comment naming the plan op and the entries it serves.
#include "codegen/cuda/CudaEmitter.h"

#include "ssdc/cuda_kernels.h"
#include "ssdc/template_abi.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ssdc::cuda {

namespace {

struct Use {
  KernelInstance kernel;
  std::string op;
  std::set<std::string> entries;
  int launches = 0;
};

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The text of a template or header for kernels.cu: its own includes of
/// other ssdc headers dropped (they are inlined too, in order), and
/// <stdint.h>, which NVRTC does not have, replaced by typedefs under NVRTC.
std::string inlineFile(const std::string &name, const std::string &path,
                       std::set<std::string> &done) {
  done.insert(name);
  std::string banner = "\n// ---- " + name + " (inlined) ----\n";
  if (!exists(path))
    return banner + "#error \"ssdc: the CUDA template " + name + " (" + path +
           ") was missing when this file was generated\"\n";
  std::istringstream in(readFile(path));
  std::ostringstream os;
  os << banner;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#include \"", 0) == 0) {
      // Another ssdc header: inlined here the first time it is met (a
      // template's own helpers, e.g. ssd_fused.cuh's launch header).
      std::string inc = line.substr(10, line.find('"', 10) - 10);
      if (done.count(inc)) {
        os << "// " << line << " (inlined above)\n";
      } else {
        std::string incPath = inc.rfind("ssdc/", 0) == 0
                                  ? templateDir() + "/../include/" + inc
                                  : templateDir() + "/" + inc;
        os << "// " << line << " (inlined below)\n" << inlineFile(inc, incPath, done);
      }
    } else if (line == "#include <stdint.h>") {
      os << "#ifdef __CUDACC_RTC__\n"
            "typedef signed char int8_t;\ntypedef short int16_t;\ntypedef int int32_t;\n"
            "typedef long long int64_t;\ntypedef unsigned char uint8_t;\n"
            "typedef unsigned short uint16_t;\ntypedef unsigned int uint32_t;\n"
            "typedef unsigned long long uint64_t;\n"
            "#else\n#include <stdint.h>\n#endif\n";
    } else {
      os << line << "\n";
    }
  }
  return os.str();
}

} // namespace

std::string templateDir() {
  if (const char *dir = std::getenv("SSDC_CUDA_TEMPLATES"))
    return dir;
  return SSDC_CUDA_TEMPLATE_DIR;
}

EmittedKernels emitKernels(const std::string &planJson) {
  nlohmann::json plan = nlohmann::json::parse(planJson);
  std::map<std::string, Use> uses;  // by kernel name: sorted, deterministic
  EmittedKernels out;
  std::set<std::string> unsupported;
  auto note = [&](const std::string &op, const nlohmann::json &attrs,
                  const std::vector<std::string> &in,
                  const std::vector<std::string> &out, const std::string &entry) {
    std::optional<KernelInstance> k = kernelFor(op, attrs, in, out);
    if (!k)
      return false;
    Use &u = uses[k->name];
    u.kernel = *k;
    u.op = op;
    u.entries.insert(entry);
    ++u.launches;
    return true;
  };
  for (const auto &e : plan.at("entries")) {
    std::string entry = e.at("name").get<std::string>();
    std::map<int64_t, std::string> dtypeOf;
    for (const auto &b : e.at("buffers"))
      dtypeOf[b.at("id").get<int64_t>()] = b.value("dtype", std::string("f32"));
    std::map<int64_t, int64_t> lastDims;  // static last dimensions
    for (const auto &b : e.at("buffers"))
      if (!b.at("shape").empty() && b.at("shape").back().is_number_integer())
        lastDims[b.at("id").get<int64_t>()] = b.at("shape").back().get<int64_t>();
    auto lastDim = [&](const nlohmann::json &id) {
      auto it = lastDims.find(id.get<int64_t>());
      return it == lastDims.end() ? int64_t(0) : it->second;
    };
    auto dtypes = [&](const nlohmann::json &ids) {
      std::vector<std::string> v;
      for (const auto &id : ids)
        v.push_back(dtypeOf[id.get<int64_t>()]);
      return v;
    };
    for (const auto &b : e.at("buffers"))
      if (b.value("kind", "") == "view" && b.contains("column_offset")) {
        std::string src = dtypeOf[b.at("of").get<int64_t>()], dst = b.value("dtype", "f32");
        if (!note("ssd.split.copy", nlohmann::json::object(), {src}, {dst}, entry))
          unsupported.insert("ssd.split " + src + " -> " + dst);
      }
    for (const auto &l : e.at("launches")) {
      std::string op = l.at("op").get<std::string>();
      const nlohmann::json &attrs = l.at("attrs");
      std::vector<std::string> in = dtypes(l.at("inputs")), out = dtypes(l.at("outputs"));
      if (op == "ssd.linear") {
        // cuBLAS; a bias is added with the broadcast add (out += bias), a
        // residual is the GEMM's accumulator (operands x, w, bias?, residual?).
        bool bias = attrs.contains("operand_segments")
                        ? attrs["operand_segments"].size() > 2 && attrs["operand_segments"][2] == 1
                        : in.size() > 2;
        if (bias &&
            !note("ssd.add", nlohmann::json::object(), {out[0], in[2]}, {out[0]}, entry))
          unsupported.insert("ssd.linear bias (" + l.value("kernel", std::string()) + ")");
        continue;
      }
      if (op == "ssd.attention") {
        // Two kernels (cache append, attention), instantiated on the head dims.
        nlohmann::json a = attentionAttrs(attrs, lastDim(l.at("inputs")[0]),
                                          lastDim(l.at("inputs")[2]));
        if (note("ssd.attention.cache", a, in, out, entry) &&
            note("ssd.attention", a, in, out, entry))
          continue;
      } else if (note(op, attrs, in, out, entry)) {
        continue;
      }
      unsupported.insert(op + " (" + l.value("kernel", std::string()) + ": " +
                         dtypeSignature(in, out) + ")");
    }
  }
  out.unsupported.assign(unsupported.begin(), unsupported.end());

  std::ostringstream os;
  os << "// kernels.cu: generated by ssdc (codegen/cuda/CudaEmitter.cpp) from\n"
        "// plan.json. One extern \"C\" kernel per distinct (op, schedule\n"
        "// constants, dtype) of the plan, at the end of this file (\"generated\n"
        "// kernels\"); the loops are the device templates of codegen/cuda/templates\n"
        "// and the parameter structs of ssdc/cuda_params.h, inlined above them so\n"
        "// that the file compiles alone: with nvcc " << nvccFlags() << "\n"
        "// into kernels.fatbin, or with NVRTC by the runtime when kernels.fatbin\n"
        "// has no code for the GPU (runtime/cuda/Nvrtc.cpp).\n";
  std::set<std::string> headers, done;
  for (const auto &[name, u] : uses)
    headers.insert(u.kernel.header);
  os << inlineFile("ssdc/cuda_params.h",
                   templateDir() + "/../include/ssdc/cuda_params.h", done);
  os << inlineFile("common.cuh", templateDir() + "/common.cuh", done);
  for (const std::string &h : headers)
    if (!done.count(h))
      os << inlineFile(h, templateDir() + "/" + h, done);
  os << "\n// ==== generated kernels ====\n\nusing namespace ssdc::cuda;\n";
  for (const auto &[name, u] : uses) {
    os << "\n// " << u.op << ": " << u.launches << " launch"
       << (u.launches == 1 ? "" : "es") << " in";
    for (const std::string &e : u.entries)
      os << " " << e;
    os << "\nextern \"C\" __global__ void " << name << "(" << u.kernel.params
       << " p) {\n  " << u.kernel.call << "(p);\n}\n";
    out.kernels.push_back(name);
  }
  out.source = os.str();
  return out;
}

std::string nvccFlags() {
  return "-std=c++17 -O3 -gencode=arch=compute_90a,code=sm_90a -fatbin";
}

std::string findNvcc() {
  if (const char *env = std::getenv("SSDC_NVCC"))
    return exists(env) ? env : "";
#ifdef SSDC_NVCC_PATH
  if (exists(SSDC_NVCC_PATH))
    return SSDC_NVCC_PATH;
#endif
  if (exists("/usr/local/cuda/bin/nvcc"))
    return "/usr/local/cuda/bin/nvcc";
  return "";
}

std::string templateAbi() { return SSDC_CUDA_TEMPLATE_ABI; }

std::string compileFatbin(const std::string &nvcc, const std::string &source,
                          const std::string &fatbinPath) {
  const char *tmpEnv = std::getenv("TMPDIR");
  std::string tmp = tmpEnv ? tmpEnv : "/tmp";
  // FNV-1a over everything that decides the output (the templates are
  // inlined into the source).
  std::string key = nvcc + "\n" + nvccFlags() + "\n" + source;
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : key)
    hash = (hash ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  std::string cacheDir = tmp + "/ssdc-nvcc-cache";
  ::mkdir(cacheDir.c_str(), 0755);
  std::string cached = cacheDir + "/" + hex + ".fatbin";
  std::string work = cacheDir + "/" + hex + "." + std::to_string(::getpid());
  if (!exists(cached)) {
    std::ofstream(work + ".cu") << source;
    std::string cmd = "\"" + nvcc + "\" " + nvccFlags() + " -I\"" + templateDir() +
                      "\" -I\"" + templateDir() + "/../include\" -o \"" + work +
                      ".fatbin\" \"" + work + ".cu\" > \"" + work + ".log\" 2>&1";
    int rc = std::system(cmd.c_str());
    std::string log = readFile(work + ".log");
    std::remove((work + ".cu").c_str());
    std::remove((work + ".log").c_str());
    if (rc != 0) {
      std::remove((work + ".fatbin").c_str());
      return "nvcc failed (" + cmd + "):\n" + log;
    }
    if (std::rename((work + ".fatbin").c_str(), cached.c_str()) != 0)
      return "cannot move the fatbin into " + cached;
  }
  std::ifstream in(cached, std::ios::binary);
  std::ofstream o(fatbinPath, std::ios::binary);
  o << in.rdbuf();
  if (!o)
    return "cannot write " + fatbinPath;
  return "";
}

} // namespace ssdc::cuda
