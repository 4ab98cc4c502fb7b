#include "citytwin/context/sqlite_entity_repository.hpp"

#include <algorithm>

#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/entity_write.hpp"
#include "citytwin/context/storage_text.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/store/database.hpp"

namespace citytwin::context {


// History rows of the transaction being built, inserted kHistoryRowsPerStatement at a time just before the
// commit: one statement per row cost more in SQLite's per-statement work than the rows themselves.
constexpr int kHistoryRowsPerStatement = 64;
constexpr int kHistoryColumns = 8;

struct HistoryRow {
  std::int64_t eid = 0;
  std::int64_t aid = 0;
  std::int64_t observedMs = 0;
  std::int64_t kind = 0;
  std::string value;
  std::string observedAt;
  std::string unitCode;
  std::string datasetId;
};

std::string historyInsert(int rows) {
  std::string sql = "INSERT INTO history(eid, aid, observed_ms, kind, value, observed_at, unit_code, dataset_id) VALUES";
  for (int r = 0; r < rows; ++r) sql += r ? ",(?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?)";
  return sql;
}

struct SqliteEntityRepository::Statements {
  store::Statement insertId, insertAttributeName, upsertEntity, deleteEntity, deleteHistory, insertHistory,
      insertHistoryMany;
  std::vector<HistoryRow> pendingHistory;

  explicit Statements(store::Database& db)
      : insertId(db, "INSERT INTO entity_ids(id) VALUES(?1)"),
        insertAttributeName(db, "INSERT INTO attribute_names(name) VALUES(?1)"),
        upsertEntity(db, "INSERT OR REPLACE INTO entities(eid, body) VALUES(?1, ?2)"),
        deleteEntity(db, "DELETE FROM entities WHERE eid = ?1"),
        deleteHistory(db, "DELETE FROM history WHERE eid = ?1"),
        insertHistory(db, historyInsert(1)),
        insertHistoryMany(db, historyInsert(kHistoryRowsPerStatement)) {}

  static void bindRow(store::Statement& statement, int first, const HistoryRow& row) {
    statement.bind(first + 1, row.eid)
        .bind(first + 2, row.aid)
        .bind(first + 3, row.observedMs)
        .bind(first + 4, row.kind)
        .bindUncopied(first + 5, row.value)
        .bindUncopied(first + 6, row.observedAt)
        .bindUncopied(first + 7, row.unitCode)
        .bindUncopied(first + 8, row.datasetId);
  }
  // Inserts every pending row; the rows stay alive until each statement has run (bound without copies).
  void flushHistory() {
    std::size_t next = 0;
    const std::size_t count = pendingHistory.size();
    try {
      for (; next + kHistoryRowsPerStatement <= count; next += kHistoryRowsPerStatement) {
        for (int r = 0; r < kHistoryRowsPerStatement; ++r) {
          bindRow(insertHistoryMany, r * kHistoryColumns, pendingHistory[next + static_cast<std::size_t>(r)]);
        }
        insertHistoryMany.run();
      }
      for (; next < count; ++next) {
        bindRow(insertHistory, 0, pendingHistory[next]);
        insertHistory.run();
      }
    } catch (...) {
      pendingHistory.clear();
      throw;
    }
    pendingHistory.clear();
  }
};

// Copies the WAL into the database file on its own thread and connection. SQLite's automatic checkpoint
// runs inside the commit that crosses its threshold, on the single writer, which then stalls every waiting
// request; here the writer only signals. Durability is unchanged: a commit is durable once it is in the
// WAL, and a checkpoint only moves committed pages.
struct SqliteEntityRepository::Checkpointer {
  static constexpr int kPagesBeforeCheckpoint = 4000;   // ~16 MB of WAL at 4 KiB pages
  static constexpr int kPagesForInlineCheckpoint = 64000;  // the thread fell far behind: the writer helps

  store::Database db;
  std::mutex mutex;
  std::condition_variable wanted;
  bool pending = false;
  bool stopping = false;
  std::thread thread;

