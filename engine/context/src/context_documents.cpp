#include "citytwin/context/context_documents.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "citytwin/context/context_error.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::context {

namespace {

// A stable short id for a URL (FNV-1a, 64 bits, hex): the same URL keeps its id across restarts.
std::string localIdFor(std::string_view url) {
  std::uint64_t hash = 1469598103934665603ull;
  for (const char c : url) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::string nowText() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return formatDateTime(now.count());
}

}  // namespace

std::string_view toString(ContextDocumentKind kind) {
  return kind == ContextDocumentKind::Hosted ? "Hosted" : "Cached";
}

void validateContextDocument(const nlohmann::json& document) {
  if (!document.is_object())
    throw ContextError(ErrorKind::BadRequestData, "a JSON-LD context document must be a JSON object");
  if (!document.contains("@context"))
    throw ContextError(ErrorKind::BadRequestData, "the document has no @context member");
  const auto& value = document["@context"];
  if (!value.is_string() && !value.is_object() && !value.is_array()) {
    throw ContextError(ErrorKind::BadRequestData, "@context must be a URL, an object or an array");
  }
}

ContextDocuments::ContextDocuments(ContextFetcher fetcher) : fetcher_(std::move(fetcher)) {}

nlohmann::json ContextDocuments::contextValue(const std::string& url) {
  {
    std::lock_guard lock(mutex_);
    const auto found = documents_.find(url);
    if (found != documents_.end()) return found->second.document["@context"];
  }
  if (!fetcher_) {
    throw ContextError(ErrorKind::ContextNotAvailable,
                       "@context '" + url + "' is not built in, hosted or cached");
  }
  // Fetched outside the lock: a slow server delays only the requests that need its document.
  nlohmann::json document = fetcher_(url);
  try {
    validateContextDocument(document);
  } catch (const ContextError& e) {
    throw ContextError(ErrorKind::ContextNotAvailable,
                       "@context '" + url + "' is not a usable document: " + e.detail());
  }
  ContextDocument cached{url, localIdFor(url), ContextDocumentKind::Cached, document, nowText()};
  put(cached);
  return document["@context"];
}

void ContextDocuments::put(ContextDocument document, bool notify) {
  if (document.localId.empty()) document.localId = localIdFor(document.url);
  if (document.createdAt.empty()) document.createdAt = nowText();
  std::function<void(const std::string&, const ContextDocument*)> hook;
  {
    std::lock_guard lock(mutex_);
    documents_[document.url] = document;
    ++generation_;
    if (notify) hook = onChange_;
  }
  if (hook) hook(document.url, &document);
}

std::map<std::string, ContextDocument>::const_iterator ContextDocuments::locate(
    const std::string& urlOrLocalId) const {
  const auto found = documents_.find(urlOrLocalId);
  if (found != documents_.end()) return found;
  for (auto it = documents_.begin(); it != documents_.end(); ++it) {
    if (it->second.localId == urlOrLocalId) return it;
  }
  return documents_.end();
}

std::optional<ContextDocument> ContextDocuments::find(const std::string& urlOrLocalId) const {
  std::lock_guard lock(mutex_);
  const auto found = locate(urlOrLocalId);
  if (found == documents_.end()) return std::nullopt;
  return found->second;
}

bool ContextDocuments::holds(const std::string& url) const {
  std::lock_guard lock(mutex_);
  return documents_.count(url) != 0;
}

std::vector<ContextDocument> ContextDocuments::list() const {
  std::lock_guard lock(mutex_);
  std::vector<ContextDocument> out;
  for (const auto& [url, document] : documents_) out.push_back(document);
  return out;
}

bool ContextDocuments::erase(const std::string& urlOrLocalId) {
  std::string url;
  std::function<void(const std::string&, const ContextDocument*)> hook;
  {
    std::lock_guard lock(mutex_);
    const auto found = locate(urlOrLocalId);
    if (found == documents_.end()) return false;
    url = found->first;
    documents_.erase(found);
    ++generation_;
    hook = onChange_;
  }
  if (hook) hook(url, nullptr);
  return true;
}

std::uint64_t ContextDocuments::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void ContextDocuments::onChange(std::function<void(const std::string&, const ContextDocument*)> hook) {
  std::lock_guard lock(mutex_);
  onChange_ = std::move(hook);
}

void ContextDocuments::preloadFolder(const std::string& folder) {
  const std::filesystem::path root(folder);
  const auto readJson = [](const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw Error(path.string() + ": cannot be read");
    try {
      return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw Error(path.string() + ": not valid JSON: " + e.what());
    }
  };
  const auto indexPath = root / "index.json";
  const nlohmann::json index = readJson(indexPath);
  if (!index.is_object())
    throw Error(indexPath.string() + ": must be an object {\"<url>\": \"<file name>\", ...}");
  for (const auto& [url, file] : index.items()) {
    if (!file.is_string())
      throw Error(indexPath.string() + ": the entry for '" + url + "' must be a file name");
    const auto path = root / file.get<std::string>();
    nlohmann::json document = readJson(path);
    try {
      validateContextDocument(document);
    } catch (const ContextError& e) {
      throw Error(path.string() + ": " + e.detail());
    }
    put(ContextDocument{url, localIdFor(url), ContextDocumentKind::Cached, std::move(document), nowText()},
        false);
  }
}

}  // namespace citytwin::context
