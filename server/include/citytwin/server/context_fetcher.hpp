#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "citytwin/context/context_documents.hpp"

namespace citytwin::server {

// What the broker may fetch when a request names a @context URL it does not hold.
struct ContextFetchPolicy {
  bool offline = false;            // never fetch: unknown URLs answer 503 LdContextNotAvailable
  std::vector<std::string> allow;  // hosts ("example.org", "*.example.org", "127.0.0.1:8080"); empty: any
  std::vector<std::string> deny;   // hosts never fetched from (wins over allow)
  std::size_t maxBytes = 1u << 20;
  std::chrono::milliseconds timeout{5000};
};

// True when policy lets the broker fetch url (scheme http or https, host allowed and not denied).
bool fetchAllowed(const ContextFetchPolicy& policy, const std::string& url);

// A fetcher for context::ContextDocuments: GET url (following up to 3 redirects) within the policy's
// bounds; anything else (refused host, timeout, status other than 200, too large, not JSON) throws
// ContextError(ContextNotAvailable) saying why.
context::ContextFetcher makeContextFetcher(ContextFetchPolicy policy);

}  // namespace citytwin::server
