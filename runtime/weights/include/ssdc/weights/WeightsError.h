// ssdc::WeightsError: the one exception type the weights library throws. Its
// message is complete and user-facing (it names the file, the tensor, and the
// expected vs. actual value), so a command line can print what() and exit.
#ifndef SSDC_WEIGHTS_WEIGHTSERROR_H
#define SSDC_WEIGHTS_WEIGHTSERROR_H

#include <stdexcept>
#include <string>

namespace ssdc {

class WeightsError : public std::runtime_error {
public:
  explicit WeightsError(const std::string &message)
      : std::runtime_error(message) {}
};

} // namespace ssdc

#endif // SSDC_WEIGHTS_WEIGHTSERROR_H
