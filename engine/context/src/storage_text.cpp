#include "citytwin/context/storage_text.hpp"

#include "citytwin/core/date_time.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/json_ld_context.hpp"

namespace citytwin::context {

namespace {

// JSON string escaping as nlohmann::json::dump() does it for valid UTF-8 (which every stored string is:
// they all come out of the JSON parser).
void appendString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of characters copied as they are
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[(c >> 4) & 0xF];
        out += kHex[c & 0xF];
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

void appendMember(std::string& out, std::string_view key, std::string_view stringValue) {
  out += ',';
  appendString(out, key);
  out += ':';
  appendString(out, stringValue);
}

void appendAttribute(std::string& out, const Attribute& attribute) {
  switch (attribute.kind) {
    case AttributeKind::Property:
      out += "{\"type\":\"Property\",\"value\":";
      break;
    case AttributeKind::Relationship:
      out += "{\"type\":\"Relationship\",\"object\":";
      break;
    case AttributeKind::GeoProperty:
      out += "{\"type\":\"GeoProperty\",\"value\":";
      break;
    case AttributeKind::LanguageProperty:
      out += "{\"type\":\"LanguageProperty\",\"languageMap\":";
      break;
  }
  out += attribute.value.dump();
  if (!attribute.observedAt.empty()) appendMember(out, "observedAt", attribute.observedAt);
  if (!attribute.unitCode.empty()) appendMember(out, "unitCode", attribute.unitCode);
  if (!attribute.datasetId.empty()) appendMember(out, "datasetId", attribute.datasetId);
  if (attribute.createdMs) appendMember(out, "createdAt", formatDateTime(attribute.createdMs));
  if (attribute.modifiedMs) appendMember(out, "modifiedAt", formatDateTime(attribute.modifiedMs));
  // Sub-attributes are rare on the ingest path; they take the general serialiser.
  SerializeOptions subOptions;
  for (const auto& [iri, sub] : attribute.subAttributes.items()) {
    out += ',';
    appendString(out, iri);
    out += ':';
    out += serializeAttribute(parseAttribute(iri, sub, *coreContext()), nullptr, subOptions).dump();
  }
  out += '}';
}

}  // namespace

std::string toStorageText(const Entity& entity) {
  std::string out;
  out.reserve(256 + entity.attributes.size() * 160);
  out += "{\"id\":";
  appendString(out, entity.id);
  out += ",\"type\":";
  if (entity.types.size() == 1) {
    appendString(out, entity.types.front());
  } else {
    out += '[';
    for (std::size_t i = 0; i < entity.types.size(); ++i) {
      if (i) out += ',';
      appendString(out, entity.types[i]);
    }
    out += ']';
  }
  if (entity.createdMs) appendMember(out, "createdAt", formatDateTime(entity.createdMs));
  if (entity.modifiedMs) appendMember(out, "modifiedAt", formatDateTime(entity.modifiedMs));
  for (const auto& [iri, instances] : entity.attributes) {
    if (instances.empty()) continue;
    out += ',';
    appendString(out, iri);
    out += ':';
    if (instances.size() == 1) {
      appendAttribute(out, instances.front());
    } else {
      out += '[';
      for (std::size_t i = 0; i < instances.size(); ++i) {
        if (i) out += ',';
        appendAttribute(out, instances[i]);
      }
      out += ']';
    }
  }
  out += '}';
  return out;
}

}  // namespace citytwin::context
