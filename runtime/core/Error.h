// The runtime's one exception type. Messages name the file, tensor or launch
// and say what was expected; the command line prints them and exits non-zero.
#ifndef SSDC_RUNTIME_ERROR_H
#define SSDC_RUNTIME_ERROR_H

#include <stdexcept>
#include <string>

namespace ssdc::rt {

class RuntimeError : public std::runtime_error {
public:
  explicit RuntimeError(const std::string &message)
      : std::runtime_error(message) {}
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_ERROR_H
