#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "citytwin/context/entity.hpp"
#include "citytwin/context/entity_repository.hpp"

namespace citytwin::context {

// Where applying a write puts its effects: the storage engine of a repository.
class WriteSink {
 public:
  virtual ~WriteSink() = default;
  // The entity's new current state (created, replaced or merged).
  virtual void persist(const Entity& entity) = 0;
  virtual void remove(const std::string& id) = 0;
  // Every history row of the entity, those recorded earlier in the same batch included.
  virtual void purgeHistory(const std::string& id) = 0;
  // One attribute instance written at `now` (its observedAt, or now when it carries none).
  virtual void record(const std::string& id, const std::string& name, const Attribute& attribute,
                      std::int64_t now) = 0;
};

// The NGSI-LD semantics of one write operation, whatever stores it: checks the operation against the current
// entities (those the operation names must be in `entities` when they exist), updates them in place, stamps
// the system times with `now`, and tells the sink what to store. Ids whose entity changed (not deletions)
// are appended to `changed`. Both repositories apply writes through this one function.
WriteResult applyWrite(WriteOperation& operation, std::map<std::string, Entity>& entities, std::int64_t now,
                       WriteSink& sink, std::vector<std::string>& changed);

}  // namespace citytwin::context
