#include "citytwin/context/entity_codec.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "citytwin/context/context_error.hpp"
#include "citytwin/core/date_time.hpp"

namespace citytwin::context {

namespace {

using nlohmann::json;

constexpr const char* kNgsiNull = "urn:ngsi-ld:null";

[[noreturn]] void badData(const std::string& detail) { throw ContextError(ErrorKind::BadRequestData, detail); }

bool isPosition(const json& p) {
  if (!p.is_array() || p.size() < 2 || p.size() > 3) return false;
  return std::all_of(p.begin(), p.end(), [](const json& c) { return c.is_number(); });
}

bool isPositionList(const json& list, std::size_t minimum) {
  if (!list.is_array() || list.size() < minimum) return false;
  return std::all_of(list.begin(), list.end(), isPosition);
}

bool isRingList(const json& rings) {
  if (!rings.is_array() || rings.empty()) return false;
  return std::all_of(rings.begin(), rings.end(), [](const json& r) { return isPositionList(r, 4); });
}

template <typename Check>
bool isListOf(const json& list, Check check) {
  return list.is_array() && !list.empty() && std::all_of(list.begin(), list.end(), check);
}

bool isNgsiAttributeType(const std::string& type) {
  return type == "Property" || type == "Relationship" || type == "GeoProperty" || type == "LanguageProperty";
}

constexpr std::array kReservedMembers = {"type", "value", "object", "languageMap", "observedAt", "unitCode",
                                         "datasetId", "createdAt", "modifiedAt", "instanceId", "metadata"};

bool isReservedMember(const std::string& key) {
  return std::find(kReservedMembers.begin(), kReservedMembers.end(), key) != kReservedMembers.end();
}

bool isEntityMember(const std::string& key) {
  return key == "id" || key == "type" || key == "scope" || key == "createdAt" || key == "modifiedAt";
}

// A value concise form can carry bare: anything but objects, and arrays without objects (which could read
// back as attribute instances).
bool isPlainConciseValue(const json& value) {
  if (value.is_object()) return false;
  if (value.is_array()) return std::none_of(value.begin(), value.end(), [](const json& v) { return v.is_object(); });
  return true;
}

std::string shortTypeName(const std::string& type) {
  const auto cut = type.find_last_of("/#");
  return cut == std::string::npos ? type : type.substr(cut + 1);
}

// Members that belong to another attribute type, or that only a broker writes: refused in a normalized
// attribute of the given type (GS CIM 009 clause 4.5).
bool isForeignMember(const std::string& type, const std::string& key) {
  static const std::array kOutputOnly = {"previousValue", "previousObject", "previousLanguageMap",
                                         "entityIdSealed"};
  if (std::find(kOutputOnly.begin(), kOutputOnly.end(), key) != kOutputOnly.end()) return true;
  if (type == "Property" || type == "GeoProperty") {
    return key == "object" || key == "objectList" || key == "languageMap" || key == "valueList" ||
           key == "json" || key == "vocab";
  }
  if (type == "Relationship") {
    return key == "value" || key == "unitCode" || key == "languageMap" || key == "valueList" ||
           key == "json" || key == "vocab";
  }
  return key == "value" || key == "object" || key == "unitCode";  // LanguageProperty
}

// The NGSI-LD Null ("urn:ngsi-ld:null", clause 4.6.5) anywhere in a value: a deletion marker of patches,
// never a value to create.
bool containsNgsiNull(const json& value) {
  if (value.is_string()) return value.get<std::string>() == kNgsiNull;
  if (value.is_structured()) {
    for (const auto& item : value) {
      if (containsNgsiNull(item)) return true;
    }
  }
  return false;
}

// A languageMap: language tags (non-empty) to a string or an array of strings.
void checkLanguageMap(const json& map, const std::string& name) {
  if (!map.is_object()) badData("LanguageProperty '" + name + "' needs a languageMap object");
  for (const auto& [tag, text] : map.items()) {
    const bool valid = text.is_string() ||
                       (text.is_array() &&
                        std::all_of(text.begin(), text.end(), [](const json& t) { return t.is_string(); }));
    if (tag.empty() || !valid) badData("LanguageProperty '" + name + "': languageMap maps tags to strings");
  }
}

// A scope (clause 4.18): "/"-separated levels, each a letter or '_' followed by letters, digits or '_'.
bool isValidScope(const std::string& scope) {
  std::size_t start = scope.starts_with("/") ? 1 : 0;
  if (start >= scope.size()) return false;
  while (start <= scope.size()) {
    const auto slash = scope.find('/', start);
    const std::string level =
        scope.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (level.empty() || std::isdigit(static_cast<unsigned char>(level[0]))) return false;
    if (!std::all_of(level.begin(), level.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; })) {
      return false;
    }
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
  return false;
}

// Core terms that are never reified as attributes (clause 4.5.1) cannot name one. ("value" and friends
// stay allowed: published Smart Data Models name attributes so.)
bool isCoreMemberName(const std::string& key) {
  return key == "observedAt" || key == "datasetId" || key == "instanceId";
}

void readObservedAt(Attribute& attribute, const json& value, const std::string& name) {
  if (!value.is_string()) badData("attribute '" + name + "': observedAt must be a DateTime string");
  if (!value.get<std::string>().ends_with("Z")) {
    badData("attribute '" + name + "': observedAt '" + value.get<std::string>() +
            "' must be in UTC (ending in Z)");
  }
  const auto ms = parseDateTime(value.get<std::string>());
  if (!ms) badData("attribute '" + name + "': observedAt '" + value.get<std::string>() + "' is not an ISO 8601 DateTime");
  attribute.observedAt = value.get<std::string>();
  attribute.observedMs = *ms;
}

void addSubAttribute(Attribute& attribute, const std::string& key, const json& value, const JsonLdContext& context) {
  if (!isValidAttributeName(key)) badData("sub-attribute name '" + key + "' is not a valid name");
  const Attribute sub = parseAttribute(key, value, context);
  attribute.subAttributes[context.expand(key)] = serializeAttribute(sub, nullptr, {});
}

// NGSI v2 metadata: {"timestamp": {"type": "DateTime", "value": ...}, "unitCode": {...}, ...}
void readV2Metadata(Attribute& attribute, const json& metadata, const std::string& name, const JsonLdContext& context) {
  if (!metadata.is_object()) badData("attribute '" + name + "': metadata must be an object");
  for (const auto& [key, item] : metadata.items()) {
    const json itemValue = item.is_object() && item.contains("value") ? item["value"] : item;
    if (key == "timestamp" && itemValue.is_string() && parseDateTime(itemValue.get<std::string>())) {
      readObservedAt(attribute, itemValue, name);
    } else if (key == "unitCode" && itemValue.is_string()) {
      attribute.unitCode = itemValue.get<std::string>();
    } else {
      addSubAttribute(attribute, key, itemValue, context);
    }
  }
}

// Code points that are invisible or that render as something else (spaces, format and bidi controls,
// fillers, variation selectors, noncharacters): refused in ids, which would otherwise look alike but differ.
bool isDeceptiveCodePoint(std::uint32_t c) {
  return (c >= 0x80 && c <= 0xA0) || c == 0xAD || c == 0x115F || c == 0x1160 || c == 0x180E ||
         (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x206F) ||
         c == 0x2800 || c == 0x3000 || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF ||
         c == 0xFFA0 || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE ||
         (c >= 0xFFF0 && c <= 0xFFFB) || (c >= 0xE0000 && c <= 0xE0FFF);
}

// True when the non-ASCII part of `text` is well-formed UTF-8 without deceptive code points.
bool hasOnlyVisibleUnicode(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || i + length > text.size()) return false;
    std::uint32_t c = lead & (0x3F >> (length - 1));
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      c = (c << 6) | (next & 0x3F);
    }
    if (isDeceptiveCodePoint(c)) return false;
    i += length;
  }
  return true;
}

}  // namespace

