#include "citytwin/postgres/postgres_entity_repository.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/entity_write.hpp"
#include "citytwin/context/storage_text.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/postgres/connection.hpp"

namespace citytwin::postgres {

using namespace citytwin::context;

namespace {

constexpr const char* kLocation = "https://uri.etsi.org/ngsi-ld/location";
constexpr int kWriteAttempts = 8;
constexpr int kOptimisticAttempts = 2;
// Batches with at least this many attribute instances send their history by COPY; smaller ones by INSERT.
constexpr std::size_t kCopyHistoryFrom = 64;
const std::string kSerializationFailure = "40001";
constexpr int kScanChunk = 256;
// Types travel to the server as one text per entity, split on this separator (never part of an IRI).
constexpr char kTypeSeparator = '\x1f';

// Each migration takes the schema from the previous version to the next; a database is at the version of the
// last one it ran (schema_version). Never edit a released migration: add the next one.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> steps = {
      // 1: current entities with a PostGIS geometry of their location, and the history partitioned by month.
      R"sql(
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE entities(
  id text COLLATE "C" PRIMARY KEY,
  body text,                              -- the stored entity (JSON); NULL once deleted
  types text[] NOT NULL DEFAULT '{}',
  location geometry(Geometry, 4326),      -- the location GeoProperty (default instance)
  ever_stored boolean NOT NULL DEFAULT false)
  WITH (fillfactor = 70);  -- room on each page for the new version of a row: updates stay HOT
CREATE INDEX entities_location ON entities USING gist(location);
CREATE INDEX entities_types ON entities USING gin(types);
CREATE TABLE history(
  entity_id text COLLATE "C" NOT NULL,
  attribute text COLLATE "C" NOT NULL,
  observed_ms bigint NOT NULL,
  kind smallint NOT NULL,
  value text NOT NULL,
  observed_at text NOT NULL,
  unit_code text NOT NULL,
  dataset_id text NOT NULL,
  seq bigserial) PARTITION BY RANGE (observed_ms);
ALTER SEQUENCE history_seq_seq CACHE 1000;  -- orders equal times; a session takes numbers 1,000 at a time
CREATE INDEX history_by_time ON history(entity_id, attribute, observed_ms);
-- A GeoJSON geometry PostGIS cannot read (the codec accepts a little more) gets the whole world as its
-- box: the index prefilter then always passes it on to the exact check.
-- STRICT: entities without a location skip the call (and the exception block's subtransaction).
CREATE FUNCTION citytwin_geometry(geojson text) RETURNS geometry LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  RETURN ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326);
EXCEPTION WHEN others THEN
  RETURN ST_MakeEnvelope(-180, -90, 180, 90, 4326);
END $$;
)sql",
      // 2: a version per entity row, raised by every write that stores the row: a write stores a row only
      // while it has the version the write read, and a service reuses the state it stored last while the row
      // still has that version (instead of reading and parsing the body again). Rows of version 1 and an
      // empty body are placeholders (a reserved id); "no row" counts as version 0.
      R"sql(
ALTER TABLE entities ADD COLUMN version bigint NOT NULL DEFAULT 1;
-- Fails the statement (and so the transaction) when a batch stored fewer rows than it meant to: another
-- writer changed one of them after the batch read it.
CREATE FUNCTION citytwin_expect_rows(stored bigint, expected bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF stored <> expected THEN
    RAISE EXCEPTION 'entities changed by another writer meanwhile' USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN stored;
END $$;
)sql",
  };
  return steps;
}

// Creates the rows of ids an operation may create, so that every entity of the batch has a row to lock (the
// locking mode a batch falls back to after conflicts).
const Statement kReserve{
    "citytwin_reserve",
    "INSERT INTO entities(id) SELECT i FROM unnest($1::text[]) AS i ORDER BY i COLLATE \"C\" "
    "ON CONFLICT (id) DO NOTHING"};
// The rows of the ids ($1), each with its version, and its body unless the version is the one given ($2:
// the version of the state this service kept, or NULL).
const std::string kReadRowsSql =
    "SELECT e.id, e.version, coalesce(e.version = k.v, false), "
    "CASE WHEN e.version = k.v THEN NULL ELSE e.body END "
    "FROM unnest($1::text[], $2::int8[]) AS k(id, v) JOIN entities e ON e.id = k.id";
