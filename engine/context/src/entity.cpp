#include "citytwin/context/entity.hpp"

#include <algorithm>

namespace citytwin::context {

bool Attribute::sameContent(const Attribute& other) const {
  return kind == other.kind && value == other.value && observedAt == other.observedAt &&
         unitCode == other.unitCode && datasetId == other.datasetId && subAttributes == other.subAttributes;
}

bool Entity::sameContent(const Entity& other) const {
  if (id != other.id || types != other.types || attributes.size() != other.attributes.size()) return false;
  for (const auto& [name, instances] : attributes) {
    const auto found = other.attributes.find(name);
    if (found == other.attributes.end() || found->second.size() != instances.size()) return false;
    for (const auto& instance : instances) {
      const bool matched = std::any_of(found->second.begin(), found->second.end(),
                                       [&](const Attribute& a) { return a.sameContent(instance); });
      if (!matched) return false;
    }
  }
  return true;
}

const Attribute* Entity::find(const std::string& expandedName) const {
  const auto found = attributes.find(expandedName);
  if (found == attributes.end() || found->second.empty()) return nullptr;
  for (const auto& instance : found->second) {
    if (instance.datasetId.empty()) return &instance;
  }
  return &found->second.front();
}

bool Entity::hasType(const std::string& expandedType) const {
  return std::find(types.begin(), types.end(), expandedType) != types.end();
}

std::size_t Entity::instanceCount() const {
  std::size_t count = 0;
  for (const auto& [name, instances] : attributes) count += instances.size();
  return count;
}

std::string_view toString(AttributeKind kind) {
  switch (kind) {
    case AttributeKind::Property: return "Property";
    case AttributeKind::Relationship: return "Relationship";
    case AttributeKind::GeoProperty: return "GeoProperty";
    case AttributeKind::LanguageProperty: return "LanguageProperty";
  }
  return "Property";
}

}  // namespace citytwin::context
