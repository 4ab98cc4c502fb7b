#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "citytwin/context/context_documents.hpp"
#include "citytwin/context/entity_repository.hpp"

namespace citytwin::server {

class BrokerState;
class Subscriptions;

// One NGSILD-Tenant: its own entities and history, context documents and subscriptions. The default
// tenant (no header, name "") uses the service's main store.
struct Tenant {
  std::string name;
  context::EntityRepository* store = nullptr;
  std::unique_ptr<context::EntityRepository> ownedStore;
  std::unique_ptr<context::ContextDocuments> contexts;
  std::unique_ptr<Subscriptions> subscriptions;
  ~Tenant();
};

struct TenantSettings {
  // Opens (creating when needed) the entity store of a named tenant.
  std::function<std::unique_ptr<context::EntityRepository>(const std::string& tenant)> openStore;
  context::ContextFetcher fetcher;          // remote @context documents (empty: none fetched)
  std::vector<std::string> contextFolders;  // preloaded into every tenant (index.json + files)
  // Called once per tenant after it is set up (subscriptions, change listeners).
  std::function<void(Tenant&)> onOpen;
};

// The tenants of a service: known ones are reopened at start; a write names a new one into being, a read
// of an unknown one is 404 (GS CIM 009 clause 4.14). Thread-safe; tenants live as long as the registry.
class TenantRegistry {
 public:
  TenantRegistry(context::EntityRepository& defaultStore, BrokerState& state, TenantSettings settings);
  ~TenantRegistry();

  // The tenant named by an NGSILD-Tenant header value ("" = default). Throws NgsiError: 400 for an
  // invalid name, 404 for an unknown one when create is false.
  Tenant& get(const std::string& name, bool create);
  std::vector<Tenant*> all();

 private:
  Tenant& open(const std::string& name);
  std::mutex mutex_;
  context::EntityRepository& defaultStore_;
  BrokerState& state_;
  TenantSettings settings_;
  std::map<std::string, std::unique_ptr<Tenant>> tenants_;
};

}  // namespace citytwin::server