const std::string kLockRowsSql = kReadRowsSql + " ORDER BY e.id FOR UPDATE OF e";
const Statement kRead{"citytwin_read_rows", kReadRowsSql.c_str()};
const Statement kLock{"citytwin_lock_rows", kLockRowsSql.c_str()};
// Stores the new state (a NULL body: deleted) of each id whose row still has the version the write read ($5);
// when one has another version, the statement fails with serialization_failure and the batch runs again.
const Statement kUpdate{
    "citytwin_update",
    "WITH stored AS (UPDATE entities e SET body = u.body, types = string_to_array(u.types, E'\\x1f'), "
    "location = citytwin_geometry(u.geo), ever_stored = e.ever_stored OR u.body IS NOT NULL, "
    "version = u.read + 1 "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[]) AS u(id, body, types, geo, "
    "read) "
    "WHERE e.id = u.id AND e.version = u.read RETURNING 1) "
    "SELECT citytwin_expect_rows(count(*), cardinality($1::text[])) FROM stored"};
// The same for ids that had no row when read: one inserted meanwhile by another writer fails the statement.
const Statement kInsert{
    "citytwin_insert",
    "WITH stored AS (INSERT INTO entities(id, body, types, location, ever_stored, version) "
    "SELECT u.id, u.body, string_to_array(u.types, E'\\x1f'), citytwin_geometry(u.geo), u.body IS NOT NULL, "
    "1 "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, body, types, geo) "
    "ON CONFLICT (id) DO NOTHING RETURNING 1) "
    "SELECT citytwin_expect_rows(count(*), cardinality($1::text[])) FROM stored"};
const Statement kGet{"citytwin_get", "SELECT body FROM entities WHERE id = $1 AND body IS NOT NULL"};
const Statement kKnown{"citytwin_known", "SELECT body FROM entities WHERE id = $1 AND ever_stored"};
const Statement kCount{"citytwin_count", "SELECT count(*) FROM entities WHERE body IS NOT NULL"};
const Statement kHistory{
    "citytwin_history",
    "INSERT INTO history(entity_id, attribute, observed_ms, kind, value, observed_at, unit_code, dataset_id) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::text[], $6::text[], "
    "$7::text[], "
    "$8::text[])"};
const Statement kPurgeHistory{"citytwin_purge_history",
                              "DELETE FROM history WHERE entity_id = ANY($1::text[])"};
const char* kCopyHistory =
    "COPY history(entity_id, attribute, observed_ms, kind, value, observed_at, unit_code, dataset_id) FROM "
    "STDIN";

using Milliseconds = std::chrono::duration<std::int64_t, std::milli>;

std::chrono::year_month monthOf(std::int64_t ms) {
  const auto day =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<Milliseconds>(Milliseconds(ms)));
  const std::chrono::year_month_day date(day);
  return date.year() / date.month();
}

std::int64_t startOf(std::chrono::year_month month) {
  return std::chrono::duration_cast<Milliseconds>(std::chrono::sys_days(month / 1).time_since_epoch())
      .count();
}

std::string partitionName(std::chrono::year_month month) {
  char name[48];
  const int year = static_cast<int>(month.year());
  std::snprintf(name, sizeof name, "history_%s%04d_%02u", year < 0 ? "m" : "", std::abs(year),
                static_cast<unsigned>(month.month()));
  return name;
}

Entity parseStored(std::string_view body) {
  return fromStorageJson(nlohmann::json::parse(body));
}

// Collects what applyWrite decides: which ids to store again (their final state is read from the batch's
// entities at the end, so an entity written twice is stored once), whose stored history a temporal delete
// purges, and the history rows. The rows are kept as values until the batch is decided (a purge also drops
// the rows the batch recorded for that entity before it), then written out: in COPY text for a large batch
// (the cheapest way in for the server), as array parameters for a small one (an INSERT that travels in one
// pipeline with COMMIT: two round trips for a single update instead of five).
struct BatchSink final : WriteSink {
  explicit BatchSink(bool bulk) : bulk(bulk) {}
  const bool bulk;
  std::set<std::string> touched;
  std::set<std::string> purged;
  struct HistoryRow {
    std::string entityId, attribute;
    std::int64_t observedMs, kind;
    std::string value, observedAt, unitCode, datasetId;
  };
  std::vector<HistoryRow> rows;
  std::string copyText;
  BinaryArray entityIds = BinaryArray::text(), attributes = BinaryArray::text(),
              observedMs = BinaryArray::bigint(), kinds = BinaryArray::bigint(), values = BinaryArray::text(),
              observedAt = BinaryArray::text(), unitCodes = BinaryArray::text(),
              datasetIds = BinaryArray::text(), purgedIds = BinaryArray::text();