bool isValidUri(std::string_view text) {
  if (text.empty() || text.size() > 2048) return false;
  if (!hasOnlyVisibleUnicode(text)) return false;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' ||
        c == '\\' || c == '^' || c == '`') {
      return false;
    }
  }
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

bool isValidUriReference(std::string_view text) {
  if (text.empty() || text.size() > 2048) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' ||
           c == '\\' || c == '^' || c == '`';
  });
}

bool isValidAttributeName(std::string_view name) {
  if (name.empty() || name.size() > 512) return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '\'' || c == '=' || c == ';' ||
        c == '(' || c == ')') {
      return false;
    }
  }
  return true;
}

bool isGeoJsonGeometry(const json& value) {
  if (!value.is_object() || !value.contains("type") || !value["type"].is_string()) return false;
  const std::string type = value["type"].get<std::string>();
  if (type == "GeometryCollection") {
    return isListOf(value.value("geometries", json()), [](const json& g) { return isGeoJsonGeometry(g); });
  }
  if (!value.contains("coordinates")) return false;
  const json& c = value["coordinates"];
  if (type == "Point") return isPosition(c);
  if (type == "MultiPoint") return isPositionList(c, 1);
  if (type == "LineString") return isPositionList(c, 2);
  if (type == "MultiLineString") return isListOf(c, [](const json& l) { return isPositionList(l, 2); });
  if (type == "Polygon") return isRingList(c);
  if (type == "MultiPolygon") return isListOf(c, isRingList);
  return false;
}

