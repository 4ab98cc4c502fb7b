#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "citytwin/context/entity_repository.hpp"

namespace citytwin::store {
class Database;
}

namespace citytwin::context {

struct SqliteRepositoryOptions {
  std::filesystem::path path;  // SQLite database (created when missing)
  // FULL: fsync the WAL at every commit (survives power loss). NORMAL: the commit is written to the WAL file
  // but not synced, which survives the process being killed at any moment (the OS holds the data) but not a
  // power cut. Both are acknowledged only after COMMIT returned.
  bool synchronousFull = true;
};

// The entities and their attribute history, in memory for queries and in SQLite (WAL) for durability.
// Writes from any thread go to one writer thread that commits everything queued in one transaction (group
// commit), so concurrent requests share fsyncs; write() returns only after its transaction committed.
class SqliteEntityRepository final : public EntityRepository {
 public:
  explicit SqliteEntityRepository(SqliteRepositoryOptions options);
  ~SqliteEntityRepository() override;
  SqliteEntityRepository(const SqliteEntityRepository&) = delete;
  SqliteEntityRepository& operator=(const SqliteEntityRepository&) = delete;

  std::vector<WriteResult> write(std::vector<WriteOperation> operations) override;
  std::optional<Entity> get(const std::string& id) const override;
  QueryResult query(const EntityQuery& query) const override;
  void forEach(const std::function<bool(const Entity&)>& visit) const override;
  std::size_t entityCount() const override;
  std::optional<TemporalEntity> temporal(const std::string& id, const TemporalFilter& filter) const override;
  // Called on the writer thread.
  void setChangeListener(ChangeListener listener) override;

  std::uint64_t committedTransactions() const;

 private:
  struct Job;
  struct Statements;
  struct Checkpointer;
  struct Sink;
  void writerLoop();
  void open();
  void load();
  void persistEntity(const Entity& entity);
  void recordHistory(std::int64_t eid, const std::string& name, const Attribute& attribute, std::int64_t now);
  std::int64_t entityKey(const std::string& id);
  std::int64_t attributeKey(const std::string& name);

  SqliteRepositoryOptions options_;
  std::unique_ptr<store::Database> writeDb_;
  std::unique_ptr<store::Database> readDb_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<Checkpointer> checkpointer_;
  mutable std::mutex readMutex_;

  mutable std::shared_mutex entitiesMutex_;
  std::map<std::string, Entity> entities_;
  std::unordered_map<std::string, std::int64_t> entityKeys_;     // every id ever stored -> eid
  std::unordered_map<std::string, std::int64_t> attributeKeys_;  // expanded name -> aid
  std::unordered_map<std::int64_t, std::string> attributeNames_;

  std::mutex queueMutex_;
  std::condition_variable queueReady_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread writer_;
  ChangeListener listener_;
  std::uint64_t transactions_ = 0;
};

}  // namespace citytwin::context
