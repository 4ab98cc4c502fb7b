#include "citytwin/server/context_fetcher.hpp"

#include <httplib.h>

#include <algorithm>

#include "citytwin/context/context_error.hpp"

namespace citytwin::server {

namespace {

using context::ContextError;
using context::ErrorKind;

struct ParsedUrl {
  std::string scheme, host, path;
  int port = 0;
};

std::optional<ParsedUrl> parseUrl(const std::string& url) {
  ParsedUrl parsed;
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string::npos) return std::nullopt;
  parsed.scheme = url.substr(0, schemeEnd);
  if (parsed.scheme != "http" && parsed.scheme != "https") return std::nullopt;
  const auto hostStart = schemeEnd + 3;
  const auto pathStart = url.find('/', hostStart);
  const std::string authority =
      url.substr(hostStart, pathStart == std::string::npos ? std::string::npos : pathStart - hostStart);
  parsed.path = pathStart == std::string::npos ? "/" : url.substr(pathStart);
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    parsed.host = authority.substr(0, colon);
    try {
      parsed.port = std::stoi(authority.substr(colon + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  } else {
    parsed.host = authority;
    parsed.port = parsed.scheme == "https" ? 443 : 80;
  }
  return parsed;
}

bool hostMatches(const std::string& pattern, const ParsedUrl& url) {
  const std::string withPort = url.host + ":" + std::to_string(url.port);
  if (pattern == url.host || pattern == withPort) return true;
  if (pattern.starts_with("*.")) {
    const std::string suffix = pattern.substr(1);
    return url.host.size() > suffix.size() && url.host.ends_with(suffix);
  }
  return false;
}

[[noreturn]] void unavailable(const std::string& url, const std::string& why) {
  throw ContextError(ErrorKind::ContextNotAvailable, "@context '" + url + "' cannot be fetched: " + why);
}

}  // namespace

bool fetchAllowed(const ContextFetchPolicy& policy, const std::string& url) {
  if (policy.offline) return false;
  const auto parsed = parseUrl(url);
  if (!parsed) return false;
  const auto matches = [&](const std::string& pattern) { return hostMatches(pattern, *parsed); };
  if (std::any_of(policy.deny.begin(), policy.deny.end(), matches)) return false;
  return policy.allow.empty() || std::any_of(policy.allow.begin(), policy.allow.end(), matches);
}

context::ContextFetcher makeContextFetcher(ContextFetchPolicy policy) {
  return [policy](const std::string& requested) -> nlohmann::json {
    std::string url = requested;
    for (int redirects = 0; redirects <= 3; ++redirects) {
      if (policy.offline) unavailable(url, "the service runs --offline");
      if (!fetchAllowed(policy, url)) unavailable(url, "the host is not on the allow list or is denied");
      const auto parsed = parseUrl(url);
      // The universal client speaks https too: this file is built with the OpenSSL support that Debian's
      // libcpp-httplib was compiled with (server/CMakeLists.txt).
      httplib::Client client(parsed->scheme + "://" + parsed->host + ":" + std::to_string(parsed->port));
      client.enable_server_certificate_verification(true);
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(policy.timeout);
      const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(policy.timeout - seconds);
      client.set_connection_timeout(static_cast<time_t>(seconds.count()),
                                    static_cast<time_t>(micros.count()));
      client.set_read_timeout(static_cast<time_t>(seconds.count()), static_cast<time_t>(micros.count()));
      client.set_write_timeout(static_cast<time_t>(seconds.count()), static_cast<time_t>(micros.count()));
      std::string body;
      bool tooLarge = false;
      const auto result =
          client.Get(parsed->path, httplib::Headers{{"Accept", "application/ld+json, application/json"}},
                     [&](const char* data, std::size_t length) {
                       if (body.size() + length > policy.maxBytes) {
                         tooLarge = true;
                         return false;
                       }
                       body.append(data, length);
                       return true;
                     });
      if (tooLarge) unavailable(url, "larger than " + std::to_string(policy.maxBytes) + " bytes");
      if (!result) unavailable(url, "no answer (" + httplib::to_string(result.error()) + ")");
      if (result->status >= 300 && result->status < 400 && result->has_header("Location")) {
        url = result->get_header_value("Location");
        continue;
      }
      if (result->status != 200) unavailable(url, "HTTP status " + std::to_string(result->status));
      try {
        return nlohmann::json::parse(body);
      } catch (const nlohmann::json::exception&) {
        unavailable(url, "the answer is not JSON");
      }
    }
    unavailable(requested, "too many redirects");
  };
}

}  // namespace citytwin::server