std::string normalizeEntityId(const std::string& id, const std::string& shortType) {
  if (isValidUri(id)) return id;
  const std::string candidate = "urn:ngsi-ld:" + shortType + ":" + id;
  if (id.empty() || !isValidUri(candidate)) badData("entity id '" + id + "' is not a valid URI");
  return candidate;
}

Attribute parseAttribute(const std::string& name, const json& value, const JsonLdContext& context) {
  Attribute attribute;
  if (value.is_null()) badData("attribute '" + name + "' is null");
  if (!value.is_object()) {
    attribute.value = value;  // concise / keyValues Property
    return attribute;
  }
  const bool hasType = value.contains("type") && value["type"].is_string();
  const std::string type = hasType ? value["type"].get<std::string>() : std::string();
  bool metadataAllowed = true;
  if (value.contains("@context"))
    badData("attribute '" + name + "' carries an @context; only the entity may");
  if (hasType && isNgsiAttributeType(type)) {
    for (const auto& [key, member] : value.items()) {
      if (isForeignMember(type, key)) badData(type + " '" + name + "' may not carry '" + key + "'");
    }
    if (type == "Property") {
      if (!value.contains("value") || value["value"].is_null()) badData("Property '" + name + "' has no value");
      attribute.value = value["value"];
    } else if (type == "Relationship") {
      attribute.kind = AttributeKind::Relationship;
      if (!value.contains("object")) badData("Relationship '" + name + "' has no object");
      attribute.value = value["object"];
    } else if (type == "GeoProperty") {
      attribute.kind = AttributeKind::GeoProperty;
      if (!value.contains("value") || !isGeoJsonGeometry(value["value"])) {
        badData("GeoProperty '" + name + "' needs a GeoJSON geometry value");
      }
      if (value["value"]["type"] == "GeometryCollection") {
        badData("GeoProperty '" + name + "': GeometryCollection is not supported by NGSI-LD");
      }
      attribute.value = value["value"];
    } else {
      attribute.kind = AttributeKind::LanguageProperty;
      if (!value.contains("languageMap"))
        badData("LanguageProperty '" + name + "' needs a languageMap object");
      checkLanguageMap(value["languageMap"], name);
      if (value.contains("valueType") && value["valueType"] != "rdf:langString") {
        badData("LanguageProperty '" + name + "': valueType can only be rdf:langString");
      }
      attribute.value = value["languageMap"];
    }
  } else if (hasType && value.contains("coordinates") && !value.contains("value")) {
    if (!isGeoJsonGeometry(value)) badData("attribute '" + name + "' is not a valid GeoJSON geometry");
    attribute.kind = AttributeKind::GeoProperty;
    attribute.value = value;
    return attribute;
  } else if (hasType && type == "GeometryCollection" && !value.contains("value")) {
    if (!isGeoJsonGeometry(value)) badData("attribute '" + name + "' is not a valid GeoJSON geometry");
    attribute.kind = AttributeKind::GeoProperty;
    attribute.value = value;
    return attribute;
  } else if (value.contains("value")) {
    // Concise with metadata, or an NGSI v2 attribute ({"type": "Number"|"geo:json"|..., "value": ...}).
    if (value["value"].is_null()) badData("attribute '" + name + "' has a null value");
    attribute.value = value["value"];
    if (type == "geo:json" || isGeoJsonGeometry(attribute.value)) {
      if (!isGeoJsonGeometry(attribute.value)) badData("attribute '" + name + "' is not a valid GeoJSON geometry");
      attribute.kind = AttributeKind::GeoProperty;
    } else if (type == "Relationship") {
      attribute.kind = AttributeKind::Relationship;
    }
  } else if (value.contains("object") && !hasType) {
    attribute.kind = AttributeKind::Relationship;
    attribute.value = value["object"];
  } else if (value.contains("languageMap") && !hasType) {
    checkLanguageMap(value["languageMap"], name);
    attribute.kind = AttributeKind::LanguageProperty;
    attribute.value = value["languageMap"];
  } else {
    attribute.value = value;  // a compound value in keyValues form
    metadataAllowed = false;
  }
  if (attribute.kind == AttributeKind::Relationship) {
    // Checked as a URI reference, not an absolute URI: published Smart Data Models examples point at bare ids.
    const auto validObject = [](const json& o) { return o.is_string() && isValidUriReference(o.get<std::string>()); };
    const bool valid = validObject(attribute.value) ||
                       (attribute.value.is_array() && isListOf(attribute.value, validObject));
    if (!valid) badData("Relationship '" + name + "': object must be a URI");
  }
  if (!metadataAllowed) return attribute;
  for (const auto& [key, member] : value.items()) {
    if (key == "observedAt") {
      readObservedAt(attribute, member, name);
    } else if (key == "unitCode") {
      if (!member.is_string()) badData("attribute '" + name + "': unitCode must be a string");
      attribute.unitCode = member.get<std::string>();
    } else if (key == "datasetId") {
      if (!member.is_string() || !isValidUri(member.get<std::string>())) {
        badData("attribute '" + name + "': datasetId must be a URI");
      }
      attribute.datasetId = member.get<std::string>();
    } else if (key == "metadata") {
      readV2Metadata(attribute, member, name, context);
    } else if (!isReservedMember(key) && !key.starts_with("@")) {
      addSubAttribute(attribute, key, member, context);
    }
  }
  return attribute;
}

