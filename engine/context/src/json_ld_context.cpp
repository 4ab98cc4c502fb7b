#include "citytwin/context/json_ld_context.hpp"

#include <cctype>
#include <cstdint>
#include <mutex>
#include <vector>

#include "builtin_contexts.hpp"
#include "citytwin/context/context_documents.hpp"
#include "citytwin/context/context_error.hpp"

namespace citytwin::context {

namespace {

// The core context's published names: ngsi-ld-core-context.jsonld and ngsi-ld-core-context-v<version>.jsonld
// (v1.3, v1.8, ...). Anything else under that prefix is not the core context.
bool isCoreContextUrl(std::string_view url) {
  constexpr std::string_view prefix = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context";
  if (!url.starts_with(prefix) || !url.ends_with(".jsonld")) return false;
  std::string_view version =
      url.substr(prefix.size(), url.size() - prefix.size() - std::string_view(".jsonld").size());
  if (version.empty()) return true;
  if (!version.starts_with("-v") || version.size() < 3) return false;
  version.remove_prefix(2);
  return version.find_first_not_of("0123456789.") == std::string_view::npos &&
         std::isdigit(static_cast<unsigned char>(version[0]));
}

// The Smart Data Models domain named by a context URL: ".../dataModel.Transportation/master/context.jsonld"
// or "https://smart-data-models.github.io/dataModel.Weather/context.jsonld" -> "Transportation", "Weather".
// "*" for the general SDM context, which covers every domain.
std::string smartDataModelDomain(std::string_view url) {
  if (url == "https://smartdatamodels.org/context.jsonld" ||
      url == "https://raw.githubusercontent.com/smart-data-models/data-models/master/context.jsonld") {
    return "*";
  }
  const bool knownHost = url.starts_with("https://raw.githubusercontent.com/smart-data-models/") ||
                         url.starts_with("https://smart-data-models.github.io/");
  if (!knownHost || !url.ends_with("/context.jsonld")) return {};
  const auto start = url.find("dataModel.");
  if (start == std::string_view::npos) return {};
  const auto nameStart = start + std::string_view("dataModel.").size();
  const auto end = url.find('/', nameStart);
  if (end == std::string_view::npos) return {};
  return std::string(url.substr(nameStart, end - nameStart));
}

bool isAbsoluteIri(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  return text.substr(colon).starts_with("://") || text.starts_with("urn:");
}

}  // namespace

class ContextBuilder {
 public:
  explicit ContextBuilder(ContextDocuments* documents = nullptr) : documents_(documents) {
    context_ = std::make_shared<JsonLdContext>();
  }

  void addTerm(std::string_view term, std::string iri) {
    context_->termToIri_[std::string(term)] = std::move(iri);
  }

  void addUrl(const std::string& url) {
    if (isCoreContextUrl(url)) return;  // always present
    // A document the broker holds for the URL (hosted, cached, preloaded) wins over the built-in copy,
    // which may be an older version of it.
    if (documents_ != nullptr && documents_->holds(url)) {
      addDocument(url);
      return;
    }
    const std::string domain = smartDataModelDomain(url);
    bool found = false;
    for (const auto& builtin : detail::smartDataModelContexts()) {
      if (domain == "*" || builtin.domain == domain) {
        for (const auto& term : builtin.terms) addTerm(term.term, std::string(term.iri));
        found = true;
      }
    }
    if (found) return;
    if (documents_ == nullptr) {
      throw ContextError(ErrorKind::ContextNotAvailable,
                         "@context '" + url + "' is not built in and remote contexts are not fetched here");
    }
    addDocument(url);
  }

  void addDocument(const std::string& url) {
    // A document may name further URLs (a compound context). Bounds on depth and on the number of
    // documents read keep a hostile or cyclic document from costing more than a few lookups.
    if (depth_ >= kMaxDocumentDepth) {
      throw ContextError(ErrorKind::ContextNotAvailable, "@context '" + url + "' nests documents too deeply");
    }
    if (++documentsRead_ > kMaxDocuments) {
      throw ContextError(ErrorKind::ContextNotAvailable, "@context '" + url + "' names more than " +
                                                             std::to_string(kMaxDocuments) + " documents");
    }
    const nlohmann::json value = documents_->contextValue(url);
    ++depth_;
    add(value);
    --depth_;
  }

  void addInline(const nlohmann::json& object) {
    for (const auto& [term, definition] : object.items()) {
      if (term == "@vocab") {
        if (!definition.is_string()) throw ContextError(ErrorKind::BadRequestData, "@vocab must be a string");
        context_->vocabulary_ = definition.get<std::string>();
        continue;
      }
      if (term.starts_with("@")) continue;  // @version, @protected, ...
      if (definition.is_string()) {
        addTerm(term, definition.get<std::string>());
      } else if (definition.is_object() && definition.contains("@id") && definition["@id"].is_string()) {
        addTerm(term, definition["@id"].get<std::string>());
      } else if (!definition.is_null() && !definition.is_object()) {
        throw ContextError(ErrorKind::BadRequestData,
                           "@context term '" + term + "' has an invalid definition");
      }
    }
  }

  void add(const nlohmann::json& value) {
    if (value.is_string()) {
      addUrl(value.get<std::string>());
    } else if (value.is_object()) {
      addInline(value);
    } else if (value.is_array()) {
      for (const auto& element : value) {
        if (element.is_array()) throw ContextError(ErrorKind::BadRequestData, "@context arrays cannot nest");
        add(element);
      }
    } else {
      throw ContextError(ErrorKind::BadRequestData, "@context must be a URL, an object or an array");
    }
  }

