#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "citytwin/context/context_error.hpp"

namespace citytwin::server {

// The error types of the NGSI-LD API (ETSI GS CIM 009, clause 5.5.2), each with its HTTP status.
enum class NgsiErrorType {
  InvalidRequest,         // 400: malformed request (e.g. not JSON)
  BadRequestData,         // 400: well-formed but wrong content
  AlreadyExists,          // 409
  OperationNotSupported,  // 422
  ResourceNotFound,       // 404
  InternalError,          // 500
  TooComplexQuery,        // 403
  TooManyResults,         // 403
  LdContextNotAvailable,  // 503: a @context we cannot resolve (we never fetch remote contexts)
  Unauthorized,           // 401: missing or wrong bearer token (not an NGSI-LD type; see typeUri)
  Forbidden,              // 403: a token bound to another tenant (not an NGSI-LD type)
  PayloadTooLarge,        // 413: body over the service's limit
  UnsupportedMediaType,   // 415
  NotAcceptable,          // 406
  ServiceUnavailable,     // 503: busy (e.g. too many what-ifs waiting), not an NGSI-LD type
};

int httpStatus(NgsiErrorType type);
// "https://uri.etsi.org/ngsi-ld/errors/BadRequestData" for the NGSI-LD types; HTTP-level failures that the
// specification leaves to HTTP (401, 406, 413, 415, 503 busy) use the same base with their own name.
std::string typeUri(NgsiErrorType type);
std::string_view title(NgsiErrorType type);
NgsiErrorType ngsiErrorType(context::ErrorKind kind);

// A failure to report to the client as ProblemDetails (RFC 7807) with an NGSI-LD error type.
class NgsiError : public std::runtime_error {
 public:
  NgsiError(NgsiErrorType type, std::string detail);
  // The engine's error as the API reports it: its kind's problem type, the same detail.
  explicit NgsiError(const context::ContextError& error);
  NgsiErrorType type() const noexcept { return type_; }
  const std::string& detail() const noexcept { return detail_; }
  int status() const { return httpStatus(type_); }
  nlohmann::json problemDetails() const;

 private:
  NgsiErrorType type_;
  std::string detail_;
};

}  // namespace citytwin::server
