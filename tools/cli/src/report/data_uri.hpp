#pragma once

#include <string>
#include <string_view>

namespace citytwin::cli::report {

// Standard base64 (RFC 4648, with padding) of any bytes.
std::string base64(std::string_view bytes);
// "data:<mime>;base64,<...>": an image that travels inside the HTML page that shows it.
std::string dataUri(std::string_view mime, std::string_view bytes);

}  // namespace citytwin::cli::report