  std::shared_ptr<const JsonLdContext> finish(nlohmann::json value) {
    // Terms defined as prefix:suffix expand through the prefixes of the same context.
    for (auto& [term, iri] : context_->termToIri_) {
      const auto colon = iri.find(':');
      if (colon != std::string::npos && !isAbsoluteIri(iri)) {
        const auto prefix = context_->termToIri_.find(iri.substr(0, colon));
        if (prefix != context_->termToIri_.end() && isAbsoluteIri(prefix->second)) {
          iri = prefix->second + iri.substr(colon + 1);
        }
      }
    }
    for (const auto& term : detail::coreContextTerms()) addTerm(term.term, std::string(term.iri));
    if (context_->vocabulary_.empty()) context_->vocabulary_ = std::string(detail::coreDefaultVocabulary());
    for (const auto& [term, iri] : context_->termToIri_) {
      auto [it, inserted] = context_->iriToTerm_.emplace(iri, term);
      if (!inserted && term.size() < it->second.size()) it->second = term;
    }
    context_->value_ = std::move(value);
    return context_;
  }

 private:
  static constexpr int kMaxDocumentDepth = 8;
  static constexpr int kMaxDocuments = 32;
  int documentsRead_ = 0;
  std::shared_ptr<JsonLdContext> context_;
  ContextDocuments* documents_;
  int depth_ = 0;
};

std::string JsonLdContext::expand(std::string_view term) const {
  const auto found = termToIri_.find(std::string(term));
  if (found != termToIri_.end()) return found->second;
  if (isAbsoluteIri(term)) return std::string(term);
  const auto colon = term.find(':');
  if (colon != std::string_view::npos) {
    const auto prefix = termToIri_.find(std::string(term.substr(0, colon)));
    if (prefix != termToIri_.end()) return prefix->second + std::string(term.substr(colon + 1));
  }
  return vocabulary_ + std::string(term);
}

std::string JsonLdContext::compact(std::string_view iri) const {
  const auto found = iriToTerm_.find(std::string(iri));
  if (found != iriToTerm_.end()) return found->second;
  if (iri.starts_with(vocabulary_) && iri.size() > vocabulary_.size()) {
    const std::string term(iri.substr(vocabulary_.size()));
    // Only when the short form would expand back to the same IRI.
    if (termToIri_.find(term) == termToIri_.end() && term.find(':') == std::string::npos) return term;
  }
  return std::string(iri);
}

std::string JsonLdContext::linkUrl() const {
  if (value_.is_string()) return value_.get<std::string>();
  if (value_.is_array() && value_.size() == 1 && value_[0].is_string()) return value_[0].get<std::string>();
  return {};
}

std::shared_ptr<const JsonLdContext> coreContext() {
  static const std::shared_ptr<const JsonLdContext> core =
      ContextBuilder().finish(std::string(kCoreContextUrl));
  return core;
}

bool isBuiltinContextUrl(std::string_view url) {
  return isCoreContextUrl(url) || !smartDataModelDomain(url).empty();
}

std::shared_ptr<const JsonLdContext> resolveContext(const nlohmann::json& contextValue) {
  return resolveContext(contextValue, nullptr);
}

std::shared_ptr<const JsonLdContext> resolveContext(const nlohmann::json& contextValue,
                                                    ContextDocuments* documents) {
  static std::mutex cacheMutex;
  static std::unordered_map<std::string, std::shared_ptr<const JsonLdContext>> cache;
  if (contextValue.is_null()) return coreContext();
  // Resolutions through a document set are cached per set and per version of it.
  std::string key = contextValue.dump();
  if (documents != nullptr) {
    key += '\n' + std::to_string(reinterpret_cast<std::uintptr_t>(documents)) + ':' +
           std::to_string(documents->generation());
  }
  {
    std::lock_guard lock(cacheMutex);
    const auto found = cache.find(key);
    if (found != cache.end()) return found->second;
  }
  ContextBuilder builder(documents);
  builder.add(contextValue);
  auto context = builder.finish(contextValue);
  std::lock_guard lock(cacheMutex);
  if (cache.size() > 512) cache.clear();  // bounded: inline contexts could otherwise grow it without limit
  cache.emplace(key, context);
  return context;
}

std::shared_ptr<const JsonLdContext> contextFromLinkHeader(std::string_view header) {
  return contextFromLinkHeader(header, nullptr);
}

std::shared_ptr<const JsonLdContext> contextFromLinkHeader(std::string_view header,
                                                           ContextDocuments* documents) {
  if (header.empty()) return coreContext();
  const auto open = header.find('<');
  const auto close = header.find('>', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) {
    throw ContextError(ErrorKind::BadRequestData,
                       "Link header must be <URL>; rel=\"http://www.w3.org/ns/json-ld#context\"");
  }
  if (header.find("json-ld#context") == std::string_view::npos) {
    throw ContextError(ErrorKind::BadRequestData,
                       "Link header lacks rel=\"http://www.w3.org/ns/json-ld#context\"");
  }
  return resolveContext(std::string(header.substr(open + 1, close - open - 1)), documents);
}

}  // namespace citytwin::context
