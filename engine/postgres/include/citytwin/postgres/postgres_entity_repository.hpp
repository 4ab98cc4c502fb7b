#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "citytwin/context/entity_repository.hpp"

namespace citytwin::postgres {

class Connection;

struct PostgresRepositoryOptions {
  std::string url;                 // a libpq connection URL: postgresql://host/db, postgresql:///db?host=/dir
  std::size_t maxConnections = 8;  // writers and readers beyond this wait for a free connection
};

// The entities and their attribute history in PostgreSQL with PostGIS: the store several services share.
// Nothing is cached between calls (every read asks the database), so a write one service acknowledged is
// what every other service on the same database reads next. A write() is one transaction: the rows of the
// entities it names are locked (in id order), the operations applied with the same semantics as the SQLite
// repository (context::applyWrite), and the new states, deletions and history rows written before COMMIT,
// which returns only once the commit is flushed (synchronous_commit = on).
// The schema is created and migrated on construction (table schema_version).
class PostgresEntityRepository final : public context::EntityRepository {
 public:
  // Throws Error when the database cannot be reached or migrated.
  explicit PostgresEntityRepository(PostgresRepositoryOptions options);
  ~PostgresEntityRepository() override;
  PostgresEntityRepository(const PostgresEntityRepository&) = delete;
  PostgresEntityRepository& operator=(const PostgresEntityRepository&) = delete;

  std::vector<context::WriteResult> write(std::vector<context::WriteOperation> operations) override;
  std::optional<context::Entity> get(const std::string& id) const override;
  context::QueryResult query(const context::EntityQuery& query) const override;
  void forEach(const std::function<bool(const context::Entity&)>& visit) const override;
  std::size_t entityCount() const override;
  std::optional<context::TemporalEntity> temporal(const std::string& id,
                                                  const context::TemporalFilter& filter) const override;
  // Called on the thread whose write committed, one call at a time; only this service's writes notify.
  void setChangeListener(context::ChangeListener listener) override;

  // The schema version this build creates and reads.
  static int schemaVersion();

 private:
  class Pool;
  struct Lease;
  void migrate();
  void ensurePartitions(const std::set<std::int64_t>& monthStarts);
  std::vector<context::WriteResult> writeOnce(const std::vector<context::WriteOperation>& operations,
                                              std::int64_t now,
                                              std::vector<context::Entity>& changedEntities);

  PostgresRepositoryOptions options_;
  std::unique_ptr<Pool> pool_;
  std::mutex partitionsMutex_;
  std::set<std::int64_t> partitions_;  // month starts (ms) whose history partition exists
  std::mutex listenerMutex_;
  context::ChangeListener listener_;
};

}  // namespace citytwin::postgres