  void persist(const Entity& entity) override { touched.insert(entity.id); }
  void remove(const std::string& id) override { touched.insert(id); }
  void purgeHistory(const std::string& id) override {
    purged.insert(id);
    std::erase_if(rows, [&](const HistoryRow& row) { return row.entityId == id; });
  }
  void record(const std::string& id, const std::string& name, const Attribute& attribute,
              std::int64_t now) override {
    const bool observed = !attribute.observedAt.empty();
    rows.push_back({id, name, observed ? attribute.observedMs : now,
                    static_cast<std::int64_t>(attribute.kind), attribute.value.dump(),
                    observed ? attribute.observedAt : formatDateTime(now), attribute.unitCode,
                    attribute.datasetId});
  }
  // Writes the decided rows and purges into the form the batch sends.
  void finish() {
    for (const auto& id : purged) purgedIds.add(id);
    for (const auto& row : rows) {
      if (!bulk) {
        entityIds.add(row.entityId);
        attributes.add(row.attribute);
        observedMs.add(row.observedMs);
        kinds.add(row.kind);
        values.add(row.value);
        observedAt.add(row.observedAt);
        unitCodes.add(row.unitCode);
        datasetIds.add(row.datasetId);
        continue;
      }
      appendCopyField(copyText, row.entityId);
      copyText += '\t';
      appendCopyField(copyText, row.attribute);
      copyText += '\t';
      copyText += std::to_string(row.observedMs);
      copyText += '\t';
      copyText += std::to_string(row.kind);
      copyText += '\t';
      appendCopyField(copyText, row.value);
      copyText += '\t';
      appendCopyField(copyText, row.observedAt);
      copyText += '\t';
      appendCopyField(copyText, row.unitCode);
      copyText += '\t';
      appendCopyField(copyText, row.datasetId);
      copyText += '\n';
    }
  }
  std::vector<BinaryArray*> historyColumns() {
    return {&entityIds, &attributes, &observedMs, &kinds, &values, &observedAt, &unitCodes, &datasetIds};
  }
};

// The columns of the entity rows a batch stores, one element per entity (a null entity: deleted).
struct StoreColumns {
  BinaryArray ids = BinaryArray::text(), bodies = BinaryArray::text(), types = BinaryArray::text(),
              geometries = BinaryArray::text(), readVersions = BinaryArray::bigint();
  void add(const std::string& id, const Entity* entity, std::int64_t readVersion) {
    ids.add(id);
    readVersions.add(readVersion);
    if (!entity) {
      bodies.addNull();
      types.add(std::string_view());
      geometries.addNull();
      return;
    }
    bodies.add(toStorageText(*entity));
    std::string typeList;
    for (const auto& type : entity->types) {
      if (!typeList.empty()) typeList += kTypeSeparator;
      typeList += type;
    }
    types.add(typeList);
    const Attribute* location = entity->find(kLocation);
    if (location && location->kind == AttributeKind::GeoProperty) {
      geometries.add(location->value.dump());
    } else {
      geometries.addNull();
    }
  }
};