  Checkpointer(const std::filesystem::path& path, store::Database::Sync sync)
      : db(path, store::Database::Mode::ReadWrite, sync) {
    thread = std::thread([this] { run(); });
  }
  ~Checkpointer() {
    {
      const std::lock_guard lock(mutex);
      stopping = true;
    }
    wanted.notify_all();
    if (thread.joinable()) thread.join();
  }
  void run() {
    for (;;) {
      {
        std::unique_lock lock(mutex);
        wanted.wait(lock, [this] { return stopping || pending; });
        if (stopping) return;
        pending = false;
      }
      db.checkpoint();
    }
  }
  // The writer's WAL hook: called after each commit with the WAL's size in pages.
  void afterCommit(store::Database& writer, int pages) {
    if (pages >= kPagesForInlineCheckpoint) {
      writer.checkpoint();
    } else if (pages >= kPagesBeforeCheckpoint) {
      {
        const std::lock_guard lock(mutex);
        pending = true;
      }
      wanted.notify_one();
    }
  }
};

// Stores what applyWrite decides: entity bodies and deletions at once, history rows at the commit.
struct SqliteEntityRepository::Sink final : WriteSink {
  SqliteEntityRepository& repository;
  explicit Sink(SqliteEntityRepository& owner) : repository(owner) {}
  void persist(const Entity& entity) override { repository.persistEntity(entity); }
  void remove(const std::string& id) override {
    repository.statements_->deleteEntity.bind(1, repository.entityKey(id)).run();
  }
  void purgeHistory(const std::string& id) override {
    const std::int64_t eid = repository.entityKey(id);
    repository.statements_->deleteHistory.bind(1, eid).run();
    std::erase_if(repository.statements_->pendingHistory,
                  [eid](const HistoryRow& row) { return row.eid == eid; });
  }
  void record(const std::string& id, const std::string& name, const Attribute& attribute, std::int64_t now) override {
    repository.recordHistory(repository.entityKey(id), name, attribute, now);
  }
};

struct SqliteEntityRepository::Job {
  std::vector<WriteOperation>* operations = nullptr;
  std::vector<WriteResult>* results = nullptr;
  bool done = false;
  std::condition_variable finished;
};

SqliteEntityRepository::SqliteEntityRepository(SqliteRepositoryOptions options) : options_(std::move(options)) {
  open();
  load();
  writer_ = std::thread([this] { writerLoop(); });
}

SqliteEntityRepository::~SqliteEntityRepository() {
  {
    std::lock_guard lock(queueMutex_);
    stopping_ = true;
  }
  queueReady_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (writeDb_) writeDb_->onWalCommit(nullptr);
  checkpointer_.reset();
  statements_.reset();
  readDb_.reset();
  writeDb_.reset();
}

void SqliteEntityRepository::open() {
  const auto sync = options_.synchronousFull ? store::Database::Sync::Full : store::Database::Sync::Normal;
  writeDb_ = std::make_unique<store::Database>(options_.path, store::Database::Mode::ReadWrite, sync);
  writeDb_->execute("PRAGMA cache_size=-65536");
  writeDb_->execute(
      "CREATE TABLE IF NOT EXISTS entity_ids(eid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);"
      "CREATE TABLE IF NOT EXISTS attribute_names(aid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
      "CREATE TABLE IF NOT EXISTS entities(eid INTEGER PRIMARY KEY, body TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS history(eid INTEGER NOT NULL, aid INTEGER NOT NULL, observed_ms INTEGER NOT "
      "NULL, kind INTEGER NOT NULL, value TEXT NOT NULL, observed_at TEXT NOT NULL, unit_code TEXT NOT NULL, "
      "dataset_id TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS history_by_time ON history(eid, aid, observed_ms);");
  statements_ = std::make_unique<Statements>(*writeDb_);
  readDb_ = std::make_unique<store::Database>(options_.path, store::Database::Mode::ReadWrite, sync);
  checkpointer_ = std::make_unique<Checkpointer>(options_.path, sync);
  // Replaces SQLite's automatic checkpoint, which would run inside the commit on the single writer.
  writeDb_->onWalCommit([this](int pages) { checkpointer_->afterCommit(*writeDb_, pages); });
}

void SqliteEntityRepository::load() {
  std::unique_lock lock(entitiesMutex_);
  entities_.clear();
  entityKeys_.clear();
  attributeKeys_.clear();
  attributeNames_.clear();
  store::Statement ids(*writeDb_, "SELECT eid, id FROM entity_ids");
  while (ids.step()) entityKeys_[ids.text(1)] = ids.integer(0);
  store::Statement names(*writeDb_, "SELECT aid, name FROM attribute_names");
  while (names.step()) {
    attributeKeys_[names.text(1)] = names.integer(0);
    attributeNames_[names.integer(0)] = names.text(1);
  }
  store::Statement bodies(*writeDb_, "SELECT body FROM entities");
  while (bodies.step()) {
    Entity entity = fromStorageJson(nlohmann::json::parse(bodies.text(0)));
    const std::string id = entity.id;
    entities_.insert_or_assign(id, std::move(entity));
  }
}

std::int64_t SqliteEntityRepository::entityKey(const std::string& id) {
  const auto found = entityKeys_.find(id);
  if (found != entityKeys_.end()) return found->second;
  statements_->insertId.bind(1, id).run();
  const std::int64_t eid = writeDb_->lastInsertId();
  entityKeys_.emplace(id, eid);
  return eid;
}

std::int64_t SqliteEntityRepository::attributeKey(const std::string& name) {
  const auto found = attributeKeys_.find(name);
  if (found != attributeKeys_.end()) return found->second;
  statements_->insertAttributeName.bind(1, name).run();
  const std::int64_t aid = writeDb_->lastInsertId();
  attributeKeys_.emplace(name, aid);
  attributeNames_.emplace(aid, name);
  return aid;
}

void SqliteEntityRepository::persistEntity(const Entity& entity) {
  statements_->upsertEntity.bind(1, entityKey(entity.id)).bindUncopied(2, toStorageText(entity)).run();
}

void SqliteEntityRepository::recordHistory(std::int64_t eid, const std::string& name, const Attribute& attribute,
                                std::int64_t now) {
  const bool observed = !attribute.observedAt.empty();
  HistoryRow row;
  row.eid = eid;
  row.aid = attributeKey(name);
  row.observedMs = observed ? attribute.observedMs : now;
  row.kind = static_cast<std::int64_t>(attribute.kind);
  row.value = attribute.value.dump();
  row.observedAt = observed ? attribute.observedAt : formatDateTime(now);
  row.unitCode = attribute.unitCode;
  row.datasetId = attribute.datasetId;
  statements_->pendingHistory.push_back(std::move(row));
}

std::vector<WriteResult> SqliteEntityRepository::write(std::vector<WriteOperation> operations) {
  std::vector<WriteResult> results(operations.size());
  if (operations.empty()) return results;
  Job job;
  job.operations = &operations;
  job.results = &results;
  std::unique_lock lock(queueMutex_);
  if (stopping_) throw Error("context store: closed");
  queue_.push_back(&job);
  queueReady_.notify_one();
  job.finished.wait(lock, [&] { return job.done; });
  return results;
}

void SqliteEntityRepository::writerLoop() {
  for (;;) {
    std::vector<Job*> batch;
    {
      std::unique_lock lock(queueMutex_);
      queueReady_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    std::vector<std::string> changed;
    const std::int64_t now = nowMilliseconds();
    try {
      store::Transaction transaction(*writeDb_);
      {
        std::unique_lock lock(entitiesMutex_);
        Sink sink(*this);
        for (Job* job : batch) {
          for (std::size_t i = 0; i < job->operations->size(); ++i) {
            (*job->results)[i] = applyWrite((*job->operations)[i], entities_, now, sink, changed);
          }
        }
      }
      statements_->flushHistory();
      transaction.commit();
      ++transactions_;
    } catch (const std::exception& e) {
      // The transaction rolled back as it went out of scope.
      statements_->pendingHistory.clear();
      changed.clear();
      for (Job* job : batch) {
        for (auto& result : *job->results) {
          result = WriteResult{};
          result.error = ContextError(ErrorKind::Internal, std::string("not stored: ") + e.what());
        }
      }
      try {
        load();  // memory may hold changes the rollback undid
      } catch (const std::exception&) {
      }
    }
    {
      std::lock_guard lock(queueMutex_);
      for (Job* job : batch) {
        job->done = true;
        job->finished.notify_one();
      }
    }
    if (listener_ && !changed.empty()) {
      std::sort(changed.begin(), changed.end());
      changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
      std::vector<Entity> current;
      {
        std::shared_lock lock(entitiesMutex_);
        for (const auto& id : changed) {
          const auto found = entities_.find(id);
          if (found != entities_.end()) current.push_back(found->second);
        }
      }
      listener_(current);
    }
  }
}

std::optional<Entity> SqliteEntityRepository::get(const std::string& id) const {
  std::shared_lock lock(entitiesMutex_);
  const auto found = entities_.find(id);
  if (found == entities_.end()) return std::nullopt;
  return found->second;
}

QueryResult SqliteEntityRepository::query(const EntityQuery& query) const {
  QueryPage page(query);
  std::shared_lock lock(entitiesMutex_);
  for (const auto& [id, entity] : entities_) {
    if (!page.offer(entity)) break;
  }
  return page.take();
}

void SqliteEntityRepository::forEach(const std::function<bool(const Entity&)>& visit) const {
  std::shared_lock lock(entitiesMutex_);
  for (const auto& [id, entity] : entities_) {
    if (!visit(entity)) return;
  }
}

std::size_t SqliteEntityRepository::entityCount() const {
  std::shared_lock lock(entitiesMutex_);
  return entities_.size();
}

void SqliteEntityRepository::setChangeListener(ChangeListener listener) {
  std::lock_guard lock(queueMutex_);
  listener_ = std::move(listener);
}

std::uint64_t SqliteEntityRepository::committedTransactions() const { return transactions_; }

std::optional<TemporalEntity> SqliteEntityRepository::temporal(const std::string& id, const TemporalFilter& filter) const {
  TemporalEntity result;
  result.id = id;
  std::int64_t eid = 0;
  std::vector<std::pair<std::int64_t, std::string>> attributes;
  {
    std::shared_lock lock(entitiesMutex_);
    const auto key = entityKeys_.find(id);
    if (key == entityKeys_.end()) return std::nullopt;
    eid = key->second;
    const auto current = entities_.find(id);
    if (current != entities_.end()) result.types = current->second.types;
    for (const auto& [aid, name] : attributeNames_) {
      if (filter.attributes.empty() || filter.attributes.contains(name)) attributes.emplace_back(aid, name);
    }
  }
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::lock_guard lock(readMutex_);
  std::string sql = "SELECT observed_ms, kind, value, observed_at, unit_code, dataset_id FROM history "
                    "WHERE eid = ?1 AND aid = ?2";
  switch (filter.relation) {
    case TemporalFilter::Relation::Before: sql += " AND observed_ms < ?3"; break;
    case TemporalFilter::Relation::After: sql += " AND observed_ms > ?3"; break;
    case TemporalFilter::Relation::Between: sql += " AND observed_ms >= ?3 AND observed_ms < ?4"; break;
    case TemporalFilter::Relation::None: break;
  }
  sql += filter.lastN > 0 ? " ORDER BY observed_ms DESC, rowid DESC LIMIT ?5" : " ORDER BY observed_ms, rowid";
  store::Statement query(*readDb_, sql);
  for (const auto& [aid, name] : attributes) {
    query.bind(1, eid).bind(2, aid);
    if (filter.relation != TemporalFilter::Relation::None) query.bind(3, filter.timeAtMs);
    if (filter.relation == TemporalFilter::Relation::Between) query.bind(4, filter.endTimeAtMs);
    if (filter.lastN > 0) query.bind(5, static_cast<std::int64_t>(filter.lastN));
    const std::size_t first = result.instances.size();
    while (query.step()) {
      TemporalInstance instance;
      instance.attribute = name;
      instance.observedMs = query.integer(0);
      instance.kind = static_cast<AttributeKind>(query.integer(1));
      instance.valueJson = query.text(2);
      instance.observedAt = query.text(3);
      instance.unitCode = query.text(4);
      instance.datasetId = query.text(5);
      result.instances.push_back(std::move(instance));
    }
    query.reset();
    if (filter.lastN > 0) std::reverse(result.instances.begin() + static_cast<std::ptrdiff_t>(first), result.instances.end());
  }
  return result;
}

}  // namespace citytwin::context
