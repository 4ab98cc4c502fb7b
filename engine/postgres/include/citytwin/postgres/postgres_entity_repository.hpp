#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "citytwin/context/entity_repository.hpp"

namespace citytwin::postgres {

class Connection;

struct PostgresRepositoryOptions {
  std::string url;                 // a libpq connection URL: postgresql://host/db, postgresql:///db?host=/dir
  std::size_t maxConnections = 8;  // writers and readers beyond this wait for a free connection
  // Entities whose last written state this service keeps for its next write of them (0: none). A kept
  // state is used only while its row still carries the version this service wrote; otherwise the write
  // reads the stored one.
  std::size_t keptEntities = 50000;
};

// The entities and their attribute history in PostgreSQL with PostGIS: the store several services share.
// Every read asks the database, so a write one service acknowledged is what every other service on the same
// database reads next. A write() is one transaction: the current states of the entities it names are read,
// the operations applied with the same semantics as the SQLite repository (context::applyWrite), and the new
// states, deletions and history rows written before COMMIT, which returns only once the commit is flushed
// (synchronous_commit = on). Each entity row carries a version that every write raises; a write stores a row
// only if it still has the version the write read (optimistic: another service's write in between makes the
// batch run again; after two such conflicts the batch locks its rows in id order first). The version also
// lets a write reuse the state this service wrote last instead of reading and parsing the stored body.
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
  struct KeptEntity {
    std::int64_t version = 0;  // the row version this state was stored with
    context::Entity entity;
  };
  std::vector<context::WriteResult> writeOnce(const std::vector<context::WriteOperation>& operations,
                                              std::int64_t now, bool lockRows,
                                              std::vector<context::Entity>& changedEntities);
  // Takes the kept states of these ids out (a write that fails simply leaves them out).
  std::map<std::string, KeptEntity> takeKept(const std::set<std::string>& ids);
  void keep(std::string id, std::int64_t version, context::Entity entity);

  PostgresRepositoryOptions options_;
  std::unique_ptr<Pool> pool_;
  std::mutex partitionsMutex_;
  std::set<std::int64_t> partitions_;  // month starts (ms) whose history partition exists
  std::mutex keptMutex_;
  std::unordered_map<std::string, KeptEntity> kept_;
  std::mutex listenerMutex_;
  context::ChangeListener listener_;
};

}  // namespace citytwin::postgres
