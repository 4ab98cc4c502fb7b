#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "citytwin/context/context_error.hpp"
#include "citytwin/context/entity.hpp"
#include "citytwin/context/entity_query.hpp"

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
  bool purgeHistory = false;      // Delete: the attribute history goes too (DELETE /temporal/entities/{id})
};

struct WriteResult {
  std::optional<ContextError> error;    // set when the operation was refused
  bool created = false;
  std::vector<std::string> notUpdated;  // expanded attribute names left alone (UpdateAttrs / noOverwrite)
  bool ok() const { return !error.has_value(); }
};

struct TemporalFilter {
  enum class Relation { None, Before, After, Between };
  Relation relation = Relation::None;
  std::int64_t timeAtMs = 0;
  std::int64_t endTimeAtMs = 0;
  std::size_t lastN = 0;             // 0: all
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

// Receives the current state of the entities that one commit changed.
using ChangeListener = std::function<void(const std::vector<Entity>&)>;

// Where the entities and their attribute history live: the one seam between the context broker's
// semantics and a storage engine (SQLite today; a server database can implement the same contract).
// Every member may be called from any thread.
class EntityRepository {
 public:
  virtual ~EntityRepository() = default;

  // Applies the operations in order, one result each (a refused operation carries its error and leaves
  // the others alone). Returns only once the accepted ones are durable; when storing fails, every
  // result carries ErrorKind::Internal and nothing of the call was kept.
  virtual std::vector<WriteResult> write(std::vector<WriteOperation> operations) = 0;

  virtual std::optional<Entity> get(const std::string& id) const = 0;
  // The page of entities the query selects, in id order (see EntityQuery).
  virtual QueryResult query(const EntityQuery& query) const = 0;
  // Calls visit for every entity in id order until it returns false.
  virtual void forEach(const std::function<bool(const Entity&)>& visit) const = 0;
  virtual std::size_t entityCount() const = 0;
  // The attribute history of one entity; nullopt when the id was never stored.
  virtual std::optional<TemporalEntity> temporal(const std::string& id, const TemporalFilter& filter) const = 0;

  // Called after each commit that changed entities, with their current state (deleted ones left out),
  // one call at a time. Set it before writes begin.
  virtual void setChangeListener(ChangeListener listener) = 0;
};

}  // namespace citytwin::context
