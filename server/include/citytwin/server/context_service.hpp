#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "citytwin/city/city_model.hpp"
#include "citytwin/context/entity_repository.hpp"
#include "citytwin/server/context_fetcher.hpp"
#include "citytwin/server/whatif_jobs.hpp"

namespace citytwin::server {

struct ServiceOptions {
  std::string bindAddress = "127.0.0.1";
  int port = 1026;                        // 0: any free port (see ContextService::port())
  std::string token;                      // non-empty: every request needs "Authorization: Bearer <token>"
  // Tokens bound to one tenant (token -> NGSILD-Tenant, "" for the default tenant): a request with one of
  // them is let through only for that tenant (403 otherwise). With any, every request needs a token.
  std::map<std::string, std::string> tenantTokens;
  std::filesystem::path databasePath;     // SQLite file of the entities and their history
  // Instead of the SQLite file: a PostgreSQL/PostGIS database (postgresql://host/db, postgresql:///db?host=/dir),
  // which several services can share.
  std::string storeUrl;
  bool synchronousFull = true;            // see context::SqliteRepositoryOptions
  std::size_t maxBodyBytes = 32u << 20;   // larger bodies answer 413
  std::size_t maxBatchEntities = 10000;   // larger batches answer 400 BadRequestData
  std::size_t maxResults = 1000;          // largest accepted limit=; more answers 403 TooManyResults
  std::size_t defaultLimit = 20;
  std::size_t threads = 8;                // HTTP worker threads
  // Optional: a JSON summary served at GET /citytwin/v1/state (the live city model's mapped values).
  std::function<nlohmann::json()> stateSummary;
  // Optional: the served city, published as OGC API - Features under /ogcapi (server/README.md) with the
  // live values of stateSummary merged into the features' properties.
  std::shared_ptr<const city::CityModel> city;
  // Optional: runs POST /citytwin/v1/whatif scenarios on this city from the live state the store holds
  // (without it those routes answer 404). The scenario body is limited to maxScenarioBytes (413 above it).
  std::optional<WhatIfSettings> whatIf;
  std::size_t maxScenarioBytes = 256u << 10;
  std::size_t maxWaitingWhatIfs = 4;
  // Remote @context documents: what may be fetched, and folders of preloaded ones (index.json + files).
  ContextFetchPolicy contextFetch;
  std::vector<std::string> contextCacheFolders;
};

class BrokerState;
class TenantRegistry;

// The NGSI-LD service (ETSI GS CIM 009 subset): entities, attributes, queries (type, id, idPattern, q,
// geo-queries), batch operations, a notification receiver and the temporal API, over cpp-httplib; plus the
// twin's own routes under /citytwin/v1 (health, live state, what-ifs).
class ContextService {
 public:
  explicit ContextService(ServiceOptions options);
  ~ContextService();
  ContextService(const ContextService&) = delete;
  ContextService& operator=(const ContextService&) = delete;

  // Binds and starts serving on a background thread; returns the port. Throws Error when it cannot bind.
  int start();
  // Blocks until stop() is called (from another thread or a signal handler thread).
  void wait();
  void stop();
  int port() const { return port_; }
  // The default tenant's store. Its change listener is the service's (subscriptions): follow commits
  // with setChangeListener, not with the store's own.
  context::EntityRepository& store() { return *store_; }
  // Called after each commit of the default tenant with the changed entities. Set before start().
  void setChangeListener(context::ChangeListener listener);

 private:
  struct Routes;
  void openTenants();
  ServiceOptions options_;
  std::unique_ptr<context::EntityRepository> store_;
  std::unique_ptr<BrokerState> brokerState_;
  std::unique_ptr<TenantRegistry> tenants_;
  context::ChangeListener changeListener_;
  std::unique_ptr<WhatIfJobs> whatIfs_;
  std::unique_ptr<Routes> routes_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace citytwin::server