std::map<std::string, std::vector<Attribute>> parseAttributes(const json& body, const JsonLdContext& context) {
  if (!body.is_object()) badData("the payload must be a JSON object");
  std::map<std::string, std::vector<Attribute>> attributes;
  for (const auto& [key, value] : body.items()) {
    if (key == "id" || key == "type" || key.starts_with("@") || key == "scope" || key == "createdAt" ||
        key == "modifiedAt") {
      continue;
    }
    if (!isValidAttributeName(key)) badData("attribute name '" + key + "' is not a valid name");
    if (isCoreMemberName(key)) badData("'" + key + "' is an NGSI-LD core term and cannot name an attribute");
    auto& instances = attributes[context.expand(key)];
    const bool multiInstance = value.is_array() && !value.empty() &&
                               std::all_of(value.begin(), value.end(), [](const json& v) {
                                 if (!v.is_object()) return false;
                                 if (v.contains("type") && v["type"].is_string()) {
                                   return isNgsiAttributeType(v["type"].get<std::string>());
                                 }
                                 return v.contains("value") || v.contains("object") || v.contains("languageMap");
                               });
    if (multiInstance) {
      for (const auto& instance : value) instances.push_back(parseAttribute(key, instance, context));
    } else {
      instances.push_back(parseAttribute(key, value, context));
    }
    for (std::size_t i = 0; i < instances.size(); ++i) {
      for (std::size_t j = i + 1; j < instances.size(); ++j) {
        if (instances[i].datasetId == instances[j].datasetId) {
          badData("attribute '" + key + "' has two instances with the same datasetId");
        }
      }
    }
  }
  return attributes;
}