// The box (lon/lat) a matching entity's location must overlap, when the geo-query allows an index
// prefilter; the exact relation is then checked on each candidate (GeoQuery::matches), so both backends
// answer alike.
std::optional<std::array<double, 4>> prefilterBox(const GeoQuery& geo) {
  if (geo.geoProperty != kLocation) return std::nullopt;
  if (geo.relation == GeoQuery::Relation::Disjoint) return std::nullopt;
  if (geo.relation == GeoQuery::Relation::Near && !geo.maxDistanceM) return std::nullopt;
  std::array<double, 4> box{INFINITY, INFINITY, -INFINITY, -INFINITY};
  std::optional<double> originLat;
  const std::function<void(const nlohmann::json&)> visit = [&](const nlohmann::json& node) {
    if (!node.is_array()) return;
    if (node.size() >= 2 && node[0].is_number() && node[1].is_number()) {
      const double lon = node[0].get<double>(), lat = node[1].get<double>();
      if (!originLat) originLat = lat;
      box = {std::min(box[0], lon), std::min(box[1], lat), std::max(box[2], lon), std::max(box[3], lat)};
      return;
    }
    for (const auto& child : node) visit(child);
  };
  if (!geo.geometry.contains("coordinates")) return std::nullopt;
  visit(geo.geometry["coordinates"]);
  if (!originLat) return std::nullopt;
  // Margins: metres per degree as the exact check's local frame uses them, plus 1 % and a rounding guard.
  double marginLat = 1e-7, marginLon = 1e-7;
  if (geo.relation == GeoQuery::Relation::Near) {
    constexpr double kMetresPerDegree = 111319.49;
    const double cosLat = std::cos(*originLat * M_PI / 180.0);
    marginLat += 1.01 * *geo.maxDistanceM / kMetresPerDegree;
    if (cosLat < 0.01) return std::nullopt;
    marginLon += 1.01 * *geo.maxDistanceM / (kMetresPerDegree * cosLat);
  }
  return std::array<double, 4>{box[0] - marginLon, box[1] - marginLat, box[2] + marginLon,
                               box[3] + marginLat};
}

