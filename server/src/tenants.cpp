#include "citytwin/server/tenants.hpp"

#include <algorithm>

#include "citytwin/server/broker_state.hpp"
#include "citytwin/server/ngsi_error.hpp"
#include "citytwin/server/subscriptions.hpp"

namespace citytwin::server {

namespace {

bool isValidTenantName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

Tenant::~Tenant() = default;

TenantRegistry::TenantRegistry(context::EntityRepository& defaultStore, BrokerState& state,
                               TenantSettings settings)
    : defaultStore_(defaultStore), state_(state), settings_(std::move(settings)) {
  std::lock_guard lock(mutex_);
  open("");
  for (const auto& name : state_.tenants()) open(name);
}

TenantRegistry::~TenantRegistry() {
  // Delivery workers stop before the stores they read go away.
  for (auto& [name, tenant] : tenants_) tenant->subscriptions.reset();
}

Tenant& TenantRegistry::open(const std::string& name) {
  auto tenant = std::make_unique<Tenant>();
  tenant->name = name;
  if (name.empty()) {
    tenant->store = &defaultStore_;
  } else {
    tenant->ownedStore = settings_.openStore(name);
    tenant->store = tenant->ownedStore.get();
  }
  tenant->contexts = std::make_unique<context::ContextDocuments>(settings_.fetcher);
  for (const auto& folder : settings_.contextFolders) tenant->contexts->preloadFolder(folder);
  for (auto& document : state_.contexts(name)) tenant->contexts->put(std::move(document), false);
  BrokerState* state = &state_;
  tenant->contexts->onChange([state, name](const std::string& url, const context::ContextDocument* document) {
    if (document) {
      state->putContext(name, *document);
    } else {
      state->eraseContext(name, url);
    }
  });
  Tenant& opened = *tenant;
  tenants_[name] = std::move(tenant);
  if (settings_.onOpen) settings_.onOpen(opened);
  return opened;
}

Tenant& TenantRegistry::get(const std::string& name, bool create) {
  if (!name.empty() && !isValidTenantName(name)) {
    throw NgsiError(
        NgsiErrorType::BadRequestData,
        "NGSILD-Tenant '" + name + "' is not a valid tenant name (letters, digits, _ and -, at most 64)");
  }
  std::lock_guard lock(mutex_);
  const auto found = tenants_.find(name);
  if (found != tenants_.end()) return *found->second;
  if (!create) throw NgsiError(NgsiErrorType::ResourceNotFound, "tenant '" + name + "' does not exist");
  state_.addTenant(name);
  return open(name);
}

std::vector<Tenant*> TenantRegistry::all() {
  std::lock_guard lock(mutex_);
  std::vector<Tenant*> out;
  for (auto& [name, tenant] : tenants_) out.push_back(tenant.get());
  return out;
}

}  // namespace citytwin::server