Entity parseEntity(const json& body, const JsonLdContext& context) {
  if (!body.is_object()) badData("an entity must be a JSON object");
  if (!body.contains("type")) badData("entity has no type");
  const json& type = body["type"];
  Entity entity;
  const auto addType = [&](const json& t) {
    if (!t.is_string() || t.get<std::string>().empty() || !isValidAttributeName(t.get<std::string>()) ||
        std::isdigit(static_cast<unsigned char>(t.get<std::string>()[0]))) {
      badData("entity type must be a name that does not start with a digit");
    }
    std::string expanded = context.expand(t.get<std::string>());
    if (expanded.starts_with("@")) badData("entity type '" + t.get<std::string>() + "' is a JSON-LD keyword");
    entity.types.push_back(std::move(expanded));
  };
  if (type.is_array()) {
    if (type.empty()) badData("entity type list is empty");
    for (const auto& t : type) addType(t);
  } else {
    addType(type);
  }
  if (!body.contains("id") || !body["id"].is_string()) badData("entity has no id string");
  entity.id = normalizeEntityId(body["id"].get<std::string>(), shortTypeName(context.compact(entity.types.front())));
  if (entity.id == kNgsiNull) badData("the NGSI-LD Null cannot be an entity id");
  if (body.contains("scope")) {
    const json& scope = body["scope"];
    const json scopes = scope.is_array() ? scope : json::array({scope});
    for (const auto& s : scopes) {
      if (!s.is_string() || !isValidScope(s.get<std::string>()))
        badData("scope " + s.dump() + " is not a valid scope");
    }
  }
  entity.attributes = parseAttributes(body, context);
  for (const auto& [name, instances] : entity.attributes) {
    for (const auto& instance : instances) {
      if (containsNgsiNull(instance.value) || containsNgsiNull(instance.subAttributes)) {
        badData("attribute '" + context.compact(name) +
                "' holds the NGSI-LD Null, which only deletes in a patch");
      }
    }
  }
  return entity;
}

json serializeAttribute(const Attribute& attribute, const JsonLdContext* context, const SerializeOptions& options) {
  const auto compact = [&](const std::string& iri) {
    std::string name = context ? context->compact(iri) : iri;
    return isReservedMember(name) || name.starts_with("@") ? iri : name;
  };
  const Representation form = options.representation;
  if (form == Representation::KeyValues) return attribute.value;
  json out = json::object();
  const bool hasMetadata = !attribute.observedAt.empty() || !attribute.unitCode.empty() ||
                           !attribute.datasetId.empty() || !attribute.subAttributes.empty() ||
                           options.systemAttributes;
  switch (attribute.kind) {
    case AttributeKind::Property:
      if (form == Representation::Concise && !hasMetadata && isPlainConciseValue(attribute.value)) return attribute.value;
      // A geometry-valued Property keeps its type in concise form, or it would read back as a GeoProperty.
      if (form == Representation::Normalized || isGeoJsonGeometry(attribute.value)) out["type"] = "Property";
      out["value"] = attribute.value;
      break;
    case AttributeKind::Relationship:
      if (form == Representation::Normalized) out["type"] = "Relationship";
      out["object"] = attribute.value;
      break;
    case AttributeKind::GeoProperty:
      if (form == Representation::Concise && !hasMetadata) return attribute.value;
      if (form == Representation::Normalized) out["type"] = "GeoProperty";
      out["value"] = attribute.value;
      break;
    case AttributeKind::LanguageProperty:
      if (form == Representation::Normalized) out["type"] = "LanguageProperty";
      out["languageMap"] = attribute.value;
      break;
  }
  if (!attribute.observedAt.empty()) out["observedAt"] = attribute.observedAt;
  if (!attribute.unitCode.empty()) out["unitCode"] = attribute.unitCode;
  if (!attribute.datasetId.empty()) out["datasetId"] = attribute.datasetId;
  if (options.systemAttributes) {
    if (attribute.createdMs) out["createdAt"] = formatDateTime(attribute.createdMs);
    if (attribute.modifiedMs) out["modifiedAt"] = formatDateTime(attribute.modifiedMs);
  }
  SerializeOptions subOptions = options;
  subOptions.systemAttributes = false;
  for (const auto& [iri, sub] : attribute.subAttributes.items()) {
    out[compact(iri)] = serializeAttribute(parseAttribute(iri, sub, *coreContext()), context, subOptions);
  }
  return out;
}

