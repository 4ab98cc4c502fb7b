#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "citytwin/context/entity.hpp"
#include "citytwin/context/ngsi_error.hpp"

struct sqlite3;

namespace citytwin::context {

enum class WriteKind {
  Create,       // fails with AlreadyExists
  Upsert,       // create, or replace (or merge when mergeAttributes) an existing entity
  Update,       // merge attributes into an existing entity (noOverwrite: only add missing ones)
  UpdateAttrs,  // PATCH .../attrs: only attributes that exist are replaced; others are reported
  AppendAttrs,  // POST .../attrs: add or replace attributes (noOverwrite: only add)
  PatchAttr,    // PATCH .../attrs/{name}: the attribute must exist
  DeleteAttr,   // DELETE .../attrs/{name}
  Delete,
};

struct WriteOperation {
  WriteKind kind = WriteKind::Upsert;
  Entity entity;                  // id always; types and attributes as the kind needs
  bool mergeAttributes = false;   // Upsert with options=update
  bool noOverwrite = false;
  std::string attribute;          // PatchAttr / DeleteAttr: expanded name
  std::string datasetId;          // DeleteAttr
  bool deleteAllInstances = false;
};

struct WriteResult {
  std::optional<NgsiError> error;      // set when the operation was refused
  bool created = false;
  std::vector<std::string> notUpdated; // expanded attribute names left alone (UpdateAttrs / noOverwrite)
  bool ok() const { return !error.has_value(); }
};

struct StoreOptions {
  std::filesystem::path path;  // SQLite database (created when missing)
  // FULL: fsync the WAL at every commit (survives power loss). NORMAL: the commit is written to the WAL file
  // but not synced, which survives the process being killed at any moment (the OS holds the data) but not a
  // power cut. Both are acknowledged only after COMMIT returned.
  bool synchronousFull = true;
};

struct TemporalFilter {
  enum class Relation { None, Before, After, Between };
  Relation relation = Relation::None;
  std::int64_t timeAtMs = 0;
  std::int64_t endTimeAtMs = 0;
  std::size_t lastN = 0;           // 0: all
  std::set<std::string> attributes;  // expanded names; empty = all
};

struct TemporalInstance {
  std::string attribute;  // expanded
  AttributeKind kind = AttributeKind::Property;
  std::string valueJson;  // the value as JSON text
  std::string observedAt; // as received, or the write time when the update carried none
  std::int64_t observedMs = 0;
  std::string unitCode;
  std::string datasetId;
};

struct TemporalEntity {
  std::string id;
  std::vector<std::string> types;
  std::vector<TemporalInstance> instances;  // grouped by attribute, each in time order
};

// The entities and their attribute history, in memory for queries and in SQLite (WAL) for durability.
// Writes from any thread go to one writer thread that commits everything queued in one transaction (group
// commit), so concurrent requests share fsyncs; write() returns only after its transaction committed.
class EntityStore {
 public:
  explicit EntityStore(StoreOptions options);
  ~EntityStore();
  EntityStore(const EntityStore&) = delete;
  EntityStore& operator=(const EntityStore&) = delete;

  // One result per operation, in order; durable when this returns.
  std::vector<WriteResult> write(std::vector<WriteOperation> operations);

  std::optional<Entity> get(const std::string& id) const;
  // Calls visit for every entity (in id order) under a shared lock until it returns false.
  void forEach(const std::function<bool(const Entity&)>& visit) const;
  std::size_t entityCount() const;
  // nullopt when the id was never stored.
  std::optional<TemporalEntity> temporal(const std::string& id, const TemporalFilter& filter) const;

  // Called on the writer thread after each commit with the entities that changed (current state).
  void setChangeListener(std::function<void(const std::vector<Entity>&)> listener);

  std::uint64_t committedTransactions() const;

 private:
  struct Job;
  struct Statements;
  struct Checkpointer;
  void writerLoop();
  void open();
  void load();
  WriteResult apply(WriteOperation& operation, std::int64_t now, std::vector<std::string>& changed);
  void persistEntity(const Entity& entity);
  void recordHistory(std::int64_t eid, const std::string& name, const Attribute& attribute, std::int64_t now);
  std::int64_t entityKey(const std::string& id);
  std::int64_t attributeKey(const std::string& name);

  StoreOptions options_;
  sqlite3* writeDb_ = nullptr;
  sqlite3* readDb_ = nullptr;
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
  std::function<void(const std::vector<Entity>&)> listener_;
  std::uint64_t transactions_ = 0;
};

}  // namespace citytwin::context
