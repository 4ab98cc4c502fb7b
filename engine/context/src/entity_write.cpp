#include "citytwin/context/entity_write.hpp"

#include <algorithm>

namespace citytwin::context {

namespace {

void mergeInstances(std::vector<Attribute>& existing, const std::vector<Attribute>& incoming) {
  for (const auto& instance : incoming) {
    const auto same = std::find_if(existing.begin(), existing.end(),
                                   [&](const Attribute& a) { return a.datasetId == instance.datasetId; });
    if (same != existing.end()) {
      Attribute replacement = instance;
      replacement.createdMs = same->createdMs;
      *same = std::move(replacement);
    } else {
      existing.push_back(instance);
    }
  }
}

}  // namespace

WriteResult applyWrite(WriteOperation& op, std::map<std::string, Entity>& entities, std::int64_t now,
                       WriteSink& sink, std::vector<std::string>& changed) {
  WriteResult result;
  const std::string id = op.entity.id;  // a copy: op.entity may be moved into the store
  auto found = entities.find(id);
  const auto notFound = [&](const std::string& what) {
    result.error = ContextError(ErrorKind::NotFound, what);
    return result;
  };
  const auto stamp = [&](std::map<std::string, std::vector<Attribute>>& attributes) {
    for (auto& [name, instances] : attributes) {
      for (auto& instance : instances) {
        if (instance.createdMs == 0) instance.createdMs = now;
        instance.modifiedMs = now;
      }
    }
  };
  const auto recordAll = [&](const std::map<std::string, std::vector<Attribute>>& attributes) {
    for (const auto& [name, instances] : attributes) {
      for (const auto& instance : instances) sink.record(id, name, instance, now);
    }
  };

  switch (op.kind) {
    case WriteKind::Create:
    case WriteKind::Upsert: {
      if (found == entities.end()) {
        if (op.entity.types.empty()) {
          result.error = ContextError(ErrorKind::BadRequestData, "entity " + id + " has no type");
          return result;
        }
        Entity entity = std::move(op.entity);
        entity.createdMs = entity.modifiedMs = now;
        stamp(entity.attributes);
        sink.persist(entity);
        recordAll(entity.attributes);
        result.created = true;
        changed.push_back(id);
        entities.emplace(id, std::move(entity));
        return result;
      }
      if (op.kind == WriteKind::Create) {
        result.error = ContextError(ErrorKind::AlreadyExists, "entity " + id + " already exists");
        return result;
      }
      Entity& entity = found->second;
      if (!op.entity.types.empty()) entity.types = op.entity.types;
      if (op.mergeAttributes) {
        for (auto& [name, instances] : op.entity.attributes) {
          for (auto& instance : instances) instance.createdMs = 0;
          mergeInstances(entity.attributes[name], instances);
        }
      } else {
        for (auto& [name, instances] : op.entity.attributes) {
          const auto previous = entity.attributes.find(name);
          for (auto& instance : instances) {
            instance.createdMs = previous != entity.attributes.end() && !previous->second.empty()
                                     ? previous->second.front().createdMs
                                     : now;
          }
        }
        // Replacing: the incoming attributes become the entity's, so they move instead of being copied.
        stamp(op.entity.attributes);
        recordAll(op.entity.attributes);
        entity.attributes = std::move(op.entity.attributes);
        entity.modifiedMs = now;
        sink.persist(entity);
        changed.push_back(id);
        return result;
      }
      stamp(op.entity.attributes);
      for (auto& [name, instances] : entity.attributes) {
        for (auto& instance : instances) {
          if (op.entity.attributes.contains(name)) instance.modifiedMs = now;
          if (instance.createdMs == 0) instance.createdMs = now;
        }
      }
      entity.modifiedMs = now;
      sink.persist(entity);
      recordAll(op.entity.attributes);
      changed.push_back(id);
      return result;
    }
    case WriteKind::Delete:
      if (found == entities.end()) return notFound("entity " + id + " does not exist");
      sink.remove(id);
      if (op.purgeHistory) sink.purgeHistory(id);
      entities.erase(found);
      return result;
    default:
      break;
  }

  if (found == entities.end()) return notFound("entity " + id + " does not exist");
  Entity& entity = found->second;
  std::map<std::string, std::vector<Attribute>> written;
  switch (op.kind) {
    case WriteKind::Update:
    case WriteKind::AppendAttrs:
      for (auto& [name, instances] : op.entity.attributes) {
        if (op.noOverwrite && entity.attributes.contains(name)) {
          result.notUpdated.push_back(name);
          continue;
        }
        written[name] = instances;
      }
      break;
    case WriteKind::UpdateAttrs:
      for (auto& [name, instances] : op.entity.attributes) {
        const auto existing = entity.attributes.find(name);
        const bool allPresent =
            existing != entity.attributes.end() &&
            std::all_of(instances.begin(), instances.end(), [&](const Attribute& a) {
              return std::any_of(existing->second.begin(), existing->second.end(),
                                 [&](const Attribute& e) { return e.datasetId == a.datasetId; });
            });
        if (!allPresent) {
          result.notUpdated.push_back(name);
          continue;
        }
        written[name] = instances;
      }
      break;
    case WriteKind::PatchAttr: {
      const auto existing = entity.attributes.find(op.attribute);
      if (existing == entity.attributes.end())
        return notFound("entity " + id + " has no attribute " + op.attribute);
      const auto incoming = op.entity.attributes.find(op.attribute);
      if (incoming == op.entity.attributes.end()) {
        result.error = ContextError(ErrorKind::BadRequestData, "the payload does not carry the attribute");
        return result;
      }
      written[op.attribute] = incoming->second;
      break;
    }
    case WriteKind::DeleteAttr: {
      const auto existing = entity.attributes.find(op.attribute);
      if (existing == entity.attributes.end())
        return notFound("entity " + id + " has no attribute " + op.attribute);
      auto& instances = existing->second;
      const auto before = instances.size();
      if (op.deleteAllInstances) {
        instances.clear();
      } else {
        std::erase_if(instances, [&](const Attribute& a) { return a.datasetId == op.datasetId; });
      }
      if (instances.size() == before) return notFound("attribute " + op.attribute + " has no such datasetId");
      if (instances.empty()) entity.attributes.erase(existing);
      entity.modifiedMs = now;
      sink.persist(entity);
      changed.push_back(id);
      return result;
    }
    default:
      break;
  }
  if (written.empty()) return result;
  for (auto& [name, instances] : written) {
    for (auto& instance : instances) instance.createdMs = 0;
    mergeInstances(entity.attributes[name], instances);
  }
  for (auto& [name, instances] : entity.attributes) {
    if (!written.contains(name)) continue;
    for (auto& instance : instances) {
      if (instance.createdMs == 0) instance.createdMs = now;
      instance.modifiedMs = now;
    }
  }
  entity.modifiedMs = now;
  sink.persist(entity);
  recordAll(written);
  changed.push_back(id);
  return result;
}

}  // namespace citytwin::context