json serializeEntity(const Entity& entity, const JsonLdContext* context, const SerializeOptions& options) {
  const auto compact = [&](const std::string& iri) { return context ? context->compact(iri) : iri; };
  const auto compactName = [&](const std::string& iri) {
    std::string name = compact(iri);
    return isEntityMember(name) || name.starts_with("@") ? iri : name;
  };
  json out = json::object();
  out["id"] = entity.id;
  if (entity.types.size() == 1) {
    out["type"] = compact(entity.types.front());
  } else {
    json types = json::array();
    for (const auto& t : entity.types) types.push_back(compact(t));
    out["type"] = std::move(types);
  }
  if (options.systemAttributes) {
    if (entity.createdMs) out["createdAt"] = formatDateTime(entity.createdMs);
    if (entity.modifiedMs) out["modifiedAt"] = formatDateTime(entity.modifiedMs);
  }
  for (const auto& [iri, instances] : entity.attributes) {
    if (!options.onlyAttributes.empty() && !options.onlyAttributes.contains(iri)) continue;
    if (instances.empty()) continue;
    const std::string name = compactName(iri);
    if (instances.size() == 1 || options.representation == Representation::KeyValues) {
      out[name] = serializeAttribute(instances.front(), context, options);
    } else {
      json list = json::array();
      for (const auto& instance : instances) {
        json item = serializeAttribute(instance, context, options);
        if (!item.is_object()) item = json{{"value", item}};  // keep datasetId-bearing instances apart
        list.push_back(std::move(item));
      }
      out[name] = std::move(list);
    }
  }
  return out;
}

json toStorageJson(const Entity& entity) {
  SerializeOptions options;
  options.systemAttributes = true;
  json out = serializeEntity(entity, nullptr, options);
  // Multi-instance attributes serialise as arrays whose items are normalized objects; that round-trips.
  return out;
}

Entity fromStorageJson(const json& stored) {
  const auto& core = *coreContext();
  Entity entity;
  entity.id = stored.at("id").get<std::string>();
  const json& type = stored.at("type");
  if (type.is_array()) {
    for (const auto& t : type) entity.types.push_back(t.get<std::string>());
  } else {
    entity.types.push_back(type.get<std::string>());
  }
  if (stored.contains("createdAt")) entity.createdMs = parseDateTime(stored["createdAt"].get<std::string>()).value_or(0);
  if (stored.contains("modifiedAt")) entity.modifiedMs = parseDateTime(stored["modifiedAt"].get<std::string>()).value_or(0);
  for (const auto& [storedIri, value] : stored.items()) {
    // clang 14 cannot capture a structured binding in a lambda; the lambda captures this reference.
    const std::string& iri = storedIri;
    if (iri == "id" || iri == "type" || iri == "createdAt" || iri == "modifiedAt") continue;
    auto& instances = entity.attributes[iri];
    const auto readOne = [&](const json& item) {
      Attribute attribute = parseAttribute(iri, item, core);
      if (item.contains("createdAt")) attribute.createdMs = parseDateTime(item["createdAt"].get<std::string>()).value_or(0);
      if (item.contains("modifiedAt")) attribute.modifiedMs = parseDateTime(item["modifiedAt"].get<std::string>()).value_or(0);
      instances.push_back(std::move(attribute));
    };
    if (value.is_array()) {
      for (const auto& item : value) readOne(item);
    } else {
      readOne(value);
    }
  }
  return entity;
}

}  // namespace citytwin::context
