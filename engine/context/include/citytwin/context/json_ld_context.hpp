#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

namespace citytwin::context {

class ContextDocuments;

// The URL of the NGSI-LD core @context; always part of every active context.
inline constexpr std::string_view kCoreContextUrl = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld";

// An active JSON-LD context reduced to what NGSI-LD needs: term <-> IRI maps for entity types and attribute
// names. Built from the core context, the built-in Smart Data Models contexts (never fetched), and inline
// term definitions; the core terms win, as the core context is protected.
class JsonLdContext {
 public:
  // The full IRI of a term: a defined term, a compact IRI (prefix:suffix), an absolute IRI, or the core
  // default vocabulary + term.
  std::string expand(std::string_view term) const;
  // The shortest term that expands to iri under this context, else iri itself.
  std::string compact(std::string_view iri) const;
  // The @context value to echo in responses (a URL or array of URLs/objects).
  const nlohmann::json& value() const { return value_; }
  // The single context URL for a Link header, or empty when the context is not one URL.
  std::string linkUrl() const;

 private:
  friend class ContextBuilder;
  std::unordered_map<std::string, std::string> termToIri_;
  std::unordered_map<std::string, std::string> iriToTerm_;
  std::string vocabulary_;
  nlohmann::json value_;
};

// The core context alone (application/json requests without a Link header).
std::shared_ptr<const JsonLdContext> coreContext();
// Resolves an @context value (URL string, inline object, or array of both). Results are cached.
// Throws ContextError: LdContextNotAvailable for URLs that are not built in, BadRequestData for malformed values.
std::shared_ptr<const JsonLdContext> resolveContext(const nlohmann::json& contextValue);
// The same, with documents (hosted, cached or fetched on demand) for URLs that are not built in.
std::shared_ptr<const JsonLdContext> resolveContext(const nlohmann::json& contextValue, ContextDocuments* documents);
// The context named by an HTTP Link header (rel="http://www.w3.org/ns/json-ld#context"); empty header -> core.
std::shared_ptr<const JsonLdContext> contextFromLinkHeader(std::string_view header);
std::shared_ptr<const JsonLdContext> contextFromLinkHeader(std::string_view header, ContextDocuments* documents);
// True for the URLs resolveContext knows without a network.
bool isBuiltinContextUrl(std::string_view url);

}  // namespace citytwin::context
