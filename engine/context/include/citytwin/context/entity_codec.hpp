#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "citytwin/context/entity.hpp"
#include "citytwin/context/json_ld_context.hpp"

namespace citytwin::context {

// The representations of the NGSI-LD API (clause 4.5): normalized (every attribute an object with its
// type), concise (type left out where it is implied) and keyValues (only the values, lossy).
enum class Representation { Normalized, Concise, KeyValues };

struct SerializeOptions {
  Representation representation = Representation::Normalized;
  bool systemAttributes = false;         // options=sysAttrs: createdAt / modifiedAt
  std::set<std::string> onlyAttributes;  // expanded names; empty = all
};

// Reads an entity in normalized or concise form (also keyValues, and NGSI v2 attributes
// {"type": "Number", "value": 3, "metadata": {...}} as published in many Smart Data Models examples).
// Names are expanded through `context`. Ids that are not absolute URIs become "urn:ngsi-ld:<Type>:<id>", the
// Smart Data Models convention. Throws ContextError(BadRequestData) naming the offending member.
Entity parseEntity(const nlohmann::json& body, const JsonLdContext& context);
// The attributes of an entity fragment (PATCH/POST .../attrs): every member except @context, id and type.
std::map<std::string, std::vector<Attribute>> parseAttributes(const nlohmann::json& body,
                                                              const JsonLdContext& context);
// One attribute, in any of the accepted forms; `name` is only for messages.
Attribute parseAttribute(const std::string& name, const nlohmann::json& value, const JsonLdContext& context);

// The entity with names compacted through `context` (nullptr: keep the expanded IRIs, for storage).
nlohmann::json serializeEntity(const Entity& entity, const JsonLdContext* context, const SerializeOptions& options);
nlohmann::json serializeAttribute(const Attribute& attribute, const JsonLdContext* context,
                                  const SerializeOptions& options);

// An entity as stored (normalized, expanded, with system times) and back.
nlohmann::json toStorageJson(const Entity& entity);
Entity fromStorageJson(const nlohmann::json& stored);

bool isValidUri(std::string_view text);
// A relative or absolute URI: no spaces or characters URIs exclude.
bool isValidUriReference(std::string_view text);
bool isValidAttributeName(std::string_view name);
bool isGeoJsonGeometry(const nlohmann::json& value);
// "urn:ngsi-ld:<shortType>:<id>" for ids without a URI scheme; valid URIs are returned unchanged.
// Throws ContextError(BadRequestData) for ids with characters no URI may hold.
std::string normalizeEntityId(const std::string& id, const std::string& shortType);

}  // namespace citytwin::context
