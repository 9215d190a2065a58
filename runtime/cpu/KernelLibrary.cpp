// dlopen of the artifact's kernel library, with the ABI check.
#include "runtime/cpu/KernelLibrary.h"

#include "runtime/core/Error.h"

#include <dlfcn.h>

namespace ssdc::rt {

KernelLibrary::KernelLibrary(const std::string &path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_)
    throw RuntimeError(path + ": cannot load the CPU kernels: " + dlerror());
  auto get = reinterpret_cast<const cpu::KernelTable *(*)()>(
      dlsym(handle_, kSsdcCpuKernelTableSymbol));
  if (!get) {
    dlclose(handle_);
    throw RuntimeError(path + ": not an ssdc CPU kernel library (no " +
                       std::string(kSsdcCpuKernelTableSymbol) + ")");
  }
  table_ = get();
  if (!table_ || table_->abi != cpu::kKernelTableAbi ||
      table_->size != sizeof(cpu::KernelTable)) {
    unsigned abi = table_ ? table_->abi : 0;
    dlclose(handle_);
    throw RuntimeError(path + ": CPU kernel ABI " + std::to_string(abi) +
                       ", but this runtime needs ABI " +
                       std::to_string(cpu::kKernelTableAbi) +
                       "; recompile the model with this ssdc");
  }
}

KernelLibrary::~KernelLibrary() {
  if (handle_)
    dlclose(handle_);
}

} // namespace ssdc::rt
