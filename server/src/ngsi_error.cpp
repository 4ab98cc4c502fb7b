#include "citytwin/server/ngsi_error.hpp"

namespace citytwin::server {

int httpStatus(NgsiErrorType type) {
  switch (type) {
    case NgsiErrorType::InvalidRequest:
    case NgsiErrorType::BadRequestData: return 400;
    case NgsiErrorType::AlreadyExists: return 409;
    case NgsiErrorType::OperationNotSupported: return 422;
    case NgsiErrorType::ResourceNotFound: return 404;
    case NgsiErrorType::InternalError: return 500;
    case NgsiErrorType::TooComplexQuery:
    case NgsiErrorType::TooManyResults: return 403;
    case NgsiErrorType::LdContextNotAvailable: return 503;
    case NgsiErrorType::Unauthorized: return 401;
    case NgsiErrorType::Forbidden: return 403;
    case NgsiErrorType::PayloadTooLarge: return 413;
    case NgsiErrorType::UnsupportedMediaType: return 415;
    case NgsiErrorType::NotAcceptable: return 406;
    case NgsiErrorType::ServiceUnavailable: return 503;
  }
  return 500;
}

std::string_view title(NgsiErrorType type) {
  switch (type) {
    case NgsiErrorType::InvalidRequest: return "InvalidRequest";
    case NgsiErrorType::BadRequestData: return "BadRequestData";
    case NgsiErrorType::AlreadyExists: return "AlreadyExists";
    case NgsiErrorType::OperationNotSupported: return "OperationNotSupported";
    case NgsiErrorType::ResourceNotFound: return "ResourceNotFound";
    case NgsiErrorType::InternalError: return "InternalError";
    case NgsiErrorType::TooComplexQuery: return "TooComplexQuery";
    case NgsiErrorType::TooManyResults: return "TooManyResults";
    case NgsiErrorType::LdContextNotAvailable: return "LdContextNotAvailable";
    case NgsiErrorType::Unauthorized: return "Unauthorized";
    case NgsiErrorType::Forbidden: return "Forbidden";
    case NgsiErrorType::PayloadTooLarge: return "PayloadTooLarge";
    case NgsiErrorType::UnsupportedMediaType: return "UnsupportedMediaType";
    case NgsiErrorType::NotAcceptable: return "NotAcceptable";
    case NgsiErrorType::ServiceUnavailable: return "ServiceUnavailable";
  }
  return "InternalError";
}

NgsiErrorType ngsiErrorType(context::ErrorKind kind) {
  switch (kind) {
    case context::ErrorKind::BadRequestData: return NgsiErrorType::BadRequestData;
    case context::ErrorKind::AlreadyExists: return NgsiErrorType::AlreadyExists;
    case context::ErrorKind::NotFound: return NgsiErrorType::ResourceNotFound;
    case context::ErrorKind::OperationNotSupported: return NgsiErrorType::OperationNotSupported;
    case context::ErrorKind::TooComplexQuery: return NgsiErrorType::TooComplexQuery;
    case context::ErrorKind::TooManyResults: return NgsiErrorType::TooManyResults;
    case context::ErrorKind::ContextNotAvailable: return NgsiErrorType::LdContextNotAvailable;
    case context::ErrorKind::Unavailable: return NgsiErrorType::ServiceUnavailable;
    case context::ErrorKind::Internal: return NgsiErrorType::InternalError;
  }
  return NgsiErrorType::InternalError;
}

std::string typeUri(NgsiErrorType type) {
  return "https://uri.etsi.org/ngsi-ld/errors/" + std::string(title(type));
}

NgsiError::NgsiError(NgsiErrorType type, std::string detail)
    : std::runtime_error(std::string(title(type)) + ": " + detail), type_(type), detail_(std::move(detail)) {}

NgsiError::NgsiError(const context::ContextError& error) : NgsiError(ngsiErrorType(error.kind()), error.detail()) {}

nlohmann::json NgsiError::problemDetails() const {
  return {{"type", typeUri(type_)}, {"title", std::string(title(type_))}, {"status", status()}, {"detail", detail_}};
}

}  // namespace citytwin::server
