//===- SSDAttrs.cpp - `#ssd.schedule`, `#ssd.mask`, `#ssd.state_pass` ------===//
//
// The schedule attribute has a hand-written syntax so that its optional chunk
// size (an integer) and source (a string) can be told apart:
//   #ssd.schedule<chunked, 128, "cost-model">
//
//===----------------------------------------------------------------------===//

#include "dialect/SSDDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ssdc::ssd;

#include "dialect/SSDEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/SSDAttrs.cpp.inc"

void SSDDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/SSDAttrs.cpp.inc"
      >();
}

LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     ScheduleKind kind, int64_t chunkSize, StringRef) {
  if (kind == ScheduleKind::chunked && chunkSize <= 0)
    return emitError() << "chunked schedule needs a positive chunk size, got "
                       << chunkSize;
  if (kind != ScheduleKind::chunked && chunkSize != 0)
    return emitError() << stringifyScheduleKind(kind)
                       << " schedule takes no chunk size, got " << chunkSize;
  return success();
}

Attribute ScheduleAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<ScheduleKind> kind = symbolizeScheduleKind(keyword);
  if (!kind) {
    parser.emitError(loc) << "unknown schedule '" << keyword
                          << "', expected recurrent, quadratic or chunked";
    return {};
  }
  int64_t chunkSize = 0;
  std::string source;
  while (succeeded(parser.parseOptionalComma())) {
    if (succeeded(parser.parseOptionalString(&source)))
      continue;
    if (parser.parseInteger(chunkSize))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return ScheduleAttr::getChecked([&] { return parser.emitError(loc); },
                                  parser.getContext(), *kind, chunkSize,
                                  source);
}

void ScheduleAttr::print(AsmPrinter &printer) const {
  printer << '<' << stringifyScheduleKind(getKind());
  if (isChunked())
    printer << ", " << getChunkSize();
  if (!getSource().empty())
    printer << ", \"" << getSource() << '"';
  printer << '>';
}
