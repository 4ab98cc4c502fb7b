#include "citytwin/server/broker_state.hpp"

#include "citytwin/store/database.hpp"

namespace citytwin::server {

BrokerState::BrokerState(const std::filesystem::path& path)
    : database_(std::make_unique<store::Database>(path, store::Database::Mode::ReadWrite,
                                                  store::Database::Sync::Normal)) {
  database_->execute(
      "CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY);"
      "CREATE TABLE IF NOT EXISTS contexts (tenant TEXT NOT NULL, url TEXT NOT NULL, local_id TEXT NOT NULL,"
      " kind TEXT NOT NULL, document TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant, url));"
      "CREATE TABLE IF NOT EXISTS subscriptions (tenant TEXT NOT NULL, id TEXT NOT NULL, document TEXT NOT "
      "NULL,"
      " PRIMARY KEY (tenant, id));");
}

BrokerState::~BrokerState() = default;

std::vector<std::string> BrokerState::tenants() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  store::Statement select(*database_, "SELECT name FROM tenants ORDER BY name");
  while (select.step()) out.push_back(select.text(0));
  return out;
}

void BrokerState::addTenant(const std::string& tenant) {
  std::lock_guard lock(mutex_);
  store::Statement insert(*database_, "INSERT OR IGNORE INTO tenants (name) VALUES (?)");
  insert.bind(1, tenant).run();
}

std::vector<context::ContextDocument> BrokerState::contexts(const std::string& tenant) {
  std::lock_guard lock(mutex_);
  std::vector<context::ContextDocument> out;
  store::Statement select(
      *database_,
      "SELECT url, local_id, kind, document, created_at FROM contexts WHERE tenant = ? ORDER BY url");
  select.bind(1, tenant);
  while (select.step()) {
    context::ContextDocument document;
    document.url = select.text(0);
    document.localId = select.text(1);
    document.kind = select.text(2) == "Hosted" ? context::ContextDocumentKind::Hosted
                                               : context::ContextDocumentKind::Cached;
    document.document = nlohmann::json::parse(select.text(3));
    document.createdAt = select.text(4);
    out.push_back(std::move(document));
  }
  return out;
}

void BrokerState::putContext(const std::string& tenant, const context::ContextDocument& document) {
  std::lock_guard lock(mutex_);
  store::Statement insert(
      *database_,
      "INSERT OR REPLACE INTO contexts (tenant, url, local_id, kind, document, created_at)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind(1, tenant)
      .bind(2, document.url)
      .bind(3, document.localId)
      .bind(4, std::string(context::toString(document.kind)))
      .bind(5, document.document.dump())
      .bind(6, document.createdAt)
      .run();
}

void BrokerState::eraseContext(const std::string& tenant, const std::string& url) {
  std::lock_guard lock(mutex_);
  store::Statement erase(*database_, "DELETE FROM contexts WHERE tenant = ? AND url = ?");
  erase.bind(1, tenant).bind(2, url).run();
}

std::vector<nlohmann::json> BrokerState::subscriptions(const std::string& tenant) {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> out;
  store::Statement select(*database_, "SELECT document FROM subscriptions WHERE tenant = ? ORDER BY id");
  select.bind(1, tenant);
  while (select.step()) out.push_back(nlohmann::json::parse(select.text(0)));
  return out;
}

void BrokerState::putSubscription(const std::string& tenant, const std::string& id,
                                  const nlohmann::json& document) {
  std::lock_guard lock(mutex_);
  store::Statement insert(*database_,
                          "INSERT OR REPLACE INTO subscriptions (tenant, id, document) VALUES (?, ?, ?)");
  insert.bind(1, tenant).bind(2, id).bind(3, document.dump()).run();
}

void BrokerState::eraseSubscription(const std::string& tenant, const std::string& id) {
  std::lock_guard lock(mutex_);
  store::Statement erase(*database_, "DELETE FROM subscriptions WHERE tenant = ? AND id = ?");
  erase.bind(1, tenant).bind(2, id).run();
}

}  // namespace citytwin::server
