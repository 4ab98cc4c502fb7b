#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::context {

// Where a JSON-LD context document came from: posted to the broker (Hosted) or fetched or preloaded for a
// remote URL (Cached), as the NGSI-LD /jsonldContexts API names them.
enum class ContextDocumentKind { Hosted, Cached };
std::string_view toString(ContextDocumentKind kind);

struct ContextDocument {
  std::string url;      // the URL requests name it by
  std::string localId;  // the id under /ngsi-ld/v1/jsonldContexts/
  ContextDocumentKind kind = ContextDocumentKind::Cached;
  nlohmann::json document;  // the whole document: {"@context": ...}
  std::string createdAt;    // ISO 8601 UTC
};

// Fetches the document at a remote URL; throws ContextError(ContextNotAvailable) when it cannot be had.
using ContextFetcher = std::function<nlohmann::json(const std::string& url)>;

// The context documents a broker knows beyond the built-in ones: hosted, cached from a fetch, or preloaded
// from a folder. Thread-safe. A URL it does not hold is fetched once with the fetcher (none: unavailable)
// and kept; `onChange` lets the owner persist every addition and removal.
class ContextDocuments {
 public:
  explicit ContextDocuments(ContextFetcher fetcher = {});

  // The @context value of the document for url; fetches and caches it when it is not held.
  nlohmann::json contextValue(const std::string& url);
  // Adds or replaces a document (no onChange call when `notify` is false: loading what was persisted).
  void put(ContextDocument document, bool notify = true);
  std::optional<ContextDocument> find(const std::string& urlOrLocalId) const;
  bool holds(const std::string& url) const;
  std::vector<ContextDocument> list() const;
  bool erase(const std::string& urlOrLocalId);
  // Changes whenever the set of documents changes, so resolved contexts can be cached safely.
  std::uint64_t generation() const;
  // Called after a document is added (document set) or removed (document null) by put/erase/a fetch.
  void onChange(std::function<void(const std::string& url, const ContextDocument* document)> hook);

  // Reads a folder holding index.json ({"<url>": "<file name>", ...}) and the files it names; every
  // document becomes Cached. Throws Error naming the file and what is wrong with it.
  void preloadFolder(const std::string& folder);

 private:
  std::map<std::string, ContextDocument>::const_iterator locate(const std::string& urlOrLocalId) const;
  mutable std::mutex mutex_;
  std::map<std::string, ContextDocument> documents_;  // by URL
  ContextFetcher fetcher_;
  std::uint64_t generation_ = 1;
  std::function<void(const std::string&, const ContextDocument*)> onChange_;
};

// A JSON-LD context document is an object with an @context member that is a URL, an object or an array.
// Throws ContextError(BadRequestData) naming what is wrong.
void validateContextDocument(const nlohmann::json& document);

}  // namespace citytwin::context
