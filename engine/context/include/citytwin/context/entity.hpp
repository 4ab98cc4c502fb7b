#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace citytwin::context {

enum class AttributeKind { Property, Relationship, GeoProperty, LanguageProperty };

// One instance of an NGSI-LD attribute. Names inside (sub-attributes) are expanded IRIs.
struct Attribute {
  AttributeKind kind = AttributeKind::Property;
  nlohmann::json value;         // the value, the object URI(s), the GeoJSON geometry, or the language map
  std::string observedAt;       // as received; empty when absent
  std::int64_t observedMs = 0;  // observedAt in ms since the epoch, when observedAt is set
  std::string unitCode;
  std::string datasetId;        // empty: the default instance
  // Sub-attributes in normalized form with expanded names: {"<iri>": {"type": "Property", "value": ...}}.
  nlohmann::json subAttributes = nlohmann::json::object();
  std::int64_t createdMs = 0;   // system attributes, set by the store
  std::int64_t modifiedMs = 0;

  // Content equality: ignores the system times.
  bool sameContent(const Attribute& other) const;
};

// An entity with expanded type and attribute names. Attributes map the expanded name to its instances
// (one per datasetId).
struct Entity {
  std::string id;
  std::vector<std::string> types;
  std::map<std::string, std::vector<Attribute>> attributes;
  std::int64_t createdMs = 0;
  std::int64_t modifiedMs = 0;

  bool sameContent(const Entity& other) const;
  // The default instance (datasetId empty) of an attribute, else its first instance; nullptr when absent.
  const Attribute* find(const std::string& expandedName) const;
  bool hasType(const std::string& expandedType) const;
  // How many attribute instances it carries (what a write counts as attribute updates).
  std::size_t instanceCount() const;
};

std::string_view toString(AttributeKind kind);

}  // namespace citytwin::context
