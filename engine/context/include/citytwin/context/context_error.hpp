#pragma once

#include <string>
#include <string_view>

#include "citytwin/core/error.hpp"

namespace citytwin::context {

// What went wrong with entities, their codec or their queries, in the engine's terms. A server maps each
// kind to its protocol (the NGSI-LD API: HTTP status and problem type).
enum class ErrorKind {
  BadRequestData,         // well-formed input with wrong content (a malformed entity, q, geo-query, ...)
  AlreadyExists,          // creating an entity whose id is taken
  NotFound,               // no such entity or attribute
  OperationNotSupported,  // a valid request this engine does not implement
  TooComplexQuery,        // a query over the engine's limits (length, nesting)
  TooManyResults,         // a page larger than allowed
  ContextNotAvailable,    // a JSON-LD @context that is not built in (remote contexts are never fetched)
  Unavailable,            // busy or stopping: the same request may succeed later
  Internal,               // storage failed: nothing of the request was kept
};

// The NGSI-LD name of the kind ("BadRequestData", "ResourceNotFound", ...), as messages show it.
std::string_view kindName(ErrorKind kind);

class ContextError : public Error {
 public:
  ContextError(ErrorKind kind, std::string detail);
  ErrorKind kind() const noexcept { return kind_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorKind kind_;
  std::string detail_;
};

}  // namespace citytwin::context
