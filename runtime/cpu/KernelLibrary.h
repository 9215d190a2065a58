// Loads an artifact's CPU kernel library (libkernels.so) and checks its ABI.
#ifndef SSDC_RUNTIME_CPU_KERNELLIBRARY_H
#define SSDC_RUNTIME_CPU_KERNELLIBRARY_H

#include "ssdc/cpu_kernel_table.h"

#include <string>

namespace ssdc::rt {

class KernelLibrary {
public:
  /// dlopens `path`; throws RuntimeError naming it if it cannot be loaded, has
  /// no kernel table, or its ABI differs from this runtime's.
  explicit KernelLibrary(const std::string &path);
  ~KernelLibrary();
  KernelLibrary(const KernelLibrary &) = delete;
  KernelLibrary &operator=(const KernelLibrary &) = delete;

  const cpu::KernelTable *table() const { return table_; }

private:
  void *handle_ = nullptr;
  const cpu::KernelTable *table_ = nullptr;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CPU_KERNELLIBRARY_H