std::string number(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

// Connections shared by every call; a call holds one for its transaction and gives it back.
class PostgresEntityRepository::Pool {
 public:
  Pool(std::string url, std::size_t max) : url_(std::move(url)), max_(std::max<std::size_t>(1, max)) {}

  std::unique_ptr<Connection> acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    try {
      return std::make_unique<Connection>(url_);
    } catch (...) {
      giveBack(nullptr);
      throw;
    }
  }
  // Closes the idle connections: after one was found dead (a server restart), the others are too.
  void dropIdle() {
    std::vector<std::unique_ptr<Connection>> closing;
    {
      const std::lock_guard lock(mutex_);
      open_ -= idle_.size();
      closing.swap(idle_);
    }
    available_.notify_all();
  }
  // A null or broken connection is closed and its place freed.
  void giveBack(std::unique_ptr<Connection> connection) {
    {
      const std::lock_guard lock(mutex_);
      if (connection && !connection->broken()) {
        idle_.push_back(std::move(connection));
      } else {
        --open_;
      }
    }
    available_.notify_one();
  }

 private:
  std::string url_;
  std::size_t max_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

// One connection for one call; a transaction left open by an exception is rolled back before the
// connection goes back to the pool (or the connection is closed when even that fails).
struct PostgresEntityRepository::Lease {
  Pool& pool;
  std::unique_ptr<Connection> connection;
  bool inTransaction = false;

  explicit Lease(Pool& owner) : pool(owner), connection(owner.acquire()) {}
  ~Lease() {
    if (inTransaction) {
      try {
        connection->execute("ROLLBACK");
      } catch (...) {
        connection.reset();
      }
    }
    pool.giveBack(std::move(connection));
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Connection& operator*() { return *connection; }
  void begin(const char* sql = "BEGIN") {
    connection->execute(sql);
    inTransaction = true;
  }
  void commit() {
    inTransaction = false;  // a failed COMMIT has ended the transaction as well
    connection->execute("COMMIT");
  }
};

PostgresEntityRepository::PostgresEntityRepository(PostgresRepositoryOptions options)
    : options_(std::move(options)), pool_(std::make_unique<Pool>(options_.url, options_.maxConnections)) {
  migrate();
}

PostgresEntityRepository::~PostgresEntityRepository() = default;

int PostgresEntityRepository::schemaVersion() {
  return static_cast<int>(migrations().size());
}

void PostgresEntityRepository::migrate() {
  Lease lease(*pool_);
  Connection& db = *lease;
  lease.begin();
  // One service migrates at a time; the others wait here and find the schema current.
  db.execute("SELECT pg_advisory_xact_lock(7411001)");
  db.execute(
      "CREATE TABLE IF NOT EXISTS schema_version(version integer PRIMARY KEY, "
      "applied_at timestamptz NOT NULL DEFAULT now())");
  const int current =
      static_cast<int>(db.query("SELECT coalesce(max(version), 0) FROM schema_version").integer(0, 0));
  if (current > schemaVersion()) {
    throw Error("PostgreSQL store: the database has schema version " + std::to_string(current) +
                ", newer than this build's " + std::to_string(schemaVersion()) + "; use a newer citytwin");
  }
  for (int version = current + 1; version <= schemaVersion(); ++version) {
    db.execute(migrations()[static_cast<std::size_t>(version - 1)]);
    db.execute("INSERT INTO schema_version(version) VALUES(" + std::to_string(version) + ")");
  }
  lease.commit();
}

void PostgresEntityRepository::ensurePartitions(const std::set<std::int64_t>& monthStarts) {
  const std::lock_guard guard(partitionsMutex_);
  std::vector<std::int64_t> missing;
  for (const auto start : monthStarts) {
    if (!partitions_.contains(start)) missing.push_back(start);
  }
  if (missing.empty()) return;
  Lease lease(*pool_);
  for (const auto start : missing) {
    const auto month = monthOf(start);
    const std::string sql = "CREATE TABLE IF NOT EXISTS " + partitionName(month) +
                            " PARTITION OF history FOR VALUES FROM (" + std::to_string(start) + ") TO (" +
                            std::to_string(startOf(month + std::chrono::months(1))) + ")";
    for (int attempt = 1;; ++attempt) {
      try {
        lease.begin();
        // Services creating the same partition take turns; the later one finds it there.
        (*lease).execute("SELECT pg_advisory_xact_lock(7411002)");
        (*lease).execute(sql);
        lease.commit();
        break;
      } catch (const DatabaseError& e) {
        if (lease.inTransaction) {
          (*lease).execute("ROLLBACK");
          lease.inTransaction = false;
        }
        if (!e.retryable() || attempt == kWriteAttempts) throw;
      }
    }
    partitions_.insert(start);
  }
}

std::vector<WriteResult> PostgresEntityRepository::write(std::vector<WriteOperation> operations) {
  std::vector<WriteResult> results(operations.size());
  if (operations.empty()) return results;
  const std::int64_t now = nowMilliseconds();
  const auto failed = [&](const std::string& why) {
    for (auto& result : results) {
      result = WriteResult{};
      result.error = ContextError(ErrorKind::Internal, "not stored: " + why);
    }
    return results;
  };
  std::set<std::int64_t> months{startOf(monthOf(now))};
  for (const auto& operation : operations) {
    for (const auto& [name, instances] : operation.entity.attributes) {
      for (const auto& instance : instances) {
        if (!instance.observedAt.empty()) months.insert(startOf(monthOf(instance.observedMs)));
      }
    }
  }
  for (int attempt = 1;; ++attempt) {
    try {
      ensurePartitions(months);
      std::vector<Entity> changed;
      // Optimistic first; a batch that lost twice to other writers of the same entities locks their rows.
      results = writeOnce(operations, now, attempt > kOptimisticAttempts, changed);
      if (!changed.empty()) {
        const std::lock_guard guard(listenerMutex_);
        if (listener_) listener_(changed);
      }
      return results;
    } catch (const DatabaseError& e) {
      // A version conflict, a deadlock, a lost race between services, or a connection lost before COMMIT was
      // sent (a server restart, a terminated backend): nothing was kept, so the batch runs again, on a new
      // connection.
      if (e.connectionLost()) pool_->dropIdle();
      if ((e.retryable() || e.connectionLost()) && attempt < kWriteAttempts) continue;
      return failed(e.what());
    } catch (const std::exception& e) {
      return failed(e.what());
    }
  }
}

std::map<std::string, PostgresEntityRepository::KeptEntity> PostgresEntityRepository::takeKept(
    const std::set<std::string>& ids) {
  std::map<std::string, KeptEntity> taken;
  const std::lock_guard guard(keptMutex_);
  if (kept_.empty()) return taken;
  for (const auto& id : ids) {
    const auto found = kept_.find(id);
    if (found == kept_.end()) continue;
    taken.emplace(id, std::move(found->second));
    kept_.erase(found);
  }
  return taken;
}

void PostgresEntityRepository::keep(std::string id, std::int64_t version, Entity entity) {
  if (options_.keptEntities == 0) return;
  const std::lock_guard guard(keptMutex_);
  const auto found = kept_.find(id);
  if (found != kept_.end()) {
    // Two writes of one entity finishing in either order: the later version stays.
    if (found->second.version < version) found->second = KeptEntity{version, std::move(entity)};
    return;
  }
  if (kept_.size() >= options_.keptEntities) kept_.erase(kept_.begin());  // any one makes room
  kept_.emplace(std::move(id), KeptEntity{version, std::move(entity)});
}

std::vector<WriteResult> PostgresEntityRepository::writeOnce(const std::vector<WriteOperation>& operations,
                                                             std::int64_t now, bool lockRows,
                                                             std::vector<Entity>& changedEntities) {
  std::vector<WriteOperation> work = operations;  // applying consumes them; a retry starts from the originals
  std::set<std::string> ids, creatable;
  for (const auto& operation : work) {
    ids.insert(operation.entity.id);
    if (operation.kind == WriteKind::Create || operation.kind == WriteKind::Upsert)
      creatable.insert(operation.entity.id);
  }
  std::map<std::string, KeptEntity> kept = takeKept(ids);

  Lease lease(*pool_);
  Connection& db = *lease;
  lease.inTransaction = true;  // BEGIN goes with the first read
  bool begun = false;
  std::map<std::string, Entity> entities;
  std::map<std::string, std::int64_t> versions;  // the version of each row read; no row: version 0
  const auto read = [&](const std::set<std::string>& which) {
    auto idArray = BinaryArray::text(), keptVersions = BinaryArray::bigint();
    for (const auto& id : which) {
      idArray.add(id);
      const auto found = kept.find(id);
      if (found != kept.end()) {
        keptVersions.add(found->second.version);
      } else {
        keptVersions.addNull();
      }
    }
    std::vector<PipelineStep> steps;
    if (!begun) steps.push_back({nullptr, {}, "BEGIN"});
    steps.push_back({lockRows ? &kLock : &kRead, {&idArray, &keptVersions}, nullptr});
    const Result rows = std::move(db.pipeline(steps).back());
    begun = true;
    for (int row = 0; row < rows.rows(); ++row) {
      std::string id(rows.text(row, 0));
      versions[id] = rows.integer(row, 1);
      if (rows.text(row, 2) == "t") {
        entities.insert_or_assign(id, std::move(kept.at(id).entity));
      } else if (!rows.isNull(row, 3)) {
        entities.insert_or_assign(id, parseStored(rows.text(row, 3)));
      }
    }
  };
  read(ids);
  if (lockRows) {
    // Entities this batch may create get a row first, then that row is locked too: two services creating
    // the same entity queue on its row instead of both inserting it.
    std::set<std::string> missing;
    for (const auto& id : creatable) {
      if (!versions.contains(id)) missing.insert(id);
    }
    if (!missing.empty()) {
      TextArray reserve;
      for (const auto& id : missing) reserve.add(id);
      db.run(kReserve, {reserve.literal()});
      read(missing);
    }
  }
  kept.clear();
  const auto versionOf = [&](const std::string& id) {
    const auto found = versions.find(id);
    return found == versions.end() ? std::int64_t{0} : found->second;
  };

  std::size_t instances = 0;
  for (const auto& operation : work) instances += operation.entity.instanceCount();
  BatchSink sink(instances >= kCopyHistoryFrom);
  std::vector<std::string> changed;
  std::vector<WriteResult> results(work.size());
  for (std::size_t i = 0; i < work.size(); ++i)
    results[i] = applyWrite(work[i], entities, now, sink, changed);

  StoreColumns updates, inserts;
  for (const auto& id : sink.touched) {
    const std::int64_t version = versionOf(id);
    StoreColumns& columns = version == 0 ? inserts : updates;
    const auto found = entities.find(id);
    columns.add(id, found == entities.end() ? nullptr : &found->second, version);
  }
  sink.finish();
  // The rows in one round trip (a small batch adds its history and COMMIT); a version conflict fails a
  // statement, and the server skips the rest.
  std::vector<PipelineStep> steps;
  if (updates.ids.size())
    steps.push_back(
        {&kUpdate,
         {&updates.ids, &updates.bodies, &updates.types, &updates.geometries, &updates.readVersions},
         nullptr});
  if (inserts.ids.size())
    steps.push_back(
        {&kInsert, {&inserts.ids, &inserts.bodies, &inserts.types, &inserts.geometries}, nullptr});
  // A temporal delete's purge runs before the batch's own history goes in.
  if (sink.purgedIds.size()) steps.push_back({&kPurgeHistory, {&sink.purgedIds}, nullptr});
  if (sink.bulk) {
    if (!steps.empty()) db.pipeline(steps);
    if (!sink.copyText.empty()) db.copyIn(kCopyHistory, sink.copyText);
    try {
      lease.commit();
    } catch (const DatabaseError& e) {
      // Lost during COMMIT, the outcome is unknown: never retried (that could store the batch twice).
      if (e.connectionLost())
        throw Error(std::string(e.what()) + " (during COMMIT: the batch may or may not be stored)");
      throw;
    }
  } else {
    if (!sink.rows.empty()) steps.push_back({&kHistory, sink.historyColumns(), nullptr});
    steps.push_back({nullptr, {}, "COMMIT"});
    try {
      db.pipeline(steps);
      lease.inTransaction = false;
    } catch (const DatabaseError& e) {
      // Lost with COMMIT sent, the outcome is unknown: never retried (that could store the batch twice).
      if (e.connectionLost())
        throw Error(std::string(e.what()) + " (with COMMIT sent: the batch may or may not be stored)");
      throw;  // refused (a version conflict among them): nothing was kept; the lease rolls back
    }
  }

  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (const auto& id : changed) {
    const auto found = entities.find(id);
    if (found != entities.end()) changedEntities.push_back(found->second);
  }
  // The states now stored (and those read and left unchanged) serve this service's next write of them.
  for (auto& [id, entity] : entities) {
    const std::int64_t version = versionOf(id) + (sink.touched.contains(id) ? 1 : 0);
    keep(id, version, std::move(entity));
  }
  return results;
}

std::optional<Entity> PostgresEntityRepository::get(const std::string& id) const {
  Lease lease(*pool_);
  const Result rows = (*lease).run(kGet, {id.c_str()});
  if (rows.rows() == 0) return std::nullopt;
  return parseStored(rows.text(0, 0));
}

QueryResult PostgresEntityRepository::query(const EntityQuery& query) const {
  // The database narrows the candidates with its indexes (ids, types, the location box); the query itself
  // decides on each candidate, in id order, as the SQLite repository's scan does.
  std::string sql = "SELECT id, body FROM entities WHERE body IS NOT NULL AND id > $1";
  std::vector<std::string> values{""};
  const auto parameter = [&](std::string value, const char* cast) {
    values.push_back(std::move(value));
    std::string placeholder(1, '$');
    placeholder += std::to_string(values.size());
    placeholder += cast;
    return placeholder;
  };
  if (!query.ids.empty()) {
    TextArray ids;
    for (const auto& id : query.ids) ids.add(id);
    sql += " AND id = ANY(" + parameter(ids.literal(), "::text[]") + ")";
  }
  if (!query.types.empty()) {
    TextArray types;
    for (const auto& type : query.types) types.add(type);
    sql += " AND types && " + parameter(types.literal(), "::text[]");
  }
  if (query.geo) {
    if (const auto box = prefilterBox(*query.geo)) {
      sql += " AND location && ST_MakeEnvelope(" + parameter(number((*box)[0]), "::float8") + ", " +
             parameter(number((*box)[1]), "::float8") + ", " + parameter(number((*box)[2]), "::float8") +
             ", " + parameter(number((*box)[3]), "::float8") + ", 4326)";
    }
  }
  sql += " ORDER BY id LIMIT " + std::to_string(kScanChunk);

  QueryPage page(query);
  Lease lease(*pool_);
  Connection& db = *lease;
  // One snapshot for every chunk of the scan.
  lease.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  for (bool more = true; more;) {
    std::vector<const char*> parameters;
    for (const auto& value : values) parameters.push_back(value.c_str());
    const Result rows = db.query(sql, parameters);
    more = rows.rows() == kScanChunk;
    for (int row = 0; row < rows.rows(); ++row) {
      if (!page.offer(parseStored(rows.text(row, 1)))) {
        more = false;
        break;
      }
      values[0] = std::string(rows.text(row, 0));
    }
  }
  lease.commit();
  return page.take();
}

void PostgresEntityRepository::forEach(const std::function<bool(const Entity&)>& visit) const {
  Lease lease(*pool_);
  Connection& db = *lease;
  lease.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  std::string after;
  for (bool more = true; more;) {
    const Result rows =
        db.query("SELECT id, body FROM entities WHERE body IS NOT NULL AND id > $1 ORDER BY id LIMIT " +
                     std::to_string(kScanChunk),
                 {after.c_str()});
    more = rows.rows() == kScanChunk;
    for (int row = 0; row < rows.rows(); ++row) {
      if (!visit(parseStored(rows.text(row, 1)))) {
        more = false;
        break;
      }
      after = std::string(rows.text(row, 0));
    }
  }
  lease.commit();
}

std::size_t PostgresEntityRepository::entityCount() const {
  Lease lease(*pool_);
  return static_cast<std::size_t>((*lease).run(kCount).integer(0, 0));
}

void PostgresEntityRepository::setChangeListener(ChangeListener listener) {
  const std::lock_guard guard(listenerMutex_);
  listener_ = std::move(listener);
}

std::optional<TemporalEntity> PostgresEntityRepository::temporal(const std::string& id,
                                                                 const TemporalFilter& filter) const {
  Lease lease(*pool_);
  Connection& db = *lease;
  lease.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  TemporalEntity result;
  result.id = id;
  {
    const Result known = db.run(kKnown, {id.c_str()});
    if (known.rows() == 0) {
      lease.commit();
      return std::nullopt;
    }
    if (!known.isNull(0, 0)) result.types = parseStored(known.text(0, 0)).types;
  }
  std::vector<std::string> values{id};
  const auto parameter = [&](std::string value) {
    values.push_back(std::move(value));
    std::string placeholder(1, '$');
    placeholder += std::to_string(values.size());
    return placeholder;
  };
  std::string where = "entity_id = $1";
  if (!filter.attributes.empty()) {
    TextArray names;
    for (const auto& name : filter.attributes) names.add(name);
    where += " AND attribute = ANY(" + parameter(names.literal()) + "::text[])";
  }
  switch (filter.relation) {
    case TemporalFilter::Relation::Before:
      where += " AND observed_ms < " + parameter(std::to_string(filter.timeAtMs)) + "::int8";
      break;
    case TemporalFilter::Relation::After:
      where += " AND observed_ms > " + parameter(std::to_string(filter.timeAtMs)) + "::int8";
      break;
    case TemporalFilter::Relation::Between:
      where += " AND observed_ms >= " + parameter(std::to_string(filter.timeAtMs)) +
               "::int8 AND observed_ms < " + parameter(std::to_string(filter.endTimeAtMs)) + "::int8";
      break;
    case TemporalFilter::Relation::None:
      break;
  }
  const std::string columns = "attribute, observed_ms, kind, value, observed_at, unit_code, dataset_id";
  std::string sql;
  if (filter.lastN > 0) {
    sql = "SELECT " + columns + " FROM (SELECT " + columns +
          ", seq, row_number() OVER (PARTITION BY attribute ORDER BY " +
          "observed_ms DESC, seq DESC) AS recent FROM history WHERE " + where +
          ") h WHERE recent <= " + parameter(std::to_string(filter.lastN)) +
          "::int8 ORDER BY attribute, observed_ms, seq";
  } else {
    sql = "SELECT " + columns + " FROM history WHERE " + where + " ORDER BY attribute, observed_ms, seq";
  }
  std::vector<const char*> parameters;
  for (const auto& value : values) parameters.push_back(value.c_str());
  const Result rows = db.query(sql, parameters);
  for (int row = 0; row < rows.rows(); ++row) {
    TemporalInstance instance;
    instance.attribute = std::string(rows.text(row, 0));
    instance.observedMs = rows.integer(row, 1);
    instance.kind = static_cast<AttributeKind>(rows.integer(row, 2));
    instance.valueJson = std::string(rows.text(row, 3));
    instance.observedAt = std::string(rows.text(row, 4));
    instance.unitCode = std::string(rows.text(row, 5));
    instance.datasetId = std::string(rows.text(row, 6));
    result.instances.push_back(std::move(instance));
  }
  lease.commit();
  return result;
}

}  // namespace citytwin::postgres
