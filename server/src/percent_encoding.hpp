#pragma once

// Percent-encoding of a URI component (RFC 3986 §2.1): the unreserved characters stay, every other byte is
// written %XX. One encoder for the service's query strings, links and entity ids in paths.

#include <string>
#include <string_view>

namespace citytwin::server {

std::string percentEncode(std::string_view text);

}  // namespace citytwin::server
