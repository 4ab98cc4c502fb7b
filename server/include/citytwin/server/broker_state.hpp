#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citytwin/context/context_documents.hpp"

namespace citytwin::store {
class Database;
}

namespace citytwin::server {

// What the broker keeps besides entities, per tenant: the tenants it has seen, its context documents
// (hosted and cached) and its subscriptions. One SQLite file beside the entity database, so a restart
// (or a SIGKILL) loses none of them. Thread-safe.
class BrokerState {
 public:
  explicit BrokerState(const std::filesystem::path& path);
  ~BrokerState();

  std::vector<std::string> tenants();
  void addTenant(const std::string& tenant);

  std::vector<context::ContextDocument> contexts(const std::string& tenant);
  void putContext(const std::string& tenant, const context::ContextDocument& document);
  void eraseContext(const std::string& tenant, const std::string& url);

  // Subscriptions as their JSON documents (id -> document), with their delivery status.
  std::vector<nlohmann::json> subscriptions(const std::string& tenant);
  void putSubscription(const std::string& tenant, const std::string& id, const nlohmann::json& document);
  void eraseSubscription(const std::string& tenant, const std::string& id);

 private:
  std::mutex mutex_;
  std::unique_ptr<store::Database> database_;
};

}  // namespace citytwin::server
