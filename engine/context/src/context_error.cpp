#include "citytwin/context/context_error.hpp"

namespace citytwin::context {

std::string_view kindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::BadRequestData: return "BadRequestData";
    case ErrorKind::AlreadyExists: return "AlreadyExists";
    case ErrorKind::NotFound: return "ResourceNotFound";
    case ErrorKind::OperationNotSupported: return "OperationNotSupported";
    case ErrorKind::TooComplexQuery: return "TooComplexQuery";
    case ErrorKind::TooManyResults: return "TooManyResults";
    case ErrorKind::ContextNotAvailable: return "LdContextNotAvailable";
    case ErrorKind::Unavailable: return "ServiceUnavailable";
    case ErrorKind::Internal: return "InternalError";
  }
  return "InternalError";
}

ContextError::ContextError(ErrorKind kind, std::string detail)
    : Error(std::string(kindName(kind)) + ": " + detail), kind_(kind), detail_(std::move(detail)) {}

}  // namespace citytwin::context
